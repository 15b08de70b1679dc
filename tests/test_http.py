from __future__ import annotations

import asyncio
import dataclasses
import os
import subprocess
import sys
from collections.abc import Generator
from typing import Any, Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import websockets.datastructures
from websockets.version import version
from websockets import http
from websockets.exceptions import InvalidMessage, SecurityError
from websockets.http import (
    MAX_BODY_SIZE,
    MAX_LINE_LENGTH,
    MAX_NUM_HEADERS,
    SERVER,
    USER_AGENT,
    Headers,
    Request,
    Response,
    parse_header_line,
    parse_request_line,
    parse_status_line,
    read_headers,
    read_line,
    read_request,
    read_response,
    validate_header,
)
from websockets.streams import StreamReader


#: Example request and response of RFC 6455, section 1.2.
REQUEST = (
    b"GET /chat HTTP/1.1\r\n"
    b"Host: server.example.com\r\n"
    b"Upgrade: websocket\r\n"
    b"Connection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    b"Origin: http://example.com\r\n"
    b"Sec-WebSocket-Protocol: chat, superchat\r\n"
    b"Sec-WebSocket-Version: 13\r\n"
    b"\r\n"
)

REQUEST_HEADERS = [
    ("Host", "server.example.com"),
    ("Upgrade", "websocket"),
    ("Connection", "Upgrade"),
    ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ("Origin", "http://example.com"),
    ("Sec-WebSocket-Protocol", "chat, superchat"),
    ("Sec-WebSocket-Version", "13"),
]

RESPONSE = (
    b"HTTP/1.1 101 Switching Protocols\r\n"
    b"Upgrade: websocket\r\n"
    b"Connection: Upgrade\r\n"
    b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
    b"Sec-WebSocket-Protocol: chat\r\n"
    b"\r\n"
)

RESPONSE_HEADERS = [
    ("Upgrade", "websocket"),
    ("Connection", "Upgrade"),
    ("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
    ("Sec-WebSocket-Protocol", "chat"),
]

#: What run() returns while the parser waits for data.
PENDING = object()


def run(
    parser: Generator[None, None, Any],
    reader: StreamReader,
    chunks: list[bytes],
    eof: bool = False,
) -> Any:
    """Drive a parser as the sans-I/O core does: feed, then resume."""
    # The core starts parsing when the first bytes arrive: a head received
    # in one piece takes the shortcut.
    try:
        for chunk in chunks:
            reader.feed_data(chunk)
            next(parser)
        if not chunks:
            next(parser)
        if eof:
            reader.feed_eof()
            next(parser)
    except StopIteration as exc:
        return exc.value
    return PENDING


def parse_request(data: bytes, eof: bool = False, split: bool = False) -> Any:
    reader = StreamReader()
    chunks = [data[i : i + 1] for i in range(len(data))] if split else [data]
    return run(Request.parse(reader.read_line), reader, chunks, eof)


def parse_response(data: bytes, eof: bool = False, split: bool = False) -> Any:
    reader = StreamReader()
    chunks = [data[i : i + 1] for i in range(len(data))] if split else [data]
    parser = Response.parse(reader.read_line, reader.read_exact, reader.read_to_eof)
    return run(parser, reader, chunks, eof)


def raw(headers: Headers) -> list[tuple[str, str]]:
    return list(headers.raw_items())


# Module contents.


def test_headers_reexported():
    assert http.Headers is websockets.datastructures.Headers
    assert http.MultipleValuesError is websockets.datastructures.MultipleValuesError


def test_all():
    assert sorted(http.__all__) == sorted(set(http.__all__))
    for name in http.__all__:
        assert hasattr(http, name)


def test_limits():
    assert (MAX_LINE_LENGTH, MAX_NUM_HEADERS, MAX_BODY_SIZE) == (8192, 128, 2**20)


def test_limits_from_environment():
    env = dict(
        os.environ,
        WEBSOCKETS_MAX_LINE_LENGTH="100",
        WEBSOCKETS_MAX_NUM_HEADERS="5",
        WEBSOCKETS_MAX_BODY_SIZE="1000",
    )
    code = (
        "from websockets import http; "
        "print(http.MAX_LINE_LENGTH, http.MAX_NUM_HEADERS, http.MAX_BODY_SIZE)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, check=True
    )
    assert result.stdout == b"100 5 1000\n"


def test_user_agent_and_server():
    major, minor = sys.version_info[:2]
    expected = f"Python/{major}.{minor} websockets/{version}"
    assert USER_AGENT == SERVER == expected


def test_no_asyncio():
    code = (
        "import sys, websockets.http, websockets.streams; "
        "print('asyncio' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, check=True
    )
    assert result.stdout == b"False\n"


# Request.parse


def test_parse_request():
    request = parse_request(REQUEST)
    assert request.path == "/chat"
    assert raw(request.headers) == REQUEST_HEADERS


def test_parse_request_byte_at_a_time():
    request = parse_request(REQUEST, split=True)
    assert request == Request("/chat", Headers(REQUEST_HEADERS))


@pytest.mark.parametrize("i", range(len(REQUEST) + 1))
def test_parse_request_every_split_point(i):
    reader = StreamReader()
    request = run(Request.parse(reader.read_line), reader, [REQUEST[:i], REQUEST[i:]])
    assert request.path == "/chat"
    assert raw(request.headers) == REQUEST_HEADERS


@pytest.mark.parametrize("i", range(len(REQUEST)))
def test_parse_request_every_prefix_waits(i):
    assert parse_request(REQUEST[:i]) is PENDING


def test_parse_request_leaves_following_bytes():
    reader = StreamReader()
    request = run(Request.parse(reader.read_line), reader, [REQUEST + b"\x81\x00"])
    assert request.path == "/chat"
    assert reader.take_buffer() == b"\x81\x00"


def test_parse_request_no_headers():
    request = parse_request(b"GET / HTTP/1.1\r\n\r\n")
    assert request == Request("/", Headers())


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "connection closed while reading HTTP request line"),
        (b"GET /chat", "connection closed while reading HTTP request line"),
        (b"GET /chat HTTP/1.1\r\n", "connection closed while reading HTTP headers"),
        (
            b"GET /chat HTTP/1.1\r\nHost: example.com",
            "connection closed while reading HTTP headers",
        ),
        (
            b"GET /chat HTTP/1.1\r\nHost: example.com\r\n",
            "connection closed while reading HTTP headers",
        ),
        (REQUEST[:-1], "connection closed while reading HTTP headers"),
    ],
)
def test_parse_request_eof(data, message):
    with pytest.raises(InvalidMessage) as raised:
        parse_request(data, eof=True)
    assert str(raised.value) == message
    assert isinstance(raised.value.__cause__, EOFError)


