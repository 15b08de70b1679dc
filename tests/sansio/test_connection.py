import logging

import pytest
from hypothesis import given, settings, strategies as st

import websockets.framing as framing
from websockets.exceptions import (
    ConnectionClosedError,
    ConnectionClosedOK,
    InvalidState,
    PayloadTooBig,
    ProtocolError,
)
from websockets.extensions.base import Extension
from websockets.framing import (
    OP_BINARY,
    OP_CLOSE,
    OP_CONT,
    OP_PING,
    OP_PONG,
    OP_TEXT,
    Close,
    Frame,
    FrameParser,
)
from websockets.sansio import connection as connection_module
from websockets.utils import apply_mask
from websockets.sansio.connection import (
    CLIENT,
    CLOSED,
    CLOSING,
    CONNECTING,
    OPEN,
    SERVER,
    Connection,
    Side,
    State,
)


@pytest.fixture(autouse=True)
def zero_mask(monkeypatch):
    # Frames sent by clients are masked with a key of zeros: their payload
    # reads as it is in expected bytes.
    monkeypatch.setattr(framing, "generate_mask", lambda: b"\x00\x00\x00\x00")


ZERO = b"\x00\x00\x00\x00"


def masked(first, payload=b""):
    """Bytes of a short frame as a client sends it: masked with zeros."""
    return bytes([first, 0x80 | len(payload)]) + ZERO + payload


def unmasked(first, payload=b""):
    """Bytes of a short frame as a server sends it."""
    return bytes([first, len(payload)]) + payload


def incoming(side, first, payload=b""):
    """Bytes of a short frame that the connection on ``side`` receives."""
    return masked(first, payload) if side is SERVER else unmasked(first, payload)


def outgoing(side, first, payload=b""):
    """Bytes of a short frame that the connection on ``side`` sends."""
    return unmasked(first, payload) if side is SERVER else masked(first, payload)


def parse_frames(data, side):
    """Frames in bytes sent by the connection on ``side``."""
    parser = FrameParser(mask=side is CLIENT)
    parser.feed(data)
    frames = []
    while (frame := parser.parse()) is not None:
        frames.append(frame)
    return frames


def transfer(src, dst):
    """Deliver what ``src`` has to send to ``dst``; return it."""
    chunks = src.data_to_send()
    for chunk in chunks:
        if chunk:
            dst.receive_data(chunk)
        else:
            dst.receive_eof()
    return chunks


both_sides = pytest.mark.parametrize("side", [SERVER, CLIENT], ids=["server", "client"])


# Enums and aliases.


def test_aliases():
    assert SERVER is Side.SERVER and CLIENT is Side.CLIENT
    assert [CONNECTING, OPEN, CLOSING, CLOSED] == list(State)
    assert CONNECTING < OPEN < CLOSING < CLOSED


def test_defaults():
    connection = Connection(SERVER)
    assert connection.state is OPEN
    assert connection.max_size == 2**20
    assert connection.logger.name == "websockets.server"
    assert Connection(CLIENT).logger.name == "websockets.client"
    assert connection.extensions == []
    assert connection.close_rcvd is connection.close_sent is None
    assert connection.close_rcvd_then_sent is None
    assert connection.parser_exc is connection.handshake_exc is None
    assert connection.close_code is connection.close_reason is None
    assert not connection.close_expected()
    assert connection.events_received() == []
    assert connection.data_to_send() == []


# Receiving data frames.


@both_sides
def test_receive_text(side):
    connection = Connection(side)
    connection.receive_data(incoming(side, 0x81, "café".encode()))
    assert connection.events_received() == [Frame(True, OP_TEXT, "café".encode())]
    assert connection.events_received() == []
    assert connection.data_to_send() == []


@both_sides
def test_receive_binary(side):
    connection = Connection(side)
    connection.receive_data(incoming(side, 0x82, b"\x00\xff"))
    assert connection.events_received() == [Frame(True, OP_BINARY, b"\x00\xff")]


@both_sides
@pytest.mark.parametrize("length", [0, 1, 125, 126, 127, 65535, 65536, 2**20])
def test_receive_sizes(side, length):
    payload = bytes(i % 251 for i in range(length))
    frame = Frame(True, OP_BINARY, payload)
    connection = Connection(side)
    # A server receives masked frames, a client unmasked ones.
    data = frame.serialize(mask=side is SERVER)
    connection.receive_data(data[:100])
    connection.receive_data(data[100:])
    assert connection.events_received() == [frame]


@both_sides
def test_receive_from_reused_buffer(side):
    # The I/O layer receives into one buffer and passes views of it.
    data = incoming(side, 0x82, b"abc") + incoming(side, 0x81, b"defgh")
    scratch = bytearray(64)
    connection = Connection(side)
    for position in range(0, len(data), 4):
        chunk = data[position : position + 4]
        scratch[: len(chunk)] = chunk
        connection.receive_data(memoryview(scratch)[: len(chunk)])
        scratch[:] = bytes(64)  # the next read overwrites it
    assert connection.events_received() == [
        Frame(True, OP_BINARY, b"abc"),
        Frame(True, OP_TEXT, b"defgh"),
    ]


@both_sides
def test_receive_into_get_buffer(side):
    payload = bytes(i % 251 for i in range(300_000))
    frame = Frame(True, OP_BINARY, payload)
    data = frame.serialize(mask=side is SERVER)
    connection = Connection(side)
    assert connection.get_buffer() is None  # nothing pending
    connection.receive_data(data[:1000])
    position = 1000
    while position < len(data):
        room = connection.get_buffer()
        assert room is not None
        size = min(len(room), 65536, len(data) - position)
        room[:size] = data[position : position + size]
        del room
        connection.buffer_updated(size)
        position += size
    assert connection.events_received() == [frame]
    assert connection.get_buffer() is None


@both_sides
def test_get_buffer_none_unless_receiving_frames(side):
    connection = Connection(side, state=CONNECTING)
    assert connection.get_buffer() is None
    connection = Connection(side)
    connection.receive_data(incoming(side, 0x82, b"ab")[:3])
    assert connection.get_buffer() is not None
    connection.receive_eof()
    assert connection.get_buffer() is None
    connection = Connection(side)
    connection.receive_data(incoming(side, 0x88) + incoming(side, 0x82, b"ab")[:3])
    assert connection.get_buffer() is None  # discarding after a close frame


