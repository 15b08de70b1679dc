import asyncio
import os
import struct
import subprocess
import sys

import pytest
from hypothesis import given, strategies as st

import websockets.framing as framing
from websockets.exceptions import PayloadTooBig, ProtocolError
from websockets.extensions.base import Extension
from websockets.utils import apply_mask
from websockets.framing import (
    CTRL_OPCODES,
    DATA_OPCODES,
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
    generate_mask,
    parse_close,
    serialize_close,
)


try:
    from websockets import speedups
except ImportError:  # pragma: no cover
    speedups = None


# The masking key of the examples in RFC 6455, section 5.7.
RFC_KEY = b"\x37\xfa\x21\x3d"


# Every test runs with the pure Python parser and serializer, then with the C
# fast paths in front of them: both must pass the very same tests.
@pytest.fixture(autouse=True, params=["py", "c"])
def implementation(request, monkeypatch):
    if request.param == "py":
        monkeypatch.setattr(framing, "_parse_frame", None)
        monkeypatch.setattr(framing, "_serialize_frame", framing._serialize_frame_python)
        monkeypatch.setattr(framing, "_payload_buffer", None)
        monkeypatch.setattr(framing, "_mask_in_place", None)
    elif speedups is None:  # pragma: no cover
        pytest.skip("C extension not built")
    else:
        monkeypatch.setattr(framing, "_parse_frame", speedups.parse_frame)
        monkeypatch.setattr(framing, "_serialize_frame", speedups.serialize_frame)
        monkeypatch.setattr(framing, "_payload_buffer", speedups.payload_buffer)
        monkeypatch.setattr(framing, "_mask_in_place", speedups.mask_in_place)
    return request.param


@pytest.fixture
def rfc_key(monkeypatch):
    monkeypatch.setattr(framing, "generate_mask", lambda: RFC_KEY)


def parse_all(data, *, mask, max_size=None):
    parser = FrameParser(mask=mask, max_size=max_size)
    parser.feed(data)
    frames = []
    while (frame := parser.parse()) is not None:
        frames.append(frame)
    return frames


# Opcodes.


def test_opcode_aliases():
    assert [OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG] == list(Opcode)
    assert DATA_OPCODES | CTRL_OPCODES == set(Opcode)
    assert not DATA_OPCODES & CTRL_OPCODES


# Serializing frames: the examples of RFC 6455, section 5.7.


@pytest.mark.parametrize(
    "frame, mask, data",
    [
        (Frame(True, OP_TEXT, b"Hello"), False, b"\x81\x05\x48\x65\x6c\x6c\x6f"),
        (
            Frame(True, OP_TEXT, b"Hello"),
            True,
            b"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58",
        ),
        (Frame(False, OP_TEXT, b"Hel"), False, b"\x01\x03\x48\x65\x6c"),
        (Frame(True, OP_CONT, b"lo"), False, b"\x80\x02\x6c\x6f"),
        (Frame(True, OP_PING, b"Hello"), False, b"\x89\x05\x48\x65\x6c\x6c\x6f"),
        (
            Frame(True, OP_PONG, b"Hello"),
            True,
            b"\x8a\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58",
        ),
        (Frame(True, OP_BINARY, bytes(256)), False, b"\x82\x7e\x01\x00" + bytes(256)),
        (
            Frame(True, OP_BINARY, bytes(65536)),
            False,
            b"\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00" + bytes(65536),
        ),
    ],
)
def test_rfc_examples(rfc_key, frame, mask, data):
    assert frame.serialize(mask=mask) == data
    assert parse_all(data, mask=mask) == [frame]


@pytest.mark.parametrize(
    "length, header",
    [
        (0, b"\x82\x00"),
        (1, b"\x82\x01"),
        (125, b"\x82\x7d"),
        (126, b"\x82\x7e\x00\x7e"),
        (127, b"\x82\x7e\x00\x7f"),
        (65535, b"\x82\x7e\xff\xff"),
        (65536, b"\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00"),
        (2**20 + 3, b"\x82\x7f\x00\x00\x00\x00\x00\x10\x00\x03"),
    ],
)
@pytest.mark.parametrize("mask", [False, True])
def test_length_encodings(rfc_key, length, header, mask):
    payload = bytes(i % 251 for i in range(length))
    frame = Frame(True, OP_BINARY, payload)
    data = frame.serialize(mask=mask)
    if mask:
        header = header[:1] + bytes([header[1] | 0x80]) + header[2:] + RFC_KEY
        masked = bytes(b ^ RFC_KEY[i % 4] for i, b in enumerate(payload))
        assert data == header + masked
    else:
        assert data == header + payload
    assert parse_all(data, mask=mask) == [frame]