@pytest.mark.parametrize(
    "data, message",
    [
        (
            b"GET / HTTP/1.0\r\n\r\n",
            "unsupported protocol; expected HTTP/1.1; got b'HTTP/1.0'",
        ),
        (
            b"GET / HTTP/2\r\n\r\n",
            "unsupported protocol; expected HTTP/1.1; got b'HTTP/2'",
        ),
        (
            b"POST / HTTP/1.1\r\n\r\n",
            "unsupported HTTP method; expected GET; got b'POST'",
        ),
        (
            b"get / HTTP/1.1\r\n\r\n",
            "unsupported HTTP method; expected GET; got b'get'",
        ),
        (b"GET  / HTTP/1.1\r\n\r\n", "invalid HTTP request line: b'GET  / HTTP/1.1'"),
        (b"GET / HTTP/1.1 \r\n\r\n", "invalid HTTP request line: b'GET / HTTP/1.1 '"),
        (b"GET /\r\n\r\n", "invalid HTTP request line: b'GET /'"),
        (b"\r\n", "invalid HTTP request line: b''"),
        (b"GET /a\tb HTTP/1.1\r\n\r\n", "invalid request target: b'/a\\tb'"),
        (b"GET /\x7f HTTP/1.1\r\n\r\n", "invalid request target: b'/\\x7f'"),
        (
            b"GET /caf\xc3\xa9 HTTP/1.1\r\n\r\n",
            "invalid request target: b'/caf\\xc3\\xa9'",
        ),
        (b"GET / HTTP/1.1\n\r\n", "line without CRLF: b'GET / HTTP/1.1\\n'"),
        (b"GET / HTTP/1.1\r\nHost: a\n\r\n", "line without CRLF: b'Host: a\\n'"),
        (b"GET / HTTP/1.1\r\n\n", "line without CRLF: b'\\n'"),
        (b"GET / HTTP/1.1\r\nHost a\r\n\r\n", "invalid HTTP header line: b'Host a'"),
        (b"GET / HTTP/1.1\r\n Host: a\r\n\r\n", "obsolete line folding: b' Host: a'"),
        (
            b"GET / HTTP/1.1\r\nX: a\r\n  b\r\n\r\n",
            "obsolete line folding: b'  b'",
        ),
    ],
)
def test_parse_request_malformed(data, message):
    with pytest.raises(InvalidMessage) as raised:
        parse_request(data)
    assert str(raised.value) == message
    assert raised.value.__cause__ is None


@pytest.mark.parametrize(
    "header, message",
    [
        (b"Content-Length: 1", "unsupported body in request"),
        (b"Content-Length: 1048577", "body too large"),
        (b"Content-Length: x", "invalid Content-Length header: 'x'"),
        (b"Content-Length: -1", "invalid Content-Length header: '-1'"),
        (
            b"Transfer-Encoding: chunked",
            "unsupported Transfer-Encoding header in request",
        ),
        (
            b"Transfer-Encoding: identity",
            "unsupported Transfer-Encoding header in request",
        ),
    ],
)
def test_parse_request_with_body(header, message):
    data = b"GET / HTTP/1.1\r\n" + header + b"\r\n\r\nbody"
    with pytest.raises((InvalidMessage, SecurityError)) as raised:
        parse_request(data)
    assert str(raised.value) == message


def test_parse_request_with_multiple_content_length():
    data = b"GET / HTTP/1.1\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n"
    with pytest.raises(InvalidMessage, match="^multiple Content-Length headers$"):
        parse_request(data)


@pytest.mark.parametrize("value", [b"0", b"00"])
def test_parse_request_with_empty_body(value):
    request = parse_request(b"GET / HTTP/1.1\r\nContent-Length: " + value + b"\r\n\r\n")
    assert request.headers["Content-Length"] == value.decode()


# Limits.


def long_header(length: int) -> bytes:
    """Header line of ``length`` bytes, CRLF included."""
    return b"X-Long: " + b"a" * (length - 10) + b"\r\n"


def test_parse_request_line_at_limit():
    data = b"GET / HTTP/1.1\r\n" + long_header(MAX_LINE_LENGTH) + b"\r\n"
    request = parse_request(data)
    assert len(request.headers["X-Long"]) == MAX_LINE_LENGTH - 10


def test_parse_request_line_over_limit():
    data = b"GET / HTTP/1.1\r\n" + long_header(MAX_LINE_LENGTH + 1) + b"\r\n"
    with pytest.raises(SecurityError, match="^line too long$"):
        parse_request(data)


def test_parse_request_line_over_limit_without_waiting():
    # The limit is enforced as data arrives, not once the line is complete.
    with pytest.raises(SecurityError, match="^line too long$"):
        parse_request(b"GET / HTTP/1.1\r\nX: " + b"a" * MAX_LINE_LENGTH)


def test_parse_request_line_over_limit_from_any_read_line():
    # read_line may come from elsewhere than StreamReader: the limit holds.
    def read_line(m: int) -> Generator[None, None, bytes]:
        return b"GET /" + b"a" * m + b" HTTP/1.1\r\n"
        yield  # pragma: no cover

    with pytest.raises(SecurityError, match="^line too long$"):
        run(Request.parse(read_line), StreamReader(), [])


