from __future__ import annotations

import functools
import os
import random
import tracemalloc
import zlib
from typing import Any, Optional

import pytest

from websockets.exceptions import (
    DuplicateParameter,
    InvalidParameterName,
    InvalidParameterValue,
    NegotiationError,
    PayloadTooBig,
    ProtocolError,
)
from websockets.extensions.base import (
    ClientExtensionFactory,
    Extension,
    ServerExtensionFactory,
)
from websockets.extensions.permessage_deflate import (
    ClientPerMessageDeflateFactory,
    PerMessageDeflate,
    ServerPerMessageDeflateFactory,
    enable_client_permessage_deflate,
    enable_server_permessage_deflate,
)
from websockets.framing import (
    OP_BINARY,
    OP_CLOSE,
    OP_CONT,
    OP_PING,
    OP_PONG,
    OP_TEXT,
    Frame,
)
from websockets.typing import ExtensionName, ExtensionParameter


TAIL = b"\x00\x00\xff\xff"


def pair(
    no_context_takeover: bool = False,
    max_window_bits: int = 15,
    compress_settings: Optional[dict[str, Any]] = None,
) -> tuple[PerMessageDeflate, PerMessageDeflate]:
    """A sender and a receiver that agree on one direction of a connection."""
    sender = PerMessageDeflate(
        remote_no_context_takeover=False,
        local_no_context_takeover=no_context_takeover,
        remote_max_window_bits=15,
        local_max_window_bits=max_window_bits,
        compress_settings=compress_settings,
    )
    receiver = PerMessageDeflate(
        remote_no_context_takeover=no_context_takeover,
        local_no_context_takeover=False,
        remote_max_window_bits=max_window_bits,
        local_max_window_bits=15,
    )
    return sender, receiver


def fragments(opcode: Any, data: bytes, sizes: list[int]) -> list[Frame]:
    """Split a message into frames of the given sizes, the rest in the last."""
    frames = []
    for size in sizes:
        frames.append(Frame(False, opcode, data[:size]))
        data = data[size:]
        opcode = OP_CONT
    frames.append(Frame(True, opcode, data))
    return frames


def wire(frame: Frame) -> bytes:
    """The frame as a server sends it."""
    return frame.serialize(mask=False)


@functools.lru_cache(maxsize=None)
def text(size: int, seed: int = 0) -> bytes:
    """Compressible text of the given size."""
    rng = random.Random(seed)
    words = [b"alpha", b"beta", b"gamma", b"delta", b"websocket", b"{}", b"42"]
    out = bytearray()
    while len(out) < size:
        out += rng.choice(words) + b" "
    return bytes(out[:size])


# PerMessageDeflate: construction


@pytest.mark.parametrize("bits", [8, 9, 12, 15])
def test_window_bits_in_range(bits: int) -> None:
    extension = PerMessageDeflate(False, False, bits, bits)
    assert extension.remote_max_window_bits == bits
    assert extension.local_max_window_bits == bits


@pytest.mark.parametrize("bits", [0, 7, 16, True, False])
@pytest.mark.parametrize("which", ["remote", "local"])
def test_window_bits_out_of_range(which: str, bits: int) -> None:
    kwargs: dict[str, Any] = {"remote_max_window_bits": 15, "local_max_window_bits": 15}
    kwargs[f"{which}_max_window_bits"] = bits
    with pytest.raises(ValueError) as exc_info:
        PerMessageDeflate(False, False, **kwargs)
    assert str(exc_info.value) == (
        f"{which}_max_window_bits must be between 8 and 15, got {bits!r}"
    )


def test_compress_settings_refuse_wbits() -> None:
    with pytest.raises(ValueError) as exc_info:
        PerMessageDeflate(False, False, 15, 15, {"wbits": 10})
    assert str(exc_info.value) == (
        "compress_settings must not include wbits: "
        "set the max_window_bits parameters instead"
    )


def test_compress_settings_are_copied() -> None:
    settings = {"memLevel": 5}
    extension = PerMessageDeflate(False, False, 15, 15, settings)
    settings["level"] = 1
    assert extension.compress_settings == {"memLevel": 5}


def test_repr() -> None:
    extension = PerMessageDeflate(True, False, 12, 9, {"memLevel": 5})
    assert repr(extension) == (
        "PerMessageDeflate(remote_no_context_takeover=True, "
        "local_no_context_takeover=False, remote_max_window_bits=12, "
        "local_max_window_bits=9, compress_settings={'memLevel': 5})"
    )


def test_name() -> None:
    assert PerMessageDeflate(False, False, 15, 15).name == "permessage-deflate"


# PerMessageDeflate: examples of RFC 7692, section 7.2.3


def test_encode_hello() -> None:
    # §7.2.3.1: a message compressed using one compressed DEFLATE block.
    sender, _ = pair()
    frame = sender.encode(Frame(True, OP_TEXT, b"Hello"))
    assert frame == Frame(True, OP_TEXT, bytes.fromhex("f248cdc9c90700"), rsv1=True)
    assert wire(frame) == bytes.fromhex("c107f248cdc9c90700")


@pytest.mark.parametrize("max_size", [None, 5])
def test_decode_hello(max_size: Optional[int]) -> None:
    _, receiver = pair()
    frame = Frame(True, OP_TEXT, bytes.fromhex("f248cdc9c90700"), rsv1=True)
    assert receiver.decode(frame, max_size=max_size) == Frame(True, OP_TEXT, b"Hello")


@pytest.mark.parametrize("max_size", [None, 5])
def test_decode_hello_fragmented(max_size: Optional[int]) -> None:
    # §7.2.3.1: the same compressed data split into two frames.
    _, receiver = pair()
    first = Frame(False, OP_TEXT, bytes.fromhex("f248cd"), rsv1=True)
    last = Frame(True, OP_CONT, bytes.fromhex("c9c90700"))
    assert receiver.decode(first, max_size=max_size) == Frame(False, OP_TEXT, b"He")
    assert receiver.decode(last, max_size=max_size) == Frame(True, OP_CONT, b"llo")