@pytest.mark.parametrize(
    "frame, first",
    [
        (Frame(True, OP_TEXT, b""), 0x81),
        (Frame(False, OP_BINARY, b""), 0x02),
        (Frame(True, OP_TEXT, b"", rsv1=True), 0xC1),
        (Frame(True, OP_TEXT, b"", rsv2=True), 0xA1),
        (Frame(True, OP_TEXT, b"", rsv3=True), 0x91),
        (Frame(False, OP_CONT, b"", True, True, True), 0x70),
        (Frame(True, OP_CLOSE, b""), 0x88),
        (Frame(True, OP_PONG, b""), 0x8A),
    ],
)
def test_first_byte(frame, first):
    data = frame.serialize(mask=False)
    assert data == bytes([first, 0])
    assert parse_all(data, mask=False) == [frame]


def test_generate_mask():
    key = generate_mask()
    assert isinstance(key, bytes) and len(key) == 4
    # Random: two keys are equal once in 2**32.
    assert len({generate_mask() for _ in range(8)}) > 1


def test_generate_mask_reads_keys_in_batches(monkeypatch):
    reads = []

    def urandom(size):
        reads.append(size)
        return bytes([len(reads)]) * size

    monkeypatch.setattr(framing.os, "urandom", urandom)
    monkeypatch.setattr(framing, "_KEYS_PER_READ", 2)
    framing._reset_keys()
    keys = [generate_mask() for _ in range(5)]
    monkeypatch.undo()
    framing._reset_keys()
    assert keys == [b"\x01" * 4] * 2 + [b"\x02" * 4] * 2 + [b"\x03" * 4]
    assert reads == [8, 8, 8]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_generate_mask_after_fork():
    # The child must not send the keys that the parent sends next.
    code = """if True:
        import os
        from websockets.framing import generate_mask
        generate_mask()
        read, write = os.pipe()
        if os.fork() == 0:
            os.write(write, generate_mask())
            os._exit(0)
        os.wait()
        print(os.read(read, 4) != generate_mask())
    """
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "True", result.stderr


@pytest.mark.parametrize("mask", [False, True])
def test_serialize_parts(mask):
    frame = Frame(True, OP_BINARY, b"x" * 70000)
    header, payload = frame.serialize_parts(mask=mask)
    # The payload itself when unmasked, not a copy.
    assert payload is frame.data or mask
    assert parse_all(header + payload, mask=mask) == [frame]


def test_serialize_accepts_bytearray():
    frame = Frame(True, OP_BINARY, bytearray(b"ab"))
    assert frame.serialize(mask=False) == b"\x82\x02ab"


# Parsing frames: incremental feeding.