def test_parse_request_headers_at_limit():
    headers = b"".join(b"X-%d: %d\r\n" % (i, i) for i in range(MAX_NUM_HEADERS))
    request = parse_request(b"GET / HTTP/1.1\r\n" + headers + b"\r\n")
    assert len(raw(request.headers)) == MAX_NUM_HEADERS


def test_parse_request_headers_over_limit():
    headers = b"".join(b"X-%d: %d\r\n" % (i, i) for i in range(MAX_NUM_HEADERS + 1))
    with pytest.raises(SecurityError, match="^too many HTTP headers$"):
        parse_request(b"GET / HTTP/1.1\r\n" + headers + b"\r\n")


def test_parse_request_repeated_headers_count():
    headers = b"X: a\r\n" * (MAX_NUM_HEADERS + 1)
    with pytest.raises(SecurityError, match="^too many HTTP headers$"):
        parse_request(b"GET / HTTP/1.1\r\n" + headers + b"\r\n")


def test_limits_are_read_at_call_time(monkeypatch):
    monkeypatch.setattr(http, "MAX_NUM_HEADERS", 1)
    assert parse_request(b"GET / HTTP/1.1\r\nA: 1\r\n\r\n").headers["A"] == "1"
    with pytest.raises(SecurityError, match="^too many HTTP headers$"):
        parse_request(b"GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n")


# Request.serialize


def test_serialize_request():
    request = Request("/chat", Headers(REQUEST_HEADERS))
    assert request.serialize() == REQUEST


def test_serialize_request_non_ascii_header():
    request = Request("/", Headers([("X", "café €"), ("Y", "\udcff")]))
    assert request.serialize() == (
        b"GET / HTTP/1.1\r\nX: caf\xc3\xa9 \xe2\x82\xac\r\nY: \xff\r\n\r\n"
    )


@pytest.mark.parametrize(
    "path",
    [
        "",
        "/a b",
        "/\r\nX-Injected: 1",
        "/é",
        "/\x00",
        "/ HTTP/1.1\r\nHost: evil\r\n\r\n",
    ],
)
def test_serialize_request_invalid_path(path):
    with pytest.raises(ValueError, match="^invalid request target: "):
        Request(path, Headers()).serialize()


def test_serialize_request_header_injection():
    request = Request("/", Headers([("X", "a\r\nX-Injected: 1")]))
    with pytest.raises(ValueError, match="^invalid value for header X: "):
        request.serialize()


def test_serialize_request_invalid_header_name():
    request = Request("/", Headers([("X\r\nX-Injected", "1")]))
    with pytest.raises(ValueError, match="^invalid header name: "):
        request.serialize()


# Response.parse


def test_parse_response():
    response = parse_response(RESPONSE)
    assert response.status_code == 101
    assert response.reason_phrase == "Switching Protocols"
    assert raw(response.headers) == RESPONSE_HEADERS
    assert response.body == b""


def test_parse_response_byte_at_a_time():
    response = parse_response(RESPONSE, split=True)
    assert response == Response(101, "Switching Protocols", Headers(RESPONSE_HEADERS))


@pytest.mark.parametrize("i", range(len(RESPONSE) + 1))
def test_parse_response_every_split_point(i):
    reader = StreamReader()
    parser = Response.parse(reader.read_line, reader.read_exact, reader.read_to_eof)
    response = run(parser, reader, [RESPONSE[:i], RESPONSE[i:]])
    assert response == Response(101, "Switching Protocols", Headers(RESPONSE_HEADERS))


def test_parse_response_leaves_frames_after_101():
    reader = StreamReader()
    parser = Response.parse(reader.read_line, reader.read_exact, reader.read_to_eof)
    response = run(parser, reader, [RESPONSE + b"\x81\x05hello"])
    assert response.body == b""
    assert reader.take_buffer() == b"\x81\x05hello"


@pytest.mark.parametrize(
    "status_line, status_code, reason_phrase",
    [
        (b"HTTP/1.1 200 OK", 200, "OK"),
        (b"HTTP/1.1 200 ", 200, ""),
        (b"HTTP/1.1 200", 200, ""),
        (b"HTTP/1.1 404 Not  Found ", 404, "Not  Found "),
        (b"HTTP/1.1 500 Erreur\tinterne", 500, "Erreur\tinterne"),
        (b"HTTP/1.1 418 I'm a teapot", 418, "I'm a teapot"),
        (b"HTTP/1.1 403 Interdit \xc3\xa0 vous", 403, "Interdit à vous"),
        (b"HTTP/1.1 403 \xff", 403, "\udcff"),
        (b"HTTP/1.1 100 Continue", 100, "Continue"),
        (b"HTTP/1.1 599 Last", 599, "Last"),
    ],
)
def test_parse_status_line(status_line, status_code, reason_phrase):
    assert parse_status_line(status_line) == (status_code, reason_phrase)