def test_receive_masked_with_real_key(monkeypatch):
    # The examples of RFC 6455, section 5.7.
    server = Connection(SERVER)
    server.receive_data(b"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58")
    assert server.events_received() == [Frame(True, OP_TEXT, b"Hello")]


@both_sides
def test_receive_fragmented_text(side):
    connection = Connection(side)
    # "café" cut in the middle of "é".
    connection.receive_data(incoming(side, 0x01, b"caf\xc3"))
    connection.receive_data(incoming(side, 0x00, b""))
    connection.receive_data(incoming(side, 0x80, b"\xa9"))
    assert connection.events_received() == [
        Frame(False, OP_TEXT, b"caf\xc3"),
        Frame(False, OP_CONT, b""),
        Frame(True, OP_CONT, b"\xa9"),
    ]
    # The next message starts afresh.
    connection.receive_data(incoming(side, 0x81, b"ok"))
    assert connection.events_received() == [Frame(True, OP_TEXT, b"ok")]


@both_sides
def test_receive_fragmented_binary_with_control_frames(side):
    connection = Connection(side)
    connection.receive_data(
        incoming(side, 0x02, b"\xff")
        + incoming(side, 0x89, b"ping")
        + incoming(side, 0x8A, b"pong")
        + incoming(side, 0x80, b"\xfe")
    )
    assert connection.events_received() == [
        Frame(False, OP_BINARY, b"\xff"),
        Frame(True, OP_PING, b"ping"),
        Frame(True, OP_PONG, b"pong"),
        Frame(True, OP_CONT, b"\xfe"),
    ]
    assert connection.data_to_send() == [outgoing(side, 0x8A, b"ping")]


# Failures: each rule, with its close code.


def assert_failed(connection, code, exc_type, match=None):
    """Check that ``connection`` failed with ``code`` and discards data."""
    assert isinstance(connection.parser_exc, exc_type)
    if match is not None:
        assert str(connection.parser_exc) == match
    # The peer's error is the cause of what the application gets.
    assert connection.close_exc.__cause__ is connection.parser_exc
    sent = connection.data_to_send()
    close_frame = sent[0]
    side = connection.side
    if connection.extensions:
        # Extensions encoded the close frame: undo that.
        assert len(connection.extensions) == 1
        extension = connection.extensions[0]
        [close_frame] = parse_frames(close_frame, side)
        close_frame = extension.decode(close_frame).serialize(mask=side is CLIENT)
    if side is SERVER:
        assert close_frame[1] < 0x80
        payload = close_frame[2:]
        assert sent[1:] == [b""]
    else:
        assert close_frame[1] >= 0x80
        payload = close_frame[6:]
        assert sent[1:] == []
    assert close_frame[0] == 0x88
    assert Close.parse(payload).code == code
    assert connection.close_sent.code == code
    assert connection.state is CLOSING
    assert connection.close_expected()
    # Every byte received afterwards is dropped, including a close frame.
    events = connection.events_received()
    connection.receive_data(incoming(side, 0x81, b"late"))
    connection.receive_data(incoming(side, 0x88, b"\x03\xe8"))
    assert connection.events_received() == []
    assert connection.data_to_send() == []
    assert connection.close_rcvd is None
    return events


@pytest.mark.parametrize(
    "side, data",
    [
        (SERVER, unmasked(0x81, b"hi")),
        (CLIENT, masked(0x81, b"hi")),
    ],
    ids=["server", "client"],
)
def test_fail_incorrect_masking(side, data):
    connection = Connection(side)
    connection.receive_data(data)
    assert_failed(connection, 1002, ProtocolError, "incorrect masking")


@both_sides
@pytest.mark.parametrize("first", [0xC1, 0xA2, 0x91, 0xC9, 0xA8])
def test_fail_reserved_bits(side, first):
    connection = Connection(side)
    connection.receive_data(incoming(side, first, b""))
    assert_failed(connection, 1002, ProtocolError, "reserved bits must be 0")


@both_sides
@pytest.mark.parametrize("opcode", [3, 7, 0xB, 0xF])
def test_fail_reserved_opcode(side, opcode):
    connection = Connection(side)
    connection.receive_data(incoming(side, 0x80 | opcode, b""))
    assert_failed(connection, 1002, ProtocolError, f"invalid opcode: {opcode:#x}")


@both_sides
def test_fail_control_frame_too_long(side):
    connection = Connection(side)
    # Only the header is received: the connection fails at once.
    connection.receive_data(bytes([0x89, (0x80 if side is SERVER else 0) | 126]))
    assert_failed(connection, 1002, ProtocolError, "control frame too long")


@both_sides
def test_fail_fragmented_control_frame(side):
    connection = Connection(side)
    connection.receive_data(incoming(side, 0x09, b""))
    assert_failed(connection, 1002, ProtocolError, "fragmented control frame")


@both_sides
def test_fail_unexpected_continuation(side):
    connection = Connection(side)
    connection.receive_data(incoming(side, 0x80, b"x"))
    assert_failed(connection, 1002, ProtocolError, "unexpected continuation frame")


@both_sides
@pytest.mark.parametrize("first", [0x81, 0x02])
def test_fail_expected_continuation(side, first):
    connection = Connection(side)
    connection.receive_data(incoming(side, 0x01, b"a") + incoming(side, first, b"b"))
    error = "expected a continuation frame"
    events = assert_failed(connection, 1002, ProtocolError, error)
    # Frames received before the error are delivered.
    assert events == [Frame(False, OP_TEXT, b"a")]


@both_sides
def test_fail_close_too_short(side):
    connection = Connection(side)
    connection.receive_data(incoming(side, 0x88, b"\x03"))
    assert_failed(connection, 1002, ProtocolError, "close frame too short")


@both_sides
@pytest.mark.parametrize("code", [999, 1004, 1005, 1006, 1015, 2000, 5000])
def test_fail_close_invalid_code(side, code):
    connection = Connection(side)
    connection.receive_data(incoming(side, 0x88, code.to_bytes(2, "big")))
    assert_failed(connection, 1002, ProtocolError, f"invalid status code: {code}")


@both_sides
def test_fail_close_invalid_utf8(side):
    connection = Connection(side)
    connection.receive_data(incoming(side, 0x88, b"\x03\xe8\xff"))
    assert_failed(connection, 1007, UnicodeDecodeError)