def test_encode_shared_window() -> None:
    # §7.2.3.2: the second "Hello" refers to the first one.
    sender, _ = pair()
    first = sender.encode(Frame(True, OP_TEXT, b"Hello"))
    second = sender.encode(Frame(True, OP_TEXT, b"Hello"))
    assert wire(first) == bytes.fromhex("c107f248cdc9c90700")
    assert wire(second) == bytes.fromhex("c105f200110000")


@pytest.mark.parametrize("max_size", [None, 5])
def test_decode_shared_window(max_size: Optional[int]) -> None:
    _, receiver = pair()
    first = Frame(True, OP_TEXT, bytes.fromhex("f248cdc9c90700"), rsv1=True)
    second = Frame(True, OP_TEXT, bytes.fromhex("f200110000"), rsv1=True)
    assert receiver.decode(first, max_size=max_size).data == b"Hello"
    assert receiver.decode(second, max_size=max_size).data == b"Hello"


def test_encode_no_context_takeover() -> None:
    # §7.2.3.2: without context takeover, both messages are the same.
    sender, _ = pair(no_context_takeover=True)
    first = sender.encode(Frame(True, OP_TEXT, b"Hello"))
    second = sender.encode(Frame(True, OP_TEXT, b"Hello"))
    assert first.data == second.data == bytes.fromhex("f248cdc9c90700")


def test_decode_no_context_takeover_resets_window() -> None:
    # A receiver that expects no context takeover cannot decode a message
    # that refers to the previous one.
    _, receiver = pair(no_context_takeover=True)
    first = Frame(True, OP_TEXT, bytes.fromhex("f248cdc9c90700"), rsv1=True)
    second = Frame(True, OP_TEXT, bytes.fromhex("f200110000"), rsv1=True)
    assert receiver.decode(first).data == b"Hello"
    with pytest.raises(ProtocolError) as exc_info:
        receiver.decode(second)
    assert str(exc_info.value) == (
        "invalid compressed data: Error -3 while decompressing data: "
        "invalid distance too far back"
    )


@pytest.mark.parametrize("max_size", [None, 5])
def test_decode_uncompressed_block(max_size: Optional[int]) -> None:
    # §7.2.3.3: a DEFLATE block with no compression.
    _, receiver = pair()
    frame = Frame(True, OP_TEXT, bytes.fromhex("000500faff48656c6c6f00"), rsv1=True)
    assert receiver.decode(frame, max_size=max_size).data == b"Hello"


@pytest.mark.parametrize("max_size", [None, 5])
def test_decode_bfinal(max_size: Optional[int]) -> None:
    # §7.2.3.4: a DEFLATE block with BFINAL set to 1.
    _, receiver = pair()
    frame = Frame(True, OP_TEXT, bytes.fromhex("f348cdc9c9070000"), rsv1=True)
    assert receiver.decode(frame, max_size=max_size).data == b"Hello"
    # The DEFLATE stream is over; the next message starts a new one.
    frame = Frame(True, OP_TEXT, bytes.fromhex("f248cdc9c90700"), rsv1=True)
    assert receiver.decode(frame, max_size=max_size).data == b"Hello"


@pytest.mark.parametrize("max_size", [None, 5])
def test_decode_bfinal_then_more_frames(max_size: Optional[int]) -> None:
    # What follows the end of the DEFLATE stream in a message is ignored.
    _, receiver = pair()
    first = Frame(False, OP_BINARY, bytes.fromhex("f348cdc9c90700"), rsv1=True)
    middle = Frame(False, OP_CONT, b"ignored")
    last = Frame(True, OP_CONT, b"ignored")
    assert receiver.decode(first, max_size=max_size).data == b"Hello"
    assert receiver.decode(middle, max_size=max_size).data == b""
    assert receiver.decode(last, max_size=max_size).data == b""
    frame = Frame(True, OP_TEXT, bytes.fromhex("f248cdc9c90700"), rsv1=True)
    assert receiver.decode(frame, max_size=max_size).data == b"Hello"


@pytest.mark.parametrize("max_size", [None, 5])
def test_decode_two_blocks(max_size: Optional[int]) -> None:
    # §7.2.3.5: two DEFLATE blocks in one message.
    _, receiver = pair()
    data = bytes.fromhex("f24805000000ffffcac9c90700")
    frame = Frame(True, OP_TEXT, data, rsv1=True)
    assert receiver.decode(frame, max_size=max_size).data == b"Hello"


def test_encode_empty_fragment() -> None:
    # §7.2.3.6: an empty last fragment becomes a single 0x00 octet.
    sender, _ = pair()
    first = sender.encode(Frame(False, OP_TEXT, b"Hello"))
    last = sender.encode(Frame(True, OP_CONT, b""))
    data = bytes.fromhex("f248cdc9c907000000ffff")
    assert first == Frame(False, OP_TEXT, data, rsv1=True)
    assert last == Frame(True, OP_CONT, b"\x00")


@pytest.mark.parametrize("context", ["fresh", "after message", "after fragment"])
def test_encode_empty_message(context: str) -> None:
    sender, receiver = pair()
    if context == "after message":
        receiver.decode(sender.encode(Frame(True, OP_TEXT, b"Hello")))
    elif context == "after fragment":
        receiver.decode(sender.encode(Frame(False, OP_TEXT, b"Hello")))
        receiver.decode(sender.encode(Frame(False, OP_CONT, b"")))
    opcode = OP_CONT if context == "after fragment" else OP_BINARY
    frame = sender.encode(Frame(True, opcode, b""))
    assert frame.data == b"\x00"
    assert receiver.decode(frame).data == b""


@pytest.mark.parametrize("max_size", [None, 5])
def test_decode_empty_fragment(max_size: Optional[int]) -> None:
    _, receiver = pair()
    first = Frame(False, OP_TEXT, bytes.fromhex("f248cdc9c907000000ffff"), rsv1=True)
    last = Frame(True, OP_CONT, b"\x00")
    assert receiver.decode(first, max_size=max_size).data == b"Hello"
    assert receiver.decode(last, max_size=max_size).data == b""


# PerMessageDeflate: encoding