@pytest.mark.parametrize(
    "status_line, message",
    [
        (b"HTTP/1.0 200 OK", "invalid HTTP status line: b'HTTP/1.0 200 OK'"),
        (b"HTTP/2 200 OK", "invalid HTTP status line: b'HTTP/2 200 OK'"),
        (b"http/1.1 200 OK", "invalid HTTP status line: b'http/1.1 200 OK'"),
        (b"HTTP/1.1 20 OK", "invalid HTTP status line: b'HTTP/1.1 20 OK'"),
        (b"HTTP/1.1 2000 OK", "invalid HTTP status line: b'HTTP/1.1 2000 OK'"),
        (b"HTTP/1.1 abc OK", "invalid HTTP status line: b'HTTP/1.1 abc OK'"),
        (b"HTTP/1.1  200 OK", "invalid HTTP status line: b'HTTP/1.1  200 OK'"),
        (b"HTTP/1.1\t200 OK", "invalid HTTP status line: b'HTTP/1.1\\t200 OK'"),
        (b"HTTP/1.1 200\tOK", "invalid HTTP status line: b'HTTP/1.1 200\\tOK'"),
        (b"ICY 200 OK", "invalid HTTP status line: b'ICY 200 OK'"),
        (b"", "invalid HTTP status line: b''"),
        (b"HTTP/1.1 099 Low", "unsupported HTTP status code: 99"),
        (b"HTTP/1.1 600 High", "unsupported HTTP status code: 600"),
        (b"HTTP/1.1 200 O\x00K", "invalid HTTP reason phrase: b'O\\x00K'"),
        (b"HTTP/1.1 200 O\rK", "invalid HTTP reason phrase: b'O\\rK'"),
        (b"HTTP/1.1 200 O\nK", "invalid HTTP reason phrase: b'O\\nK'"),
        (b"HTTP/1.1 200 O\x7fK", "invalid HTTP reason phrase: b'O\\x7fK'"),
    ],
)
def test_parse_status_line_malformed(status_line, message):
    with pytest.raises(InvalidMessage) as raised:
        parse_status_line(status_line)
    assert str(raised.value) == message


def test_parse_response_malformed_status_line():
    with pytest.raises(InvalidMessage, match="^invalid HTTP status line: "):
        parse_response(b"HTTP/1.0 200 OK\r\n\r\n")


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "connection closed while reading HTTP status line"),
        (b"HTTP/1.1 101 Switching", "connection closed while reading HTTP status line"),
        (
            b"HTTP/1.1 101 Switching Protocols\r\n",
            "connection closed while reading HTTP headers",
        ),
        (RESPONSE[:-1], "connection closed while reading HTTP headers"),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc",
            "connection closed while reading HTTP body",
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            "connection closed while reading HTTP body",
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
            "connection closed while reading HTTP body",
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde",
            "connection closed while reading HTTP body",
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n",
            "connection closed while reading HTTP trailers",
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: 1\r\n",
            "connection closed while reading HTTP trailers",
        ),
    ],
)
def test_parse_response_eof(data, message):
    with pytest.raises(InvalidMessage) as raised:
        parse_response(data, eof=True)
    assert str(raised.value) == message
    assert isinstance(raised.value.__cause__, EOFError)


# Response bodies.


@pytest.mark.parametrize("status", [100, 101, 199, 204, 304])
def test_parse_response_without_body(status):
    # Content-Length is ignored: these responses end with the headers.
    data = b"HTTP/1.1 %d X\r\nContent-Length: 3\r\n\r\nabc" % status
    reader = StreamReader()
    parser = Response.parse(reader.read_line, reader.read_exact, reader.read_to_eof)
    response = run(parser, reader, [data])
    assert response.body == b""
    assert reader.take_buffer() == b"abc"


@pytest.mark.parametrize("value", [b"5", b"005", b"0" * 5_000 + b"5"])
def test_parse_response_content_length(value):
    data = b"HTTP/1.1 200 OK\r\nContent-Length: " + value + b"\r\n\r\nhello"
    assert parse_response(data).body == b"hello"


def test_parse_response_content_length_waits_for_body():
    data = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhell"
    assert parse_response(data) is PENDING
    assert parse_response(data + b"o").body == b"hello"


def test_parse_response_content_length_zero():
    data = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
    assert parse_response(data).body == b""


def test_parse_response_content_length_at_limit():
    head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % MAX_BODY_SIZE
    assert parse_response(head + b"a" * MAX_BODY_SIZE).body == b"a" * MAX_BODY_SIZE


@pytest.mark.parametrize(
    "value", [b"%d" % (MAX_BODY_SIZE + 1), b"9" * 5_000, b"1" + b"0" * 100]
)
def test_parse_response_content_length_over_limit(value):
    # Refused on the announced length, before any byte of the body arrives.
    data = b"HTTP/1.1 200 OK\r\nContent-Length: " + value + b"\r\n\r\n"
    with pytest.raises(SecurityError, match="^body too large$"):
        parse_response(data)


@pytest.mark.parametrize(
    "headers, message",
    [
        (b"Content-Length: five\r\n", "invalid Content-Length header: 'five'"),
        (b"Content-Length: +5\r\n", "invalid Content-Length header: '+5'"),
        (b"Content-Length: 5, 5\r\n", "invalid Content-Length header: '5, 5'"),
        (b"Content-Length: \xd9\xa5\r\n", "invalid Content-Length header: '\u0665'"),
        (b"Content-Length:\r\n", "invalid Content-Length header: ''"),
        (
            b"Content-Length: 5\r\nContent-Length: 5\r\n",
            "multiple Content-Length headers",
        ),
        (
            b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
            "both Transfer-Encoding and Content-Length headers in response",
        ),
        (b"Transfer-Encoding: gzip\r\n", "unsupported Transfer-Encoding: gzip"),
        (
            b"Transfer-Encoding: gzip, chunked\r\n",
            "unsupported Transfer-Encoding: gzip, chunked",
        ),
        (
            b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
            "unsupported Transfer-Encoding: chunked, chunked",
        ),
    ],
)
def test_parse_response_invalid_body_headers(headers, message):
    data = b"HTTP/1.1 200 OK\r\n" + headers + b"\r\nhello"
    with pytest.raises(InvalidMessage) as raised:
        parse_response(data, eof=True)
    assert str(raised.value) == message


def test_parse_response_until_eof():
    data = b"HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n\r\nGo away.\n"
    assert parse_response(data) is PENDING
    response = parse_response(data, eof=True)
    assert response == Response(
        403, "Forbidden", Headers({"Content-Type": "text/plain"}), b"Go away.\n"
    )


def test_parse_response_until_eof_at_limit():
    head = b"HTTP/1.1 200 OK\r\n\r\n"
    response = parse_response(head + b"a" * MAX_BODY_SIZE, eof=True)
    assert response.body == b"a" * MAX_BODY_SIZE


