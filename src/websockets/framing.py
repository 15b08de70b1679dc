"""
WebSocket frames (RFC 6455, section 5).

This module holds the wire format of frames and nothing else:

* :class:`Frame` and :class:`Close` represent a frame and the payload of a
  close frame, and serialize themselves;
* :class:`FrameParser` turns a stream of bytes into frames, incrementally;
  it is the hot path of the library;
* :meth:`Frame.read` and :meth:`Frame.write` are the classic helpers that
  read a frame from a stream and write a frame to it.

Rules that need more context than a frame (fragmentation, UTF-8 across
fragments, the closing handshake) belong to
:class:`~websockets.sansio.connection.Connection`.

"""

from __future__ import annotations

import codecs
import enum
import os
import struct
from collections.abc import Awaitable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Callable, NamedTuple, Optional, Union

from .exceptions import PayloadTooBig, ProtocolError, close_code_explanation
from .utils import _speedup, apply_mask


if TYPE_CHECKING:  # pragma: no cover
    from .extensions.base import Extension


__all__ = [
    "Opcode",
    "OP_CONT",
    "OP_TEXT",
    "OP_BINARY",
    "OP_CLOSE",
    "OP_PING",
    "OP_PONG",
    "DATA_OPCODES",
    "CTRL_OPCODES",
    "Frame",
    "Close",
    "FrameParser",
    "parse_close",
    "serialize_close",
    "generate_mask",
]


class Opcode(enum.IntEnum):
    """Opcode of a frame (RFC 6455, section 5.2)."""

    CONT = 0x0
    TEXT = 0x1
    BINARY = 0x2
    CLOSE = 0x8
    PING = 0x9
    PONG = 0xA


OP_CONT = Opcode.CONT
OP_TEXT = Opcode.TEXT
OP_BINARY = Opcode.BINARY
OP_CLOSE = Opcode.CLOSE
OP_PING = Opcode.PING
OP_PONG = Opcode.PONG

DATA_OPCODES = frozenset({OP_CONT, OP_TEXT, OP_BINARY})
CTRL_OPCODES = frozenset({OP_CLOSE, OP_PING, OP_PONG})

# The low nibble of the first byte, mapped to its opcode; None marks the
# opcodes that RFC 6455 reserves. A tuple lookup is much cheaper than
# calling Opcode(value) and catching ValueError.
_OPCODES: tuple[Optional[Opcode], ...] = tuple(
    Opcode(value) if value in {opcode.value for opcode in Opcode} else None
    for value in range(16)
)

# RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes
# or less".
_MAX_CONTROL = 125

_PACK_7 = struct.Struct("!BB").pack
_PACK_16 = struct.Struct("!BBH").pack
_PACK_64 = struct.Struct("!BBQ").pack
_UNPACK_16 = struct.Struct("!H").unpack_from
_UNPACK_64 = struct.Struct("!Q").unpack_from

# Frames are tuples: tuple.__new__(Frame, items) skips the Python-level
# __new__ that NamedTuple generates, once per frame received or sent; the C
# function speedups.new_frame() does the same without a generic call.
_new_frame: Any = _speedup("new_frame") or tuple.__new__
# The items of a frame, which serializing reads without a Frame object.
_FrameItems = tuple[bool, Opcode, bytes, bool, bool, bool]


# Masking keys come from os.urandom() by the thousand: one system call per
# frame would cost more than the rest of masking a small frame. next() on a
# C iterator is atomic, so threads never share a key; a child process
# doesn't get its parent's keys either.
_KEYS_PER_READ = 1024
_keys: Iterator[tuple[bytes]]


def _reset_keys() -> None:
    global _keys
    _keys = struct.iter_unpack("4s", os.urandom(4 * _KEYS_PER_READ))


_reset_keys()
if hasattr(os, "register_at_fork"):  # pragma: no branch - not on Windows
    os.register_at_fork(after_in_child=_reset_keys)