@pytest.mark.parametrize(
    "frame",
    [
        Frame(True, OP_PING, b"Hello"),
        Frame(True, OP_PONG, b""),
        Frame(True, OP_CLOSE, b"\x03\xe8OK"),
    ],
)
def test_encode_control_frame(frame: Frame) -> None:
    sender, _ = pair()
    assert sender.encode(frame) == frame
    assert sender._encoder is None


def test_encode_fragmented_message() -> None:
    sender, _ = pair()
    frames = [
        sender.encode(frame) for frame in fragments(OP_TEXT, b"Hello, world!", [5, 2])
    ]
    assert [(f.fin, f.opcode, f.rsv1) for f in frames] == [
        (False, OP_TEXT, True),
        (False, OP_CONT, False),
        (True, OP_CONT, False),
    ]
    # Each frame is flushed, so the peer can decompress it at once; the
    # last one drops the tail of the flush.
    assert frames[0].data.endswith(TAIL)
    assert frames[1].data.endswith(TAIL)
    assert not frames[2].data.endswith(TAIL)
    decoder = zlib.decompressobj(wbits=-15)
    assert decoder.decompress(frames[0].data) == b"Hello"
    assert decoder.decompress(frames[1].data) == b", "


def test_encode_accepts_bytes_like() -> None:
    sender, _ = pair()
    data: Any = memoryview(b"Hello")
    frame = sender.encode(Frame(True, OP_TEXT, data))
    assert frame.data == bytes.fromhex("f248cdc9c90700")


@pytest.mark.parametrize("bits", [8, 9])
def test_encode_window_bits_8_compresses_with_9(bits: int) -> None:
    # zlib refuses 8 bits for raw DEFLATE compressors.
    with pytest.raises(ValueError):
        zlib.compressobj(wbits=-8)
    sender, _ = pair(max_window_bits=bits)
    data = os.urandom(300) * 4
    expected = zlib.compressobj(wbits=-9)
    assert sender.encode(Frame(True, OP_BINARY, data)).data == (
        expected.compress(data) + expected.flush(zlib.Z_SYNC_FLUSH)
    )[:-4]


@pytest.mark.parametrize("period", [100, 250, 251, 255, 256, 257, 300, 511, 512])
def test_window_bits_8_round_trip(period: int) -> None:
    # A 9-bit compressor never refers further back than 250 bytes, so a
    # peer with a 256-byte window decodes it.
    sender, receiver = pair(max_window_bits=8, compress_settings={"level": 9})
    assert receiver._decompress_wbits == -8
    rng = random.Random(period)
    data = bytes(rng.randrange(256) for _ in range(period)) * 40
    for frame in fragments(OP_BINARY, data, [1000, 3, 5000]):
        decoded = receiver.decode(sender.encode(frame))
        assert decoded.data == frame.data


def test_encode_compress_settings() -> None:
    sender, _ = pair(compress_settings={"level": 0})
    # Level 0 stores the data in a block with no compression.
    frame = sender.encode(Frame(True, OP_TEXT, b"Hello"))
    assert frame.data == bytes.fromhex("000500faff48656c6c6f00")


# PerMessageDeflate: decoding


@pytest.mark.parametrize(
    "frame",
    [
        Frame(True, OP_PING, b"Hello"),
        Frame(True, OP_PONG, b""),
        Frame(True, OP_CLOSE, b"\x03\xe8OK"),
    ],
)
def test_decode_control_frame(frame: Frame) -> None:
    _, receiver = pair()
    assert receiver.decode(frame) == frame
    assert receiver._decoder is None


@pytest.mark.parametrize("opcode", [OP_PING, OP_PONG, OP_CLOSE])
def test_decode_control_frame_with_rsv1(opcode: Any) -> None:
    _, receiver = pair()
    with pytest.raises(ProtocolError) as exc_info:
        receiver.decode(Frame(True, opcode, b"", rsv1=True))
    assert str(exc_info.value) == "RSV1 set on a control frame"


@pytest.mark.parametrize("compressed", [True, False])
def test_decode_continuation_with_rsv1(compressed: bool) -> None:
    # RFC 7692 §6: RSV1 is only allowed on the first frame of a message.
    sender, receiver = pair()
    first = Frame(False, OP_TEXT, b"Hello")
    receiver.decode(sender.encode(first) if compressed else first)
    with pytest.raises(ProtocolError) as exc_info:
        receiver.decode(Frame(True, OP_CONT, b"\x00", rsv1=True))
    assert str(exc_info.value) == "RSV1 set on a continuation frame"


def test_decode_uncompressed_message() -> None:
    _, receiver = pair()
    frames = fragments(OP_TEXT, b"Hello, world!", [5, 2])
    assert [receiver.decode(frame) for frame in frames] == frames
    assert receiver._decoder is None


def test_decode_mixed_messages() -> None:
    sender, receiver = pair()
    messages = [
        (True, fragments(OP_TEXT, b"compressed, fragmented", [4, 6])),
        (False, fragments(OP_BINARY, b"plain, fragmented", [3])),
        (True, fragments(OP_BINARY, b"compressed", [])),
        (False, fragments(OP_TEXT, b"plain", [])),
        (True, fragments(OP_TEXT, b"compressed again", [2])),
    ]
    for compressed, frames in messages:
        for frame in frames:
            sent = sender.encode(frame) if compressed else frame
            assert receiver.decode(sent) == frame


def test_decode_control_frame_inside_compressed_message() -> None:
    sender, receiver = pair()
    first, last = fragments(OP_TEXT, b"Hello, world!", [5])
    ping = Frame(True, OP_PING, b"ping")
    assert receiver.decode(sender.encode(first)) == first
    assert receiver.decode(sender.encode(ping)) == ping
    assert receiver.decode(sender.encode(last)) == last


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xff\xff\xff",  # invalid block type
        bytes.fromhex("f248cdc9c90700")[::-1],
        bytes.fromhex("000500faf048656c6c6f00"),  # stored block, bad NLEN
    ],
)
def test_decode_corrupt_data(data: bytes) -> None:
    _, receiver = pair()
    with pytest.raises(ProtocolError) as exc_info:
        receiver.decode(Frame(True, OP_BINARY, data, rsv1=True))
    assert str(exc_info.value).startswith("invalid compressed data: Error -3 ")
    assert isinstance(exc_info.value.__cause__, zlib.error)
    assert receiver._decoder is None


