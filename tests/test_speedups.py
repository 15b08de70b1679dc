"""
The C fast paths of websockets.framing and websockets.http, checked against
the Python code.

test_framing.py and test_http.py run every test with and without them; this
module checks what is specific to the C functions: their arguments, and that
they agree with the Python code on any input.
"""

import sys
import sysconfig

import pytest
from hypothesis import given, settings, strategies as st

from websockets import framing
from websockets.http import _split_head_python
from websockets.framing import _OPCODES, OP_BINARY, OP_PING, OP_TEXT, Frame, FrameParser


speedups = pytest.importorskip("websockets.speedups")  # needs a C compiler


def parse_frame(data, *, mask, max_size=None, offset=0):
    return speedups.parse_frame(Frame, _OPCODES, data, offset, len(data), mask, max_size)


def parse_python(data, *, mask, max_size=None):
    # The frame that the Python parser reads first, or the exception it raises.
    parser = FrameParser(mask=mask, max_size=max_size)
    parser.feed(data)
    try:
        return parser.parse(), parser.offset
    except Exception as exc:
        return exc


@pytest.fixture(autouse=True)
def python_parser(monkeypatch):
    monkeypatch.setattr(framing, "_parse_frame", None)


OPCODES = [opcode for opcode in _OPCODES if opcode is not None]

# Arbitrary bytes, rarely a valid frame, and valid frames, maybe cut short.
FRAME_BYTES = st.one_of(
    st.binary(max_size=40),
    st.builds(
        lambda frame, mask, cut: frame.serialize(mask=mask)[:cut],
        st.builds(Frame, st.booleans(), st.sampled_from(OPCODES), st.binary(max_size=300)),
        st.booleans(),
        st.integers(min_value=0, max_value=400),
    ),
)


@given(
    data=FRAME_BYTES,
    mask=st.booleans(),
    max_size=st.one_of(st.none(), st.integers(min_value=-1, max_value=40), st.just(2**70)),
)
def test_parse_frame_agrees_with_python(data, mask, max_size):
    # The C function returns the frame that Python returns, or declines;
    # when it declines, Python waits for more bytes or raises.
    found = parse_frame(data, mask=mask, max_size=max_size)
    expected = parse_python(data, mask=mask, max_size=max_size)
    if found is not None:
        frame, end = found
        assert type(frame) is Frame
        assert (frame, end) == expected
    elif not isinstance(expected, Exception):
        frame, _ = expected
        assert frame is None