def test_parse_response_until_eof_over_limit():
    # Refused as soon as too many bytes arrive, without waiting for the end.
    head = b"HTTP/1.1 200 OK\r\n\r\n"
    with pytest.raises(SecurityError, match="^body too large$") as raised:
        parse_response(head + b"a" * (MAX_BODY_SIZE + 1))
    assert isinstance(raised.value.__cause__, SecurityError)


@pytest.mark.parametrize(
    "chunked, body",
    [
        (b"0\r\n\r\n", b""),
        (b"5\r\nhello\r\n0\r\n\r\n", b"hello"),
        (b"5\r\nhello\r\n1\r\n,\r\n6\r\n world\r\n0\r\n\r\n", b"hello, world"),
        (b"a\r\n0123456789\r\n0\r\n\r\n", b"0123456789"),
        (b"A\r\n0123456789\r\n0\r\n\r\n", b"0123456789"),
        (b"005\r\nhello\r\n000\r\n\r\n", b"hello"),
        (b"5;name=value\r\nhello\r\n0;last\r\n\r\n", b"hello"),
        (b"5 ;name=\"quoted\"\r\nhello\r\n0\r\n\r\n", b"hello"),
        (b"5\r\nhello\r\n0\r\nExpires: never\r\nX: 1\r\n\r\n", b"hello"),
    ],
)
def test_parse_response_chunked(chunked, body):
    data = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked
    assert parse_response(data).body == body
    assert parse_response(data, split=True).body == body


def test_parse_response_chunked_coding_is_case_insensitive():
    data = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n"
    assert parse_response(data).body == b""


@pytest.mark.parametrize(
    "chunked, message",
    [
        (b"x\r\n", "invalid chunk size: b'x'"),
        (b"\r\n", "invalid chunk size: b''"),
        (b"-5\r\n", "invalid chunk size: b'-5'"),
        (b"5\x00\r\n", "invalid chunk size: b'5\\x00'"),
        (b"5\r\nhello!\r\n", "chunk without CRLF: b'!\\r'"),
        (b"5\r\nhello\n\r", "chunk without CRLF: b'\\n\\r'"),
        (b"5\nhello\r\n", "line without CRLF: b'5\\n'"),
        (b"0\r\nX : 1\r\n\r\n", "invalid HTTP header name: b'X '"),
    ],
)
def test_parse_response_chunked_malformed(chunked, message):
    data = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked
    with pytest.raises(InvalidMessage) as raised:
        parse_response(data + b"\r\n\r\n")
    assert str(raised.value) == message


def test_parse_response_chunked_at_limit():
    half = MAX_BODY_SIZE // 2
    chunk = b"%x\r\n" % half + b"a" * half + b"\r\n"
    data = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    data += chunk * 2 + b"0\r\n\r\n"
    assert parse_response(data).body == b"a" * MAX_BODY_SIZE


def test_parse_response_chunked_over_limit():
    # Refused on the announced size of the chunk that goes over the limit.
    half = MAX_BODY_SIZE // 2
    data = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    data += b"%x\r\n" % half + b"a" * half + b"\r\n" + b"%x\r\n" % (half + 1)
    with pytest.raises(SecurityError, match="^body too large$"):
        parse_response(data)


def test_parse_response_chunked_huge_size():
    data = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    data += b"f" * 1000 + b"\r\n"
    with pytest.raises(SecurityError, match="^body too large$"):
        parse_response(data)


def test_parse_response_chunked_trailers_over_limit():
    trailers = b"X: 1\r\n" * (MAX_NUM_HEADERS + 1)
    data = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + trailers
    with pytest.raises(SecurityError, match="^too many HTTP headers$"):
        parse_response(data + b"\r\n")


def test_parse_response_line_over_limit():
    data = b"HTTP/1.1 200 " + b"a" * MAX_LINE_LENGTH
    with pytest.raises(SecurityError, match="^line too long$"):
        parse_response(data)


def test_parse_response_headers_over_limit():
    headers = b"X: 1\r\n" * (MAX_NUM_HEADERS + 1)
    with pytest.raises(SecurityError, match="^too many HTTP headers$"):
        parse_response(b"HTTP/1.1 101 Switching Protocols\r\n" + headers + b"\r\n")


# Response.serialize


def test_serialize_response():
    response = Response(101, "Switching Protocols", Headers(RESPONSE_HEADERS))
    assert response.serialize() == RESPONSE


def test_serialize_response_with_body():
    response = Response(
        403, "Forbidden", Headers([("Content-Length", "9")]), b"Go away.\n"
    )
    assert response.serialize() == (
        b"HTTP/1.1 403 Forbidden\r\nContent-Length: 9\r\n\r\nGo away.\n"
    )


def test_serialize_response_empty_reason():
    assert Response(200, "", Headers()).serialize() == b"HTTP/1.1 200 \r\n\r\n"


@pytest.mark.parametrize("status_code", [0, 99, 600, 1000, -101])
def test_serialize_response_invalid_status(status_code):
    with pytest.raises(ValueError, match=f"^invalid status code: {status_code}$"):
        Response(status_code, "OK", Headers()).serialize()


@pytest.mark.parametrize("reason", ["OK\r\nX-Injected: 1", "\n", "\x00", "\ud800"])
def test_serialize_response_invalid_reason(reason):
    with pytest.raises(ValueError, match="^invalid reason phrase: "):
        Response(200, reason, Headers()).serialize()


def test_serialize_response_header_injection():
    # Response splitting: a second response smuggled in a header value.
    value = "a\r\n\r\nHTTP/1.1 200 OK"
    response = Response(302, "Found", Headers([("Location", value)]))
    with pytest.raises(ValueError, match="^invalid value for header Location: "):
        response.serialize()


# Header lines.