@both_sides
def test_fail_invalid_utf8_text(side):
    connection = Connection(side)
    connection.receive_data(incoming(side, 0x81, b"caf\xc3"))
    assert_failed(connection, 1007, UnicodeDecodeError)


@both_sides
def test_fail_invalid_utf8_in_fragment(side):
    connection = Connection(side)
    connection.receive_data(incoming(side, 0x01, b"ok"))
    connection.receive_data(incoming(side, 0x00, b"\xc3\xa9"))
    assert len(connection.events_received()) == 2
    # Invalid at the third fragment: the connection fails there.
    connection.receive_data(
        incoming(side, 0x00, b"\xc3\x28") + incoming(side, 0x80, b"")
    )
    assert assert_failed(connection, 1007, UnicodeDecodeError) == []


@both_sides
def test_fail_incomplete_utf8_at_end_of_message(side):
    connection = Connection(side)
    connection.receive_data(
        incoming(side, 0x01, b"caf") + incoming(side, 0x80, b"\xc3")
    )
    events = assert_failed(connection, 1007, UnicodeDecodeError)
    assert events == [Frame(False, OP_TEXT, b"caf")]


@both_sides
def test_invalid_utf8_in_binary_is_fine(side):
    connection = Connection(side)
    connection.receive_data(
        incoming(side, 0x02, b"\xff") + incoming(side, 0x80, b"\xfe")
    )
    assert len(connection.events_received()) == 2
    assert connection.parser_exc is None


# Size limits.


@both_sides
def test_fail_frame_too_big(side):
    connection = Connection(side, max_size=2**16)
    # Only the header: the announced length is enough to fail.
    header = bytes([0x82, (0x80 if side is SERVER else 0) | 127])
    connection.receive_data(header + (2**16 + 1).to_bytes(8, "big"))
    error = "over size limit (65537 > 65536 bytes)"
    assert_failed(connection, 1009, PayloadTooBig, error)


@both_sides
def test_max_size_exactly(side):
    connection = Connection(side, max_size=3)
    connection.receive_data(incoming(side, 0x82, b"abc"))
    assert connection.events_received() == [Frame(True, OP_BINARY, b"abc")]


@both_sides
def test_fail_message_too_big(side):
    connection = Connection(side, max_size=10)
    connection.receive_data(
        incoming(side, 0x01, b"abcd") + incoming(side, 0x00, b"efgh")
    )
    # Control frames don't count.
    connection.receive_data(incoming(side, 0x89, b"0123456789ab"))
    assert len(connection.events_received()) == 3
    assert len(connection.data_to_send()) == 1
    connection.receive_data(incoming(side, 0x80, b"ijk"))
    assert_failed(connection, 1009, PayloadTooBig, "over size limit (3 > 2 bytes)")
    # The error describes the frame; the peer learns about the message.
    assert connection.close_sent.reason == "message too big (limit: 10 bytes)"


@both_sides
def test_max_size_resets_after_message(side):
    connection = Connection(side, max_size=10)
    for first in [0x01, 0x02]:
        connection.receive_data(
            incoming(side, first, b"abcdef") + incoming(side, 0x80, b"ghij")
        )
    assert len(connection.events_received()) == 4
    assert connection.parser_exc is None


@both_sides
def test_no_max_size(side):
    connection = Connection(side, max_size=None)
    connection.receive_data(
        incoming(side, 0x01, b"a" * 100) + incoming(side, 0x80, b"b" * 100)
    )
    assert len(connection.events_received()) == 2


# Extensions.


class Append(Extension):
    """Appends a suffix to payloads and marks frames with a reserved bit."""

    def __init__(self, suffix, rsv):
        self.suffix = suffix
        self.rsv = rsv
        self.max_sizes = []

    def encode(self, frame):
        return frame._replace(data=frame.data + self.suffix, **{self.rsv: True})

    def decode(self, frame, *, max_size=None):
        self.max_sizes.append(max_size)
        if not frame.data.endswith(self.suffix):
            raise ProtocolError(f"missing {self.suffix!r}")
        return frame._replace(data=frame.data[: -len(self.suffix)], **{self.rsv: False})


class Inflate(Extension):
    """Repeats payloads: a stand-in for decompression."""

    def encode(self, frame):
        return frame

    def decode(self, frame, *, max_size=None):
        if frame.opcode is OP_CLOSE:
            return frame
        return frame._replace(data=frame.data * 4)


class Broken(Extension):
    def encode(self, frame):
        return frame

    def decode(self, frame, *, max_size=None):
        if frame.opcode is OP_CLOSE:
            return frame
        raise ZeroDivisionError("oops")


@both_sides
def test_extensions_order(side):
    connection = Connection(side)
    first, second = Append(b"1", "rsv2"), Append(b"2", "rsv3")
    connection.extensions = [first, second]
    # Encoded by first, then second: b"hi" + b"1" + b"2", with RSV2 and RSV3.
    connection.send_text(b"hi")
    assert connection.data_to_send() == [outgoing(side, 0xB1, b"hi12")]
    # Decoded by second, then first.
    connection.receive_data(incoming(side, 0xB2, b"ok12"))
    assert connection.events_received() == [Frame(True, OP_BINARY, b"ok")]
    # Control frames go through extensions too, without a size limit.
    connection.receive_data(incoming(side, 0xB9, b"p12"))
    assert connection.events_received() == [Frame(True, OP_PING, b"p")]
    assert connection.data_to_send() == [outgoing(side, 0xBA, b"p12")]
    assert first.max_sizes == second.max_sizes == [2**20, None]


@both_sides
def test_extensions_get_budget_of_message(side):
    connection = Connection(side, max_size=100)
    extension = Append(b"!", "rsv1")
    connection.extensions = [extension]
    connection.receive_data(
        incoming(side, 0x41, b"0123456789!")
        + incoming(side, 0x40, b"0123456789!")
        + incoming(side, 0xC0, b"0123456789!")
    )
    assert len(connection.events_received()) == 3
    assert extension.max_sizes == [100, 90, 80]


@both_sides
def test_fail_reserved_bit_left_by_extensions(side):
    connection = Connection(side)
    connection.extensions = [Append(b"1", "rsv2")]
    # RSV1 isn't the extension's.
    connection.receive_data(incoming(side, 0xE2, b"x1"))
    assert_failed(connection, 1002, ProtocolError, "reserved bits must be 0")


