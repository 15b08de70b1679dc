from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from websockets.exceptions import SecurityError
from websockets.streams import StreamReader


#: What step() returns while a read waits for data.
PENDING = object()


def step(read: Generator[None, None, Any]) -> Any:
    """Resume a read: return its result, or PENDING if it needs more data."""
    try:
        next(read)
    except StopIteration as exc:
        return exc.value
    return PENDING


def reader_with(data: bytes = b"", eof: bool = False) -> StreamReader:
    reader = StreamReader()
    reader.feed_data(data)
    if eof:
        reader.feed_eof()
    return reader


# feed_data, feed_eof


def test_feed_data_after_eof():
    reader = reader_with(eof=True)
    with pytest.raises(EOFError, match="^stream ended$"):
        reader.feed_data(b"a")


def test_feed_eof_twice():
    reader = reader_with(eof=True)
    with pytest.raises(EOFError, match="^stream ended$"):
        reader.feed_eof()


def test_feed_empty_data():
    reader = reader_with(b"")
    assert step(reader.at_eof()) is PENDING


# at_eof


def test_at_eof_waits_until_data():
    reader = StreamReader()
    read = reader.at_eof()
    assert step(read) is PENDING
    reader.feed_data(b"a")
    assert step(read) is False


def test_at_eof_waits_until_eof():
    reader = StreamReader()
    read = reader.at_eof()
    assert step(read) is PENDING
    reader.feed_eof()
    assert step(read) is True


@pytest.mark.parametrize(
    "data, eof, expected",
    [
        (b"a", False, False),
        (b"a", True, False),
        (b"", True, True),
    ],
)
def test_at_eof_knows_at_once(data, eof, expected):
    reader = reader_with(data, eof)
    assert step(reader.at_eof()) is expected


def test_at_eof_after_reading_everything():
    reader = reader_with(b"ab\n", eof=True)
    assert step(reader.read_line(10)) == b"ab\n"
    assert step(reader.at_eof()) is True


# read_line


def test_read_line_buffered():
    reader = reader_with(b"spam\r\neggs\n")
    assert step(reader.read_line(10)) == b"spam\r\n"
    assert step(reader.read_line(10)) == b"eggs\n"
    assert step(reader.read_line(10)) is PENDING


def test_read_line_waits_for_newline():
    reader = StreamReader()
    read = reader.read_line(10)
    assert step(read) is PENDING
    reader.feed_data(b"sp")
    assert step(read) is PENDING
    reader.feed_data(b"am")
    assert step(read) is PENDING
    reader.feed_data(b"\nmore")
    assert step(read) == b"spam\n"
    assert reader.take_buffer() == b"more"


def test_read_line_of_exactly_m_bytes():
    reader = reader_with(b"abcd\n")
    assert step(reader.read_line(5)) == b"abcd\n"


def test_read_line_of_m_plus_one_bytes():
    reader = reader_with(b"abcde\n")
    with pytest.raises(SecurityError, match="^line too long$"):
        step(reader.read_line(5))


def test_read_line_too_long_without_waiting():
    # m bytes without a newline: the line can't fit, even if data follows.
    reader = StreamReader()
    read = reader.read_line(5)
    reader.feed_data(b"abcd")
    assert step(read) is PENDING
    reader.feed_data(b"e")
    with pytest.raises(SecurityError, match="^line too long$"):
        step(read)


def test_read_line_too_long_in_one_chunk():
    reader = reader_with(b"a" * 100)
    with pytest.raises(SecurityError, match="^line too long$"):
        step(reader.read_line(5))


def test_read_line_too_long_when_newline_comes_late():
    reader = reader_with(b"abc")
    read = reader.read_line(5)
    assert step(read) is PENDING
    reader.feed_data(b"defgh\n")
    with pytest.raises(SecurityError, match="^line too long$"):
        step(read)