@pytest.mark.parametrize(
    "line, header",
    [
        (b"Host: example.com", ("Host", "example.com")),
        (b"Host:example.com", ("Host", "example.com")),
        (b"Host: \t example.com \t ", ("Host", "example.com")),
        (b"X-Empty:", ("X-Empty", "")),
        (b"X-Empty: \t ", ("X-Empty", "")),
        (b"X: a  b\tc", ("X", "a  b\tc")),
        (b"X: a:b", ("X", "a:b")),
        (b"!#$%&'*+-.^_`|~09azAZ: v", ("!#$%&'*+-.^_`|~09azAZ", "v")),
        (b"X: caf\xc3\xa9", ("X", "café")),
        (b"X: \xff\x80", ("X", "\udcff\udc80")),
    ],
)
def test_parse_header_line(line, header):
    assert parse_header_line(line) == header


@pytest.mark.parametrize(
    "line, message",
    [
        (b" X: 1", "obsolete line folding: b' X: 1'"),
        (b"\tX: 1", "obsolete line folding: b'\\tX: 1'"),
        (b"X", "invalid HTTP header line: b'X'"),
        (b"", "invalid HTTP header line: b''"),
        (b": 1", "invalid HTTP header name: b''"),
        (b"X : 1", "invalid HTTP header name: b'X '"),
        (b"X\t: 1", "invalid HTTP header name: b'X\\t'"),
        (b"Bad Name: 1", "invalid HTTP header name: b'Bad Name'"),
        (b"X(1): 1", "invalid HTTP header name: b'X(1)'"),
        (b"X\xff: 1", "invalid HTTP header name: b'X\\xff'"),
        (b"X: a\x00b", "invalid HTTP header value: b'a\\x00b'"),
        (b"X: a\rb", "invalid HTTP header value: b'a\\rb'"),
        (b"X: a\nb", "invalid HTTP header value: b'a\\nb'"),
        (b"X: a\x7f", "invalid HTTP header value: b'a\\x7f'"),
        (b"X: a\x1bb", "invalid HTTP header value: b'a\\x1bb'"),
    ],
)
def test_parse_header_line_malformed(line, message):
    with pytest.raises(InvalidMessage) as raised:
        parse_header_line(line)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    "line, path",
    [
        (b"GET / HTTP/1.1", "/"),
        (b"GET /chat?room=1&x=%20 HTTP/1.1", "/chat?room=1&x=%20"),
        (b"GET * HTTP/1.1", "*"),
        (b"GET http://example.com/ HTTP/1.1", "http://example.com/"),
    ],
)
def test_parse_request_line(line, path):
    assert parse_request_line(line) == path


@pytest.mark.parametrize(
    "name, value",
    [
        ("Host", "example.com"),
        ("X", ""),
        ("X", "a b\tc"),
        ("X", "café €"),
        ("X", "\U0001f600"),
        ("X", "\udc80\udcff"),
        ("!#$%&'*+-.^_`|~09azAZ", "v"),
    ],
)
def test_validate_header(name, value):
    validate_header(name, value)


@pytest.mark.parametrize(
    "name, message",
    [
        ("", "invalid header name: ''"),
        ("Bad Name", "invalid header name: 'Bad Name'"),
        ("X:", "invalid header name: 'X:'"),
        ("X\r\nY", "invalid header name: 'X\\r\\nY'"),
        ("é", "invalid header name: 'é'"),
        ("X\n", "invalid header name: 'X\\n'"),
    ],
)
def test_validate_header_invalid_name(name, message):
    with pytest.raises(ValueError) as raised:
        validate_header(name, "v")
    assert str(raised.value) == message


@pytest.mark.parametrize(
    "value, message",
    [
        ("a\r\nY: b", "invalid value for header X: 'a\\r\\nY: b'"),
        ("a\rb", "invalid value for header X: 'a\\rb'"),
        ("a\nb", "invalid value for header X: 'a\\nb'"),
        ("a\n", "invalid value for header X: 'a\\n'"),
        ("a\x00b", "invalid value for header X: 'a\\x00b'"),
        ("a\x7fb", "invalid value for header X: 'a\\x7fb'"),
        ("a\x1bb", "invalid value for header X: 'a\\x1bb'"),
        ("\ud800", "invalid value for header X: '\\ud800'"),
        ("\udc7f", "invalid value for header X: '\\udc7f'"),
        (" a", "invalid value for header X: ' a' starts or ends with whitespace"),
        ("a ", "invalid value for header X: 'a ' starts or ends with whitespace"),
        ("\ta", "invalid value for header X: '\\ta' starts or ends with whitespace"),
        ("a\t", "invalid value for header X: 'a\\t' starts or ends with whitespace"),
        (" ", "invalid value for header X: ' ' starts or ends with whitespace"),
    ],
)
def test_validate_header_invalid_value(value, message):
    with pytest.raises(ValueError) as raised:
        validate_header("X", value)
    assert str(raised.value) == message


# Round trips.

TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

# Header names, except those that announce a body.
header_names = st.text(TCHARS, min_size=1, max_size=20).filter(
    lambda name: name.lower() not in ("content-length", "transfer-encoding")
)

# Any text without control characters (but HTAB) and without surrogates,
# which could pair up into other characters once encoded.
field_text = st.text(
    st.one_of(
        st.just("\t"),
        st.characters(exclude_categories=("Cs", "Cc")),
    ),
    max_size=30,
)

header_values = field_text.map(lambda value: value.strip(" \t"))

header_lists = st.lists(st.tuples(header_names, header_values), max_size=20)

paths = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1)


@st.composite
def split_points(draw: Any, data: bytes) -> list[bytes]:
    cuts = draw(st.lists(st.integers(0, len(data)), max_size=5))
    points = sorted({0, len(data), *cuts})
    return [data[i:j] for i, j in zip(points, points[1:])]