@both_sides
def test_fail_extension_protocol_error(side):
    connection = Connection(side)
    connection.extensions = [Append(b"1", "rsv2")]
    connection.receive_data(incoming(side, 0xA2, b"x"))
    assert_failed(connection, 1002, ProtocolError, "missing b'1'")


@both_sides
def test_fail_decoded_message_too_big(side):
    connection = Connection(side, max_size=10)
    connection.extensions = [Inflate()]
    connection.receive_data(incoming(side, 0x82, b"abc"))
    assert_failed(connection, 1009, PayloadTooBig, "over size limit (12 > 10 bytes)")


@both_sides
def test_fail_extension_unexpected_error(side, caplog):
    connection = Connection(side)
    connection.extensions = [Broken()]
    with caplog.at_level(logging.ERROR):
        connection.receive_data(incoming(side, 0x82, b"abc"))
    assert_failed(connection, 1011, ZeroDivisionError)
    assert caplog.records[0].message == "unexpected error while receiving frames"
    assert connection.close_sent == Close(1011, "unexpected error")


# Pings and pongs.


@both_sides
def test_ping_is_answered(side):
    connection = Connection(side)
    connection.receive_data(incoming(side, 0x89, b"\x00\x01"))
    assert connection.events_received() == [Frame(True, OP_PING, b"\x00\x01")]
    assert connection.data_to_send() == [outgoing(side, 0x8A, b"\x00\x01")]


@both_sides
def test_pong_is_an_event(side):
    connection = Connection(side)
    connection.receive_data(incoming(side, 0x8A, b"beat"))
    assert connection.events_received() == [Frame(True, OP_PONG, b"beat")]
    assert connection.data_to_send() == []


@both_sides
def test_ping_is_answered_while_closing(side):
    # RFC 6455 §5.5.2: a pong is due "unless it already received a Close
    # frame", even after sending one.
    connection = Connection(side)
    connection.send_close(1000)
    connection.data_to_send()
    connection.receive_data(incoming(side, 0x89, b"late"))
    assert connection.events_received() == [Frame(True, OP_PING, b"late")]
    assert connection.data_to_send() == [outgoing(side, 0x8A, b"late")]


# Sending.


@both_sides
def test_send_text(side):
    connection = Connection(side)
    connection.send_text("café".encode())
    assert connection.data_to_send() == [outgoing(side, 0x81, "café".encode())]
    assert connection.data_to_send() == []


@both_sides
def test_send_binary(side):
    connection = Connection(side)
    connection.send_binary(b"\x00\xff")
    assert connection.data_to_send() == [outgoing(side, 0x82, b"\x00\xff")]


@both_sides
@pytest.mark.parametrize("length", [0, 125, 126, 65535, 65536])
def test_send_sizes(side, length):
    connection = Connection(side)
    payload = bytes(length)
    connection.send_binary(payload)
    chunks = connection.data_to_send()
    # Large payloads come apart from their header, not copied behind it.
    assert len(chunks) == (2 if length >= 65536 else 1)
    assert chunks[-1] is payload or side is CLIENT or length < 65536
    expected = Frame(True, OP_BINARY, payload).serialize(mask=side is CLIENT)
    assert b"".join(chunks) == expected


@both_sides
def test_send_and_receive_large_frames_while_held(side, monkeypatch):
    # With the C extension, a large payload, received or masked, may be
    # handed out again once released: never while anyone holds it.
    monkeypatch.setattr(framing, "generate_mask", lambda: b"\x37\xfa\x21\x3d")
    sender = Connection(side)
    receiver = Connection(SERVER if side is CLIENT else CLIENT)
    payloads = [bytes([fill]) * 65536 for fill in b"abc"]
    sent, received = [], []
    for payload in payloads:
        sender.send_binary(payload)
        chunks = sender.data_to_send()
        sent.append(chunks)
        data = b"".join(chunks)
        # Half a frame, then the rest, which goes straight into the payload.
        receiver.receive_data(data[:30000])
        receiver.receive_data(data[30000:])
        received.extend(frame.data for frame in receiver.events_received())
    assert received == payloads
    assert [parse_frames(b"".join(chunks), side)[0].data for chunks in sent] == payloads


def test_client_masks_with_generated_key(monkeypatch):
    monkeypatch.setattr(framing, "generate_mask", lambda: b"\x37\xfa\x21\x3d")
    client = Connection(CLIENT)
    client.send_text(b"Hello")
    assert client.data_to_send() == [b"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58"]


@both_sides
def test_send_fragmented(side):
    connection = Connection(side)
    connection.send_text(b"caf\xc3", fin=False)
    connection.send_ping(b"")
    connection.send_continuation(b"", fin=False)
    connection.send_pong(b"")
    connection.send_continuation(b"\xa9", fin=True)
    connection.send_binary(b"x", fin=False)
    connection.send_continuation(b"y", fin=True)
    assert connection.data_to_send() == [
        outgoing(side, 0x01, b"caf\xc3"),
        outgoing(side, 0x89),
        outgoing(side, 0x00),
        outgoing(side, 0x8A),
        outgoing(side, 0x80, b"\xa9"),
        outgoing(side, 0x02, b"x"),
        outgoing(side, 0x80, b"y"),
    ]


@both_sides
def test_send_continuation_without_message(side):
    connection = Connection(side)
    with pytest.raises(InvalidState, match="unexpected continuation frame"):
        connection.send_continuation(b"", fin=True)
    connection.send_binary(b"", fin=True)
    with pytest.raises(InvalidState, match="unexpected continuation frame"):
        connection.send_continuation(b"", fin=False)


@both_sides
@pytest.mark.parametrize("method", ["send_text", "send_binary"])
def test_send_message_during_fragmented_message(side, method):
    connection = Connection(side)
    connection.send_binary(b"", fin=False)
    with pytest.raises(InvalidState, match="expected a continuation frame"):
        getattr(connection, method)(b"")
    assert len(connection.data_to_send()) == 1


@both_sides
@pytest.mark.parametrize("method", ["send_ping", "send_pong"])
def test_send_control_frame_too_long(side, method):
    connection = Connection(side)
    getattr(connection, method)(bytes(125))
    error = "control frame payload is longer than 125 bytes"
    with pytest.raises(ValueError, match=error):
        getattr(connection, method)(bytes(126))
    assert len(connection.data_to_send()) == 1