@pytest.mark.parametrize("length", [0, 1, 125, 126, 65535, 65536, 70000])
@pytest.mark.parametrize("mask", [False, True])
def test_parse_frame_reads_whole_frames(length, mask):
    frame = Frame(True, OP_BINARY, bytes(range(256)) * (length // 256) + bytes(length % 256))
    data = b"junk" + frame.serialize(mask=mask) + b"\x81\x00"
    found = parse_frame(data, mask=mask, offset=4)
    assert found == (frame, len(data) - 2)
    assert found[0].opcode is OP_BINARY
    # Any truncation is declined.
    assert parse_frame(data[:-3], mask=mask, offset=4) is None


@pytest.mark.parametrize(
    "data, mask, max_size",
    [
        (b"\x83\x00", False, None),  # reserved opcode
        (b"\x81\x80\x00\x00\x00\x00", False, None),  # masked frame on a client
        (b"\x81\x00", True, None),  # unmasked frame on a server
        (b"\x09\x00", False, None),  # fragmented ping
        (b"\x89\x7e\x00\x7e" + bytes(126), False, None),  # ping over 125 bytes
        (b"\x82\x7f\x80" + bytes(7), False, None),  # 64-bit length, top bit set
        (b"\x82\x02ab", False, 1),  # over max_size
        (b"\x82\x00", False, -1),  # negative max_size refuses everything
        (b"\x82\x7e\x01", False, None),  # extended length incomplete
        (b"\x82\x7f" + bytes(7), False, None),  # 64-bit length incomplete
        (b"\x82\x81\x00\x00", True, None),  # mask incomplete
    ],
)
def test_parse_frame_declines(data, mask, max_size):
    assert parse_frame(data, mask=mask, max_size=max_size) is None


def test_parse_frame_flags():
    # Reserved bits are the caller's business: they come in the frame.
    frame, end = parse_frame(b"\x71\x00", mask=False)
    assert frame == Frame(False, OP_TEXT, b"", True, True, True)
    assert end == 2
    frame, end = parse_frame(b"\x89\x00", mask=False)
    assert frame == Frame(True, OP_PING, b"")


def test_parse_frame_arguments():
    with pytest.raises(TypeError, match="takes 7 arguments"):
        speedups.parse_frame(Frame, _OPCODES, b"")
    with pytest.raises(TypeError, match="tuple type and 16 opcodes"):
        speedups.parse_frame(list, _OPCODES, b"\x81\x00", 0, 2, False, None)
    with pytest.raises(TypeError, match="tuple type and 16 opcodes"):
        speedups.parse_frame(Frame, _OPCODES[:8], b"\x81\x00", 0, 2, False, None)
    with pytest.raises(ValueError, match="out of the buffer"):
        speedups.parse_frame(Frame, _OPCODES, b"\x81\x00", 0, 3, False, None)
    with pytest.raises(ValueError, match="out of the buffer"):
        speedups.parse_frame(Frame, _OPCODES, b"\x81\x00", 2, 1, False, None)
    with pytest.raises(TypeError):
        speedups.parse_frame(Frame, _OPCODES, "text", 0, 2, False, None)
    with pytest.raises(TypeError):
        speedups.parse_frame(Frame, _OPCODES, b"\x82\x00", 0, 2, False, "1")


@given(
    fin=st.booleans(),
    opcode=st.sampled_from(OPCODES),
    data=st.one_of(st.binary(max_size=300), st.binary(min_size=65530, max_size=65540)),
    rsv=st.tuples(st.booleans(), st.booleans(), st.booleans()),
    key=st.one_of(st.none(), st.binary(min_size=4, max_size=4)),
)
def test_serialize_frame_agrees_with_python(fin, opcode, data, rsv, key):
    frame = Frame(fin, opcode, data, *rsv)
    assert speedups.serialize_frame(frame, key) == framing._serialize_frame_python(frame, key)


def test_serialize_frame_64_bit_length():
    frame = Frame(True, OP_BINARY, bytes(0x10000))
    assert speedups.serialize_frame(frame, None)[:10] == b"\x82\x7f" + (0x10000).to_bytes(8, "big")


def test_serialize_frame_accepts_bytes_like():
    for data in [bytearray(b"abc"), memoryview(b"abc")]:
        assert speedups.serialize_frame(Frame(True, OP_BINARY, data), None) == b"\x82\x03abc"


def test_serialize_frame_arguments():
    frame = Frame(True, OP_TEXT, b"")
    with pytest.raises(TypeError, match="takes 2 arguments"):
        speedups.serialize_frame(frame)
    with pytest.raises(TypeError, match="needs a frame"):
        speedups.serialize_frame((True, OP_TEXT, b""), None)
    with pytest.raises(ValueError, match="invalid opcode: 16"):
        speedups.serialize_frame(Frame(True, 16, b""), None)
    with pytest.raises(TypeError):
        speedups.serialize_frame(Frame(True, "1", b""), None)
    with pytest.raises(TypeError):
        speedups.serialize_frame(Frame(True, OP_TEXT, "text"), None)
    with pytest.raises(ValueError, match="4 bytes"):
        speedups.serialize_frame(frame, b"abc")
    with pytest.raises(TypeError):
        speedups.serialize_frame(frame, "abcd")


@given(
    fin=st.booleans(),
    opcode=st.sampled_from(OPCODES),
    data=st.binary(max_size=20),
    rsv=st.tuples(st.booleans(), st.booleans(), st.booleans()),
)
def test_new_frame_agrees_with_tuple_new(fin, opcode, data, rsv):
    items = (fin, opcode, data, *rsv)
    frame = speedups.new_frame(Frame, items)
    assert type(frame) is Frame
    assert frame == tuple.__new__(Frame, items) == Frame(fin, opcode, data, *rsv)
    assert frame.data is data


def test_new_frame_arguments():
    items = (True, OP_TEXT, b"", False, False, False)
    with pytest.raises(TypeError, match="tuple type and six items"):
        speedups.new_frame(Frame)
    with pytest.raises(TypeError, match="tuple type and six items"):
        speedups.new_frame(list, items)
    with pytest.raises(TypeError, match="tuple type and six items"):
        speedups.new_frame(Frame, items[:5])
    with pytest.raises(TypeError, match="tuple type and six items"):
        speedups.new_frame(Frame, list(items))


def test_payload_buffer_writes_into_bytes():
    payload, view = speedups.payload_buffer(6)
    assert type(payload) is bytes and len(payload) == len(view) == 6
    assert not view.readonly
    view[:] = b"abcdef"
    view[2:4] = b"CD"
    assert payload == b"abCDef"


def test_payload_buffer_outlives_its_bytes():
    # The view holds the bytes object: writing there stays safe when the
    # caller drops it.
    payload, view = speedups.payload_buffer(0x10000)
    del payload
    view[-3:] = b"end"
    assert bytes(view[-3:]) == b"end"


def test_payload_buffer_arguments():
    with pytest.raises(ValueError, match="size must be positive"):
        speedups.payload_buffer(0)
    with pytest.raises(ValueError, match="size must be positive"):
        speedups.payload_buffer(-1)
    with pytest.raises(TypeError):
        speedups.payload_buffer("1")
    with pytest.raises(OverflowError):
        speedups.payload_buffer(2**70)


@given(data=st.binary(max_size=40), key=st.binary(min_size=4, max_size=4))
def test_mask_in_place_agrees_with_apply_mask(data, key):
    buffer = bytearray(data)
    assert speedups.mask_in_place(buffer, key) is None
    assert buffer == speedups.apply_mask(data, key)


def test_mask_in_place_arguments():
    with pytest.raises(TypeError, match="takes 2 arguments"):
        speedups.mask_in_place(bytearray(4))
    with pytest.raises(BufferError, match="not writable"):
        speedups.mask_in_place(b"read-only", b"abcd")
    with pytest.raises(ValueError, match="4 bytes"):
        speedups.mask_in_place(bytearray(4), b"abc")
    with pytest.raises(TypeError):
        speedups.mask_in_place(bytearray(4), "abcd")


# Payloads and frames above 512 bytes are recycled (new_payload() in
# speedups.c) on the versions of Python where that's safe: the C file checks
# the same.
RECYCLES = sys.version_info < (3, 14) and not sysconfig.get_config_var("Py_GIL_DISABLED")
recycles = pytest.mark.skipif(not RECYCLES, reason="no recycling on this Python")
LARGE = 0x10000
KEY = b"\x01\x02\x03\x04"


def masked(fill, size=LARGE):
    return speedups.apply_mask(fill * size, KEY)


def received(fill, size=LARGE):
    # A frame that arrives in pieces: received into its payload.
    payload, view = speedups.payload_buffer(size)
    view[:] = fill * size
    return payload


def parsed(fill, size=LARGE):
    # A frame that arrives whole: its payload copied out of the buffer.
    data = Frame(True, OP_BINARY, fill * size).serialize(mask=False)
    frame, _ = parse_frame(data, mask=False)
    return frame.data


def serialized(fill, size=LARGE):
    return speedups.serialize_frame(Frame(True, OP_BINARY, fill * size), KEY)


PAYLOADS = [masked, received, parsed, serialized]


@recycles
@pytest.mark.parametrize("make", PAYLOADS)
@pytest.mark.parametrize("size", [1024, LARGE])
def test_payload_recycled_once_released(make, size):
    first = make(b"a", size)
    address = id(first)
    del first
    second = make(b"b", size)
    assert id(second) == address
    assert second == make(b"b", size)


@recycles
@pytest.mark.parametrize("make", PAYLOADS)
def test_payload_kept_while_held(make):
    first = make(b"a")
    view = memoryview(make(b"b"))  # a view holds its object too
    third = make(b"c")
    assert len({id(first), id(view.obj), id(third)}) == 3
    assert first == make(b"a")
    assert view == make(b"b")


@recycles
@pytest.mark.parametrize("make", PAYLOADS)
def test_payload_recycled_forgets_its_hash(make):
    first = make(b"a")
    hash(first)
    address = id(first)
    del first
    second = make(b"b")
    assert id(second) == address
    assert hash(second) == hash(b"".join([second[:1], second[1:]]))


@recycles
@pytest.mark.parametrize("make", [masked, received, parsed])
@pytest.mark.parametrize(
    "size, kept",
    [(511, False), (512, True), (0x400000, True), (0x400001, False)],
)
def test_payload_sizes_recycled(make, size, kept):
    # The recycler holds a reference to what it may hand out again.
    payload = make(b"x", size)
    assert sys.getrefcount(payload) == (3 if kept else 2)


@recycles
@pytest.mark.parametrize("make", [received, parsed])
def test_payload_received_recycled_while_the_next_is_held(make):
    # A handler in `async for` holds a message until the next one arrives:
    # two objects take turns.
    first = make(b"a")
    second = make(b"b")
    addresses = [id(first), id(second)]
    del first
    third = make(b"c")
    del second
    fourth = make(b"d")
    assert [id(third), id(fourth)] == addresses
    assert (third, fourth) == (make(b"c"), make(b"d"))


@recycles
def test_payload_recycled_per_purpose():
    # A client echoes a message: it receives it, masks it and sends the
    # frame, each in its own object, twice.
    first = received(b"a"), masked(b"a"), serialized(b"a")
    addresses = [id(payload) for payload in first]
    del first
    second = received(b"b"), masked(b"b"), serialized(b"b")
    assert [id(payload) for payload in second] == addresses


# Heads made of lines that are often valid, sometimes not in one byte.
HEAD_LINES = st.lists(
    st.one_of(
        st.builds(
            lambda name, value: name + b":" + value,
            st.sampled_from([b"Host", b"X-1", b"", b" X", b"X ", b"X\x00", b"\xe9", b"(X)"]),
            st.sampled_from([b"", b" a", b"a b\t", b"\ta \t ", b"\xe9\xff", b"a\rb", b"a\nb",
                             b"a\x7fb", b"a\x00", b"::"]),
        ),
        st.binary(max_size=8),
    ),
    max_size=6,
)
HEADS = st.builds(
    lambda start, lines: b"\r\n".join([start, *lines]) + b"\r\n\r\n",
    st.sampled_from([b"GET / HTTP/1.1", b"", b"GET\t/\x80", b"GET \x01"]),
    HEAD_LINES,
)


@settings(max_examples=1000)
@given(head=st.one_of(HEADS, st.binary(max_size=30)), max_headers=st.integers(0, 7))
def test_split_head_agrees_with_python(head, max_headers):
    assert speedups.split_head(head, max_headers) == _split_head_python(head, max_headers)


def test_split_head_values():
    head = b"GET / HTTP/1.1\r\nHost: a\r\nX:\t b \tc\t \r\nY:\r\nZ: \xc3\xa9\xff\r\n\r\n"
    assert speedups.split_head(head, 4) == (
        b"GET / HTTP/1.1",
        [("Host", "a"), ("X", "b \tc"), ("Y", ""), ("Z", "\xe9\udcff")],
    )
    assert speedups.split_head(head, 3) is None


def test_split_head_arguments():
    with pytest.raises(TypeError, match="bytes head and a number of headers"):
        speedups.split_head(b"\r\n\r\n")
    with pytest.raises(TypeError, match="bytes head and a number of headers"):
        speedups.split_head(bytearray(b"\r\n\r\n"), 1)
    with pytest.raises(TypeError, match="bytes head and a number of headers"):
        speedups.split_head(b"\r\n\r\n", 1.0)
    with pytest.raises(OverflowError):
        speedups.split_head(b"\r\n\r\n", 2**64)


# steps(): test_steps.py checks it against its Python reference; these are
# the forms of throw() that a coroutine of Python 3.12+ deprecates.


@pytest.mark.parametrize(
    "args",
    [(KeyError,), (KeyError, KeyError("key")), (KeyError, "key"), (KeyError, None, None)],
)
def test_steps_throw_forms(args):
    coro = speedups.steps(lambda arg: "never taken", None)
    with pytest.raises(KeyError):
        coro.throw(*args)


def test_steps_throw_with_traceback():
    try:
        raise KeyError("key")
    except KeyError as exc:
        original = exc.__traceback__
    coro = speedups.steps(lambda arg: "never taken", None)
    with pytest.raises(KeyError) as raised:
        coro.throw(KeyError, KeyError("again"), original)
    assert raised.value.args == ("again",)
    lines = []
    tb = raised.value.__traceback__
    while tb is not None:
        lines.append(tb.tb_lineno)
        tb = tb.tb_next
    assert original.tb_lineno in lines


@pytest.mark.parametrize(
    "args, message",
    [
        ((), "1 to 3 arguments"),
        ((KeyError("key"), "value"), "separate value"),
        ((KeyError, None, 42), "traceback object"),
    ],
)
def test_steps_throw_refuses(args, message):
    coro = speedups.steps(lambda arg: "never taken", None)
    with pytest.raises(TypeError, match=message):
        coro.throw(*args)