def test_decode_corrupt_data_in_continuation() -> None:
    sender, receiver = pair()
    first, last = fragments(OP_TEXT, b"Hello, world!", [5])
    receiver.decode(sender.encode(first))
    with pytest.raises(ProtocolError) as exc_info:
        receiver.decode(last._replace(data=b"\xff\xff\xff\xff"))
    assert isinstance(exc_info.value.__cause__, zlib.error)


def test_decode_corrupt_data_in_tail() -> None:
    # A stored block whose header promises more bytes than the message has:
    # the tail appended by the receiver doesn't complement it.
    _, receiver = pair()
    with pytest.raises(ProtocolError) as exc_info:
        receiver.decode(Frame(True, OP_BINARY, bytes.fromhex("000500"), rsv1=True))
    assert str(exc_info.value) == (
        "invalid compressed data: Error -3 while decompressing data: "
        "invalid stored block lengths"
    )


@pytest.mark.parametrize("size", [0, 1, 10_000, 65535, 65536, 65537, 3 * 65536])
def test_decode_max_size_exact_fit(size: int) -> None:
    sender, receiver = pair()
    data = text(size)
    frame = receiver.decode(sender.encode(Frame(True, OP_TEXT, data)), max_size=size)
    assert frame.data == data


@pytest.mark.parametrize("size", [1, 65536, 65537, 3 * 65536])
def test_decode_max_size_exceeded_at_chunk_edges(size: int) -> None:
    sender, receiver = pair()
    data = text(size)
    with pytest.raises(PayloadTooBig):
        receiver.decode(sender.encode(Frame(True, OP_TEXT, data)), max_size=size - 1)


def test_decode_max_size_exceeded_by_one() -> None:
    sender, receiver = pair()
    data = text(10_000)
    with pytest.raises(PayloadTooBig) as exc_info:
        receiver.decode(sender.encode(Frame(True, OP_TEXT, data)), max_size=9_999)
    assert str(exc_info.value) == (
        "decompressed payload exceeds the limit of 9999 bytes"
    )
    assert receiver._decoder is None


def test_decode_max_size_zero() -> None:
    sender, receiver = pair()
    frame = sender.encode(Frame(True, OP_TEXT, b""))
    assert receiver.decode(frame, max_size=0).data == b""
    frame = sender.encode(Frame(True, OP_TEXT, b"a"))
    with pytest.raises(PayloadTooBig):
        receiver.decode(frame, max_size=0)


def test_decode_max_size_per_frame() -> None:
    # The limit applies to each frame; the caller tracks the message.
    sender, receiver = pair()
    data = text(30_000)
    for frame in fragments(OP_TEXT, data, [10_000, 10_000]):
        assert receiver.decode(sender.encode(frame), max_size=10_000) == frame


def test_decode_no_max_size() -> None:
    sender, receiver = pair()
    data = text(3 * 2**20)
    assert receiver.decode(sender.encode(Frame(True, OP_TEXT, data))).data == data


@functools.lru_cache(maxsize=None)
def bomb() -> bytes:
    """256 KiB of compressed data inflating to 256 MiB of zeros."""
    encoder = zlib.compressobj(9, zlib.DEFLATED, -15, 8, zlib.Z_RLE)
    chunk = bytes(2**20)
    data = b"".join(encoder.compress(chunk) for _ in range(256))
    return data + encoder.flush(zlib.Z_SYNC_FLUSH)[:-4]


@pytest.mark.parametrize("max_size", [2**16, 2**20])
@pytest.mark.parametrize("fin", [True, False])
def test_decode_bomb(fin: bool, max_size: int) -> None:
    payload = bomb()
    assert 200_000 < len(payload) < 300_000
    _, receiver = pair()
    tracemalloc.start()
    try:
        with pytest.raises(PayloadTooBig):
            frame = Frame(fin, OP_BINARY, payload, rsv1=True)
            receiver.decode(frame, max_size=max_size)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Decompression stops right after max_size bytes: 256 MiB never exist.
    # What is allocated beyond max_size doesn't depend on max_size (no copy
    # of the output) nor on the size of the payload (no copy of the input).
    assert peak < max_size + 512 * 1024
    assert receiver._decoder is None


def test_decode_bomb_in_continuation() -> None:
    sender, receiver = pair()
    receiver.decode(sender.encode(Frame(False, OP_BINARY, b"Hello")), max_size=2**20)
    # Continue the sender's stream with a megabyte of zeros.
    encoder = sender._encoder
    assert encoder is not None
    payload = encoder.compress(bytes(2**20 + 1)) + encoder.flush(zlib.Z_SYNC_FLUSH)
    with pytest.raises(PayloadTooBig):
        receiver.decode(Frame(True, OP_CONT, payload[:-4]), max_size=2**20)


# PerMessageDeflate: round trips


@pytest.mark.parametrize("no_context_takeover", [False, True])
@pytest.mark.parametrize("bits", [8, 9, 12, 15])
@pytest.mark.parametrize(
    "sizes",
    [
        [0],
        [1],
        [125, 126, 127],
        [65535, 65536],
        [2**20],
    ],
)
def test_round_trip(no_context_takeover: bool, bits: int, sizes: list[int]) -> None:
    sender, receiver = pair(no_context_takeover, bits, {"memLevel": 5})
    for index, size in enumerate(sizes * 3):
        data = text(size, seed=index % len(sizes))
        frame = Frame(True, OP_BINARY if index % 2 else OP_TEXT, data)
        encoded = sender.encode(frame)
        assert encoded.rsv1
        assert receiver.decode(encoded, max_size=size) == frame