SENDS = [
    ("send_text", (b"",)),
    ("send_binary", (b"",)),
    ("send_continuation", (b"", True)),
    ("send_ping", (b"",)),
    ("send_pong", (b"",)),
    ("send_close", ()),
]


@both_sides
@pytest.mark.parametrize("method, args", SENDS)
def test_send_while_connecting(side, method, args):
    connection = Connection(side, state=CONNECTING)
    with pytest.raises(InvalidState, match="connection is CONNECTING, not OPEN"):
        getattr(connection, method)(*args)


@both_sides
@pytest.mark.parametrize("method, args", SENDS)
def test_send_while_closing(side, method, args):
    connection = Connection(side)
    connection.send_text(b"", fin=False)
    connection.send_close()
    connection.data_to_send()
    with pytest.raises(InvalidState, match="connection is CLOSING, not OPEN"):
        getattr(connection, method)(*args)
    assert connection.data_to_send() == []


@both_sides
@pytest.mark.parametrize("method, args", SENDS)
def test_send_after_close_received(side, method, args):
    connection = Connection(side)
    connection.receive_data(incoming(side, 0x88, b"\x03\xe8"))
    connection.data_to_send()
    with pytest.raises(InvalidState, match="connection is CLOSING, not OPEN"):
        getattr(connection, method)(*args)


@both_sides
@pytest.mark.parametrize("method, args", SENDS)
def test_send_while_closed(side, method, args):
    connection = Connection(side)
    connection.receive_eof()
    with pytest.raises(InvalidState, match="connection is CLOSED, not OPEN"):
        getattr(connection, method)(*args)


# Sending a close frame.


@both_sides
@pytest.mark.parametrize(
    "args, close, payload",
    [
        ((), Close(1005, ""), b""),
        ((1000,), Close(1000, ""), b"\x03\xe8"),
        ((1001, "bye"), Close(1001, "bye"), b"\x03\xe9bye"),
        (
            (4000, "é" * 61 + "x"),
            Close(4000, "é" * 61 + "x"),
            b"\x0f\xa0" + "é".encode() * 61 + b"x",
        ),
    ],
)
def test_send_close(side, args, close, payload):
    connection = Connection(side)
    connection.send_close(*args)
    assert connection.data_to_send() == [outgoing(side, 0x88, payload)]
    assert connection.close_sent == close
    assert connection.state is CLOSING
    assert connection.close_expected()


@both_sides
@pytest.mark.parametrize(
    "args, error",
    [
        ((None, "why"), "cannot send a reason without a code"),
        ((1005,), "invalid status code: 1005"),
        ((1006,), "invalid status code: 1006"),
        ((999,), "invalid status code: 999"),
        ((1000, "x" * 124), "close reason is longer than 123 bytes"),
        ((1000, "é" * 62), "close reason is longer than 123 bytes"),
    ],
)
def test_send_close_invalid(side, args, error):
    connection = Connection(side)
    with pytest.raises(ValueError, match=error):
        connection.send_close(*args)
    assert connection.state is OPEN
    assert connection.data_to_send() == []


# The closing handshake.


def test_client_starts_closing_handshake():
    client, server = Connection(CLIENT), Connection(SERVER)
    client.send_close(1000, "bye")
    assert client.close_expected()
    assert transfer(client, server) == [masked(0x88, b"\x03\xe8bye")]
    assert server.events_received() == [Frame(True, OP_CLOSE, b"\x03\xe8bye")]
    assert server.state is CLOSING
    assert server.close_code == 1000 and server.close_reason == "bye"
    # The server echoes the code and closes the TCP connection first.
    assert transfer(server, client) == [unmasked(0x88, b"\x03\xe8"), b""]
    assert client.events_received() == [Frame(True, OP_CLOSE, b"\x03\xe8")]
    # The client received the close frame, then the end of the stream, and
    # closes its side.
    assert client.state is CLOSED
    assert transfer(client, server) == [b""]
    assert server.state is CLOSED
    assert server.data_to_send() == []

    assert server.close_rcvd == Close(1000, "bye")
    assert server.close_sent == Close(1000, "")
    assert server.close_rcvd_then_sent is True
    assert client.close_rcvd == Close(1000, "")
    assert client.close_sent == Close(1000, "bye")
    assert client.close_rcvd_then_sent is False
    for connection in [client, server]:
        assert not connection.close_expected()
        assert connection.parser_exc is None
        exc = connection.close_exc
        assert isinstance(exc, ConnectionClosedOK)
        assert exc.rcvd == connection.close_rcvd and exc.sent == connection.close_sent
        assert exc.__cause__ is None and not exc.__suppress_context__
    assert (client.close_code, client.close_reason) == (1000, "")
    assert (server.close_code, server.close_reason) == (1000, "bye")


def test_client_waits_for_server_to_close_tcp():
    client, server = Connection(CLIENT), Connection(SERVER)
    client.send_close(1000)
    transfer(client, server)
    chunks = server.data_to_send()
    client.receive_data(chunks[0])
    assert client.state is CLOSING
    assert client.data_to_send() == []
    assert client.close_expected()
    assert client.close_code == 1000
    client.receive_eof()
    assert client.state is CLOSED
    assert client.data_to_send() == [b""]


def test_server_starts_closing_handshake():
    client, server = Connection(CLIENT), Connection(SERVER)
    server.send_close(1001, "going away")
    assert server.close_expected()
    assert transfer(server, client) == [unmasked(0x88, b"\x03\xe9going away")]
    assert client.state is CLOSING
    assert client.close_expected()
    # The client echoes the code but doesn't close the TCP connection.
    assert transfer(client, server) == [masked(0x88, b"\x03\xe9")]
    assert server.events_received() == [Frame(True, OP_CLOSE, b"\x03\xe9")]
    # Having received the answer, the server closes the TCP connection.
    assert transfer(server, client) == [b""]
    assert client.state is CLOSED
    assert transfer(client, server) == [b""]
    assert server.state is CLOSED
    assert server.close_rcvd_then_sent is False
    assert client.close_rcvd_then_sent is True
    assert isinstance(server.close_exc, ConnectionClosedOK)
    assert isinstance(client.close_exc, ConnectionClosedOK)
    assert (client.close_code, client.close_reason) == (1001, "going away")
    assert (server.close_code, server.close_reason) == (1001, "")


