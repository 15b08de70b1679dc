"""
The permessage-deflate extension (RFC 7692): messages compressed with DEFLATE.

:class:`PerMessageDeflate` compresses and decompresses the frames of one
connection. :class:`ClientPerMessageDeflateFactory` and
:class:`ServerPerMessageDeflateFactory` negotiate its parameters during the
opening handshake, following section 7.1 of :rfc:`7692`.

Memory: each direction of a connection needs its own zlib object, and zlib allocates
its buffers in C, outside of Python's allocator. For a window of ``wbits``
bits, a compressor takes about ``(1 << (wbits + 2)) + (1 << (memLevel + 9))``
bytes plus 6 KiB, and a decompressor about ``1 << wbits`` bytes plus 7 KiB.

Three choices keep this small and fast:

* :func:`enable_server_permessage_deflate`, which servers use when
  ``compression="deflate"``, the default, limits both windows to 12 bits
  (4 KiB) and compresses with ``memLevel=5``. Measured as the growth of the
  resident set over 1,000 connections, this costs 47 KiB per connection
  after one small message each way and 52 KiB once both windows are full,
  against 105 KiB and 266 KiB with zlib's defaults (15 bits and
  ``memLevel=8``). On JSON messages of 100 bytes to 12 KiB, the compressed
  output grows by 0 to 9%. A client that doesn't accept
  ``client_max_window_bits`` keeps a 15-bit window: up to 80 KiB.
* Compression runs at level 1, zlib's fastest, as aiohttp's does: on JSON
  documents of 16 KiB, it takes half the time of zlib's default level (6)
  for output about 20% larger. Pass ``compress_settings={"level": 6,
  "memLevel": 5}`` to a factory for smaller output.
* :class:`PerMessageDeflate` creates its zlib objects on the first message
  that needs them, and drops them after each message when context takeover
  is disabled in that direction. A connection that stays idle after the
  handshake costs no zlib memory at all.

"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any, Callable, Optional, TypeVar, Union

from ..exceptions import (
    DuplicateParameter,
    InvalidParameterName,
    InvalidParameterValue,
    NegotiationError,
    PayloadTooBig,
    ProtocolError,
)
from ..framing import CTRL_OPCODES, OP_CONT, Frame
from ..typing import ExtensionName, ExtensionParameter
from .base import ClientExtensionFactory, Extension, ServerExtensionFactory


__all__ = [
    "DEFAULT_COMPRESS_SETTINGS",
    "PerMessageDeflate",
    "ClientPerMessageDeflateFactory",
    "ServerPerMessageDeflateFactory",
    "enable_client_permessage_deflate",
    "enable_server_permessage_deflate",
]


_NAME = ExtensionName("permessage-deflate")

#: Keyword arguments for :func:`zlib.compressobj` with ``compression="deflate"``,
#: the default: the fastest level, and a small ``memLevel``.
DEFAULT_COMPRESS_SETTINGS: dict[str, Any] = {"level": 1, "memLevel": 5}

# RFC 7692 §7.2.1 and §7.2.2: the sender removes these four octets, which end
# every flush with Z_SYNC_FLUSH, and the receiver appends them again.
_SYNC_TAIL = b"\x00\x00\xff\xff"

# RFC 7692 §7.1.2.1 and §7.1.2.2: window bits are "a decimal integer value
# without leading zeroes between 8 to 15, inclusive". Looking values up in
# this table refuses "08", "+9", " 9" and the like, which int() would take.
_WINDOW_BITS = {str(bits): bits for bits in range(8, 16)}

_DEFAULT_WINDOW_BITS = 15

# Size of the pieces in which frames are decompressed when there's a limit.
_CHUNK_SIZE = 65536


def _check_window_bits(name: str, bits: int) -> None:
    # bool is an int: True and False fall outside of the range.
    if not 8 <= bits <= 15:
        raise ValueError(f"{name} must be between 8 and 15, got {bits!r}")


def _check_compress_settings(
    compress_settings: Optional[dict[str, Any]],
) -> dict[str, Any]:
    settings = dict(compress_settings or {})
    # The window size is negotiated; it cannot be set on the side.
    if "wbits" in settings:
        raise ValueError(
            "compress_settings must not include wbits: "
            "set the max_window_bits parameters instead"
        )
    return settings


class PerMessageDeflate(Extension):
    """
    The permessage-deflate extension, as negotiated for one connection.

    "Local" refers to the messages this side sends and compresses, "remote"
    to the messages it receives and decompresses.

    The zlib objects are created on the first message that needs them. Without
    context takeover, they're dropped after each message and created again
    for the next one.

    Args:
        remote_no_context_takeover: Whether the peer resets its compression
            context after each message.
        local_no_context_takeover: Whether to reset the compression context
            after each message sent.
        remote_max_window_bits: Size of the window with which the peer
            compresses, as a power of two, between 8 and 15.
        local_max_window_bits: Size of the window with which to compress, as
            a power of two, between 8 and 15.
        compress_settings: Keyword arguments for :func:`zlib.compressobj`,
            e.g. ``{"level": 6, "memLevel": 5}``, except ``wbits``.

    Raises:
        ValueError: If a window size is out of range or if
            ``compress_settings`` includes ``wbits``.

    """

    name = _NAME

    def __init__(
        self,
        remote_no_context_takeover: bool,
        local_no_context_takeover: bool,
        remote_max_window_bits: int,
        local_max_window_bits: int,
        compress_settings: Optional[dict[str, Any]] = None,
    ) -> None:
        _check_window_bits("remote_max_window_bits", remote_max_window_bits)
        _check_window_bits("local_max_window_bits", local_max_window_bits)
        self.remote_no_context_takeover = remote_no_context_takeover
        self.local_no_context_takeover = local_no_context_takeover
        self.remote_max_window_bits = remote_max_window_bits
        self.local_max_window_bits = local_max_window_bits
        self.compress_settings = _check_compress_settings(compress_settings)

        # zlib refuses a window of 8 bits for raw DEFLATE compressors, and
        # uses 9 bits when asked for 8 in zlib streams. That keeps the limit
        # of RFC 7692 §7.1.2.1: with a 512-byte window, zlib never refers
        # further back than 512 - 262 = 250 bytes, within 256 bytes.
        self._compress_wbits = -max(local_max_window_bits, 9)
        self._decompress_wbits = -remote_max_window_bits
        self._encoder: Optional[zlib._Compress] = None
        self._decoder: Optional[zlib._Decompress] = None
        # Whether the message being received is compressed.
        self._decoding = False

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}("
            f"remote_no_context_takeover={self.remote_no_context_takeover}, "
            f"local_no_context_takeover={self.local_no_context_takeover}, "
            f"remote_max_window_bits={self.remote_max_window_bits}, "
            f"local_max_window_bits={self.local_max_window_bits}, "
            f"compress_settings={self.compress_settings})"
        )

    def decode(self, frame: Frame, *, max_size: Optional[int] = None) -> Frame:
        """
        Decompress a frame after it is received.

        Control frames and the frames of uncompressed messages pass
        unchanged. A message is compressed when its first frame has the RSV1
        bit set; all its frames are decompressed then.

        Decompression stops as soon as the output exceeds ``max_size``:
        a small frame that inflates to gigabytes allocates no more than
        ``max_size`` bytes before :exc:`~websockets.exceptions.PayloadTooBig`
        is raised.

        Args:
            frame: Frame received.
            max_size: Largest payload the decompressed frame may carry, or
                :obj:`None` for no limit.

        Returns:
            The frame with its payload decompressed and RSV1 cleared.

        Raises:
            PayloadTooBig: If the decompressed payload exceeds ``max_size``.
            ProtocolError: If the frame isn't valid compressed data or has
                RSV1 set where RFC 7692 forbids it.

        """
        if frame.opcode in CTRL_OPCODES:
            # RFC 7692 §6: "An endpoint MUST NOT set the "Per-Message
            # Compressed" bit of control frames and non-first fragments of a
            # data message. An endpoint receiving such a frame MUST _Fail the
            # WebSocket Connection_."
            if frame.rsv1:
                raise ProtocolError("RSV1 set on a control frame")
            return frame

        if frame.opcode is OP_CONT:
            if frame.rsv1:
                raise ProtocolError("RSV1 set on a continuation frame")
            if not self._decoding:
                return frame
        else:
            # The first frame of a message tells whether it is compressed.
            # Its continuation frames have RSV1 clear but need inflating too.
            if not frame.rsv1:
                self._decoding = False
                return frame
            self._decoding = not frame.fin

        if frame.fin:
            self._decoding = False
        data = self._inflate(frame.data, frame.fin, max_size)
        return frame._replace(data=data, rsv1=False)

    def _inflate(self, data: bytes, fin: bool, max_size: Optional[int]) -> bytes:
        decoder = self._decoder
        if decoder is None:
            decoder = zlib.decompressobj(wbits=self._decompress_wbits)
            self._decoder = decoder

        try:
            if max_size is None:
                output = self._inflate_all(decoder, data, fin)
            else:
                output = self._inflate_bounded(decoder, data, fin, max_size)
        except zlib.error as exc:
            self._decoder = None
            raise ProtocolError(f"invalid compressed data: {exc}") from exc
        except PayloadTooBig:
            # The decoder is in the middle of the message: it's unusable.
            self._decoder = None
            raise

        # RFC 7692 §7.1.1.1 and §7.1.1.2: without context takeover, each
        # message starts with an empty window. After a block with BFINAL
        # set, zlib cannot go on either.
        if fin and (self.remote_no_context_takeover or decoder.eof):
            self._decoder = None
        return output

    @staticmethod
    def _inflate_all(decoder: zlib._Decompress, data: bytes, fin: bool) -> bytes:
        # After a block with BFINAL set (RFC 7692 §7.2.3.4), the DEFLATE
        # stream is over: what follows in the message is ignored rather than
        # piled up in decoder.unused_data.
        if decoder.eof:
            return b""
        output = decoder.decompress(data)
        # RFC 7692 §7.2.2: "Append 4 octets of 0x00 0x00 0xff 0xff to the
        # tail end of the payload of the message."
        if fin and not decoder.eof:
            output += decoder.decompress(_SYNC_TAIL)
        return output

    @staticmethod
    def _inflate_bounded(
        decoder: zlib._Decompress, data: bytes, fin: bool, max_size: int
    ) -> bytes:
        # Like _inflate_all, in chunks of bounded size, to stop as soon as
        # the output exceeds max_size. Asking zlib for the whole output at
        # once would briefly hold it twice, while it assembles the result.
        # The input is cut too, because zlib copies what it didn't consume
        # into decoder.unconsumed_tail after each call.
        pieces: list[Union[bytes, memoryview]]
        if len(data) <= _CHUNK_SIZE:
            pieces = [data]
        else:
            view = memoryview(data)
            pieces = [
                view[start : start + _CHUNK_SIZE]
                for start in range(0, len(data), _CHUNK_SIZE)
            ]
        if fin:
            pieces.append(_SYNC_TAIL)

        chunks = []
        size = 0
        for pending in pieces:
            while not decoder.eof:
                # Asking for one byte more than allowed tells an overflow
                # apart from an exact fit.
                room = min(max_size + 1 - size, _CHUNK_SIZE)
                chunk = decoder.decompress(pending, room)
                chunks.append(chunk)
                size += len(chunk)
                if size > max_size:
                    raise PayloadTooBig(
                        f"decompressed payload exceeds the limit of {max_size} bytes"
                    )
                pending = decoder.unconsumed_tail
                # When zlib fills the room it was given, it may hold more
                # output even with all input consumed: ask again.
                if not pending and len(chunk) < room:
                    break
        return b"".join(chunks)

    def encode(self, frame: Frame) -> Frame:
        """
        Compress a frame before it is sent.

        Control frames pass unchanged. Every data message is compressed;
        RSV1 is set on its first frame only. Each frame is flushed, so the
        peer can decompress it as soon as it arrives.

        Args:
            frame: Frame to send.

        Returns:
            The frame with its payload compressed.

        """
        if frame.opcode in CTRL_OPCODES:
            return frame

        encoder = self._encoder
        if encoder is None:
            encoder = zlib.compressobj(
                wbits=self._compress_wbits, **self.compress_settings
            )
            self._encoder = encoder

        # Calling compress() even on an empty payload matters: two flushes in
        # a row would make the second one return nothing at all.
        data = encoder.compress(frame.data)
        flushed = encoder.flush(zlib.Z_SYNC_FLUSH)
        if frame.fin:
            # RFC 7692 §7.2.1: "Remove 4 octets (that are 0x00 0x00 0xff
            # 0xff) from the tail end." An empty message leaves a single
            # 0x00 octet, as in §7.2.3.6.
            data += flushed[:-4]
            if self.local_no_context_takeover:
                self._encoder = None
        else:
            data += flushed

        return frame._replace(data=data, rsv1=frame.opcode is not OP_CONT)


def _parse_params(
    params: Sequence[ExtensionParameter], *, offer: bool
) -> tuple[bool, bool, Optional[int], Union[int, bool, None]]:
    """
    Read the parameters of an offer or of a response.

    Returns ``(server_no_context_takeover, client_no_context_takeover,
    server_max_window_bits, client_max_window_bits)``. Window bits are
    :obj:`None` when absent; ``client_max_window_bits`` is ``True`` when
    an offer includes it without a value.

    """
    # RFC 7692 §7: a server MUST decline an offer, and a client MUST fail
    # the connection on a response, with an unknown parameter, an invalid
    # value or several parameters of the same name.
    seen: set[str] = set()
    server_no_context_takeover = False
    client_no_context_takeover = False
    server_max_window_bits: Optional[int] = None
    client_max_window_bits: Union[int, bool, None] = None

    for name, value in params:
        if name in seen:
            raise DuplicateParameter(name)
        seen.add(name)

        if name == "server_no_context_takeover":
            if value is not None:
                raise InvalidParameterValue(name, value)
            server_no_context_takeover = True

        elif name == "client_no_context_takeover":
            if value is not None:
                raise InvalidParameterValue(name, value)
            client_no_context_takeover = True

        elif name == "server_max_window_bits":
            if value not in _WINDOW_BITS:
                raise InvalidParameterValue(name, value)
            server_max_window_bits = _WINDOW_BITS[value]

        elif name == "client_max_window_bits":
            # RFC 7692 §7.1.2.2: an offer may carry this parameter without a
            # value; in a response, it "MUST have a value".
            if offer and value is None:
                client_max_window_bits = True
            elif value not in _WINDOW_BITS:
                raise InvalidParameterValue(name, value)
            else:
                client_max_window_bits = _WINDOW_BITS[value]

        else:
            raise InvalidParameterName(name)

    return (
        server_no_context_takeover,
        client_no_context_takeover,
        server_max_window_bits,
        client_max_window_bits,
    )


class ClientPerMessageDeflateFactory(ClientExtensionFactory):
    """
    Client side of the negotiation of permessage-deflate.

    The parameters say what the client offers; see section 7.1 of
    :rfc:`7692`.

    Args:
        server_no_context_takeover: Ask the server not to use context
            takeover.
        client_no_context_takeover: Announce that the client won't use
            context takeover.
        server_max_window_bits: Largest window, as a power of two between 8
            and 15, that the server may compress with; :obj:`None` for no
            limit.
        client_max_window_bits: Let the server choose the client's window:
            ``True`` to offer the parameter without a value, a power of
            two between 8 and 15 to offer it with that value, which also
            caps the client's window, :obj:`None` not to offer it.
        compress_settings: Keyword arguments for :func:`zlib.compressobj`,
            except ``wbits``.

    Raises:
        ValueError: If a window size is out of range or if
            ``compress_settings`` includes ``wbits``.

    """

    name = _NAME

    def __init__(
        self,
        server_no_context_takeover: bool = False,
        client_no_context_takeover: bool = False,
        server_max_window_bits: Optional[int] = None,
        client_max_window_bits: Optional[Union[int, bool]] = True,
        compress_settings: Optional[dict[str, Any]] = None,
    ) -> None:
        if server_max_window_bits is not None:
            _check_window_bits("server_max_window_bits", server_max_window_bits)
        if not (client_max_window_bits is None or client_max_window_bits is True):
            _check_window_bits("client_max_window_bits", client_max_window_bits)
        self.server_no_context_takeover = server_no_context_takeover
        self.client_no_context_takeover = client_no_context_takeover
        self.server_max_window_bits = server_max_window_bits
        self.client_max_window_bits = client_max_window_bits
        self.compress_settings = _check_compress_settings(compress_settings)

    def get_request_params(self) -> list[ExtensionParameter]:
        """
        Build the parameters of the offer.

        Returns:
            Parameters to send to the server.

        """
        params: list[ExtensionParameter] = []
        if self.server_no_context_takeover:
            params.append(("server_no_context_takeover", None))
        if self.client_no_context_takeover:
            params.append(("client_no_context_takeover", None))
        if self.server_max_window_bits is not None:
            value = str(self.server_max_window_bits)
            params.append(("server_max_window_bits", value))
        if self.client_max_window_bits is True:
            params.append(("client_max_window_bits", None))
        elif self.client_max_window_bits is not None:
            value = str(self.client_max_window_bits)
            params.append(("client_max_window_bits", value))
        return params

    def process_response_params(
        self,
        params: Sequence[ExtensionParameter],
        accepted_extensions: Sequence[Extension],
    ) -> PerMessageDeflate:
        """
        Accept the server's answer to the offer.

        Args:
            params: Parameters the server sent.
            accepted_extensions: Extensions already accepted on this
                connection, in order.

        Returns:
            The extension to use on this connection.

        Raises:
            NegotiationError: If the answer is invalid or doesn't match the
                offer, or if permessage-deflate is already accepted.

        """
        # RFC 7692 §6: PMCEs use the RSV1 bit, so only one can be in use.
        if any(ext.name == self.name for ext in accepted_extensions):
            raise NegotiationError(f"received duplicate {self.name}")

        (
            server_no_context_takeover,
            client_no_context_takeover,
            server_max_window_bits,
            client_max_window_bits,
        ) = _parse_params(params, offer=False)

        # RFC 7692 §7.1.1.1: "A server accepts an extension negotiation offer
        # that includes the "server_no_context_takeover" extension parameter
        # MUST include the "server_no_context_takeover" extension parameter
        # in the corresponding extension negotiation response". The server
        # may also include it unasked.
        if self.server_no_context_takeover and not server_no_context_takeover:
            raise NegotiationError("expected server_no_context_takeover")

        # RFC 7692 §7.1.1.2: when the server includes
        # client_no_context_takeover, "the client MUST NOT use context
        # takeover"; when the client offered it, it keeps its word anyway.
        if self.client_no_context_takeover:
            client_no_context_takeover = True

        # RFC 7692 §7.1.2.1: "A server accepts an extension negotiation offer
        # with this parameter by including the "server_max_window_bits"
        # extension parameter in the extension negotiation response to send
        # back to the client with the same or smaller value as the offer."
        if self.server_max_window_bits is not None:
            if server_max_window_bits is None:
                raise NegotiationError("expected server_max_window_bits")
            if server_max_window_bits > self.server_max_window_bits:
                raise NegotiationError(
                    f"server_max_window_bits={server_max_window_bits} exceeds "
                    f"the {self.server_max_window_bits} requested"
                )
        if server_max_window_bits is None:
            server_max_window_bits = _DEFAULT_WINDOW_BITS

        # RFC 7692 §7.1.2.2: "If a received extension negotiation offer
        # doesn't have the "client_max_window_bits" extension parameter, the
        # corresponding extension negotiation response to the offer MUST NOT
        # include the "client_max_window_bits" extension parameter." If the
        # offer has a value, the response has "a value equal to or smaller
        # than the received value".
        offered = self.client_max_window_bits
        local_max_window_bits: int
        if client_max_window_bits is None:
            if offered is None or offered is True:
                local_max_window_bits = _DEFAULT_WINDOW_BITS
            else:
                # A value in the offer is a promise not to exceed it.
                local_max_window_bits = offered
        else:
            if offered is None:
                raise NegotiationError("unexpected client_max_window_bits")
            if offered is not True and client_max_window_bits > offered:
                raise NegotiationError(
                    f"client_max_window_bits={client_max_window_bits} exceeds "
                    f"the {offered} offered"
                )
            local_max_window_bits = client_max_window_bits

        return PerMessageDeflate(
            remote_no_context_takeover=server_no_context_takeover,
            local_no_context_takeover=client_no_context_takeover,
            remote_max_window_bits=server_max_window_bits,
            local_max_window_bits=local_max_window_bits,
            compress_settings=self.compress_settings,
        )


class ServerPerMessageDeflateFactory(ServerExtensionFactory):
    """
    Server side of the negotiation of permessage-deflate.

    The parameters say what the server requires, whatever the client
    offers; see section 7.1 of :rfc:`7692`.

    Args:
        server_no_context_takeover: Don't use context takeover on the
            server side.
        client_no_context_takeover: Ask the client not to use context
            takeover.
        server_max_window_bits: Largest window to compress with, as a power
            of two between 8 and 15; :obj:`None` for no limit beyond the
            client's.
        client_max_window_bits: Largest window the client may compress
            with, as a power of two between 8 and 15, for clients that
            accept this parameter; :obj:`None` for no limit beyond the
            client's.
        compress_settings: Keyword arguments for :func:`zlib.compressobj`,
            except ``wbits``.
        require_client_max_window_bits: Decline offers from clients that
            don't accept ``client_max_window_bits``, to enforce it.

    Raises:
        ValueError: If a window size is out of range, if
            ``compress_settings`` includes ``wbits``, or if
            ``require_client_max_window_bits`` is set without
            ``client_max_window_bits``.

    """

    name = _NAME

    def __init__(
        self,
        server_no_context_takeover: bool = False,
        client_no_context_takeover: bool = False,
        server_max_window_bits: Optional[int] = None,
        client_max_window_bits: Optional[int] = None,
        compress_settings: Optional[dict[str, Any]] = None,
        require_client_max_window_bits: bool = False,
    ) -> None:
        if server_max_window_bits is not None:
            _check_window_bits("server_max_window_bits", server_max_window_bits)
        if client_max_window_bits is not None:
            _check_window_bits("client_max_window_bits", client_max_window_bits)
        elif require_client_max_window_bits:
            raise ValueError(
                "require_client_max_window_bits needs client_max_window_bits"
            )
        self.server_no_context_takeover = server_no_context_takeover
        self.client_no_context_takeover = client_no_context_takeover
        self.server_max_window_bits = server_max_window_bits
        self.client_max_window_bits = client_max_window_bits
        self.compress_settings = _check_compress_settings(compress_settings)
        self.require_client_max_window_bits = require_client_max_window_bits

    def process_request_params(
        self,
        params: Sequence[ExtensionParameter],
        accepted_extensions: Sequence[Extension],
    ) -> tuple[list[ExtensionParameter], PerMessageDeflate]:
        """
        Answer an offer from the client.

        Args:
            params: Parameters the client offered.
            accepted_extensions: Extensions already accepted on this
                connection, in order.

        Returns:
            Parameters to send back, and the extension to use.

        Raises:
            NegotiationError: To decline the offer: it's invalid, it
                lacks ``client_max_window_bits`` while that is required, or
                permessage-deflate is already accepted. The server then
                tries the client's next offer, if any.

        """
        # RFC 7692 §6: PMCEs use the RSV1 bit, so only one can be in use.
        if any(ext.name == self.name for ext in accepted_extensions):
            raise NegotiationError(f"skipped duplicate {self.name}")

        (
            server_no_context_takeover,
            client_no_context_takeover,
            server_max_window_bits,
            client_max_window_bits,
        ) = _parse_params(params, offer=True)

        # RFC 7692 §7.1.1.1: a server accepting an offer with
        # server_no_context_takeover "MUST include" it in the response; it
        # may include it unasked.
        if self.server_no_context_takeover:
            server_no_context_takeover = True

        # RFC 7692 §7.1.1.2: the server may ask the client not to use
        # context takeover. When the client offers it, echoing it is
        # allowed and makes the agreement explicit.
        if self.client_no_context_takeover:
            client_no_context_takeover = True

        # RFC 7692 §7.1.2.1: accept server_max_window_bits with "the same or
        # smaller value as the offer"; the server may also include it
        # unasked, to announce a smaller window.
        if self.server_max_window_bits is not None:
            if server_max_window_bits is None:
                server_max_window_bits = self.server_max_window_bits
            else:
                server_max_window_bits = min(
                    server_max_window_bits, self.server_max_window_bits
                )

        # RFC 7692 §7.1.2.2: the response may include client_max_window_bits
        # only when the offer does, with "a value equal to or smaller than
        # the received value".
        client_bits: Optional[int]
        if client_max_window_bits is None:
            if self.require_client_max_window_bits:
                raise NegotiationError("required client_max_window_bits")
            client_bits = None
        elif client_max_window_bits is True:
            client_bits = self.client_max_window_bits
        elif self.client_max_window_bits is None:
            # Answering makes the client's hint binding, which is allowed.
            client_bits = client_max_window_bits
        else:
            client_bits = min(client_max_window_bits, self.client_max_window_bits)

        response_params: list[ExtensionParameter] = []
        if server_no_context_takeover:
            response_params.append(("server_no_context_takeover", None))
        if client_no_context_takeover:
            response_params.append(("client_no_context_takeover", None))
        if server_max_window_bits is not None:
            response_params.append(
                ("server_max_window_bits", str(server_max_window_bits))
            )
        if client_bits is not None:
            response_params.append(("client_max_window_bits", str(client_bits)))

        extension = PerMessageDeflate(
            remote_no_context_takeover=client_no_context_takeover,
            local_no_context_takeover=server_no_context_takeover,
            remote_max_window_bits=(
                _DEFAULT_WINDOW_BITS if client_bits is None else client_bits
            ),
            local_max_window_bits=(
                _DEFAULT_WINDOW_BITS
                if server_max_window_bits is None
                else server_max_window_bits
            ),
            compress_settings=self.compress_settings,
        )
        return response_params, extension


def enable_client_permessage_deflate(
    extensions: Optional[Sequence[ClientExtensionFactory]],
) -> Sequence[ClientExtensionFactory]:
    """
    Add permessage-deflate with the library's defaults to client extensions.

    Clients use this when ``compression="deflate"``, the default. The offer
    includes ``client_max_window_bits``, so the server may cap the client's
    window, and compression uses :data:`DEFAULT_COMPRESS_SETTINGS`.

    Args:
        extensions: Extension factories the client offers, if any.

    Returns:
        The factories, with permessage-deflate last, unless a factory for
        permessage-deflate is already there: then ``extensions`` is returned
        as is.

    """
    return _with_default(
        extensions or [],
        lambda: ClientPerMessageDeflateFactory(
            client_max_window_bits=True,
            compress_settings=DEFAULT_COMPRESS_SETTINGS,
        ),
    )


def enable_server_permessage_deflate(
    extensions: Optional[Sequence[ServerExtensionFactory]],
) -> Sequence[ServerExtensionFactory]:
    """
    Add permessage-deflate with the library's defaults to server extensions.

    Servers use this when ``compression="deflate"``, the default. The server
    compresses with a 12-bit window (4 KiB) and
    :data:`DEFAULT_COMPRESS_SETTINGS`, and caps the client's window to 12 bits
    when the client accepts it. This costs about
    50 KiB per connection once messages have flowed both ways, and nothing
    before; see the module's documentation.

    Args:
        extensions: Extension factories the server supports, if any.

    Returns:
        The factories, with permessage-deflate last, unless a factory for
        permessage-deflate is already there: then ``extensions`` is returned
        as is.

    """
    return _with_default(
        extensions or [],
        lambda: ServerPerMessageDeflateFactory(
            server_max_window_bits=12,
            client_max_window_bits=12,
            compress_settings=DEFAULT_COMPRESS_SETTINGS,
        ),
    )


_Factory = TypeVar("_Factory", ClientExtensionFactory, ServerExtensionFactory)


def _apply_compression(
    compression: Optional[str],
    extensions: Optional[Sequence[_Factory]],
    enable: Callable[[Optional[Sequence[_Factory]]], Sequence[_Factory]],
) -> Optional[Sequence[_Factory]]:
    # The compression argument of the clients and servers of the I/O layers:
    # "deflate" adds permessage-deflate with enable(), None adds nothing.
    if compression == "deflate":
        return enable(extensions)
    if compression is not None:
        raise ValueError(f"unsupported compression: {compression}")
    return extensions


def _with_default(
    extensions: Sequence[_Factory], default: Callable[[], _Factory]
) -> Sequence[_Factory]:
    # Append the default factory, unless permessage-deflate is there already.
    if any(factory.name == _NAME for factory in extensions):
        return extensions
    return list(extensions) + [default()]