def generate_mask() -> bytes:
    """
    Generate a masking key for a frame sent by a client.

    RFC 6455 §5.3: "The masking key is a 32-bit value chosen at random by the
    client." The keys come from :func:`os.urandom`, read in batches.
    :meth:`Frame.serialize` and the sans-I/O core look this function up at
    each call, so tests can replace it to get predictable bytes.

    Returns:
        Four random bytes.

    """
    try:
        (key,) = next(_keys)
    except StopIteration:
        _reset_keys()
        (key,) = next(_keys)
    return key


def _check_control(fin: int, length: int) -> None:
    # The one place for the rules of control frames, shared by the parser,
    # which applies them to headers before reading the payload, and by
    # Frame.check.
    # RFC 6455 §5.5: "All control frames MUST have a payload length of 125
    # bytes or less and MUST NOT be fragmented."
    if length > _MAX_CONTROL:
        raise ProtocolError("control frame too long")
    if not fin:
        raise ProtocolError("fragmented control frame")


def _too_big(length: int, max_size: int) -> PayloadTooBig:
    return PayloadTooBig(f"over size limit ({length} > {max_size} bytes)")


# Longest rendering of a payload in Frame.__str__; a longer one keeps this
# many characters of its start and of its end.
_STR_MAX = 75
_STR_HEAD = 48
_STR_TAIL = 24
# Frame.__str__ decodes at most this many bytes of a text payload, so that
# logging a huge frame stays cheap.
_STR_DECODE = 4 * _STR_MAX

_UTF8Decoder = codecs.getincrementaldecoder("utf-8")


def _render_text(data: bytes) -> Optional[str]:
    # Returns None when the payload isn't valid UTF-8.
    try:
        if len(data) <= _STR_DECODE:
            text = repr(data.decode())
        else:
            # The incremental decoder accepts a character cut at the end.
            head = _UTF8Decoder().decode(data[:_STR_DECODE])
            return repr(head)[: _STR_MAX - 3] + "..."
    except UnicodeDecodeError:
        return None
    if len(text) > _STR_MAX:
        text = text[:_STR_HEAD] + "..." + text[-_STR_TAIL:]
    return text


def _render_binary(data: bytes) -> str:
    # Three characters per byte: keep whole bytes at both ends.
    if 3 * len(data) - 1 > _STR_MAX:
        return data[:16].hex(" ") + " ... " + data[-8:].hex(" ")
    return data.hex(" ")