@given(path=paths, headers=header_lists, data=st.data())
def test_request_round_trip(path, headers, data):
    request = Request(path, Headers(headers))
    serialized = request.serialize()
    reader = StreamReader()
    chunks = data.draw(split_points(serialized))
    parsed = run(Request.parse(reader.read_line), reader, chunks)
    assert parsed == request
    assert raw(parsed.headers) == headers
    assert parsed.serialize() == serialized


@given(
    status_code=st.integers(100, 599),
    reason_phrase=field_text,
    headers=header_lists,
    body=st.binary(max_size=100),
    framing=st.sampled_from(["content-length", "chunked", "eof"]),
    data=st.data(),
)
def test_response_round_trip(status_code, reason_phrase, headers, body, framing, data):
    if status_code < 200 or status_code in (204, 304):
        body = b""
        expected_body = b""
    elif framing == "content-length":
        headers = [*headers, ("Content-Length", str(len(body)))]
        expected_body = body
    elif framing == "chunked":
        headers = [*headers, ("Transfer-Encoding", "chunked")]
        expected_body = body
        body = (b"%x\r\n" % len(body) + body + b"\r\n" if body else b"") + b"0\r\n\r\n"
    else:
        expected_body = body
    response = Response(status_code, reason_phrase, Headers(headers), body)
    serialized = response.serialize()
    reader = StreamReader()
    parser = Response.parse(reader.read_line, reader.read_exact, reader.read_to_eof)
    chunks = data.draw(split_points(serialized))
    parsed = run(parser, reader, chunks, eof=True)
    assert parsed.status_code == status_code
    assert parsed.reason_phrase == reason_phrase
    assert raw(parsed.headers) == headers
    assert parsed.body == expected_body


def near_valid(valid: str, invalid: str, max_size: int) -> st.SearchStrategy[str]:
    # Valid characters, with at most one invalid character somewhere: as
    # often none as one.
    part = st.text(st.sampled_from(valid), max_size=max_size)
    one_or_none = st.one_of(st.just(""), st.sampled_from(invalid))
    return st.builds(str.__add__, part, one_or_none).flatmap(
        lambda head: part.map(lambda tail: head + tail)
    )


header_lines = st.builds(
    lambda name, value: (name + ":" + value).encode("latin-1"),
    near_valid("Ab-", " \t:\r\n\x00\xe9", 3),
    near_valid("Ab: ", "\t\r\n\x00\x7f\xe9", 5),
)
header_blocks = st.builds(
    lambda lines, end: b"\r\n".join(lines) + end,
    st.lists(header_lines, max_size=4),
    st.sampled_from([b"\r\n\r\n", b"\r\n", b"\n\r\n", b""]),
)


request_lines = st.sampled_from(
    [b"GET / HTTP/1.1", b"GET  / HTTP/1.1", b"", b"PUT / HTTP/1.1", b"GET /\r HTTP/1.1",
     b"GET /\x00 HTTP/1.1"]
)
status_lines = st.sampled_from(
    [b"HTTP/1.1 101 Switching Protocols", b"HTTP/1.1 101", b"HTTP/1.1 999 X", b"HTTP/1.0 101 X",
     b"", b"HTTP/1.1 101 \x7f", b"HTTP/1.1 101 \r"]
)


def outcome(parse: Callable[..., Any], data: bytes, eof: bool, split: bool) -> Any:
    # What a parser returns, its fields as a tuple, or the error it raises.
    try:
        message = parse(data, eof, split)
    except (InvalidMessage, SecurityError) as exc:
        return type(exc), str(exc)
    if message is PENDING:
        return message
    fields = dataclasses.astuple(dataclasses.replace(message, headers=None))
    return fields, raw(message.headers)


@settings(max_examples=500)
@given(start=request_lines, block=header_blocks, eof=st.booleans())
def test_parse_request_at_once_or_byte_by_byte(start, block, eof):
    # A head buffered whole is parsed in one step; the result, or the error,
    # is the same as line by line.
    data = start + b"\r\n" + block
    assert outcome(parse_request, data, eof, False) == outcome(parse_request, data, eof, True)


@pytest.mark.parametrize(
    "line",
    [b"X: a", b"X: a\rb", b"X: a\nb", b"X: a\r", b"X\r: a", b"X: a\x00", b"X: \x7f", b"X : a",
     b" X: a", b"(X): a", b"X:\xe9", b": a", b"X"],
)
def test_parse_request_at_once_or_byte_by_byte_examples(line):
    # The cases that the property test may take a while to draw.
    data = b"GET / HTTP/1.1\r\n" + line + b"\r\n\r\n"
    assert outcome(parse_request, data, False, False) == outcome(parse_request, data, False, True)


@settings(max_examples=500)
@given(start=status_lines, block=header_blocks, eof=st.booleans())
def test_parse_response_at_once_or_byte_by_byte(start, block, eof):
    data = start + b"\r\n" + block
    assert outcome(parse_response, data, eof, False) == outcome(parse_response, data, eof, True)