@both_sides
def test_close_without_code(side):
    connection = Connection(side)
    connection.receive_data(incoming(side, 0x88))
    assert connection.close_rcvd == Close(1005, "")
    # The answer has no code either.
    assert connection.data_to_send()[0] == outgoing(side, 0x88)
    assert connection.close_sent == Close(1005, "")
    connection.receive_eof()
    assert connection.close_code == 1005 and connection.close_reason == ""
    assert isinstance(connection.close_exc, ConnectionClosedOK)


@both_sides
def test_close_with_error_code(side):
    connection = Connection(side)
    connection.receive_data(incoming(side, 0x88, b"\x03\xf3oops"))
    connection.receive_eof()
    exc = connection.close_exc
    assert isinstance(exc, ConnectionClosedError)
    assert (exc.code, exc.reason) == (1011, "oops")
    assert exc.rcvd == Close(1011, "oops") and exc.sent == Close(1011, "")


@both_sides
def test_close_answered_with_error_code(side):
    connection = Connection(side)
    connection.send_close(1000)
    connection.receive_data(incoming(side, 0x88, b"\x03\xea"))
    connection.receive_eof()
    assert isinstance(connection.close_exc, ConnectionClosedError)
    assert connection.close_code == 1002


@both_sides
def test_data_after_close_received_is_dropped(side):
    connection = Connection(side)
    connection.receive_data(
        incoming(side, 0x88, b"\x03\xe8") + incoming(side, 0x81, b"late")
    )
    connection.receive_data(incoming(side, 0x89, b"late"))
    assert connection.events_received() == [Frame(True, OP_CLOSE, b"\x03\xe8")]
    # One close frame sent, no pong.
    assert connection.data_to_send()[0] == outgoing(side, 0x88, b"\x03\xe8")
    assert connection.parser_exc is None


@both_sides
def test_data_after_close_sent_is_received(side):
    # The peer may send data until it gets our close frame.
    connection = Connection(side)
    connection.send_close(1000)
    connection.receive_data(incoming(side, 0x81, b"late"))
    assert connection.events_received() == [Frame(True, OP_TEXT, b"late")]


# The end of the stream.


@both_sides
def test_abnormal_closure(side):
    connection = Connection(side)
    connection.receive_data(incoming(side, 0x81, b"hi"))
    connection.receive_eof()
    assert connection.state is CLOSED
    assert connection.events_received() == [Frame(True, OP_TEXT, b"hi")]
    assert connection.data_to_send() == [b""]
    assert connection.parser_exc is None
    assert (connection.close_code, connection.close_reason) == (1006, "")
    exc = connection.close_exc
    assert isinstance(exc, ConnectionClosedError)
    assert (exc.code, exc.reason, exc.rcvd, exc.sent) == (1006, "", None, None)
    assert not connection.close_expected()


@both_sides
def test_eof_in_the_middle_of_a_frame(side):
    connection = Connection(side)
    connection.receive_data(incoming(side, 0x81, b"hello")[:-2])
    connection.receive_eof()
    assert isinstance(connection.parser_exc, EOFError)
    assert str(connection.parser_exc) == "connection closed in the middle of a frame"
    assert connection.close_code == 1006
    assert connection.events_received() == []


@both_sides
def test_eof_after_close_sent(side):
    connection = Connection(side)
    connection.send_close(1000)
    connection.receive_eof()
    assert connection.data_to_send() == [outgoing(side, 0x88, b"\x03\xe8"), b""]
    assert connection.close_code == 1006
    exc = connection.close_exc
    assert isinstance(exc, ConnectionClosedError)
    assert exc.sent == Close(1000, "") and exc.rcvd is None


@both_sides
def test_receive_data_after_eof(side):
    connection = Connection(side)
    connection.receive_eof()
    with pytest.raises(EOFError, match="data received after the end of stream"):
        connection.receive_data(b"")


@both_sides
def test_receive_eof_twice(side):
    connection = Connection(side)
    connection.receive_eof()
    connection.receive_eof()
    assert connection.data_to_send() == [b""]
    assert connection.state is CLOSED


# Failing the connection.


def test_server_fails():
    server = Connection(SERVER)
    server.fail(1011, "internal error")
    assert server.data_to_send() == [unmasked(0x88, b"\x03\xf3internal error"), b""]
    assert server.state is CLOSING
    assert server.close_sent == Close(1011, "internal error")
    assert server.close_expected()
    server.receive_eof()
    assert server.state is CLOSED
    assert server.data_to_send() == []
    assert isinstance(server.close_exc, ConnectionClosedError)
    assert server.close_exc.sent == Close(1011, "internal error")


def test_client_fails():
    client = Connection(CLIENT)
    client.fail(1008, "policy")
    # The client waits for the server to close the TCP connection.
    assert client.data_to_send() == [masked(0x88, b"\x03\xf0policy")]
    assert client.close_expected()
    client.receive_eof()
    assert client.data_to_send() == [b""]
    assert isinstance(client.close_exc, ConnectionClosedError)


def test_failure_reported_to_peer():
    client, server = Connection(CLIENT), Connection(SERVER)
    server.receive_data(b"\x81\x02hi")  # unmasked
    assert isinstance(server.parser_exc, ProtocolError)
    transfer(server, client)
    assert client.events_received() == [
        Frame(True, OP_CLOSE, b"\x03\xeaincorrect masking")
    ]
    assert client.close_code == 1002 and client.close_reason == "incorrect masking"
    assert client.state is CLOSED
    # The client echoed the close frame, which the server ignores.
    transfer(client, server)
    assert server.state is CLOSED
    assert server.events_received() == []
    assert isinstance(server.close_exc, ConnectionClosedError)
    assert isinstance(client.close_exc, ConnectionClosedError)
    assert server.close_exc.code == 1006
    assert server.close_exc.sent == Close(1002, "incorrect masking")


@both_sides
def test_fail_1006_sends_nothing(side):
    connection = Connection(side)
    connection.fail(1006)
    assert connection.data_to_send() == ([b""] if side is SERVER else [])
    assert connection.state is CLOSING
    assert connection.close_sent is None
    assert connection.close_expected()


@both_sides
def test_fail_while_closing(side):
    connection = Connection(side)
    connection.send_close(1000)
    connection.data_to_send()
    connection.fail(1002)
    # The close frame is sent already.
    assert connection.data_to_send() == ([b""] if side is SERVER else [])
    assert connection.close_sent == Close(1000, "")