class Frame(NamedTuple):
    """
    A WebSocket frame.

    Attributes:
        fin: Whether this is the last frame of a message.
        opcode: Opcode.
        data: Payload, unmasked.
        rsv1: RSV1 bit, set by permessage-deflate on compressed messages.
        rsv2: RSV2 bit.
        rsv3: RSV3 bit.

    """

    fin: bool
    opcode: Opcode
    data: bytes
    rsv1: bool = False
    rsv2: bool = False
    rsv3: bool = False

    def __str__(self) -> str:
        """
        Render the frame for logs: opcode, payload, length, flags.

        The payload is shown as text when it is valid UTF-8 (except in
        binary frames), in hexadecimal otherwise, and is elided past about
        75 characters, so that any frame, however large or malformed, gives
        a short line.

        """
        data = self.data
        opcode = self.opcode
        rendering: Optional[str]
        if opcode is OP_BINARY:
            rendering = _render_binary(data)
        elif opcode is OP_CLOSE:
            try:
                rendering = str(Close.parse(data))
            except (ProtocolError, UnicodeDecodeError):
                rendering = None
        else:
            # Text frames, and frames that may carry text: continuations,
            # pings and pongs.
            rendering = _render_text(data)
        if rendering is None:
            rendering = _render_binary(data)
        details = [f"{len(data)} byte{'' if len(data) == 1 else 's'}"]
        if not self.fin:
            details.append("continued")
        details.extend(
            name for name, bit in zip(("rsv1", "rsv2", "rsv3"), self[3:]) if bit
        )
        words = [getattr(opcode, "name", str(opcode))]
        if rendering:
            words.append(rendering)
        words.append(f"[{', '.join(details)}]")
        return " ".join(words)

    def check(self) -> None:
        """
        Check that the frame follows the rules of RFC 6455, section 5.

        The reserved bits must be cleared (once extensions have decoded the
        frame) and control frames must be short and unfragmented.

        Raises:
            ProtocolError: If the frame breaks a rule.

        """
        # RFC 6455 §5.2: "RSV1, RSV2, RSV3: 1 bit each. MUST be 0 unless an
        # extension is negotiated that defines meanings for non-zero values."
        if self.rsv1 or self.rsv2 or self.rsv3:
            raise ProtocolError("reserved bits must be 0")
        if self.opcode in CTRL_OPCODES:
            _check_control(self.fin, len(self.data))
        elif self.opcode not in DATA_OPCODES:
            raise ProtocolError(f"invalid opcode: {self.opcode}")

    def serialize(self, *, mask: bool) -> bytes:
        """
        Serialize the frame, header and payload in one :class:`bytes` object.

        One object lets the I/O layer write the frame with a single call.
        This method doesn't call :meth:`check`.

        Args:
            mask: Whether to mask the payload; clients mask every frame, as
                RFC 6455 §5.3 requires, and servers never do.

        Returns:
            The frame, as sent on the wire.

        """
        return _serialize_frame(self, generate_mask() if mask else None)

    def serialize_parts(self, *, mask: bool) -> tuple[bytes, bytes]:
        """
        Serialize the frame as its header and its payload.

        Writing the two parts with :meth:`asyncio.WriteTransport.writelines`
        or :func:`socket.socket.sendmsg` sends a large payload without
        copying it into one object with its header.

        Args:
            mask: Whether to mask the payload, as in :meth:`serialize`.

        Returns:
            The header, with the masking key if any, and the payload,
            masked if needed.

        """
        return _parts(self, generate_mask() if mask else None)

    @classmethod
    async def read(
        cls,
        reader: Callable[[int], Awaitable[bytes]],
        *,
        mask: bool,
        max_size: Optional[int] = None,
        extensions: Optional[Sequence[Extension]] = None,
    ) -> Frame:
        """
        Read a frame from a stream.

        It asks ``reader`` for exactly the bytes it needs, header first,
        then payload, so it never reads past the frame.

        Args:
            reader: Coroutine function that reads exactly the given number
                of bytes, such as :meth:`asyncio.StreamReader.readexactly`.
            mask: Whether the frame must be masked: ``True`` on a server,
                ``False`` on a client.
            max_size: Largest payload to accept, in bytes; :obj:`None` for
                no limit. It is checked on the announced length, before
                reading the payload, and again after the extensions.
            extensions: Extensions to decode the frame with; they are
                applied in reverse order.

        Returns:
            The frame, decoded by the extensions and checked.

        Raises:
            PayloadTooBig: If the payload exceeds ``max_size``.
            ProtocolError: If the frame is invalid.
            EOFError: If ``reader`` returns no bytes.

        """
        parser = FrameParser(mask=mask, max_size=max_size)
        frame = parser.parse()
        while frame is None:
            data = await reader(parser.bytes_needed)
            if not data:
                raise EOFError("stream ended in the middle of a frame")
            parser.feed(data)
            frame = parser.parse()
        if extensions:
            for extension in reversed(extensions):
                frame = extension.decode(frame, max_size=max_size)
        frame.check()
        return frame

    def write(
        self,
        write: Callable[[bytes], Any],
        *,
        mask: bool,
        extensions: Optional[Sequence[Extension]] = None,
    ) -> None:
        """
        Write the frame to a stream, in one call to ``write``.

        Args:
            write: Function that writes bytes, such as
                :meth:`asyncio.WriteTransport.write`.
            mask: Whether to mask the frame: ``True`` on a client.
            extensions: Extensions to encode the frame with; they are
                applied in order.

        Raises:
            ProtocolError: If the frame is invalid (checked before the
                extensions encode it).

        """
        self.check()
        frame = self
        if extensions:
            for extension in extensions:
                frame = extension.encode(frame)
        write(frame.serialize(mask=mask))