def test_read_line_eof_before_newline():
    reader = reader_with(b"spam", eof=True)
    with pytest.raises(
        EOFError, match="^stream ends after 4 bytes, before end of line$"
    ):
        step(reader.read_line(10))


def test_read_line_eof_while_waiting():
    reader = reader_with(b"sp")
    read = reader.read_line(10)
    assert step(read) is PENDING
    reader.feed_eof()
    with pytest.raises(
        EOFError, match="^stream ends after 2 bytes, before end of line$"
    ):
        step(read)


def test_read_line_eof_on_empty_buffer():
    reader = reader_with(eof=True)
    with pytest.raises(
        EOFError, match="^stream ends after 0 bytes, before end of line$"
    ):
        step(reader.read_line(10))


class RecordingBuffer(bytearray):
    """bytearray that records how many bytes each find() scans."""

    scanned = 0

    def find(self, sub: Any, start: Any = 0, end: Any = None) -> int:
        stop = len(self) if end is None else min(end, len(self))
        self.scanned += max(stop - start, 0)
        return super().find(sub, start, end)


def test_read_line_byte_at_a_time_is_linear():
    size = 10_000
    reader = StreamReader()
    reader._buffer = RecordingBuffer()
    read = reader.read_line(size + 1)
    assert step(read) is PENDING
    for _ in range(size):
        reader.feed_data(b"a")
        assert step(read) is PENDING
    reader.feed_data(b"\n")
    assert step(read) == b"a" * size + b"\n"
    # Each byte was scanned once, not once per feed (which would be ~5e7).
    assert reader._buffer.scanned == size + 1


def test_read_line_search_stops_at_m():
    reader = StreamReader()
    reader._buffer = RecordingBuffer()
    reader.feed_data(b"a" * 1000)
    with pytest.raises(SecurityError):
        step(reader.read_line(10))
    assert reader._buffer.scanned == 10


def test_read_line_after_other_reads():
    # A failed read_line remembers what it scanned; reads that consume
    # bytes shift that offset.
    reader = reader_with(b"abcd")
    with pytest.raises(SecurityError):
        step(reader.read_line(2))
    assert step(reader.read_exact(1)) == b"a"
    read = reader.read_line(10)
    assert step(read) is PENDING
    reader.feed_data(b"\n")
    assert step(read) == b"bcd\n"


def test_read_line_after_consuming_past_scanned_bytes():
    reader = reader_with(b"abcd")
    with pytest.raises(SecurityError):
        step(reader.read_line(2))
    assert step(reader.read_exact(3)) == b"abc"
    assert step(reader.read_exact(0)) == b""
    reader.feed_data(b"\n")
    assert step(reader.read_line(10)) == b"d\n"


@given(
    lines=st.lists(
        st.binary(max_size=20).map(lambda line: line.replace(b"\n", b"") + b"\n"),
        max_size=10,
    ),
    cuts=st.lists(st.integers(min_value=0, max_value=300), max_size=10),
)
def test_read_line_any_split(lines, cuts):
    data = b"".join(lines)
    points = sorted({min(cut, len(data)) for cut in cuts} | {0, len(data)})
    chunks = [data[i:j] for i, j in zip(points, points[1:])]
    reader = StreamReader()
    received = []
    read = reader.read_line(21)
    for chunk in [b"", *chunks]:
        reader.feed_data(chunk)
        while (line := step(read)) is not PENDING:
            received.append(line)
            read = reader.read_line(21)
    assert received == lines


# read_exact


def test_read_exact_buffered():
    reader = reader_with(b"spameggs")
    assert step(reader.read_exact(4)) == b"spam"
    assert step(reader.read_exact(4)) == b"eggs"


def test_read_exact_waits():
    reader = StreamReader()
    read = reader.read_exact(4)
    assert step(read) is PENDING
    reader.feed_data(b"sp")
    assert step(read) is PENDING
    reader.feed_data(b"ameggs")
    assert step(read) == b"spam"
    assert reader.take_buffer() == b"eggs"