@pytest.mark.parametrize("no_context_takeover", [False, True])
@pytest.mark.parametrize("bits", [8, 15])
@pytest.mark.parametrize("sizes", [[0], [1, 1], [0, 0, 0], [1000, 10, 20_000]])
def test_round_trip_fragmented(
    no_context_takeover: bool, bits: int, sizes: list[int]
) -> None:
    sender, receiver = pair(no_context_takeover, bits)
    for seed in range(3):
        data = text(sum(sizes) + 500, seed=seed)
        frames = fragments(OP_TEXT, data, sizes)
        encoded = [sender.encode(frame) for frame in frames]
        assert [frame.rsv1 for frame in encoded] == [True] + [False] * len(sizes)
        assert [receiver.decode(frame) for frame in encoded] == frames


def test_round_trip_random_data() -> None:
    sender, receiver = pair()
    for size in [0, 1, 100, 10_000, 100_000]:
        data = os.urandom(size)
        assert receiver.decode(sender.encode(Frame(True, OP_BINARY, data))).data == data


def test_context_takeover_compresses_repeated_messages() -> None:
    data = text(1000)
    sender, _ = pair()
    first = sender.encode(Frame(True, OP_TEXT, data))
    second = sender.encode(Frame(True, OP_TEXT, data))
    assert len(second.data) < len(first.data) / 10
    sender, _ = pair(no_context_takeover=True)
    first = sender.encode(Frame(True, OP_TEXT, data))
    second = sender.encode(Frame(True, OP_TEXT, data))
    assert second.data == first.data


# PerMessageDeflate: zlib objects are created lazily


def test_no_zlib_objects_before_first_message() -> None:
    extension = PerMessageDeflate(False, False, 15, 15)
    assert extension._encoder is None
    assert extension._decoder is None
    extension.decode(Frame(True, OP_TEXT, b"uncompressed"))
    extension.decode(Frame(True, OP_PING, b""))
    extension.encode(Frame(True, OP_PONG, b""))
    assert extension._encoder is None
    assert extension._decoder is None


def test_zlib_objects_kept_with_context_takeover() -> None:
    sender, receiver = pair()
    receiver.decode(sender.encode(Frame(True, OP_TEXT, b"Hello")))
    encoder, decoder = sender._encoder, receiver._decoder
    assert encoder is not None
    assert decoder is not None
    receiver.decode(sender.encode(Frame(True, OP_TEXT, b"Hello")))
    assert sender._encoder is encoder
    assert receiver._decoder is decoder


def test_zlib_objects_dropped_without_context_takeover() -> None:
    sender, receiver = pair(no_context_takeover=True)
    first, last = fragments(OP_TEXT, b"Hello, world!", [5])
    receiver.decode(sender.encode(first))
    # Kept until the end of the message.
    assert None not in (sender._encoder, receiver._decoder)
    receiver.decode(sender.encode(last))
    assert (sender._encoder, receiver._decoder) == (None, None)


# Negotiation: helpers


class OtherExtension(Extension):
    name = ExtensionName("x-other")


def extension_params(extension: PerMessageDeflate) -> tuple[bool, bool, int, int]:
    return (
        extension.remote_no_context_takeover,
        extension.local_no_context_takeover,
        extension.remote_max_window_bits,
        extension.local_max_window_bits,
    )