def _parts(frame: _FrameItems, key: Optional[bytes]) -> tuple[bytes, bytes]:
    # The header of a frame, with its masking key if any, and its payload,
    # masked if needed.
    fin, opcode, data, rsv1, rsv2, rsv3 = frame
    first = (fin << 7) | (rsv1 << 6) | (rsv2 << 5) | (rsv3 << 4) | opcode
    length = len(data)
    second = 0 if key is None else 0x80
    # RFC 6455 §5.2: the length is 7 bits, or 126 then 16 bits, or 127
    # then 64 bits; we always use the shortest encoding.
    if length < 126:
        header = _PACK_7(first, second | length)
    elif length < 0x10000:
        header = _PACK_16(first, second | 126, length)
    else:
        header = _PACK_64(first, second | 127, length)
    if key is None:
        return header, data
    return header + key, apply_mask(data, key)


def _serialize_frame_python(frame: _FrameItems, key: Optional[bytes]) -> bytes:
    # Frame.serialize() with a given masking key; speedups.serialize_frame()
    # is the C implementation.
    header, payload = _parts(frame, key)
    return header + payload


# C implementations from websockets.speedups, when they are available.
# parse_frame() reads a whole, ordinary frame, else returns None: it is a
# fast path in front of FrameParser.parse(), which has the rules.
_serialize_frame: Callable[[_FrameItems, Optional[bytes]], bytes] = (
    _speedup("serialize_frame") or _serialize_frame_python
)
_ParseFrame = Callable[..., Optional[tuple[Frame, int]]]
_parse_frame: Optional[_ParseFrame] = _speedup("parse_frame")


class Close(NamedTuple):
    """
    Payload of a close frame.

    Attributes:
        code: Close code.
        reason: Close reason.

    """

    code: int
    reason: str

    def __str__(self) -> str:
        """Render the close code, its meaning, and the reason, for logs."""
        text = f"{self.code} ({close_code_explanation(self.code)})"
        if self.reason:
            text += f" {self.reason}"
        return text

    @classmethod
    def parse(cls, data: bytes) -> Close:
        """
        Parse the payload of a close frame.

        Args:
            data: Payload of the close frame.

        Returns:
            The close code and reason; code 1005 (no status code) with an
            empty reason when the payload is empty.

        Raises:
            ProtocolError: If the payload is one byte long or the close code
                isn't allowed on the wire.
            UnicodeDecodeError: If the reason isn't valid UTF-8.

        """
        if len(data) >= 2:
            (code,) = _UNPACK_16(data)
            _check_close_code(code)
            return cls(code, data[2:].decode())
        if not data:
            # RFC 6455 §7.1.5: "If this Close control frame contains no
            # status code, _The WebSocket Connection Close Code_ is
            # considered to be 1005."
            return cls(1005, "")
        # RFC 6455 §5.5.1: "If there is a body, the first two bytes of the
        # body MUST be a 2-byte unsigned integer".
        raise ProtocolError("close frame too short")

    def serialize(self) -> bytes:
        """
        Serialize the payload of a close frame.

        Returns:
            The payload, made of the code on two bytes and the reason in
            UTF-8.

        Raises:
            ProtocolError: If the close code isn't allowed on the wire.

        """
        self.check()
        return struct.pack("!H", self.code) + self.reason.encode()

    def check(self) -> None:
        """
        Check that the close code may be sent on the wire.

        Valid codes are 1000 to 1003, 1007 to 1014, and 3000 to 4999.

        Raises:
            ProtocolError: If the close code is reserved or unassigned.

        """
        _check_close_code(self.code)


