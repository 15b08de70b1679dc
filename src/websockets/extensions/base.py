"""
The interface of WebSocket extensions.

An extension transforms frames: :meth:`Extension.encode` before sending,
:meth:`Extension.decode` after receiving. Factories negotiate extensions
during the opening handshake: a :class:`ClientExtensionFactory` offers one
in the request and accepts the server's answer, a
:class:`ServerExtensionFactory` reads an offer and answers it.

"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from ..framing import Frame
from ..typing import ExtensionName, ExtensionParameter


__all__ = ["Extension", "ClientExtensionFactory", "ServerExtensionFactory"]


class Extension:
    """Base class for extensions, negotiated for one connection."""

    #: Extension name.
    name: ExtensionName

    def decode(self, frame: Frame, *, max_size: Optional[int] = None) -> Frame:
        """
        Decode a frame after it is received.

        Args:
            frame: Frame received, before this extension.
            max_size: Largest payload the decoded frame may carry, or
                :obj:`None` for no limit.

        Returns:
            The frame as the application (or the next extension) sees it.

        Raises:
            PayloadTooBig: If decoding would exceed ``max_size``.
            ProtocolError: If the frame is invalid for this extension.

        """
        raise NotImplementedError

    def encode(self, frame: Frame) -> Frame:
        """
        Encode a frame before it is sent.

        Args:
            frame: Frame to send.

        Returns:
            The frame to put on the wire (or to pass to the next extension).

        """
        raise NotImplementedError


class ClientExtensionFactory:
    """Base class for the client side of an extension's negotiation."""

    #: Name of the extension this factory negotiates.
    name: ExtensionName

    def get_request_params(self) -> list[ExtensionParameter]:
        """
        Build the parameters to offer in the handshake request.

        Returns:
            Parameters to send to the server.

        """
        raise NotImplementedError

    def process_response_params(
        self,
        params: Sequence[ExtensionParameter],
        accepted_extensions: Sequence[Extension],
    ) -> Extension:
        """
        Accept the parameters of the server's answer.

        Args:
            params: Parameters the server sent.
            accepted_extensions: Extensions already accepted on this
                connection, in order.

        Returns:
            The extension to use on this connection.

        Raises:
            NegotiationError: If the answer is unacceptable.

        """
        raise NotImplementedError


class ServerExtensionFactory:
    """Base class for the server side of an extension's negotiation."""

    #: Name of the extension this factory negotiates.
    name: ExtensionName

    def process_request_params(
        self,
        params: Sequence[ExtensionParameter],
        accepted_extensions: Sequence[Extension],
    ) -> tuple[list[ExtensionParameter], Extension]:
        """
        Answer an offer from the client.

        Args:
            params: Parameters the client offered.
            accepted_extensions: Extensions already accepted on this
                connection, in order.

        Returns:
            Parameters to send back, and the extension to use.

        Raises:
            NegotiationError: To decline this offer; the server then tries
                the client's next offer, if any.

        """
        raise NotImplementedError