# ClientPerMessageDeflateFactory


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"server_max_window_bits": 7}, "server_max_window_bits"),
        ({"server_max_window_bits": 16}, "server_max_window_bits"),
        ({"server_max_window_bits": True}, "server_max_window_bits"),
        ({"client_max_window_bits": 7}, "client_max_window_bits"),
        ({"client_max_window_bits": 16}, "client_max_window_bits"),
        ({"client_max_window_bits": False}, "client_max_window_bits"),
        ({"compress_settings": {"wbits": 12}}, "compress_settings"),
    ],
)
def test_client_factory_invalid(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as exc_info:
        ClientPerMessageDeflateFactory(**kwargs)
    assert str(exc_info.value).startswith(message)


def test_client_factory_defaults() -> None:
    factory = ClientPerMessageDeflateFactory()
    assert factory.name == "permessage-deflate"
    assert factory.server_no_context_takeover is False
    assert factory.client_no_context_takeover is False
    assert factory.server_max_window_bits is None
    assert factory.client_max_window_bits is True
    assert factory.compress_settings == {}


@pytest.mark.parametrize(
    "kwargs, params",
    [
        ({}, [("client_max_window_bits", None)]),
        ({"client_max_window_bits": None}, []),
        ({"client_max_window_bits": 10}, [("client_max_window_bits", "10")]),
        (
            {"server_no_context_takeover": True, "client_max_window_bits": None},
            [("server_no_context_takeover", None)],
        ),
        (
            {"client_no_context_takeover": True, "client_max_window_bits": None},
            [("client_no_context_takeover", None)],
        ),
        (
            {"server_max_window_bits": 8, "client_max_window_bits": None},
            [("server_max_window_bits", "8")],
        ),
        (
            {
                "server_no_context_takeover": True,
                "client_no_context_takeover": True,
                "server_max_window_bits": 10,
                "client_max_window_bits": 12,
            },
            [
                ("server_no_context_takeover", None),
                ("client_no_context_takeover", None),
                ("server_max_window_bits", "10"),
                ("client_max_window_bits", "12"),
            ],
        ),
    ],
)
def test_client_request_params(
    kwargs: dict[str, Any], params: list[ExtensionParameter]
) -> None:
    assert ClientPerMessageDeflateFactory(**kwargs).get_request_params() == params


# Results are (remote_no_context_takeover, local_no_context_takeover,
# remote_max_window_bits, local_max_window_bits) on the client side, or the
# exception and its message.
CLIENT_RESPONSES: list[tuple[dict[str, Any], list[ExtensionParameter], Any]] = [
    # Default offer: client_max_window_bits without a value.
    ({}, [], (False, False, 15, 15)),
    ({}, [("server_no_context_takeover", None)], (True, False, 15, 15)),
    ({}, [("client_no_context_takeover", None)], (False, True, 15, 15)),
    ({}, [("server_max_window_bits", "10")], (False, False, 10, 15)),
    ({}, [("server_max_window_bits", "8")], (False, False, 8, 15)),
    ({}, [("client_max_window_bits", "10")], (False, False, 15, 10)),
    ({}, [("client_max_window_bits", "15")], (False, False, 15, 15)),
    (
        {},
        [
            ("server_no_context_takeover", None),
            ("client_no_context_takeover", None),
            ("server_max_window_bits", "9"),
            ("client_max_window_bits", "8"),
        ],
        (True, True, 9, 8),
    ),
    # Invalid responses.
    ({}, [("x", None)], (InvalidParameterName, "invalid parameter name: x")),
    (
        {},
        [("server_no_context_takeover", None), ("server_no_context_takeover", None)],
        (DuplicateParameter, "duplicate parameter: server_no_context_takeover"),
    ),
    (
        {},
        [("client_max_window_bits", "10"), ("client_max_window_bits", "10")],
        (DuplicateParameter, "duplicate parameter: client_max_window_bits"),
    ),
    (
        {},
        [("server_no_context_takeover", "")],
        (
            InvalidParameterValue,
            "empty value for parameter server_no_context_takeover",
        ),
    ),
    (
        {},
        [("client_no_context_takeover", "true")],
        (
            InvalidParameterValue,
            "invalid value for parameter client_no_context_takeover: true",
        ),
    ),
    (
        {},
        [("server_max_window_bits", None)],
        (InvalidParameterValue, "missing value for parameter server_max_window_bits"),
    ),
    (
        {},
        [("client_max_window_bits", None)],
        (InvalidParameterValue, "missing value for parameter client_max_window_bits"),
    ),
    # §7.1.1.1: server_no_context_takeover requested.
    (
        {"server_no_context_takeover": True},
        [],
        (NegotiationError, "expected server_no_context_takeover"),
    ),
    (
        {"server_no_context_takeover": True},
        [("server_no_context_takeover", None)],
        (True, False, 15, 15),
    ),
    # §7.1.1.2: client_no_context_takeover offered.
    ({"client_no_context_takeover": True}, [], (False, True, 15, 15)),
    (
        {"client_no_context_takeover": True},
        [("client_no_context_takeover", None)],
        (False, True, 15, 15),
    ),
    # §7.1.2.1: server_max_window_bits requested.
    (
        {"server_max_window_bits": 10},
        [],
        (NegotiationError, "expected server_max_window_bits"),
    ),
    (
        {"server_max_window_bits": 10},
        [("server_max_window_bits", "11")],
        (NegotiationError, "server_max_window_bits=11 exceeds the 10 requested"),
    ),
    (
        {"server_max_window_bits": 10},
        [("server_max_window_bits", "10")],
        (False, False, 10, 15),
    ),
    (
        {"server_max_window_bits": 10},
        [("server_max_window_bits", "8")],
        (False, False, 8, 15),
    ),
    # §7.1.2.2: client_max_window_bits not offered, or offered with a value.
    (
        {"client_max_window_bits": None},
        [("client_max_window_bits", "10")],
        (NegotiationError, "unexpected client_max_window_bits"),
    ),
    ({"client_max_window_bits": None}, [], (False, False, 15, 15)),
    ({"client_max_window_bits": 10}, [], (False, False, 15, 10)),
    (
        {"client_max_window_bits": 10},
        [("client_max_window_bits", "10")],
        (False, False, 15, 10),
    ),
    (
        {"client_max_window_bits": 10},
        [("client_max_window_bits", "9")],
        (False, False, 15, 9),
    ),
    (
        {"client_max_window_bits": 10},
        [("client_max_window_bits", "11")],
        (NegotiationError, "client_max_window_bits=11 exceeds the 10 offered"),
    ),
]


CLIENT_RESPONSES += [
    (
        {},
        [(name, value)],
        (InvalidParameterValue, f"invalid value for parameter {name}: {value}"),
    )
    for name in ["server_max_window_bits", "client_max_window_bits"]
    for value in ["7", "16", "08", "+9", " 9", "9 ", "0x9", "nine", "١٢"]
]


@pytest.mark.parametrize("kwargs, params, result", CLIENT_RESPONSES)
def test_client_response_params(
    kwargs: dict[str, Any], params: list[ExtensionParameter], result: Any
) -> None:
    factory = ClientPerMessageDeflateFactory(**kwargs)
    if isinstance(result[0], type):
        exc_type, message = result
        with pytest.raises(NegotiationError) as exc_info:
            factory.process_response_params(params, [])
        assert type(exc_info.value) is exc_type
        assert str(exc_info.value) == message
    else:
        extension = factory.process_response_params(params, [])
        assert isinstance(extension, PerMessageDeflate)
        assert extension_params(extension) == result


def test_client_response_passes_compress_settings() -> None:
    factory = ClientPerMessageDeflateFactory(compress_settings={"memLevel": 5})
    extension = factory.process_response_params([], [])
    assert extension.compress_settings == {"memLevel": 5}


def test_client_response_after_other_extension() -> None:
    factory = ClientPerMessageDeflateFactory()
    extension = factory.process_response_params([], [OtherExtension()])
    assert isinstance(extension, PerMessageDeflate)


def test_client_response_duplicate_extension() -> None:
    factory = ClientPerMessageDeflateFactory()
    accepted = factory.process_response_params([], [])
    with pytest.raises(NegotiationError) as exc_info:
        factory.process_response_params([], [OtherExtension(), accepted])
    assert str(exc_info.value) == "received duplicate permessage-deflate"


# ServerPerMessageDeflateFactory


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"server_max_window_bits": 7}, "server_max_window_bits"),
        ({"server_max_window_bits": 16}, "server_max_window_bits"),
        ({"client_max_window_bits": 7}, "client_max_window_bits"),
        ({"client_max_window_bits": 16}, "client_max_window_bits"),
        ({"client_max_window_bits": True}, "client_max_window_bits"),
        ({"compress_settings": {"wbits": 12}}, "compress_settings"),
        (
            {"require_client_max_window_bits": True},
            "require_client_max_window_bits needs client_max_window_bits",
        ),
    ],
)
def test_server_factory_invalid(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as exc_info:
        ServerPerMessageDeflateFactory(**kwargs)
    assert str(exc_info.value).startswith(message)


def test_server_factory_defaults() -> None:
    factory = ServerPerMessageDeflateFactory()
    assert factory.name == "permessage-deflate"
    assert factory.server_no_context_takeover is False
    assert factory.client_no_context_takeover is False
    assert factory.server_max_window_bits is None
    assert factory.client_max_window_bits is None
    assert factory.compress_settings == {}
    assert factory.require_client_max_window_bits is False


SNCT = ("server_no_context_takeover", None)
CNCT = ("client_no_context_takeover", None)


def smwb(bits: int) -> ExtensionParameter:
    return ("server_max_window_bits", str(bits))


def cmwb(bits: Optional[int]) -> ExtensionParameter:
    return ("client_max_window_bits", None if bits is None else str(bits))


# Results are the response params and (remote_no_context_takeover,
# local_no_context_takeover, remote_max_window_bits, local_max_window_bits)
# on the server side, or the exception and its message.
SERVER_OFFERS: list[tuple[dict[str, Any], list[ExtensionParameter], Any]] = [
    # Default configuration: accept whatever the client offers.
    ({}, [], ([], (False, False, 15, 15))),
    ({}, [SNCT], ([SNCT], (False, True, 15, 15))),
    ({}, [CNCT], ([CNCT], (True, False, 15, 15))),
    ({}, [smwb(10)], ([smwb(10)], (False, False, 15, 10))),
    ({}, [smwb(8)], ([smwb(8)], (False, False, 15, 8))),
    ({}, [cmwb(None)], ([], (False, False, 15, 15))),
    ({}, [cmwb(10)], ([cmwb(10)], (False, False, 10, 15))),
    (
        {},
        [cmwb(9), smwb(11), CNCT, SNCT],
        ([SNCT, CNCT, smwb(11), cmwb(9)], (True, True, 9, 11)),
    ),
    # Invalid offers.
    ({}, [("x", "1")], (InvalidParameterName, "invalid parameter name: x")),
    (
        {},
        [CNCT, CNCT],
        (DuplicateParameter, "duplicate parameter: client_no_context_takeover"),
    ),
    (
        {},
        [smwb(10), smwb(12)],
        (DuplicateParameter, "duplicate parameter: server_max_window_bits"),
    ),
    (
        {},
        [cmwb(None), cmwb(None)],
        (DuplicateParameter, "duplicate parameter: client_max_window_bits"),
    ),
    (
        {},
        [("server_no_context_takeover", "1")],
        (
            InvalidParameterValue,
            "invalid value for parameter server_no_context_takeover: 1",
        ),
    ),
    (
        {},
        [("client_no_context_takeover", "")],
        (
            InvalidParameterValue,
            "empty value for parameter client_no_context_takeover",
        ),
    ),
    (
        {},
        [("server_max_window_bits", None)],
        (InvalidParameterValue, "missing value for parameter server_max_window_bits"),
    ),
    # server_no_context_takeover configured.
    ({"server_no_context_takeover": True}, [], ([SNCT], (False, True, 15, 15))),
    ({"server_no_context_takeover": True}, [SNCT], ([SNCT], (False, True, 15, 15))),
    # client_no_context_takeover configured.
    ({"client_no_context_takeover": True}, [], ([CNCT], (True, False, 15, 15))),
    ({"client_no_context_takeover": True}, [CNCT], ([CNCT], (True, False, 15, 15))),
    # server_max_window_bits configured: the smaller of the two wins.
    ({"server_max_window_bits": 12}, [], ([smwb(12)], (False, False, 15, 12))),
    ({"server_max_window_bits": 12}, [smwb(10)], ([smwb(10)], (False, False, 15, 10))),
    ({"server_max_window_bits": 12}, [smwb(12)], ([smwb(12)], (False, False, 15, 12))),
    ({"server_max_window_bits": 12}, [smwb(14)], ([smwb(12)], (False, False, 15, 12))),
    # client_max_window_bits configured: only when offered, the smaller wins.
    ({"client_max_window_bits": 12}, [], ([], (False, False, 15, 15))),
    (
        {"client_max_window_bits": 12},
        [cmwb(None)],
        ([cmwb(12)], (False, False, 12, 15)),
    ),
    ({"client_max_window_bits": 12}, [cmwb(10)], ([cmwb(10)], (False, False, 10, 15))),
    ({"client_max_window_bits": 12}, [cmwb(14)], ([cmwb(12)], (False, False, 12, 15))),
    # require_client_max_window_bits.
    (
        {"client_max_window_bits": 12, "require_client_max_window_bits": True},
        [],
        (NegotiationError, "required client_max_window_bits"),
    ),
    (
        {"client_max_window_bits": 12, "require_client_max_window_bits": True},
        [cmwb(None)],
        ([cmwb(12)], (False, False, 12, 15)),
    ),
    # Library defaults.
    (
        {"server_max_window_bits": 12, "client_max_window_bits": 12},
        [cmwb(None)],
        ([smwb(12), cmwb(12)], (False, False, 12, 12)),
    ),
]


SERVER_OFFERS += [
    (
        {},
        [(name, value)],
        (InvalidParameterValue, f"invalid value for parameter {name}: {value}"),
    )
    for name in ["server_max_window_bits", "client_max_window_bits"]
    for value in ["7", "16", "015", "+9", "9.0", "-9", "x"]
]


@pytest.mark.parametrize("kwargs, params, result", SERVER_OFFERS)
def test_server_request_params(
    kwargs: dict[str, Any], params: list[ExtensionParameter], result: Any
) -> None:
    factory = ServerPerMessageDeflateFactory(**kwargs)
    if isinstance(result[0], type):
        exc_type, message = result
        with pytest.raises(NegotiationError) as exc_info:
            factory.process_request_params(params, [])
        assert type(exc_info.value) is exc_type
        assert str(exc_info.value) == message
    else:
        expected_params, expected_extension = result
        response_params, extension = factory.process_request_params(params, [])
        assert response_params == expected_params
        assert isinstance(extension, PerMessageDeflate)
        assert extension_params(extension) == expected_extension


def test_server_request_passes_compress_settings() -> None:
    factory = ServerPerMessageDeflateFactory(compress_settings={"level": 1})
    _, extension = factory.process_request_params([], [])
    assert extension.compress_settings == {"level": 1}


def test_server_request_after_other_extension() -> None:
    factory = ServerPerMessageDeflateFactory()
    _, extension = factory.process_request_params([], [OtherExtension()])
    assert isinstance(extension, PerMessageDeflate)


def test_server_request_duplicate_extension() -> None:
    factory = ServerPerMessageDeflateFactory()
    _, accepted = factory.process_request_params([], [])
    with pytest.raises(NegotiationError) as exc_info:
        factory.process_request_params([], [accepted])
    assert str(exc_info.value) == "skipped duplicate permessage-deflate"


# Client and server negotiate with each other.

CLIENT_CONFIGS: list[dict[str, Any]] = [
    {},
    {"client_max_window_bits": None},
    {"client_max_window_bits": 9},
    {"server_max_window_bits": 8},
    {"server_max_window_bits": 13, "client_max_window_bits": 14},
    {"server_no_context_takeover": True},
    {"client_no_context_takeover": True},
]

SERVER_CONFIGS: list[dict[str, Any]] = [
    {},
    {"server_max_window_bits": 12, "client_max_window_bits": 12},
    {"server_max_window_bits": 8, "client_max_window_bits": 8},
    {"server_no_context_takeover": True, "client_no_context_takeover": True},
    {"client_max_window_bits": 10, "require_client_max_window_bits": True},
]


@pytest.mark.parametrize("client_kwargs", CLIENT_CONFIGS)
@pytest.mark.parametrize("server_kwargs", SERVER_CONFIGS)
def test_negotiation(
    client_kwargs: dict[str, Any], server_kwargs: dict[str, Any]
) -> None:
    client_factory = ClientPerMessageDeflateFactory(**client_kwargs)
    server_factory = ServerPerMessageDeflateFactory(**server_kwargs)
    offer = client_factory.get_request_params()
    if server_factory.require_client_max_window_bits and not any(
        name == "client_max_window_bits" for name, _ in offer
    ):
        with pytest.raises(NegotiationError):
            server_factory.process_request_params(offer, [])
        return
    response, server = server_factory.process_request_params(offer, [])
    client = client_factory.process_response_params(response, [])

    # Both sides agree on each direction.
    assert client.local_no_context_takeover == server.remote_no_context_takeover
    assert client.remote_no_context_takeover == server.local_no_context_takeover
    assert client.local_max_window_bits == server.remote_max_window_bits
    assert client.remote_max_window_bits == server.local_max_window_bits
    # Each side's wishes are respected.
    if client_factory.server_max_window_bits is not None:
        assert server.local_max_window_bits <= client_factory.server_max_window_bits
    if server_factory.server_max_window_bits is not None:
        assert server.local_max_window_bits <= server_factory.server_max_window_bits
    if server_factory.client_max_window_bits is not None and any(
        name == "client_max_window_bits" for name, _ in offer
    ):
        assert client.local_max_window_bits <= server_factory.client_max_window_bits

    # Messages go through both ways.
    for index in range(3):
        data = text(5000, seed=index)
        frames = fragments(OP_TEXT, data, [100])
        for sender, receiver in [(client, server), (server, client)]:
            for frame in frames:
                assert receiver.decode(sender.encode(frame), max_size=5000) == frame


# enable_client_permessage_deflate, enable_server_permessage_deflate


class OtherClientFactory(ClientExtensionFactory):
    name = ExtensionName("x-other")


class OtherServerFactory(ServerExtensionFactory):
    name = ExtensionName("x-other")


@pytest.mark.parametrize("extensions", [None, []])
def test_enable_client_permessage_deflate(extensions: Any) -> None:
    (factory,) = enable_client_permessage_deflate(extensions)
    assert isinstance(factory, ClientPerMessageDeflateFactory)
    assert factory.get_request_params() == [("client_max_window_bits", None)]
    assert factory.compress_settings == {"level": 1, "memLevel": 5}


def test_enable_client_permessage_deflate_appends() -> None:
    other = OtherClientFactory()
    extensions = enable_client_permessage_deflate((other,))
    assert len(extensions) == 2
    assert extensions[0] is other
    assert isinstance(extensions[1], ClientPerMessageDeflateFactory)


def test_enable_client_permessage_deflate_keeps_existing() -> None:
    extensions = [OtherClientFactory(), ClientPerMessageDeflateFactory()]
    assert enable_client_permessage_deflate(extensions) is extensions


@pytest.mark.parametrize("extensions", [None, []])
def test_enable_server_permessage_deflate(extensions: Any) -> None:
    (factory,) = enable_server_permessage_deflate(extensions)
    assert isinstance(factory, ServerPerMessageDeflateFactory)
    assert factory.server_no_context_takeover is False
    assert factory.client_no_context_takeover is False
    assert factory.server_max_window_bits == 12
    assert factory.client_max_window_bits == 12
    assert factory.require_client_max_window_bits is False
    assert factory.compress_settings == {"level": 1, "memLevel": 5}


def test_enable_server_permessage_deflate_appends() -> None:
    other = OtherServerFactory()
    extensions = enable_server_permessage_deflate([other])
    assert len(extensions) == 2
    assert extensions[0] is other
    assert isinstance(extensions[1], ServerPerMessageDeflateFactory)


def test_enable_server_permessage_deflate_keeps_existing() -> None:
    extensions = [ServerPerMessageDeflateFactory(), OtherServerFactory()]
    assert enable_server_permessage_deflate(extensions) is extensions


def test_default_negotiation() -> None:
    (client_factory,) = enable_client_permessage_deflate(None)
    (server_factory,) = enable_server_permessage_deflate(None)
    offer = client_factory.get_request_params()
    response, server = server_factory.process_request_params(offer, [])
    assert response == [smwb(12), cmwb(12)]
    client = client_factory.process_response_params(response, [])
    assert isinstance(server, PerMessageDeflate)
    assert isinstance(client, PerMessageDeflate)
    assert extension_params(server) == (False, False, 12, 12)
    assert extension_params(client) == (False, False, 12, 12)