@both_sides
def test_fail_while_connecting(side):
    connection = Connection(side, state=CONNECTING)
    connection.fail(1002)
    assert connection.data_to_send() == ([b""] if side is SERVER else [])
    assert connection.state is CONNECTING
    assert connection.close_expected()
    # No more data is processed, not even by the handshake.
    connection.receive_data(b"HTTP/1.1 101 Switching Protocols\r\n\r\n")
    connection.receive_eof()
    assert connection.state is CLOSED
    assert not connection.close_expected()


def test_fail_invalid_code():
    connection = Connection(SERVER)
    with pytest.raises(ValueError, match="invalid status code: 1005"):
        connection.fail(1005)
    assert connection.data_to_send() == []
    assert connection.state is OPEN


def test_fail_truncates_reason():
    connection = Connection(SERVER)
    connection.fail(1002, "é" * 100)
    close_frame = connection.data_to_send()[0]
    assert len(close_frame) == 2 + 125
    reason = Close.parse(close_frame[2:]).reason
    assert reason == "é" * 60 + "..."
    assert len(reason.encode()) == 123


def test_fail_long_reason_not_truncated_at_limit():
    connection = Connection(SERVER)
    connection.fail(1002, "x" * 123)
    assert connection.close_sent.reason == "x" * 123


# The opening handshake hooks.


class Handshake(Connection):
    """A handshake role that opens after a line ending with ``\\n``."""

    def __init__(self, side):
        super().__init__(side, state=CONNECTING)
        self.buffer = b""
        self.eof = False

    def receive_handshake_data(self, data):
        self.buffer += data
        if b"\n" in self.buffer:
            line, _, leftover = self.buffer.partition(b"\n")
            self.events.append(line)
            self.send_data(b"hello\n")
            self.open(leftover)

    def receive_handshake_eof(self):
        self.eof = True


@both_sides
def test_handshake_then_frames(side):
    connection = Handshake(side)
    assert connection.state is CONNECTING
    connection.receive_data(b"hel")
    assert connection.events_received() == []
    connection.receive_data(
        b"lo\n" + incoming(side, 0x81, b"hi") + incoming(side, 0x89)
    )
    assert connection.state is OPEN
    assert connection.events_received() == [
        b"hello",
        Frame(True, OP_TEXT, b"hi"),
        Frame(True, OP_PING, b""),
    ]
    assert connection.data_to_send() == [b"hello\n", outgoing(side, 0x8A)]
    connection.receive_data(incoming(side, 0x82, b"!"))
    assert connection.events_received() == [Frame(True, OP_BINARY, b"!")]


def test_handshake_without_leftover():
    connection = Handshake(SERVER)
    connection.receive_data(b"hello\n")
    assert connection.state is OPEN
    with pytest.raises(InvalidState, match="cannot open a connection that is OPEN"):
        connection.open()


def test_handshake_eof():
    connection = Handshake(SERVER)
    connection.receive_data(b"hel")
    connection.receive_eof()
    assert connection.eof
    assert connection.state is CLOSED
    assert connection.data_to_send() == [b""]


def test_handshake_hooks_are_abstract():
    connection = Connection(SERVER, state=CONNECTING)
    with pytest.raises(NotImplementedError):
        connection.receive_data(b"GET / HTTP/1.1\r\n")
    connection = Connection(SERVER, state=CONNECTING)
    with pytest.raises(NotImplementedError):
        connection.receive_eof()


def test_handshake_failure_expects_close():
    connection = Connection(CLIENT, state=CONNECTING)
    assert not connection.close_expected()
    connection.handshake_exc = ValueError("nope")
    assert connection.close_expected()
    connection = Connection(SERVER, state=CONNECTING)
    connection.send_eof()
    connection.send_eof()
    assert connection.close_expected()
    assert connection.data_to_send() == [b""]


# Logging.


def test_debug_logs(caplog):
    logger = logging.getLogger("test.connection")
    logger.setLevel(logging.DEBUG)
    try:
        connection = Connection(SERVER, logger=logger)
        assert connection.debug
        with caplog.at_level(logging.DEBUG, logger="test.connection"):
            connection.receive_data(masked(0x81, b"hi") + masked(0x88, b"\x03\xe8"))
            connection.receive_eof()
    finally:
        logger.setLevel(logging.NOTSET)
    assert [record.getMessage() for record in caplog.records] == [
        "< TEXT 'hi' [2 bytes]",
        "< CLOSE 1000 (OK) [2 bytes]",
        "> CLOSE 1000 (OK) [2 bytes]",
        "= connection is CLOSING",
        "> EOF",
        "= connection is CLOSED",
    ]


def test_debug_logs_frames_after_extensions(caplog):
    logger = logging.getLogger("test.connection")
    logger.setLevel(logging.DEBUG)
    try:
        connection = Connection(SERVER, logger=logger)
        connection.extensions = [Append(b"!", "rsv2")]
        with caplog.at_level(logging.DEBUG, logger="test.connection"):
            connection.receive_data(masked(0xA1, b"hi!"))
    finally:
        logger.setLevel(logging.NOTSET)
    assert [record.getMessage() for record in caplog.records] == [
        "< TEXT 'hi' [2 bytes]",
    ]


def test_debug_logs_failure(caplog):
    logger = logging.getLogger("test.connection")
    logger.setLevel(logging.DEBUG)
    try:
        connection = Connection(CLIENT, logger=logger)
        with caplog.at_level(logging.DEBUG, logger="test.connection"):
            connection.receive_data(b"\x83\x00")
    finally:
        logger.setLevel(logging.NOTSET)
    assert [record.getMessage() for record in caplog.records] == [
        "! failing connection with code 1002",
        "> CLOSE 1002 (protocol error) invalid opcode: 0x3 [21 bytes]",
        "= connection is CLOSING",
    ]


def test_no_debug_logs(caplog):
    connection = Connection(SERVER)
    assert not connection.debug
    with caplog.at_level(logging.DEBUG):
        connection.receive_data(masked(0x81, b"hi"))
    assert caplog.records == []


# Properties.


