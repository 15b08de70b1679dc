"""
The protocol state machine of a WebSocket connection, without I/O.

A :class:`Connection` turns bytes received into events and requests to send
into bytes. It has no clock and never waits: the I/O layer feeds it with
:meth:`~Connection.receive_data` and :meth:`~Connection.receive_eof`, collects
:meth:`~Connection.events_received`, writes :meth:`~Connection.data_to_send`,
and starts a close timer when :meth:`~Connection.close_expected` says so::

    connection.receive_data(data)
    for event in connection.events_received():
        ...
    for chunk in connection.data_to_send():
        if chunk:
            transport.write(chunk)
        else:
            transport.write_eof()

A peer that breaks the protocol never makes :meth:`~Connection.receive_data`
raise: the connection fails with the matching close code, and
:attr:`~Connection.parser_exc` keeps the error. A caller that misuses the
connection, for instance by sending once it is closing, gets an exception at
once.

:class:`Connection` covers the connection once it is open. The opening
handshake belongs to its subclasses for the client and the server roles,
which start in the ``CONNECTING`` state.

"""

from __future__ import annotations

import codecs
import enum
import logging
from collections.abc import Generator
from typing import Optional, Union

from ..exceptions import (
    OK_CLOSE_CODES,
    ConnectionClosed,
    ConnectionClosedError,
    ConnectionClosedOK,
    InvalidState,
    PayloadTooBig,
    ProtocolError,
)
from ..datastructures import Headers
from ..extensions.base import Extension
from .. import framing
from ..framing import (
    OP_BINARY,
    OP_CLOSE,
    OP_CONT,
    OP_PING,
    OP_PONG,
    OP_TEXT,
    Close,
    Frame,
    FrameParser,
    Opcode,
)
# Shared within the package: the parser's state, and how frames are built
# and serialized in the fast path.
from ..framing import _PAYLOAD, _FrameItems, _new_frame, _parts, _serialize_frame
from ..http import Request, Response
from ..streams import StreamReader
from ..typing import LoggerLike


__all__ = [
    "Side",
    "SERVER",
    "CLIENT",
    "State",
    "CONNECTING",
    "OPEN",
    "CLOSING",
    "CLOSED",
    "Event",
    "Connection",
]


class Side(enum.IntEnum):
    """Which end of the connection a :class:`Connection` is."""

    SERVER = 0
    CLIENT = 1


SERVER = Side.SERVER
CLIENT = Side.CLIENT


class State(enum.IntEnum):
    """State of a WebSocket connection (RFC 6455, sections 4 and 7)."""

    #: Opening handshake in progress.
    CONNECTING = 0
    #: Handshake done; messages flow both ways.
    OPEN = 1
    #: A close frame was sent, so no more messages may be sent.
    CLOSING = 2
    #: The TCP connection is closed.
    CLOSED = 3


CONNECTING = State.CONNECTING
OPEN = State.OPEN
CLOSING = State.CLOSING
CLOSED = State.CLOSED


Event = Union[Request, Response, Frame]
"""
What :meth:`Connection.events_received` returns: :class:`~websockets.framing.Frame`
objects once the connection is open; the handshake request (on a server) or
response (on a client) before.
"""

_UTF8Decoder = codecs.getincrementaldecoder("utf-8")

# Payloads from this size on are queued apart from their header.
_SPLIT = 0x10000

# Longest close reason that fits in a close frame, in bytes: RFC 6455 §5.5
# limits control frames to 125 bytes, two of which hold the code.
_MAX_REASON = 123