@pytest.mark.parametrize("length", [0, 1, 125, 126, 127, 65535, 65536, 70000])
@pytest.mark.parametrize("mask", [False, True])
def test_parse_byte_by_byte(length, mask):
    # Byte by byte for the header, then larger chunks: the payload of a large
    # frame would take too long byte by byte.
    payload = bytes(range(256)) * (length // 256) + bytes(length % 256)
    frame = Frame(True, OP_BINARY, payload)
    data = frame.serialize(mask=mask)
    parser = FrameParser(mask=mask)
    assert parser.bytes_needed == 2 and not parser.partial
    pos = 0
    result = None
    while result is None:
        step = 1 if pos < 16 else 4096
        chunk = data[pos : pos + step]
        pos += len(chunk)
        parser.feed(chunk)
        assert pos == len(data) or parser.bytes_needed >= 0
        result = parser.parse()
        if result is None:
            assert parser.partial
            assert parser.bytes_needed > 0
    assert result == frame
    assert pos == len(data)
    assert parser.parse() is None
    assert not parser.partial
    assert parser.bytes_needed == 2


@pytest.mark.parametrize(
    "data, needed",
    [
        (b"", [2]),
        (b"\x82", [1]),
        (b"\x82\x05", [5]),
        (b"\x82\x05ab", [3]),
        (b"\x82\x7e", [2]),
        (b"\x82\x7e\x01", [1]),
        (b"\x82\x7e\x01\x00", [256]),
        (b"\x82\x7f", [8]),
        (b"\x82\x7f\x00\x00\x00", [5]),
    ],
)
def test_bytes_needed(data, needed):
    parser = FrameParser(mask=False)
    parser.feed(data)
    assert parser.parse() is None
    assert [parser.bytes_needed] == needed


def test_bytes_needed_mask():
    parser = FrameParser(mask=True)
    parser.feed(b"\x82\x82\x00")
    assert parser.parse() is None
    assert parser.bytes_needed == 3
    parser.feed(b"\x00\x00\x00")
    assert parser.parse() is None
    assert parser.bytes_needed == 2
    # Buffered but not parsed yet: nothing more is needed.
    parser.feed(b"ab")
    assert parser.bytes_needed == 0
    assert parser.parse() == Frame(True, OP_BINARY, b"ab")


def test_several_frames_in_one_chunk():
    data = b"\x01\x03Hel\x89\x00\x80\x02lo\x82"
    parser = FrameParser(mask=False)
    parser.feed(data)
    assert parser.parse() == Frame(False, OP_TEXT, b"Hel")
    assert parser.parse() == Frame(True, OP_PING, b"")
    assert parser.parse() == Frame(True, OP_CONT, b"lo")
    assert parser.parse() is None
    assert parser.partial
    parser.feed(b"\x01")
    assert parser.parse() is None
    parser.feed(b"!")
    assert parser.parse() == Frame(True, OP_BINARY, b"!")
    assert not parser.partial


def test_buffer_released_when_consumed():
    parser = FrameParser(mask=False)
    parser.feed(b"\x82\x01a" * 3)
    for _ in range(3):
        assert parser.parse() == Frame(True, OP_BINARY, b"a")
    assert len(parser.buffer) == 9
    assert parser.parse() is None
    assert len(parser.buffer) == 0 and parser.offset == parser.limit == 0


def test_fed_buffer_read_in_place_until_parse_returns_none():
    # The caller may reuse its buffer once parse() returned None: the
    # parser copied the beginning of the incomplete frame by then.
    parser = FrameParser(mask=False)
    data = bytearray(b"\x82\x02ab\x82\x03cd")
    parser.feed(memoryview(data))
    assert parser.parse() == Frame(True, OP_BINARY, b"ab")
    assert parser.parse() is None
    data[:] = bytes(len(data))
    parser.feed(b"e")
    assert parser.parse() == Frame(True, OP_BINARY, b"cde")


def test_incomplete_header_kept():
    parser = FrameParser(mask=True)
    scratch = bytearray(b"\x81")
    parser.feed(scratch)
    assert parser.parse() is None
    scratch[0] = 0
    parser.feed(b"\x81\x00\x00\x00")
    assert parser.parse() is None
    parser.feed(b"\x00a")
    assert parser.parse() == Frame(True, OP_TEXT, b"a")


def test_feed_accepts_other_item_sizes():
    # A memoryview of items wider than a byte is read as bytes.
    parser = FrameParser(mask=False)
    parser.feed(memoryview(b"\x82\x02ab").cast("H"))
    assert parser.parse() == Frame(True, OP_BINARY, b"ab")


def test_feed_appends_to_leftover(monkeypatch):
    monkeypatch.setattr(framing, "_SPARE", [])
    # The leftover moves to a buffer of the parser's own, with room for
    # more, where the next bytes are appended.
    parser = FrameParser(mask=False)
    parser.feed(b"\x82\x01a\x82\x03b")
    assert parser.parse() == Frame(True, OP_BINARY, b"a")
    assert parser.parse() is None
    buffer = parser.buffer
    assert len(buffer) == 1 + framing._RESERVE  # the header is parsed already
    parser.feed(b"c")
    parser.feed(b"d\x82")
    assert parser.buffer is buffer  # no new buffer: there was room
    assert parser.parse() == Frame(True, OP_BINARY, b"bcd")
    assert parser.parse() is None
    parser.feed(b"\x00")
    assert parser.parse() == Frame(True, OP_BINARY, b"")


def test_feed_moves_leftover_when_out_of_room():
    frame = Frame(True, OP_BINARY, bytes(10_000))
    data = frame.serialize(mask=False)
    parser = FrameParser(mask=False)
    parser.feed(data[:3])  # in the middle of the extended length
    assert parser.parse() is None
    small = parser.buffer
    parser.feed(data[3:])
    assert parser.buffer is not small
    assert parser.parse() == frame


def test_get_buffer_receives_rest_of_frame_in_place():
    frame = Frame(True, OP_BINARY, bytes(range(256)) * 1000)
    data = frame.serialize(mask=True)
    parser = FrameParser(mask=True)
    # Nothing pending: any buffer will do.
    assert parser.get_buffer() is None
    parser.feed(data[:100])
    assert parser.parse() is None
    position = 100
    while True:
        room = parser.get_buffer()
        assert room is not None and len(room) >= parser.bytes_needed
        size = min(len(room), 70_000, len(data) - position)
        room[:size] = data[position : position + size]
        position += size
        del room  # a receive buffer is let go after each read
        parser.buffer_updated(size)
        result = parser.parse()
        if result is not None:
            break
    assert result == frame
    assert position == len(data)
    assert parser.parse() is None
    assert parser.get_buffer() is None


def test_large_payload_received_in_place(implementation):
    if implementation == "py":
        pytest.skip("needs the C extension")
    frame = Frame(True, OP_BINARY, bytes(range(256)) * 400)
    data = frame.serialize(mask=True)
    parser = FrameParser(mask=True)
    parser.feed(data[:1000])
    assert parser.parse() is None
    # Room for the rest of the frame, not more: the payload's own bytes.
    room = parser.get_buffer()
    assert len(room) == parser.bytes_needed == len(data) - 1000
    room[:] = data[1000:]
    parser.buffer_updated(len(room))
    assert parser.parse() == frame
    # Unmasked where it was received.
    assert bytes(room) == frame.data[-len(room) :]
    assert parser.parse() is None
    assert parser.get_buffer() is None


@pytest.mark.parametrize("split", [10, 14, 1000])
def test_large_frame_fed_in_pieces(split):
    # Pieces that fit in the rest of the payload, then the end of the frame
    # with the next frame; the first piece may end right after the header.
    frame = Frame(True, OP_BINARY, bytes(range(256)) * 400)
    data = frame.serialize(mask=True) + Frame(True, OP_TEXT, b"next").serialize(mask=True)
    parser = FrameParser(mask=True)
    for start, end in [(0, split), (split, 50_000), (50_000, 90_000), (90_000, len(data))]:
        parser.feed(data[start:end])
        if end < len(data):
            assert parser.parse() is None
    assert parser.parse() == frame
    assert parser.parse() == Frame(True, OP_TEXT, b"next")
    assert parser.parse() is None


def test_clear_while_receiving_large_frame(monkeypatch):
    monkeypatch.setattr(framing, "_SPARE", [])
    data = Frame(True, OP_BINARY, bytes(100_000)).serialize(mask=False)
    parser = FrameParser(mask=False)
    parser.feed(data[:1000])
    assert parser.parse() is None
    parser.clear()
    assert not parser.partial and parser.get_buffer() is None
    parser.feed(b"\x82\x01a")
    assert parser.parse() == Frame(True, OP_BINARY, b"a")


@pytest.fixture
def buffers_of_own(monkeypatch):
    # Large payloads go to buffers of the parser's own, as without the C
    # extension, which receives them in place.
    monkeypatch.setattr(framing, "_payload_buffer", None)
    monkeypatch.setattr(framing, "_SPARE", [])


def test_large_buffer_kept_for_next_large_frame(buffers_of_own):
    frame = Frame(True, OP_BINARY, bytes(200_000))
    data = frame.serialize(mask=False)
    first = FrameParser(mask=False)
    first.feed(data[:1000])
    assert first.parse() is None
    buffer = first.buffer.obj
    first.feed(data[1000:])
    assert first.parse() == frame
    assert first.parse() is None
    assert framing._SPARE == [buffer]
    # The spare is taken, once, by a frame that fits.
    second = FrameParser(mask=False)
    second.feed(data[:1000])
    assert second.parse() is None
    assert second.buffer.obj is buffer
    assert framing._SPARE == []
    second.clear()
    assert framing._SPARE == [buffer]


def test_larger_buffer_replaces_spare(buffers_of_own):
    # Frames of one size whose beginnings arrive in different amounts need
    # buffers of slightly different sizes: the spare grows to the largest,
    # rather than staying too small for half of them.
    frame = Frame(True, OP_BINARY, bytes(200_000))
    data = frame.serialize(mask=False)
    smaller = FrameParser(mask=False)
    smaller.feed(data[:1000])
    assert smaller.parse() is None
    smaller.clear()
    [spare] = framing._SPARE
    # The rest of this frame is shorter than the reserve: its buffer is
    # larger than the frame.
    larger = FrameParser(mask=False)
    larger.feed(data[:-100])
    assert larger.parse() is None
    buffer = larger.buffer.obj
    assert len(buffer) > len(spare)
    assert framing._SPARE == []
    larger.feed(data[-100:])
    assert larger.parse() == frame
    assert larger.parse() is None
    assert framing._SPARE == [buffer]
    # The next frame of this size fits in the spare, however it arrives.
    for split in [1000, len(data) - 100]:
        parser = FrameParser(mask=False)
        parser.feed(data[:split])
        assert parser.parse() is None
        assert parser.buffer.obj is buffer
        parser.clear()


def test_small_buffers_not_kept(monkeypatch):
    monkeypatch.setattr(framing, "_SPARE", [])
    parser = FrameParser(mask=False)
    parser.feed(b"\x82\x02a")
    assert parser.parse() is None
    parser.feed(b"b")
    assert parser.parse() == Frame(True, OP_BINARY, b"ab")
    assert parser.parse() is None
    assert framing._SPARE == []


def test_get_buffer_while_length_incomplete():
    parser = FrameParser(mask=False)
    parser.feed(b"\x82\x7e\x01")
    assert parser.parse() is None
    room = parser.get_buffer()
    assert room is not None and len(room) >= 1
    room[:3] = b"\x00xy"
    parser.buffer_updated(3)
    assert parser.parse() is None
    assert parser.bytes_needed == 254


def test_clear():
    parser = FrameParser(mask=False)
    parser.feed(b"\x82\x05abc")
    assert parser.parse() is None
    parser.clear()
    assert not parser.partial
    parser.feed(b"\x82\x01z")
    assert parser.parse() == Frame(True, OP_BINARY, b"z")


def test_non_minimal_lengths_are_accepted():
    # RFC 6455 §5.2 says that "the minimal number of bytes MUST be used",
    # but it is the sender's duty; receivers in the wild accept them.
    frame = Frame(True, OP_BINARY, b"ab")
    assert parse_all(b"\x82\x7e\x00\x02ab", mask=False) == [frame]
    assert parse_all(b"\x82\x7f" + struct.pack("!Q", 2) + b"ab", mask=False) == [frame]


# Parsing frames: errors.


@pytest.mark.parametrize("opcode", [3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF])
def test_reserved_opcodes(opcode):
    with pytest.raises(ProtocolError, match=f"invalid opcode: {opcode:#x}"):
        parse_all(bytes([0x80 | opcode, 0]), mask=False)


@pytest.mark.parametrize(
    "data, mask",
    [
        (b"\x82\x00", True),
        (b"\x82\x80\x00\x00\x00\x00", False),
    ],
)
def test_incorrect_masking(data, mask):
    with pytest.raises(ProtocolError, match="incorrect masking"):
        parse_all(data, mask=mask)


@pytest.mark.parametrize(
    "data, error",
    [
        # Rejected on the header alone, before the payload arrives.
        (b"\x89\x7e", "control frame too long"),
        (b"\x8a\x7f", "control frame too long"),
        (b"\x09\x00", "fragmented control frame"),
        (b"\x08\x00", "fragmented control frame"),
    ],
)
def test_control_frame_rules(data, error):
    with pytest.raises(ProtocolError, match=error):
        parse_all(data, mask=False)


def test_control_frame_125_bytes():
    data = b"\x89\x7d" + bytes(125)
    assert parse_all(data, mask=False) == [Frame(True, OP_PING, bytes(125))]


def test_64_bit_length_msb():
    with pytest.raises(ProtocolError, match="invalid payload length"):
        parse_all(b"\x82\x7f\x80" + bytes(7), mask=False)


@pytest.mark.parametrize(
    "header, length",
    [
        (b"\x82\x0b", 11),
        (b"\x82\x7e\x01\x00", 256),
        (b"\x82\x7f\x00\x00\x00\x01\x00\x00\x00\x00", 2**32),
    ],
)
def test_max_size_checked_on_announced_length(header, length):
    # Only the header is fed: the parser refuses before the payload.
    error = rf"over size limit \({length} > 10 bytes\)"
    with pytest.raises(PayloadTooBig, match=error):
        parse_all(header, mask=False, max_size=10)


def test_max_size_boundaries():
    assert parse_all(b"\x82\x0a" + bytes(10), mask=False, max_size=10) == [
        Frame(True, OP_BINARY, bytes(10))
    ]
    # Control frames aren't subject to max_size.
    assert parse_all(b"\x89\x0b" + bytes(11), mask=False, max_size=10) == [
        Frame(True, OP_PING, bytes(11))
    ]


def test_max_size_changes_between_frames():
    parser = FrameParser(mask=False, max_size=10)
    parser.feed(b"\x02\x06abcdef\x80\x06ghijkl")
    assert parser.parse() == Frame(False, OP_BINARY, b"abcdef")
    parser.max_size = 4
    with pytest.raises(PayloadTooBig, match=r"over size limit \(6 > 4 bytes\)"):
        parser.parse()


# Checking frames.


@pytest.mark.parametrize(
    "frame",
    [
        Frame(True, OP_TEXT, b"x" * 1000),
        Frame(False, OP_BINARY, b""),
        Frame(False, OP_CONT, b""),
        Frame(True, OP_CLOSE, b"\x03\xe8"),
        Frame(True, OP_PING, bytes(125)),
        Frame(True, OP_PONG, b""),
    ],
)
def test_check_valid(frame):
    frame.check()


@pytest.mark.parametrize(
    "frame, error",
    [
        (Frame(True, OP_TEXT, b"", rsv1=True), "reserved bits must be 0"),
        (Frame(True, OP_TEXT, b"", rsv2=True), "reserved bits must be 0"),
        (Frame(True, OP_TEXT, b"", rsv3=True), "reserved bits must be 0"),
        (Frame(True, OP_PING, bytes(126)), "control frame too long"),
        (Frame(False, OP_PONG, b""), "fragmented control frame"),
        (Frame(True, 3, b""), "invalid opcode: 3"),
    ],
)
def test_check_invalid(frame, error):
    with pytest.raises(ProtocolError, match=error):
        frame.check()


# Rendering frames for logs.


@pytest.mark.parametrize(
    "frame, text",
    [
        (Frame(True, OP_TEXT, b"hello"), "TEXT 'hello' [5 bytes]"),
        (Frame(True, OP_TEXT, b""), "TEXT '' [0 bytes]"),
        (Frame(False, OP_TEXT, "café".encode()), "TEXT 'café' [5 bytes, continued]"),
        (Frame(True, OP_TEXT, b"\xff"), "TEXT ff [1 byte]"),
        (Frame(True, OP_BINARY, b"hi"), "BINARY 68 69 [2 bytes]"),
        (Frame(True, OP_BINARY, b""), "BINARY [0 bytes]"),
        (Frame(True, OP_CONT, b"lo"), "CONT 'lo' [2 bytes]"),
        (Frame(True, OP_CONT, b"\x00\xff"), "CONT 00 ff [2 bytes]"),
        (Frame(True, OP_PING, b"\x00\x01"), "PING '\\x00\\x01' [2 bytes]"),
        (Frame(True, OP_PONG, b"\xc3"), "PONG c3 [1 byte]"),
        (Frame(True, OP_CLOSE, b"\x03\xe8bye"), "CLOSE 1000 (OK) bye [5 bytes]"),
        (
            Frame(True, OP_CLOSE, b""),
            "CLOSE 1005 (no status code [internal]) [0 bytes]",
        ),
        (Frame(True, OP_CLOSE, b"\x03"), "CLOSE 03 [1 byte]"),
        (Frame(True, OP_CLOSE, b"\x03\xe8\xff"), "CLOSE 03 e8 ff [3 bytes]"),
        (
            Frame(True, OP_TEXT, b"x", rsv1=True, rsv3=True),
            "TEXT 'x' [1 byte, rsv1, rsv3]",
        ),
        (Frame(False, OP_BINARY, b"", rsv2=True), "BINARY [0 bytes, continued, rsv2]"),
    ],
)
def test_str(frame, text):
    assert str(frame) == text


def test_str_long_text():
    text = str(Frame(True, OP_TEXT, b"a" * 50 + b"b" * 50))
    assert text == "TEXT '" + "a" * 47 + "..." + "b" * 23 + "' [100 bytes]"


def test_str_huge_text():
    # Only the beginning is decoded; a character cut at the end is fine.
    data = "é".encode() * 100_000
    text = str(Frame(True, OP_TEXT, data))
    assert text == "TEXT '" + "é" * 71 + "... [200000 bytes]"
    # Invalid UTF-8 at the beginning: shown as binary.
    text = str(Frame(True, OP_TEXT, b"\xff" + data))
    assert text.startswith("TEXT ff c3 a9 c3 a9 ")
    assert text.endswith(" ... c3 a9 c3 a9 c3 a9 c3 a9 [200001 bytes]")


def test_str_long_binary():
    text = str(Frame(True, OP_BINARY, bytes(range(100))))
    assert text == (
        "BINARY 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f"
        " ... 5c 5d 5e 5f 60 61 62 63 [100 bytes]"
    )
    # 25 bytes fit in 75 characters; 26 don't.
    assert "..." not in str(Frame(True, OP_BINARY, bytes(25)))
    assert "..." in str(Frame(True, OP_BINARY, bytes(26)))


@pytest.mark.parametrize("data", [b"", b"\x00", b"\xff\xfe", bytes(range(256)) * 3])
@pytest.mark.parametrize("opcode", list(Opcode))
def test_str_is_short(opcode, data):
    assert len(str(Frame(False, opcode, data, True, True, True))) < 130


# Close frames.


@pytest.mark.parametrize(
    "data, close",
    [
        (b"", Close(1005, "")),
        (b"\x03\xe8", Close(1000, "")),
        (b"\x03\xe9bye", Close(1001, "bye")),
        (b"\x03\xefcaf\xc3\xa9", Close(1007, "café")),
        (b"\x0f\xa0", Close(4000, "")),
        (b"\x13\x87", Close(4999, "")),
        (b"\x0b\xb8", Close(3000, "")),
    ],
)
def test_parse_close(data, close):
    assert Close.parse(data) == close
    assert parse_close(data) == tuple(close)


@pytest.mark.parametrize(
    "close, data",
    [
        (Close(1000, ""), b"\x03\xe8"),
        (Close(1001, "bye"), b"\x03\xe9bye"),
        (Close(1011, "café"), b"\x03\xf3caf\xc3\xa9"),
        (Close(1014, ""), b"\x03\xf6"),
        (Close(4999, ""), b"\x13\x87"),
    ],
)
def test_serialize_close(close, data):
    assert close.serialize() == data
    assert serialize_close(*close) == data


VALID_CODES = [*range(1000, 1004), *range(1007, 1015), 3000, 3999, 4000, 4999]
INVALID_CODES = [0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535]


@pytest.mark.parametrize("code", VALID_CODES)
def test_valid_close_codes(code):
    Close(code, "").check()
    assert Close.parse(struct.pack("!H", code)) == Close(code, "")


@pytest.mark.parametrize("code", INVALID_CODES)
def test_invalid_close_codes(code):
    with pytest.raises(ProtocolError, match=f"invalid status code: {code}"):
        Close(code, "").check()
    with pytest.raises(ProtocolError, match=f"invalid status code: {code}"):
        Close.parse(struct.pack("!H", code) + b"reason")
    with pytest.raises(ProtocolError, match=f"invalid status code: {code}"):
        serialize_close(code, "")


def test_close_too_short():
    with pytest.raises(ProtocolError, match="close frame too short"):
        Close.parse(b"\x03")


def test_close_invalid_utf8():
    with pytest.raises(UnicodeDecodeError):
        parse_close(b"\x03\xe8\xff")


@pytest.mark.parametrize(
    "close, text",
    [
        (Close(1000, ""), "1000 (OK)"),
        (Close(1001, "bye"), "1001 (going away) bye"),
        (Close(4000, "x"), "4000 (private use) x"),
    ],
)
def test_close_str(close, text):
    assert str(close) == text


# Frame.read and Frame.write, the classic coroutines.


def make_reader(data):
    """A reader that returns exactly the number of bytes asked for, and logs them."""
    sizes = []
    stream = memoryview(data)

    async def readexactly(n):
        nonlocal stream
        sizes.append(n)
        chunk, stream = bytes(stream[:n]), stream[n:]
        return chunk

    return readexactly, sizes


def read(data, **kwargs):
    reader, sizes = make_reader(data)
    return asyncio.run(Frame.read(reader, **kwargs)), sizes


class Append(Extension):
    """Appends a byte to payloads and sets one reserved bit."""

    def __init__(self, suffix, rsv):
        self.suffix = suffix
        self.rsv = rsv
        self.max_sizes = []

    def encode(self, frame):
        return frame._replace(data=frame.data + self.suffix, **{self.rsv: True})

    def decode(self, frame, *, max_size=None):
        self.max_sizes.append(max_size)
        assert frame.data.endswith(self.suffix) and getattr(frame, self.rsv)
        return frame._replace(data=frame.data[: -len(self.suffix)], **{self.rsv: False})


@pytest.mark.parametrize("length", [0, 125, 126, 65536])
@pytest.mark.parametrize("mask", [False, True])
def test_read_reads_exactly(length, mask):
    frame = Frame(True, OP_BINARY, bytes(length))
    data = frame.serialize(mask=mask)
    result, sizes = read(data + b"next frame", mask=mask)
    assert result == frame
    header = 2 + (0 if length < 126 else 2 if length < 65536 else 8)
    expected = [2]
    if header > 2:
        expected.append(header - 2)
    if mask:
        expected.append(4)
    if length:
        expected.append(length)
    assert sizes == expected
    assert sum(sizes) == len(data)


def test_read_short_reads():
    data = Frame(True, OP_TEXT, b"hello").serialize(mask=False)
    chunks = [data[:1], data[1:2], data[2:4], data[4:]]
    asked = []

    async def reader(n):
        asked.append(n)
        return chunks.pop(0)

    assert asyncio.run(Frame.read(reader, mask=False)) == Frame(True, OP_TEXT, b"hello")
    assert asked == [2, 1, 5, 3]


def test_read_eof():
    reader, _ = make_reader(b"\x82\x05ab")
    with pytest.raises(EOFError, match="stream ended in the middle of a frame"):
        asyncio.run(Frame.read(reader, mask=False))


def test_read_max_size():
    with pytest.raises(PayloadTooBig):
        read(b"\x82\x05hello", mask=False, max_size=4)


def test_read_checks_frame():
    with pytest.raises(ProtocolError, match="reserved bits must be 0"):
        read(b"\xc2\x00", mask=False)
    with pytest.raises(ProtocolError, match="incorrect masking"):
        read(b"\x82\x00", mask=True)


def test_read_write_extensions(rfc_key):
    first, second = Append(b"1", "rsv2"), Append(b"2", "rsv3")
    written = []
    frame = Frame(True, OP_TEXT, b"hi")
    frame.write(written.append, mask=True, extensions=[first, second])
    # Encoded in order: first, then second.
    payload = b"hi12"
    assert written == [
        b"\xb1\x84" + RFC_KEY + bytes(b ^ RFC_KEY[i] for i, b in enumerate(payload))
    ]
    # Decoded in reverse order: second, then first.
    frame, _ = read(written[0], mask=True, max_size=10, extensions=[first, second])
    assert frame == Frame(True, OP_TEXT, b"hi")
    assert first.max_sizes == second.max_sizes == [10]


def test_write_without_extensions():
    written = []
    Frame(True, OP_PING, b"").write(written.append, mask=False)
    assert written == [b"\x89\x00"]


def test_write_checks_before_extensions():
    with pytest.raises(ProtocolError, match="reserved bits must be 0"):
        Frame(True, OP_TEXT, b"", rsv2=True).write(
            [].append, mask=False, extensions=[Append(b"1", "rsv2")]
        )
    with pytest.raises(ProtocolError, match="control frame too long"):
        Frame(True, OP_PING, bytes(126)).write([].append, mask=False)


# Properties.


@st.composite
def frames(draw):
    opcode = draw(st.sampled_from(list(Opcode)))
    if opcode in CTRL_OPCODES:
        fin = True
        data = draw(st.binary(max_size=125))
    else:
        fin = draw(st.booleans())
        size = draw(st.sampled_from([0, 1, 125, 126, 127, 65535, 65536, None]))
        data = draw(st.binary(max_size=300)) if size is None else bytes(size)
    rsv1, rsv2, rsv3 = draw(st.tuples(st.booleans(), st.booleans(), st.booleans()))
    return Frame(fin, opcode, data, rsv1, rsv2, rsv3)


@given(frame=frames(), mask=st.booleans())
def test_serialize_then_parse_is_identity(frame, mask):
    assert parse_all(frame.serialize(mask=mask), mask=mask) == [frame]


@given(
    sequence=st.lists(frames(), max_size=5),
    mask=st.booleans(),
    cuts=st.lists(st.integers(min_value=0), max_size=10),
)
def test_parse_split_anywhere(sequence, mask, cuts):
    data = b"".join(frame.serialize(mask=mask) for frame in sequence)
    bounds = sorted({0, len(data), *(cut % (len(data) + 1) for cut in cuts)})
    parser = FrameParser(mask=mask)
    parsed = []
    for start, end in zip(bounds, bounds[1:]):
        parser.feed(data[start:end])
        while (frame := parser.parse()) is not None:
            parsed.append(frame)
    assert parsed == sequence
    assert not parser.partial


@given(
    data=st.binary(max_size=200),
    mask=st.booleans(),
    max_size=st.none() | st.integers(0, 100),
)
def test_parse_garbage(data, mask, max_size):
    # Any input is either parsed or refused with a documented exception.
    try:
        frames = parse_all(data, mask=mask, max_size=max_size)
    except (ProtocolError, PayloadTooBig):
        return
    for frame in frames:
        assert isinstance(frame.opcode, Opcode)



# Looking at a payload while it arrives.


def test_partial_payload_before_the_payload():
    parser = FrameParser(mask=True)
    assert parser.partial_payload(0) is None
    parser.feed(b"\x81\x85\x01\x02")
    assert parser.parse() is None
    assert parser.partial_payload(0) is None


@pytest.mark.parametrize("start", [0, 1, 2, 3, 4, 5])
def test_partial_payload_masked_at_every_phase(start):
    key = b"\x01\x02\x03\x04"
    payload = b"abcdefgh"
    parser = FrameParser(mask=True)
    parser.feed(b"\x81\x8a" + key + apply_mask(payload, key))
    assert parser.parse() is None
    assert parser.first_byte == 0x81
    assert parser.partial_payload(start) == payload[start:]


def test_partial_payload_unmasked_from_a_bytearray():
    parser = FrameParser(mask=False)
    parser.feed(b"\x02\x0a")
    parser.feed(b"abc")  # the buffer becomes a bytearray
    assert parser.parse() is None
    chunk = parser.partial_payload(1)
    assert (parser.first_byte, chunk, type(chunk)) == (0x02, b"bc", bytes)