def _check_close_code(code: int) -> None:
    # RFC 6455 §7.4.1: 1004 is reserved; 1005, 1006 and 1015 "MUST NOT be
    # set as a status code in a Close control frame by an endpoint";
    # 1000-2999 are reserved for the protocol, 3000-3999 registered with
    # IANA, 4000-4999 for private use. The IANA registry assigns 1000 to
    # 1014 (1012-1014 came after RFC 6455).
    if not (1000 <= code <= 1003 or 1007 <= code <= 1014 or 3000 <= code <= 4999):
        raise ProtocolError(f"invalid status code: {code}")


def parse_close(data: bytes) -> tuple[int, str]:
    """
    Parse the payload of a close frame (the classic function).

    Args:
        data: Payload of the close frame.

    Returns:
        The close code and reason; ``(1005, "")`` for an empty payload.

    Raises:
        ProtocolError: If the payload is one byte long or the close code
            isn't allowed on the wire.
        UnicodeDecodeError: If the reason isn't valid UTF-8.

    """
    return Close.parse(data)


def serialize_close(code: int, reason: str) -> bytes:
    """
    Serialize the payload of a close frame (the classic function).

    Args:
        code: Close code.
        reason: Close reason.

    Returns:
        The payload of the close frame.

    Raises:
        ProtocolError: If the close code isn't allowed on the wire.

    """
    return Close(code, reason).serialize()


# The high nibble of the first byte, mapped to the FIN, RSV1, RSV2 and RSV3
# flags: one lookup instead of four bit tests.
_FLAGS = tuple((bool(i & 8), bool(i & 4), bool(i & 2), bool(i & 1)) for i in range(16))

# States of FrameParser: what it reads next.
_HEADER = 0
_LENGTH = 1
_MASK = 2
_PAYLOAD = 3

# When the parser keeps the beginning of a frame whose end hasn't arrived, it
# makes room for at least this many more bytes, so that a frame arriving in
# small pieces doesn't cost a copy per piece.
_RESERVE = 0x1000

_EMPTY = memoryview(b"")

# A large buffer, once a frame is parsed out of it, is kept for the next large
# frame, of any connection: allocating one per frame costs more than copying
# into it, because the C library maps fresh memory for each, then unmaps it.
# One spare buffer at most, of a bounded size.
_SPARE: list[bytearray] = []
_SPARE_MIN = 0x10000
_SPARE_MAX = 0x1000000

# With the C extension, the rest of a payload of at least this many bytes is
# received straight into the bytes object that parse() returns, and unmasked
# there: a copy less. Smaller payloads go to a buffer with room for the
# frames that follow, which a read may bring along.
_IN_PLACE_MIN = 0x10000
_payload_buffer: Optional[Callable[[int], tuple[bytes, memoryview]]]
_payload_buffer = _speedup("payload_buffer")
_mask_in_place: Optional[Callable[[memoryview, bytes], None]]
_mask_in_place = _speedup("mask_in_place")