class Connection:
    """
    Sans-I/O implementation of a WebSocket connection.

    Args:
        side: :data:`~websockets.sansio.connection.CLIENT` or
            :data:`~websockets.sansio.connection.SERVER`.
        state: Initial state: ``OPEN``, the default, for a connection whose
            handshake happened elsewhere; the handshake roles start in
            ``CONNECTING``.
        max_size: Largest incoming message, in bytes, or :obj:`None` for no
            limit. It applies to the whole message, across fragments, once
            extensions have decoded it (for instance, decompressed it). It is
            read when the connection is created.
        logger: Logger for this connection; by default, the
            ``websockets.client`` or ``websockets.server`` logger.

    Attributes:
        side: :data:`~websockets.sansio.connection.CLIENT` or
            :data:`~websockets.sansio.connection.SERVER`.
        logger: Logger for this connection.
        debug: Whether ``logger`` logs at the debug level; read when the
            connection is created, so that logging costs nothing otherwise.
        max_size: Largest incoming message, in bytes, or :obj:`None`.
        extensions: Extensions negotiated during the handshake, in the order
            in which they encode frames; frames received are decoded in the
            reverse order. The handshake roles set them before the
            connection opens.
        close_rcvd: Close frame received from the peer, if any; code 1005
            stands for a close frame without a code.
        close_sent: Close frame sent to the peer, if any; code 1005 stands
            for a close frame without a code.
        close_rcvd_then_sent: Whether the peer started the closing handshake
            (``True``) or we did (``False``); :obj:`None` until close
            frames were exchanged both ways.
        parser_exc: The peer's error that failed the connection, if any:
            :exc:`~websockets.exceptions.ProtocolError`,
            :exc:`~websockets.exceptions.PayloadTooBig`,
            :exc:`UnicodeDecodeError`, the error of an extension, or
            :exc:`EOFError` when the connection closed in the middle of a
            frame. The I/O layer chains it as the ``__cause__`` of the
            :exc:`~websockets.exceptions.ConnectionClosedError` it raises.
        handshake_exc: Why the opening handshake failed, if it did; set by
            the handshake roles.
        eof_sent: Whether the end of stream is queued in
            :meth:`data_to_send`.
        eof_rcvd: Whether :meth:`receive_eof` was called.
        events: Events not collected yet by :meth:`events_received`;
            the handshake roles append their requests and responses here.

    """

    def __init__(
        self,
        side: Side,
        *,
        state: State = OPEN,
        max_size: Optional[int] = 2**20,
        logger: Optional[LoggerLike] = None,
    ) -> None:
        if logger is None:
            logger = logging.getLogger(f"websockets.{side.name.lower()}")
        self.logger: LoggerLike = logger
        self.debug = logger.isEnabledFor(logging.DEBUG)
        self.side = side
        self._state = state
        self.max_size = max_size
        self.extensions: list[Extension] = []

        self.close_rcvd: Optional[Close] = None
        self.close_sent: Optional[Close] = None
        self.close_rcvd_then_sent: Optional[bool] = None
        self.parser_exc: Optional[Exception] = None
        self.handshake_exc: Optional[Exception] = None
        self.eof_sent = False
        self.eof_rcvd = False

        self.events: list[Event] = []
        # The parser of the opening handshake, while it runs.
        self._handshake: Optional[Generator[None, None, None]] = None
        self._writes: list[bytes] = []

        # Frames received. RFC 6455 §5.1: "a client MUST mask all frames that
        # it sends to the server" and "A server MUST NOT mask any frames that
        # it sends to the client": the parser checks incoming frames, and
        # _mask says whether to mask outgoing ones.
        self._mask = side is CLIENT
        self._parser = FrameParser(mask=side is SERVER, max_size=max_size)
        # After a failure or the peer's close frame, every byte received is
        # dropped.
        self._discarding = False

        # Message being received: whether it is fragmented and not finished
        # yet; the bytes it may still carry under max_size; the UTF-8
        # decoder that validates a fragmented text message.
        self._fragmented = False
        self._budget = max_size
        self._decoder: Optional[codecs.IncrementalDecoder] = None
        # How much of the payload of the text frame still arriving the
        # decoder checked already.
        self._checked = 0

        # Message being sent: whether it is fragmented and not finished yet.
        self._sending_fragments = False

    # State.

    @property
    def state(self) -> State:
        """
        State of the connection.

        Only the core changes it, through this property, which logs each
        change at the debug level.

        """
        return self._state

    @state.setter
    def state(self, state: State) -> None:
        if self.debug:
            self.logger.debug("= connection is %s", state.name)
        self._state = state

    @property
    def close_code(self) -> Optional[int]:
        """
        Close code of the connection (RFC 6455, section 7.1.5).

        It is the code of the peer's close frame, 1005 if that frame had no
        code, or 1006 if the connection closed without one. It is
        :obj:`None` until the peer's close frame arrives or the connection
        closes.

        """
        if self.close_rcvd is not None:
            return self.close_rcvd.code
        if self._state is CLOSED:
            return 1006
        return None

    @property
    def close_reason(self) -> Optional[str]:
        """
        Close reason of the connection (RFC 6455, section 7.1.6).

        It is the reason in the peer's close frame, or ``""`` if there was
        none. It is :obj:`None` when :attr:`close_code` is.

        """
        if self.close_rcvd is not None:
            return self.close_rcvd.reason
        if self._state is CLOSED:
            return ""
        return None

    @property
    def close_exc(self) -> ConnectionClosed:
        """
        Exception to raise when the application uses a closed connection.

        :exc:`~websockets.exceptions.ConnectionClosedOK` when close frames
        were exchanged both ways, with codes 1000, 1001 or 1005;
        :exc:`~websockets.exceptions.ConnectionClosedError` otherwise. The
        exception carries :attr:`close_code` (1006 before the connection is
        closed, when it isn't known yet), :attr:`close_reason`,
        :attr:`close_rcvd` and :attr:`close_sent`; its ``__cause__`` is
        :attr:`parser_exc`, if the peer's error failed the connection.

        """
        rcvd = self.close_rcvd
        sent = self.close_sent
        exc_type: type[ConnectionClosed]
        if (
            rcvd is not None
            and sent is not None
            and rcvd.code in OK_CLOSE_CODES
            and sent.code in OK_CLOSE_CODES
        ):
            exc_type = ConnectionClosedOK
        else:
            exc_type = ConnectionClosedError
        if rcvd is not None:
            exc = exc_type(rcvd.code, rcvd.reason, rcvd=rcvd, sent=sent)
        else:
            exc = exc_type(1006, "", rcvd=None, sent=sent)
        if self.parser_exc is not None:
            exc.__cause__ = self.parser_exc
        return exc

    # Bytes received.

    def receive_data(self, data: Union[bytes, bytearray, memoryview]) -> None:
        """
        Process bytes received from the network.

        Then collect events with :meth:`events_received` and bytes to send
        with :meth:`data_to_send`: answers to pings and close frames are
        queued there.

        This never raises because of what the peer sent. When the peer
        breaks the protocol, the connection fails with close code 1002
        (protocol error), 1007 (invalid UTF-8), 1009 (message too big) or
        1011 (an extension's unexpected error), :attr:`parser_exc` records
        the error, and every byte received afterwards is dropped.

        Args:
            data: Bytes received; any bytes-like object. It is read during
                the call only, so it may be a view of a receive buffer that
                the caller reuses.

        Raises:
            EOFError: If :meth:`receive_eof` was called before.

        """
        if self.eof_rcvd:
            raise EOFError("data received after the end of stream")
        if self._discarding:
            return
        if self._state is CONNECTING:
            self.receive_handshake_data(bytes(data))
            return
        self._parser.feed(data)
        self._receive_frames()

    def get_buffer(self) -> Optional[memoryview]:
        """
        Offer room to receive the rest of an incomplete frame in place.

        Receiving into this buffer, then calling :meth:`buffer_updated`,
        saves the copy that :meth:`receive_data` makes of an incomplete
        frame: large frames land where they are parsed, or even in the
        message that :meth:`events_received` returns. This pair follows
        :class:`asyncio.BufferedProtocol`: write into the buffer only before
        the next call to :meth:`buffer_updated`.

        Returns:
            A writable :class:`memoryview`, or :obj:`None` when no frame is
            incomplete; then receive anywhere and call :meth:`receive_data`.

        """
        # The parser holds nothing during the handshake, after a failure or
        # a close frame (it is cleared), and after the end of the stream.
        return self._parser.get_buffer()

    def buffer_updated(self, nbytes: int) -> None:
        """
        Process bytes received into the buffer that :meth:`get_buffer` returned.

        Like :meth:`receive_data`, this never raises because of what the
        peer sent.

        Args:
            nbytes: How many bytes were written at the start of that buffer.

        """
        self._parser.buffer_updated(nbytes)
        self._receive_frames()

    def receive_eof(self) -> None:
        """
        Process the end of the stream: the peer closed the TCP connection.

        The connection becomes ``CLOSED``; the end of our stream is queued in
        :meth:`data_to_send`, if it isn't yet. Further calls do nothing.

        """
        if self.eof_rcvd:
            return
        self.eof_rcvd = True
        if not self._discarding:
            if self._state is CONNECTING:
                self.receive_handshake_eof()
            elif self._parser.partial and self.parser_exc is None:
                self.parser_exc = EOFError("connection closed in the middle of a frame")
        # RFC 6455 §7.1.1: once the peer closed the TCP connection, there is
        # nothing left to do but close ours.
        self.send_eof()
        self._discard()
        self.state = CLOSED

    def start_handshake(self, parser: Generator[None, None, None]) -> None:
        """
        Read the opening handshake with a generator.

        The handshake roles call this method. While the connection is
        ``CONNECTING``, :meth:`receive_data` and :meth:`receive_eof` feed
        the ``reader`` attribute, a :class:`~websockets.streams.StreamReader`,
        then resume ``parser``, which reads from it, until it returns. Once
        the handshake succeeds, the parser calls :meth:`open` with the bytes
        that follow it, and the connection lets go of ``reader``.

        Args:
            parser: A generator that starts by yielding once, then reads
                the handshake from ``reader``.

        """
        self.reader = StreamReader()
        self._handshake = parser
        next(parser)

    def receive_handshake_data(self, data: bytes) -> None:
        """
        Process bytes received during the opening handshake.

        :meth:`receive_data` calls this hook while the connection is
        ``CONNECTING``. By default, it feeds the parser given to
        :meth:`start_handshake`; a handshake role may override it instead.

        Args:
            data: Bytes received.

        Raises:
            NotImplementedError: If no handshake was started.

        """
        self._require_handshake().feed_data(data)
        self._step_handshake()

    def receive_handshake_eof(self) -> None:
        """
        Process the end of the stream during the opening handshake.

        :meth:`receive_eof` calls this hook while the connection is
        ``CONNECTING``, then closes the connection. By default, it lets the
        parser given to :meth:`start_handshake` see the end of the stream.

        Raises:
            NotImplementedError: If no handshake was started.

        """
        self._require_handshake().feed_eof()
        self._step_handshake()

    def _require_handshake(self) -> StreamReader:
        if self._handshake is None:
            raise NotImplementedError("a handshake role must call start_handshake()")
        return self.reader

    def _step_handshake(self) -> None:
        assert self._handshake is not None
        try:
            next(self._handshake)
        except StopIteration:
            pass

    def open(self, leftover: bytes = b"") -> None:
        """
        Open the connection once the opening handshake succeeded.

        The handshake roles call this method. Bytes received after the
        handshake are processed as frames, as :meth:`receive_data` would.

        Args:
            leftover: Bytes received after the end of the handshake.

        Raises:
            InvalidState: If the connection isn't ``CONNECTING``.

        """
        if self._state is not CONNECTING:
            raise InvalidState(f"cannot open a connection that is {self._state.name}")
        # The handshake is over: let go of what read it.
        self._handshake = None
        try:
            del self.reader
        except AttributeError:
            pass  # the role didn't call start_handshake()
        self.state = OPEN
        if self.extensions:
            # Extensions negotiated by the handshake may make frames longer
            # than the messages they carry.
            self._parser.max_size = self._wire_limit(self._budget)
        if leftover:
            self._parser.feed(leftover)
            self._receive_frames()

    def _receive_frames(self) -> None:
        # The hot path: one pass over what the parser can return.
        parser = self._parser
        try:
            frame = parser.parse()
            while frame is not None:
                self._receive_frame(frame)
                if parser.offset == parser.limit:
                    # All consumed, the common case: let go of the buffer
                    # without parsing again.
                    parser.clear()
                    return
                frame = parser.parse()
            # A frame stopped in the middle of its payload: a cheap test,
            # since it runs on every call.
            if parser.state == _PAYLOAD and not self.extensions:
                self._check_partial_text()
        except ProtocolError as exc:
            self._fail_on(exc, 1002)
        except UnicodeDecodeError as exc:
            self._fail_on(exc, 1007)
        except PayloadTooBig as exc:
            # The error describes the frame that went over the limit; the
            # peer learns about its message.
            self._fail_on(exc, 1009, f"message too big (limit: {self.max_size} bytes)")
        except Exception as exc:
            # An extension failed in a way it didn't plan for.
            self.logger.error("unexpected error while receiving frames", exc_info=True)
            self._fail_on(exc, 1011, "unexpected error")

    def _receive_frame(self, frame: Frame) -> None:
        # Fields by position: reading them by name costs an attribute lookup
        # each, more than unpacking them all.
        fin, opcode, data, rsv1, rsv2, rsv3 = frame

        # RFC 6455 §5.4: "A fragmented message consists of a single frame
        # with the FIN bit clear and an opcode other than 0, followed by zero
        # or more frames with the FIN bit clear and the opcode set to 0, and
        # terminated by a single frame with the FIN bit set and an opcode of
        # 0." Control frames may come in between.
        if opcode is OP_TEXT or opcode is OP_BINARY:
            if self._fragmented:
                raise ProtocolError("expected a continuation frame")
            is_data = True
        elif opcode is OP_CONT:
            if not self._fragmented:
                raise ProtocolError("unexpected continuation frame")
            is_data = True
        else:
            is_data = False

        if self.extensions:
            # Control frames aren't subject to max_size.
            budget = self._budget if is_data else None
            for extension in reversed(self.extensions):
                frame = extension.decode(frame, max_size=budget)
            fin, _, data, rsv1, rsv2, rsv3 = frame  # extensions keep opcodes
            if budget is not None and len(data) > budget:
                raise PayloadTooBig(f"over size limit ({len(data)} > {budget} bytes)")
        if self.debug:
            # After extensions: log what the application gets.
            self.logger.debug("< %s", frame)
        # RFC 6455 §5.2: RSV1, RSV2, RSV3 "MUST be 0 unless an extension is
        # negotiated that defines meanings for non-zero values". Extensions
        # clear the bits they use.
        if rsv1 or rsv2 or rsv3:
            raise ProtocolError("reserved bits must be 0")

        if is_data:
            # RFC 6455 §8.1: "When an endpoint is to interpret a byte stream
            # as UTF-8 but finds that the byte stream is not, in fact, a
            # valid UTF-8 stream, that endpoint MUST _Fail the WebSocket
            # Connection_." Validate each fragment as it arrives.
            if opcode is OP_TEXT or self._decoder is not None:
                self._check_text(data, opcode is OP_TEXT, fin)
            if fin:
                self._decoder = None
                if self._fragmented:
                    self._fragmented = False
                    self._budget = self.max_size
                    self._parser.max_size = self._wire_limit(self._budget)
            else:
                self._fragmented = True
                if self._budget is not None:
                    # The parser checks the next frames' announced length
                    # against what the message may still carry.
                    self._budget -= len(data)
                    self._parser.max_size = self._wire_limit(self._budget)
            self.events.append(frame)

        elif opcode is OP_PING:
            # RFC 6455 §5.5.2: "Upon receipt of a Ping frame, an endpoint MUST
            # send a Pong frame in response, unless it already received a
            # Close frame." and §5.5.3: "A Pong frame sent in response to a
            # Ping frame must have identical "Application data"".
            self._send_frame((True, OP_PONG, data, False, False, False))
            self.events.append(frame)

        elif opcode is OP_PONG:
            self.events.append(frame)

        else:  # OP_CLOSE
            close = Close.parse(data)
            self.close_rcvd = close
            if self._state is OPEN:
                # RFC 6455 §5.5.1: "If an endpoint receives a Close frame and
                # did not previously send a Close frame, the endpoint MUST
                # send a Close frame in response. [...] the endpoint
                # typically echos the status code it received."
                self._send_close(Close(close.code, ""))
                self.close_rcvd_then_sent = True
            else:
                # We sent a close frame first: this is the answer.
                self.close_rcvd_then_sent = False
            # RFC 6455 §7.1.1: "the server SHOULD close the underlying TCP
            # connection" once the closing handshake is done; the client
            # waits for it.
            if self.side is SERVER:
                self.send_eof()
            self.events.append(frame)
            # RFC 6455 §5.5.1: the peer "MUST NOT send any more data frames
            # after sending a Close frame": anything that follows is dropped.
            self._discard()

    def _check_text(self, data: bytes, first: bool, fin: bool) -> None:
        # Check the UTF-8 of a frame of a text message, once it is complete.
        checked = self._checked
        if not checked:
            if first and fin:
                # ASCII is valid UTF-8, and isascii() is far cheaper than
                # decoding, which the I/O layer does anyway.
                if not data.isascii():
                    data.decode()
                return
            if first:
                self._decoder = _UTF8Decoder()
        decoder = self._decoder
        assert decoder is not None, "a text message in progress has a decoder"
        if checked:
            # The beginning arrived earlier and was checked then.
            self._checked = 0
            decoder.decode(memoryview(data)[checked:], fin)
        else:
            decoder.decode(data, fin)

    def _check_partial_text(self) -> None:
        # RFC 6455 §8.1: an endpoint that finds invalid UTF-8 "MUST _Fail the
        # WebSocket Connection_". Fail fast: check the payload of a text
        # frame while it arrives, rather than once it is complete. Only
        # without extensions, which may transform payloads.
        parser = self._parser
        first = parser.first_byte
        if first & 0x70:
            return  # reserved bits: a protocol error once the header is checked
        opcode = first & 0x0F
        if opcode == OP_TEXT and not self._fragmented:
            if self._decoder is None:
                self._decoder = _UTF8Decoder()
        elif opcode != OP_CONT or self._decoder is None:
            return  # not part of a text message: copy nothing
        # Only the bytes that arrived since the last check.
        chunk = parser.partial_payload(self._checked)
        assert chunk is not None, "the caller checked that the payload is arriving"
        self._decoder.decode(chunk)
        self._checked += len(chunk)

    def _wire_limit(self, budget: Optional[int]) -> Optional[int]:
        # The parser checks the length that a frame announces, before its
        # payload is buffered; the exact check happens after extensions
        # decoded it. A compressed frame of incompressible data is longer
        # than its payload: with a small memLevel, zlib stores it in small
        # blocks; its conservative bound, deflateBound(), is about
        # n + n / 32 + n / 128 + n / 2048 + 7 bytes.
        if budget is None or not self.extensions:
            return budget
        return budget + (budget >> 5) + (budget >> 7) + (budget >> 11) + 64

    def _fail_on(self, exc: Exception, code: int, reason: Optional[str] = None) -> None:
        # The peer broke the protocol: record why, then fail the connection.
        self.parser_exc = exc
        if reason is None:
            reason = str(exc)
        self.fail(code, reason)

    def _discard(self) -> None:
        self._discarding = True
        self._parser.clear()

    # Events and bytes out.

    def events_received(self) -> list[Event]:
        """
        Collect the events received since the last call.

        Frames come after extensions decoded them; pings and close frames
        are among them, though the connection answers them already.

        Returns:
            Events, in the order they were received.

        """
        events, self.events = self.events, []
        return events

    def data_to_send(self) -> list[bytes]:
        """
        Collect the bytes to send since the last call.

        Returns:
            The bytes to write, in order. There is one :class:`bytes` object
            per frame, or two for a frame of 64 KiB or more, its header then
            its payload, best written together with a vectored write such
            as :meth:`asyncio.WriteTransport.writelines`. An empty
            :class:`bytes` object means: half-close the TCP connection now,
            with ``write_eof()``, then expect it to close.

        """
        writes, self._writes = self._writes, []
        return writes

    def close_expected(self) -> bool:
        """
        Tell whether the TCP connection is expected to close soon.

        This is the case once a close frame is sent (the closing handshake
        is under way, or the connection failed), or the opening handshake
        failed. The I/O layer should then close the TCP connection if the
        peer doesn't within a timeout. Call this method after
        :meth:`receive_data`, :meth:`receive_eof`, :meth:`send_close` and
        :meth:`fail`.

        Returns:
            Whether to start a close timer.

        """
        state = self._state
        if state is CLOSING:
            return True
        if state is CLOSED:
            return False
        return self.eof_sent or self._discarding or self.handshake_exc is not None

    # Sending.

    def send_text(self, data: bytes, fin: bool = True) -> None:
        """
        Send a text frame, the first or only frame of a text message.

        Args:
            data: Payload, encoded in UTF-8.
            fin: ``False`` to send the message in fragments; continue it
                with :meth:`send_continuation`.

        Raises:
            InvalidState: If the connection isn't ``OPEN``, or if a
                fragmented message is in progress.

        """
        self._send_data(OP_TEXT, data, fin)

    def send_binary(self, data: bytes, fin: bool = True) -> None:
        """
        Send a binary frame, the first or only frame of a binary message.

        Args:
            data: Payload.
            fin: ``False`` to send the message in fragments; continue it
                with :meth:`send_continuation`.

        Raises:
            InvalidState: If the connection isn't ``OPEN``, or if a
                fragmented message is in progress.

        """
        self._send_data(OP_BINARY, data, fin)

    def send_continuation(self, data: bytes, fin: bool) -> None:
        """
        Send a continuation frame of a fragmented message.

        Args:
            data: Payload; UTF-8 for a text message, though a fragment may
                end in the middle of a character.
            fin: ``True`` for the last frame of the message.

        Raises:
            InvalidState: If the connection isn't ``OPEN``, or if no
                fragmented message is in progress.

        """
        self._send_data(OP_CONT, data, fin)

    def send_ping(self, data: bytes) -> None:
        """
        Send a ping frame.

        It may go in the middle of a fragmented message.

        Args:
            data: Payload, up to 125 bytes.

        Raises:
            InvalidState: If the connection isn't ``OPEN``.
            ValueError: If ``data`` is longer than 125 bytes.

        """
        if self._state is not OPEN:
            raise self._not_open()
        self._check_control(data)
        self._send_frame((True, OP_PING, data, False, False, False))

    def send_pong(self, data: bytes) -> None:
        """
        Send a pong frame.

        Pings are answered automatically; this sends an unsolicited pong,
        which serves as a unidirectional heartbeat (RFC 6455, section 5.5.3).

        Args:
            data: Payload, up to 125 bytes.

        Raises:
            InvalidState: If the connection isn't ``OPEN``.
            ValueError: If ``data`` is longer than 125 bytes.

        """
        if self._state is not OPEN:
            raise self._not_open()
        self._check_control(data)
        self._send_frame((True, OP_PONG, data, False, False, False))

    def send_close(self, code: Optional[int] = None, reason: str = "") -> None:
        """
        Start the closing handshake: send a close frame.

        The connection becomes ``CLOSING``: no more messages may be sent.
        The peer answers with its own close frame, then the server closes
        the TCP connection.

        Args:
            code: Close code; :obj:`None` sends a close frame without a code,
                which the peer sees as 1005.
            reason: Close reason; it requires a code.

        Raises:
            InvalidState: If the connection isn't ``OPEN``.
            ValueError: If ``code`` may not be sent (for instance 1005 or
                1006), if ``reason`` is given without a code, or if it is
                longer than 123 bytes once encoded.

        """
        if self._state is not OPEN:
            raise self._not_open()
        if code is None:
            if reason:
                raise ValueError("cannot send a reason without a code")
            close = Close(1005, "")
        else:
            close = Close(code, reason)
            try:
                close.check()
            except ProtocolError as exc:
                raise ValueError(str(exc)) from None
            if len(reason.encode()) > _MAX_REASON:
                raise ValueError(f"close reason is longer than {_MAX_REASON} bytes")
        self._send_close(close)

    def fail(self, code: int, reason: str = "") -> None:
        """
        Fail the WebSocket connection (RFC 6455, section 7.1.7).

        If the connection is ``OPEN``, send a close frame with ``code`` and
        ``reason`` (truncated to fit) and make it ``CLOSING``; with code 1006,
        send nothing. Then stop processing data received. A server
        half-closes the TCP connection at once; a client expects the server
        to close it.

        The core calls this method when the peer breaks the protocol; the
        I/O layer may call it too, for instance when a message received is
        unacceptable to the application.

        Args:
            code: Close code, such as 1002, 1007, 1009 or 1011.
            reason: Close reason.

        Raises:
            ValueError: If ``code`` may not be sent.

        """
        close: Optional[Close] = None
        if self._state is OPEN and code != 1006:
            close = Close(code, _truncate(reason))
            try:
                close.check()
            except ProtocolError as exc:
                raise ValueError(str(exc)) from None
        if self.debug:
            self.logger.debug("! failing connection with code %d", code)
        if self._state is OPEN:
            # RFC 6455 §7.1.7: "If _The WebSocket Connection is Established_
            # prior to the point where the endpoint is required to _Fail the
            # WebSocket Connection_, the endpoint SHOULD send a Close frame
            # with an appropriate status code".
            if close is None:
                self.state = CLOSING
            else:
                self._send_close(close)
        # RFC 6455 §7.1.1: "the server SHOULD close the underlying TCP
        # connection" first; the client waits for the server to do it.
        if self.side is SERVER:
            self.send_eof()
        # RFC 6455 §7.1.7: "An endpoint MUST NOT continue to attempt to
        # process data (including a responding Close frame) from the remote
        # endpoint after being instructed to _Fail the WebSocket
        # Connection_."
        self._discard()

    def send_data(self, data: bytes) -> None:
        """
        Queue bytes to send as they are.

        The handshake roles send HTTP messages with this method; frames go
        through the ``send_*()`` methods.

        Args:
            data: Bytes to send.

        """
        self._writes.append(data)

    def send_eof(self) -> None:
        """
        Queue the end of the stream: half-close the TCP connection.

        It appears as ``b""`` in :meth:`data_to_send`. Nothing may be sent
        afterwards. Further calls do nothing.

        """
        if not self.eof_sent:
            if self.debug:
                self.logger.debug("> EOF")
            self.eof_sent = True
            self._writes.append(b"")

    def log_handshake(self, direction: str, start_line: str, headers: Headers) -> None:
        """
        Log an HTTP message of the opening handshake, when debugging.

        Args:
            direction: ``">"`` for a message sent, ``"<"`` for one received.
            start_line: Request line or status line.
            headers: Headers of the message.

        """
        if self.debug:
            self.logger.debug("%s %s", direction, start_line)
            for key, value in headers.raw_items():
                self.logger.debug("%s %s: %s", direction, key, value)

    def _send_data(self, opcode: Opcode, data: bytes, fin: bool) -> None:
        # The rules of send_text, send_binary and send_continuation: a
        # continuation frame, and only one, follows an unfinished message.
        if self._state is not OPEN:
            raise self._not_open()
        if opcode is OP_CONT:
            if not self._sending_fragments:
                raise InvalidState("unexpected continuation frame")
        elif self._sending_fragments:
            raise InvalidState("expected a continuation frame")
        self._sending_fragments = not fin
        self._send_frame((fin, opcode, data, False, False, False))

    def _send_frame(self, frame: _FrameItems) -> None:
        # The items of a Frame: the Frame itself, a tuple subclass, is only
        # built for logs and extensions, which most frames don't meet.
        if self.debug or self.extensions:
            built: Frame = _new_frame(Frame, frame)
            if self.debug:
                self.logger.debug("> %s", built)
            for extension in self.extensions:
                built = extension.encode(built)
            frame = built
        key = framing.generate_mask() if self._mask else None
        if len(frame[2]) < _SPLIT:
            self._writes.append(_serialize_frame(frame, key))
        else:
            # Copying a large payload behind its header costs more than
            # writing two objects.
            self._writes += _parts(frame, key)

    def _send_close(self, close: Close) -> None:
        # RFC 6455 §5.5.1: "If there is a body, the first two bytes of the
        # body MUST be a 2-byte unsigned integer [...] representing a status
        # code": 1005 stands for a close frame without a body.
        data = b"" if close.code == 1005 else close.serialize()
        self._send_frame((True, OP_CLOSE, data, False, False, False))
        self.close_sent = close
        self.state = CLOSING

    def _not_open(self) -> InvalidState:
        return InvalidState(f"connection is {self._state.name}, not OPEN")

    @staticmethod
    def _check_control(data: bytes) -> None:
        # RFC 6455 §5.5: "All control frames MUST have a payload length of
        # 125 bytes or less".
        if len(data) > 125:
            raise ValueError("control frame payload is longer than 125 bytes")


def _truncate(reason: str) -> str:
    # Shorten a reason that doesn't fit in a close frame, at a character
    # boundary.
    encoded = reason.encode()
    if len(encoded) <= _MAX_REASON:
        return reason
    return encoded[: _MAX_REASON - 3].decode(errors="ignore") + "..."
