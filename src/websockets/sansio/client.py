"""
The client side of the sans-I/O core: the opening handshake of a client.

A :class:`ClientConnection` starts in the ``CONNECTING`` state. The I/O layer
builds the handshake request with :meth:`~ClientConnection.connect`, may
adjust its headers, sends it with :meth:`~ClientConnection.send_request`,
then feeds the bytes it receives. When the server's response is complete, a
:class:`~websockets.http.Response` appears in
:meth:`~websockets.sansio.connection.Connection.events_received`: if the
handshake succeeded, the connection is ``OPEN``; if it failed,
:attr:`~websockets.sansio.connection.Connection.handshake_exc` says why.

"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import Optional

from ..compiled import slots
from ..datastructures import Headers, HeadersLike, MultipleValuesError
from ..exceptions import (
    InvalidHandshake,
    InvalidHeader,
    InvalidHeaderValue,
    InvalidStatusCode,
    NegotiationError,
)
from ..extensions.base import ClientExtensionFactory, Extension
from ..handshake import build_request, check_response
from ..headers import (
    build_authorization_basic,
    build_extension,
    build_subprotocol,
    parse_extension,
    parse_subprotocol,
    validate_subprotocols,
)
from ..http import USER_AGENT, Request, Response
from ..typing import LoggerLike, Origin, Subprotocol
from ..uri import WebSocketURI, build_host
from .connection import CLIENT, CONNECTING, Connection, State


__all__ = ["ClientConnection"]


class ClientConnection(Connection):
    """
    Sans-I/O implementation of a WebSocket client connection.

    Args:
        wsuri: URI of the server, from :func:`~websockets.uri.parse_uri`.
        origin: Value of the ``Origin`` header, if any.
        extensions: Extensions to offer, in order of preference.
        subprotocols: Subprotocols to offer, in order of preference.
        state: Initial state; ``OPEN`` skips the handshake (for tests and for
            connections upgraded by other means).
        max_size: Largest incoming message, in bytes; :obj:`None` for no
            limit.
        logger: Logger for this connection.

    """

    __slots__ = slots(
        Connection,
        "wsuri",
        "origin",
        "available_extensions",
        "available_subprotocols",
        "subprotocol",
        "request",
        "response",
        "key",
    )

    def __init__(
        self,
        wsuri: WebSocketURI,
        *,
        origin: Optional[Origin] = None,
        extensions: Optional[Sequence[ClientExtensionFactory]] = None,
        subprotocols: Optional[Sequence[Subprotocol]] = None,
        state: State = CONNECTING,
        max_size: Optional[int] = 2**20,
        logger: Optional[LoggerLike] = None,
    ) -> None:
        super().__init__(CLIENT, state=state, max_size=max_size, logger=logger)
        if subprotocols is not None:
            validate_subprotocols(subprotocols)
        self.wsuri = wsuri
        self.origin = origin
        # Tuples: when empty, the shared empty tuple, which costs nothing
        # per connection.
        self.available_extensions = tuple(extensions or ())
        self.available_subprotocols = tuple(subprotocols or ())
        #: Subprotocol selected by the server, if any.
        self.subprotocol: Optional[Subprotocol] = None
        #: Handshake request, once :meth:`connect` built it.
        self.request: Optional[Request] = None
        #: Handshake response, once it is received.
        self.response: Optional[Response] = None
        self.key = ""
        self.start_handshake(self.parse_response())

    def connect(
        self,
        extra_headers: Optional[HeadersLike] = None,
        user_agent: Optional[str] = USER_AGENT,
    ) -> Request:
        """
        Build the handshake request.

        Args:
            extra_headers: Headers to add to the request.
            user_agent: Value of the ``User-Agent`` header; :obj:`None` to
                leave it out.

        Returns:
            The request, to send with :meth:`send_request`. Its headers may
            be changed before that.

        """
        wsuri = self.wsuri
        headers = Headers()
        headers["Host"] = build_host(wsuri.host, wsuri.port, wsuri.secure)
        if wsuri.user_info:
            headers["Authorization"] = build_authorization_basic(*wsuri.user_info)
        if self.origin is not None:
            headers["Origin"] = self.origin
        self.key = build_request(headers)
        if self.available_extensions:
            headers["Sec-WebSocket-Extensions"] = build_extension(
                [
                    (factory.name, factory.get_request_params())
                    for factory in self.available_extensions
                ]
            )
        if self.available_subprotocols:
            headers["Sec-WebSocket-Protocol"] = build_subprotocol(
                self.available_subprotocols
            )
        if extra_headers is not None:
            headers.update(extra_headers)
        if user_agent is not None and "User-Agent" not in headers:
            headers["User-Agent"] = user_agent
        return Request(wsuri.resource_name, headers)

    def send_request(self, request: Request) -> None:
        """
        Queue the handshake request for sending.

        Args:
            request: The request from :meth:`connect`.

        """
        self.log_handshake(">", f"GET {request.path} HTTP/1.1", request.headers)
        self.request = request
        self.send_data(request.serialize())

    def parse_response(self) -> Generator[None, None, None]:
        """Read the response, then open the connection or record the failure."""
        yield  # start_handshake() runs the parser up to here
        try:
            response = yield from Response.parse(
                self.reader.read_line,
                self.reader.read_exact,
                self.reader.read_to_eof,
            )
        except InvalidHandshake as exc:
            self.fail_handshake(exc)
            return
        self.response = response
        status_line = f"HTTP/1.1 {response.status_code} {response.reason_phrase}"
        self.log_handshake("<", status_line, response.headers)
        try:
            self.process_response(response)
        except InvalidHandshake as exc:
            self.events.append(response)
            self.fail_handshake(exc)
            return
        self.events.append(response)
        self.open(self.reader.take_buffer())

    def fail_handshake(self, exc: InvalidHandshake) -> None:
        """Record why the handshake failed; the client then closes the TCP connection."""
        self.handshake_exc = exc
        if self.debug:
            self.logger.debug("! handshake failed: %s", exc)
        self.send_eof()

    def process_response(self, response: Response) -> None:
        """
        Check the handshake response and negotiate extensions and subprotocol.

        Args:
            response: The server's response.

        Raises:
            InvalidHandshake: If the handshake failed; a subclass says why.

        """
        # RFC 6455 §4.1: "If the status code received from the server is not
        # 101, the client handles the response per HTTP procedures."
        if response.status_code != 101:
            raise InvalidStatusCode(response.status_code, response.headers)
        headers = response.headers
        check_response(headers, self.key)
        self.extensions = self.negotiate_extensions(headers)
        self.subprotocol = self.negotiate_subprotocol(headers)

    def negotiate_extensions(self, headers: Headers) -> list[Extension]:
        # RFC 6455 §4.1: the server's extensions MUST have been offered.
        accepted: list[Extension] = []
        for value in headers.get_all("Sec-WebSocket-Extensions"):
            if not self.available_extensions:
                raise InvalidHandshake("no extensions supported")
            for name, params in parse_extension(value):
                for factory in self.available_extensions:
                    if factory.name != name:
                        continue
                    try:
                        extension = factory.process_response_params(params, accepted)
                    except NegotiationError:
                        continue
                    accepted.append(extension)
                    break
                else:
                    raise NegotiationError(
                        f"Unsupported extension: name = {name}, params = {params}"
                    )
        return accepted

    def negotiate_subprotocol(self, headers: Headers) -> Optional[Subprotocol]:
        try:
            value = headers["Sec-WebSocket-Protocol"]
        except KeyError:
            return None
        except MultipleValuesError:
            raise InvalidHeader(
                "Sec-WebSocket-Protocol", "more than one Sec-WebSocket-Protocol header"
            ) from None
        # RFC 6455 §4.1: the server's subprotocol MUST have been offered.
        subprotocols = parse_subprotocol(value)
        if len(subprotocols) != 1:
            raise InvalidHeaderValue("Sec-WebSocket-Protocol", value)
        subprotocol = subprotocols[0]
        if subprotocol not in self.available_subprotocols:
            raise NegotiationError(f"unsupported subprotocol: {subprotocol}")
        return subprotocol