@st.composite
def messages(draw):
    """Frames of a valid sequence of messages, with control frames between."""
    frames = []
    for _ in range(draw(st.integers(0, 4))):
        opcode = draw(st.sampled_from([OP_TEXT, OP_BINARY]))
        if opcode is OP_TEXT:
            data = draw(st.text(max_size=20)).encode()
        else:
            data = draw(st.binary(max_size=300))
        cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=3)))
        pieces = [data[i:j] for i, j in zip([0, *cuts], [*cuts, len(data)])]
        for index, piece in enumerate(pieces):
            first = index == 0
            last = index == len(pieces) - 1
            frames.append(Frame(last, opcode if first else OP_CONT, piece))
            if draw(st.booleans()):
                control = draw(st.sampled_from([OP_PING, OP_PONG]))
                frames.append(Frame(True, control, draw(st.binary(max_size=125))))
    if draw(st.booleans()):
        close = Close(1000, draw(st.text(max_size=10)))
        frames.append(Frame(True, OP_CLOSE, close.serialize()))
    return frames


@settings(max_examples=200)
@given(
    frames=messages(),
    side=st.sampled_from([SERVER, CLIENT]),
    cuts=st.lists(st.integers(0), max_size=20),
)
def test_split_anywhere_gives_same_events(frames, side, cuts):
    data = b"".join(frame.serialize(mask=side is SERVER) for frame in frames)

    whole = Connection(side)
    whole.receive_data(data)

    split = Connection(side)
    bounds = sorted({0, len(data), *(cut % (len(data) + 1) for cut in cuts)})
    for start, end in zip(bounds, bounds[1:]):
        split.receive_data(data[start:end])

    events = whole.events_received()
    assert events == frames
    assert split.events_received() == events
    assert split.data_to_send() == whole.data_to_send()
    assert whole.parser_exc is split.parser_exc is None
    assert split.state is whole.state


def test_module_exports():
    import websockets.sansio as sansio

    for name in connection_module.__all__:
        assert getattr(sansio, name) is getattr(connection_module, name)


# Invalid UTF-8 fails the connection while the frame is still arriving.


def text_frame(side, first, payload, length=None):
    """A frame announcing ``length`` bytes of payload, with a real mask."""
    length = len(payload) if length is None else length
    assert length < 126
    if side is SERVER:
        key = b"\x5a\xa5\x0f\xf0"
        return bytes([first, 0x80 | length]) + key + apply_mask(payload, key)
    return bytes([first, length]) + payload


@both_sides
def test_invalid_utf8_fails_before_the_frame_is_complete(side):
    connection = Connection(side)
    # A frame of 100 bytes whose first 10 bytes arrive: the 7th is invalid.
    connection.receive_data(text_frame(side, 0x81, b"caf\xc3\xa9 \xff bad", 100))
    assert_failed(connection, 1007, UnicodeDecodeError)


@both_sides
def test_invalid_utf8_in_a_continuation_still_arriving(side):
    connection = Connection(side)
    connection.receive_data(text_frame(side, 0x01, b"caf\xc3"))
    assert connection.parser_exc is None
    connection.receive_data(text_frame(side, 0x80, b"\xa9 ok \xc3\x28", 50))
    assert_failed(connection, 1007, UnicodeDecodeError)


@both_sides
def test_text_checked_in_pieces_then_completed(side):
    connection = Connection(side)
    payload = "Ÿ-ä-€-𝄞".encode() * 3
    data = text_frame(side, 0x81, payload)
    for i in range(len(data)):
        connection.receive_data(data[i : i + 1])
    assert connection.events_received() == [Frame(True, OP_TEXT, payload)]
    # The next message starts afresh.
    connection.receive_data(text_frame(side, 0x81, b"\xff"))
    assert_failed(connection, 1007, UnicodeDecodeError)


@both_sides
def test_fragmented_text_checked_in_pieces(side):
    connection = Connection(side)
    payload = "€uro".encode()
    data = text_frame(side, 0x01, payload[:2]) + text_frame(side, 0x80, payload[2:])
    for i in range(len(data)):
        connection.receive_data(data[i : i + 1])
    events = connection.events_received()
    assert b"".join(event.data for event in events) == payload
    assert connection.parser_exc is None


@both_sides
@pytest.mark.parametrize(
    "first",
    [
        0x82,  # binary frames aren't UTF-8
        0x80,  # a continuation of a binary message
        0xC1,  # reserved bit set: a protocol error, found once complete
    ],
)
def test_partial_payload_not_checked(side, first):
    connection = Connection(side)
    if first == 0x80:
        connection.receive_data(text_frame(side, 0x02, b"bin"))
    connection.receive_data(text_frame(side, first, b"\xff\xfe", 10))
    assert connection.parser_exc is None


@both_sides
def test_text_frame_inside_fragmented_message_is_a_protocol_error(side):
    connection = Connection(side)
    connection.receive_data(text_frame(side, 0x01, b"ok"))
    connection.receive_data(text_frame(side, 0x81, b"\xff", 5))
    assert connection.parser_exc is None
    connection.receive_data(b"\x00" * 4)
    assert_failed(connection, 1002, ProtocolError)


def test_partial_payload_not_checked_with_extensions():
    connection = Connection(SERVER)
    connection.extensions = [Append(b"!", "rsv2")]
    connection.receive_data(text_frame(SERVER, 0xA1, b"\xff\xfe", 10))
    assert connection.parser_exc is None


@both_sides
def test_partial_binary_frame_is_never_copied(side):
    # Checking UTF-8 early must cost nothing for binary frames: a large one
    # arriving in chunks would otherwise be unmasked again at each chunk.
    calls = []

    class SpyParser(FrameParser):
        # A subclass, since the compiled FrameParser can't be patched.
        def partial_payload(self, start):
            calls.append(start)
            return super().partial_payload(start)

    connection = Connection(side, max_size=None)
    spy = SpyParser(mask=side is SERVER)
    connection._parser = spy
    payload = bytes(range(256)) * 256
    data = Frame(True, OP_BINARY, payload).serialize(mask=side is SERVER)
    for i in range(0, len(data), 4096):
        connection.receive_data(data[i : i + 4096])
    assert connection.events_received() == [Frame(True, OP_BINARY, payload)]
    assert calls == []
    # A text frame in chunks is checked chunk by chunk, each byte once.
    text = "é".encode() * 8192
    data = Frame(True, OP_TEXT, text).serialize(mask=side is SERVER)
    for i in range(0, len(data), 4096):
        connection.receive_data(data[i : i + 4096])
    assert connection.events_received() == [Frame(True, OP_TEXT, text)]
    assert calls == sorted(set(calls)) and len(calls) == len(data) // 4096