def test_parse_request_headers_block_over_max_line_length():
    # A block longer than MAX_LINE_LENGTH is read line by line.
    headers = [(f"X-{i}", "a" * 100) for i in range(MAX_LINE_LENGTH // 100)]
    block = "".join(f"{name}: {value}\r\n" for name, value in headers)
    request = parse_request(b"GET / HTTP/1.1\r\n" + block.encode() + b"\r\n")
    assert raw(request.headers) == headers


@settings(max_examples=500)
@given(
    headers=st.lists(
        st.tuples(
            near_valid("Ab-", ":\n\r \t\x00é", 4),
            near_valid("Ab-:é\udcff", "\n\r \t\x00\ud800", 6),
        ),
        max_size=2,
    )
)
def test_serialize_checks_every_header(headers):
    # Headers are checked together; the outcome is that of validate_header()
    # for each of them.
    request = Request("/", Headers(headers))
    try:
        for name, value in headers:
            validate_header(name, value)
    except ValueError as exc:
        with pytest.raises(ValueError) as raised:
            request.serialize()
        assert str(raised.value) == str(exc)
    else:
        block = "".join(f"{name}: {value}\r\n" for name, value in headers)
        expected = b"GET / HTTP/1.1\r\n" + block.encode("utf-8", "surrogateescape")
        assert request.serialize() == expected + b"\r\n"


@given(data=st.binary(max_size=300), eof=st.booleans())
def test_parse_request_any_bytes(data, eof):
    # Fuzzing: any input is accepted, waits for more, or raises a documented
    # exception.
    try:
        result = parse_request(data, eof=eof)
    except (InvalidMessage, SecurityError):
        return
    assert result is PENDING or isinstance(result, Request)


@given(data=st.binary(max_size=300), eof=st.booleans())
def test_parse_response_any_bytes(data, eof):
    try:
        result = parse_response(b"HTTP/1.1 200 OK\r\n" + data, eof=eof)
    except (InvalidMessage, SecurityError):
        return
    assert result is PENDING or isinstance(result, Response)


# Coroutines of websockets 8.x.


def read_from(
    coroutine_function: Any, data: bytes, eof: bool = True, **kwargs: Any
) -> Any:
    """Run a coroutine on an asyncio.StreamReader holding data."""

    async def main() -> Any:
        stream = asyncio.StreamReader(**kwargs)
        stream.feed_data(data)
        if eof:
            stream.feed_eof()
        return await coroutine_function(stream)

    return asyncio.run(main())


def test_read_request():
    path, headers = read_from(read_request, REQUEST)
    assert path == "/chat"
    assert raw(headers) == REQUEST_HEADERS


def test_read_response():
    status_code, reason_phrase, headers = read_from(read_response, RESPONSE)
    assert (status_code, reason_phrase) == (101, "Switching Protocols")
    assert raw(headers) == RESPONSE_HEADERS


def test_read_headers():
    headers = read_from(read_headers, b"Host: example.com\r\nX: 1\r\n\r\nrest")
    assert raw(headers) == [("Host", "example.com"), ("X", "1")]


def test_read_line():
    assert read_from(read_line, b"spam\r\neggs\r\n") == b"spam"


def test_read_line_eof():
    with pytest.raises(
        EOFError, match="^stream ends after 4 bytes, before end of line$"
    ):
        read_from(read_line, b"spam")


def test_read_line_without_crlf():
    with pytest.raises(InvalidMessage, match="^line without CRLF: b'spam\\\\n'$"):
        read_from(read_line, b"spam\n")


def test_read_line_at_limit():
    line = b"a" * (MAX_LINE_LENGTH - 2) + b"\r\n"
    assert read_from(read_line, line) == line[:-2]


def test_read_line_over_limit():
    with pytest.raises(SecurityError, match="^line too long$"):
        read_from(read_line, b"a" * (MAX_LINE_LENGTH - 1) + b"\r\n")


def test_read_line_over_limit_without_newline():
    with pytest.raises(SecurityError, match="^line too long$"):
        read_from(read_line, b"a" * (MAX_LINE_LENGTH + 1))


def test_read_line_over_stream_limit():
    with pytest.raises(SecurityError, match="^line too long$") as raised:
        read_from(read_line, b"a" * 100 + b"\r\n", limit=10)
    assert isinstance(raised.value.__cause__, ValueError)


def test_read_line_from_any_stream():
    class Stream:
        def __init__(self, lines: list[bytes]) -> None:
            self.lines = lines

        async def readline(self) -> bytes:
            return self.lines.pop(0)

    async def main() -> Any:
        return await read_request(Stream([b"GET / HTTP/1.1\r\n", b"\r\n"]))

    assert asyncio.run(main()) == ("/", Headers())


@pytest.mark.parametrize(
    "read, data, message",
    [
        (read_request, b"", "connection closed while reading HTTP request line"),
        (
            read_request,
            b"GET / HTTP/1.1\r\n",
            "connection closed while reading HTTP headers",
        ),
        (read_request, REQUEST[:-1], "connection closed while reading HTTP headers"),
        (
            read_response,
            b"HTTP/1.1 101",
            "connection closed while reading HTTP status line",
        ),
        (read_response, RESPONSE[:-2], "connection closed while reading HTTP headers"),
        (read_headers, b"X: 1\r\n", "connection closed while reading HTTP headers"),
    ],
)
def test_read_eof(read, data, message):
    with pytest.raises(InvalidMessage) as raised:
        read_from(read, data)
    assert str(raised.value) == message
    assert isinstance(raised.value.__cause__, EOFError)


@pytest.mark.parametrize(
    "read, data, error, message",
    [
        (
            read_request,
            b"POST / HTTP/1.1\r\n\r\n",
            InvalidMessage,
            "unsupported HTTP method; expected GET; got b'POST'",
        ),
        (
            read_request,
            b"GET / HTTP/1.1\r\nContent-Length: 1\r\n\r\na",
            InvalidMessage,
            "unsupported body in request",
        ),
        (
            read_request,
            b"GET / HTTP/1.1\r\nX : 1\r\n\r\n",
            InvalidMessage,
            "invalid HTTP header name: b'X '",
        ),
        (
            read_response,
            b"HTTP/1.1 1010 X\r\n\r\n",
            InvalidMessage,
            "invalid HTTP status line: b'HTTP/1.1 1010 X'",
        ),
        (
            read_headers,
            b"X: 1\r\n" * (MAX_NUM_HEADERS + 1) + b"\r\n",
            SecurityError,
            "too many HTTP headers",
        ),
    ],
)
def test_read_malformed(read, data, error, message):
    with pytest.raises(error) as raised:
        read_from(read, data)
    assert str(raised.value) == message


def test_read_headers_at_limit():
    headers = read_from(read_headers, b"X: 1\r\n" * MAX_NUM_HEADERS + b"\r\n")
    assert len(raw(headers)) == MAX_NUM_HEADERS