def test_read_exact_zero():
    reader = StreamReader()
    assert step(reader.read_exact(0)) == b""


def test_read_exact_eof():
    reader = reader_with(b"sp", eof=True)
    with pytest.raises(
        EOFError, match="^stream ends after 2 bytes, expected 4 bytes$"
    ):
        step(reader.read_exact(4))


def test_read_exact_eof_while_waiting():
    reader = StreamReader()
    read = reader.read_exact(4)
    assert step(read) is PENDING
    reader.feed_eof()
    with pytest.raises(
        EOFError, match="^stream ends after 0 bytes, expected 4 bytes$"
    ):
        step(read)


# read_to_eof


def test_read_to_eof_waits_for_eof():
    reader = StreamReader()
    read = reader.read_to_eof(10)
    assert step(read) is PENDING
    reader.feed_data(b"spam")
    assert step(read) is PENDING
    reader.feed_eof()
    assert step(read) == b"spam"
    assert step(reader.at_eof()) is True


def test_read_to_eof_empty():
    reader = reader_with(eof=True)
    assert step(reader.read_to_eof(10)) == b""


def test_read_to_eof_exactly_m_bytes():
    reader = reader_with(b"a" * 10, eof=True)
    assert step(reader.read_to_eof(10)) == b"a" * 10


def test_read_to_eof_too_much_without_waiting():
    reader = StreamReader()
    read = reader.read_to_eof(10)
    reader.feed_data(b"a" * 10)
    assert step(read) is PENDING
    reader.feed_data(b"a")
    with pytest.raises(
        SecurityError, match="^read 11 bytes, expected no more than 10 bytes$"
    ):
        step(read)


# read_parsed


def test_read_parsed():
    reader = reader_with(b"ab\r\ncd\r\n\r\nrest")
    assert reader.read_parsed(b"\r\n\r\n", 100, bytes.upper) == b"AB\r\nCD\r\n\r\n"
    assert reader.take_buffer() == b"rest"


def test_read_parsed_declined_leaves_buffer():
    reader = reader_with(b"ab\r\n\r\ncd")
    assert reader.read_parsed(b"\r\n\r\n", 100, lambda piece: None) is None
    assert step(reader.read_line(100)) == b"ab\r\n"
    assert reader.take_buffer() == b"\r\ncd"


def test_read_parsed_error_leaves_buffer():
    reader = reader_with(b"ab\r\n\r\ncd")
    with pytest.raises(ValueError):
        reader.read_parsed(b"\r\n\r\n", 100, int)
    assert reader.take_buffer() == b"ab\r\n\r\ncd"


def test_read_parsed_within_m_bytes():
    reader = reader_with(b"abcd")
    assert reader.read_parsed(b"cd", 3, bytes.upper) is None
    assert reader.read_parsed(b"bc", 3, bytes.upper) == b"ABC"
    assert reader.take_buffer() == b"d"


def test_read_parsed_resets_scanned_offset():
    reader = reader_with(b"abc")
    assert step(reader.read_line(10)) is PENDING
    assert reader.read_parsed(b"b", 10, bytes.upper) == b"AB"
    reader.feed_data(b"d\n")
    assert step(reader.read_line(10)) == b"cd\n"


# take_buffer


def test_take_buffer():
    reader = reader_with(b"GET / HTTP/1.1\r\nrest")
    assert step(reader.read_line(100)) == b"GET / HTTP/1.1\r\n"
    assert reader.take_buffer() == b"rest"
    assert reader.take_buffer() == b""


def test_take_buffer_resets_scanned_offset():
    reader = reader_with(b"abc")
    assert step(reader.read_line(10)) is PENDING
    assert reader.take_buffer() == b"abc"
    reader.feed_data(b"d\n")
    assert step(reader.read_line(10)) == b"d\n"