class FrameParser:
    """
    Incremental parser of frames over one buffer.

    Feed it bytes as they arrive with :meth:`feed`, then call :meth:`parse`
    until it returns :obj:`None`::

        parser.feed(data)
        while (frame := parser.parse()) is not None:
            ...

    The parser reads what :meth:`feed` gives it in place, without a copy,
    until :meth:`parse` returns :obj:`None`; only then does it copy the
    beginning of an incomplete frame, if any, into a buffer of its own. So
    ``data`` may be a view of a buffer that the caller reuses for the next
    read. While a frame is incomplete, :meth:`get_buffer` offers the room
    left in that buffer, to receive the rest of the frame straight into it,
    then :meth:`buffer_updated` tells how many bytes arrived there.

    The parser reads a frame in four steps: the two-byte header, the
    extended length, the masking key, the payload. When bytes are missing,
    it remembers where it stopped. It applies the rules that a frame's header
    is enough to check, as soon as the header is complete: reserved opcodes,
    masking, control frames, and the size limit, before buffering the
    payload. Other rules, such as the reserved bits, which extensions may
    use, are the caller's business.

    Args:
        mask: Whether incoming frames must be masked: ``True`` on a
            server, which receives frames from a client, ``False`` on a
            client.
        max_size: Largest payload of a data frame, in bytes, or :obj:`None`
            for no limit. This is the :attr:`max_size` attribute, which the
            caller may change between calls to :meth:`parse`, for instance
            to the budget left to a fragmented message. Control frames
            aren't subject to it: RFC 6455 limits them to 125 bytes.

    After :meth:`parse` raises an exception, the parser is in an undefined
    state: it must not be used again.

    """

    __slots__ = (
        "buffer",
        "offset",
        "limit",
        "mask",
        "max_size",
        "state",
        "_owned",
        "_first",
        "_length",
        "_key",
        "_payload",
    )

    def __init__(self, *, mask: bool, max_size: Optional[int] = None) -> None:
        #: Bytes received, as a :class:`memoryview`: the caller's bytes
        #: while :meth:`parse` reads them, else a buffer of the parser's own.
        self.buffer = _EMPTY
        #: Position in :attr:`buffer` of the first byte not consumed yet.
        self.offset = 0
        #: Position in :attr:`buffer` after the last byte received.
        self.limit = 0
        #: Whether incoming frames must be masked.
        self.mask = mask
        #: Largest payload of a data frame, in bytes, or :obj:`None`.
        self.max_size = max_size
        #: What the parser reads next.
        self.state = _HEADER
        # Whether the buffer belongs to the parser, which may write there.
        self._owned = False
        # The part of the frame read so far, when parse() stops in the
        # middle of a frame: the first byte of the header, the length (as
        # announced by the second byte, then decoded), the masking key.
        self._first = 0
        self._length = 0
        self._key = b""
        # The bytes object that buffer views, while a payload is received
        # in place; else None.
        self._payload: Optional[bytes] = None

    def feed(self, data: Union[bytes, bytearray, memoryview]) -> None:
        """
        Add bytes received to the buffer.

        Args:
            data: Bytes received; any bytes-like object. The parser reads it
                until :meth:`parse` returns :obj:`None`, and not after.

        """
        view = data if type(data) is memoryview else memoryview(data)
        if view.itemsize != 1:
            view = view.cast("B")
        offset = self.offset
        limit = self.limit
        if offset == limit:
            # Everything buffered is consumed, which is the common case:
            # read the new bytes where they are.
            self.buffer = view
            self.offset = 0
            self.limit = len(view)
            self._owned = False
            self._payload = None
        else:
            size = len(view)
            if not self._owned or len(self.buffer) - limit < size:
                self._reserve(size)
                limit = self.limit
            self.buffer[limit : limit + size] = view
            self.limit = limit + size

    def get_buffer(self) -> Optional[memoryview]:
        """
        Offer room to receive the rest of an incomplete frame in place.

        Call it after :meth:`parse` returned :obj:`None`. Receiving into the
        buffer it returns saves a copy, which matters for large frames. With
        the C extension, a large payload is received into the
        :class:`bytes` object that :meth:`parse` returns: write into the
        buffer only before the next call to :meth:`buffer_updated`.

        Returns:
            A writable :class:`memoryview` of at least :attr:`bytes_needed`
            bytes, or :obj:`None` if no frame is incomplete: then receive
            anywhere and call :meth:`feed`.

        """
        if self.offset == self.limit:
            return None
        needed = self.bytes_needed
        if not self._owned or len(self.buffer) - self.limit < needed:
            self._reserve(needed)
        return self.buffer[self.limit :]

    def buffer_updated(self, nbytes: int) -> None:
        """
        Count bytes received into the buffer that :meth:`get_buffer` returned.

        Args:
            nbytes: How many bytes were written at the start of that buffer.

        """
        self.limit += nbytes

    def _reserve(self, size: int) -> None:
        # Move what isn't consumed into a new buffer of the parser's own,
        # with room for at least `size` more bytes. A new buffer, rather
        # than a resized one: the caller may still hold a view of the old.
        pending = self.buffer[self.offset : self.limit]
        kept = len(pending)
        capacity = kept + max(size, _RESERVE)
        try:
            buffer = _SPARE.pop()
        except IndexError:
            buffer = bytearray(capacity)
        else:
            if len(buffer) < capacity:
                # Drop the spare: this larger buffer replaces it once
                # released, so frames of one size find a spare that fits.
                buffer = bytearray(capacity)
        buffer[:kept] = pending
        self._release()
        self.buffer = memoryview(buffer)
        self.offset = 0
        self.limit = kept
        self._owned = True

    def _release(self) -> None:
        # Let go of the buffer; keep it as the spare if it is worth it.
        if self._owned and self._payload is None:
            buffer = self.buffer.obj
            assert isinstance(buffer, bytearray), "the parser owns bytearrays"
            if _SPARE_MIN <= len(buffer) <= _SPARE_MAX and not _SPARE:
                _SPARE.append(buffer)
        self.buffer = _EMPTY
        self.offset = self.limit = 0
        self._owned = False
        self._payload = None

    def _receive_in_place(self, length: int) -> None:
        # Move the beginning of the payload into a new bytes object of the
        # payload's size, where the rest will be received.
        assert _payload_buffer is not None, "only with the C extension"
        payload, view = _payload_buffer(length)
        kept = self.limit - self.offset
        view[:kept] = self.buffer[self.offset : self.limit]
        self._release()
        self.buffer = view
        self.limit = kept
        self._owned = True
        self._payload = payload

    def parse(self) -> Optional[Frame]:
        """
        Parse the next frame from the buffer.

        Returns:
            Frame | None: The next frame, its payload unmasked, or
            :obj:`None` if more bytes are needed.

        Raises:
            ProtocolError: If the frame is invalid.
            PayloadTooBig: If a data frame announces a payload larger than
                :attr:`max_size`.

        """
        buffer = self.buffer
        offset = self.offset
        size = self.limit
        state = self.state
        mask = self.mask
        # The fast path reads a whole frame in local variables; only when a
        # frame is incomplete does it store them on the parser.
        if state == _HEADER:
            if _parse_frame is not None:
                found = _parse_frame(
                    Frame, _OPCODES, buffer, offset, size, mask, self.max_size
                )
                if found is not None:
                    self.offset = found[1]
                    return found[0]
            if size - offset < 2:
                if offset == size:
                    # Everything is consumed: let go of the buffer, which
                    # may be large, or the caller's.
                    self._release()
                else:
                    self._stop(_HEADER, offset, 0, 0, b"")
                return None
            first = buffer[offset]
            second = buffer[offset + 1]
            offset += 2
            opcode = _OPCODES[first & 0x0F]
            if opcode is None:
                # RFC 6455 §5.2: "If an unknown opcode is received, the
                # receiving endpoint MUST _Fail the WebSocket Connection_."
                raise ProtocolError(f"invalid opcode: {first & 0x0F:#x}")
            # RFC 6455 §5.1: "The server MUST close the connection upon
            # receiving a frame that is not masked." and "A client MUST close
            # a connection if it detects a masked frame."
            if (second >= 0x80) != mask:
                raise ProtocolError("incorrect masking")
            length = second & 0x7F
            if first & 0x08:
                # A control frame: check it before its payload. It is never
                # longer than 125 bytes, so it skips the extended length.
                _check_control(first & 0x80, length)
                state = _MASK if mask else _PAYLOAD
            elif length >= 126:
                state = _LENGTH
            else:
                max_size = self.max_size
                if max_size is not None and length > max_size:
                    raise _too_big(length, max_size)
                state = _MASK if mask else _PAYLOAD
            key = b""
        else:
            first = self._first
            length = self._length
            key = self._key
            opcode = _OPCODES[first & 0x0F]
            self.state = _HEADER

        if state == _LENGTH:
            if length == 126:
                if size - offset < 2:
                    self._stop(_LENGTH, offset, first, length, key)
                    return None
                (length,) = _UNPACK_16(buffer, offset)
                offset += 2
            else:
                if size - offset < 8:
                    self._stop(_LENGTH, offset, first, length, key)
                    return None
                (length,) = _UNPACK_64(buffer, offset)
                offset += 8
                # RFC 6455 §5.2: "the most significant bit MUST be 0".
                if length >> 63:
                    raise ProtocolError("invalid payload length")
            # Only data frames get here: control frames are at most 125
            # bytes long.
            max_size = self.max_size
            if max_size is not None and length > max_size:
                raise _too_big(length, max_size)
            state = _MASK if mask else _PAYLOAD

        if state == _MASK:
            if size - offset < 4:
                self._stop(_MASK, offset, first, length, key)
                return None
            key = bytes(buffer[offset : offset + 4])
            offset += 4

        end = offset + length
        if size < end:
            self._stop(_PAYLOAD, offset, first, length, key)
            return None
        data = self._payload
        if data is None:
            # One copy, out of the buffer, unmasked on the way if needed.
            data = apply_mask(buffer[offset:end], key) if mask else bytes(buffer[offset:end])
        else:
            # The payload is the buffer: it belongs to the caller now.
            if mask:
                assert _mask_in_place is not None, "only with the C extension"
                _mask_in_place(buffer, key)
            self._owned = False
            self._payload = None
        self.offset = end
        fin, rsv1, rsv2, rsv3 = _FLAGS[first >> 4]
        frame: Frame = _new_frame(Frame, (fin, opcode, data, rsv1, rsv2, rsv3))
        return frame

    def _stop(
        self, state: int, offset: int, first: int, length: int, key: bytes
    ) -> None:
        # Remember what is read of an incomplete frame, and keep its bytes:
        # the caller's buffer is only valid until parse() returns.
        self.state = state
        self.offset = offset
        self._first = first
        self._length = length
        self._key = key
        if (
            state == _PAYLOAD
            and length >= _IN_PLACE_MIN
            and self._payload is None
            and _payload_buffer is not None
        ):
            self._receive_in_place(length)
        elif not self._owned:
            self._reserve(self.bytes_needed)

    @property
    def bytes_needed(self) -> int:
        """
        How many bytes :meth:`parse` needs, at least, to make progress.

        After :meth:`parse` returns :obj:`None`, feeding this many bytes is
        enough to complete the current step (header, extended length, mask
        or payload) without reading past the frame. Zero means that
        :meth:`parse` can make progress with the buffered bytes.

        """
        state = self.state
        if state == _HEADER:
            needed = 2
        elif state == _LENGTH:
            needed = 2 if self._length == 126 else 8
        elif state == _MASK:
            needed = 4
        else:
            needed = self._length
        return max(needed - (self.limit - self.offset), 0)

    @property
    def first_byte(self) -> int:
        """
        The first byte of the frame being read, with FIN, RSV1-3 and the opcode.

        Valid once the header is read, while :meth:`partial_payload` returns
        bytes.

        """
        return self._first

    def partial_payload(self, start: int) -> Optional[bytes]:
        """
        Look at the payload of a frame that is still arriving.

        This lets the caller check a payload before it is complete; for
        instance, the UTF-8 of a text frame.

        Args:
            start: Position in the payload from which to return bytes;
                only those are copied and unmasked.

        Returns:
            :obj:`None` unless the parser read the header of an incomplete
            frame and waits for its payload; else the unmasked bytes of the
            payload received so far, from ``start`` on.

        """
        if self.state != _PAYLOAD:
            return None
        chunk = self.buffer[self.offset + start : self.limit]
        key = self._key
        if key:
            # The key's phase depends on the position in the payload.
            phase = start & 3
            return apply_mask(chunk, key[phase:] + key[:phase])
        return bytes(chunk)

    @property
    def partial(self) -> bool:
        """Whether the parser holds the beginning of a frame, not the whole."""
        return self.state != _HEADER or self.offset < self.limit

    def clear(self) -> None:
        """Drop the buffered bytes and start over with a new frame."""
        self._release()
        self.state = _HEADER
