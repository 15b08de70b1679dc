"""
HTTP/1.1 messages of the opening handshake (RFC 7230, RFC 6455 section 4).

:class:`Request` and :class:`Response` parse themselves incrementally from a
:class:`~websockets.streams.StreamReader` (see :mod:`websockets.streams` for
how the parsers are driven) and serialize themselves to bytes.

Parsing is strict: the handshake is a small, well-defined subset of HTTP/1.1,
and whatever doesn't fit in it is refused rather than guessed at. Hostile
input is bounded by :data:`MAX_LINE_LENGTH`, :data:`MAX_NUM_HEADERS` and
:data:`MAX_BODY_SIZE`.

Header names are ASCII. Header values and reason phrases are decoded from
UTF-8, with invalid bytes kept as lone surrogates (the ``surrogateescape``
error handler), and encoded back the same way: serializing a parsed message
gives back the bytes that were parsed.

The coroutines :func:`read_request`, :func:`read_response`,
:func:`read_headers` and :func:`read_line` are the helpers of websockets 8.x.
They read from any object with an ``async readline()`` method, such as
:class:`asyncio.StreamReader`, and share every rule with the parsers.

"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
from collections.abc import Generator
from types import TracebackType
from typing import Callable, Optional, Protocol

from . import datastructures
from .datastructures import Headers, MultipleValuesError
from .exceptions import InvalidMessage, SecurityError
from .headers import _TCHAR  # the grammar's one spelling of tchar
from .streams import StreamReader
from .utils import _speedup
from .version import version as websockets_version


__all__ = [
    "Headers",
    "MultipleValuesError",
    "MAX_LINE_LENGTH",
    "MAX_NUM_HEADERS",
    "MAX_BODY_SIZE",
    "USER_AGENT",
    "SERVER",
    "Request",
    "Response",
    "parse_request_line",
    "parse_status_line",
    "parse_header_line",
    "validate_header",
    "SupportsReadline",
    "read_request",
    "read_response",
    "read_headers",
    "read_line",
]


def _env_int(name: str, default: int) -> int:
    """Read a limit from the environment, ``default`` when it isn't set."""
    return int(os.environ.get(name, default))


#: Maximum length of a line of the request or response, CRLF included.
#: Set ``WEBSOCKETS_MAX_LINE_LENGTH`` in the environment to change it.
MAX_LINE_LENGTH = _env_int("WEBSOCKETS_MAX_LINE_LENGTH", 8192)

#: Maximum number of headers of a request or response.
#: Set ``WEBSOCKETS_MAX_NUM_HEADERS`` in the environment to change it.
MAX_NUM_HEADERS = _env_int("WEBSOCKETS_MAX_NUM_HEADERS", 128)

#: Maximum size of the body of a response, in bytes.
#: Set ``WEBSOCKETS_MAX_BODY_SIZE`` in the environment to change it.
MAX_BODY_SIZE = _env_int("WEBSOCKETS_MAX_BODY_SIZE", 2**20)

_PYTHON_VERSION = f"{sys.version_info[0]}.{sys.version_info[1]}"

#: Default value of the ``User-Agent`` header of requests.
USER_AGENT = f"Python/{_PYTHON_VERSION} websockets/{websockets_version}"

#: Default value of the ``Server`` header of responses.
SERVER = f"Python/{_PYTHON_VERSION} websockets/{websockets_version}"


# Grammar of RFC 7230 (section 3.2 for headers, 3.1 for start lines).

# token = 1*tchar, with tchar as headers.py spells it.
_TOKEN = _TCHAR + "+"
_token_re = re.compile(_TOKEN.encode())

# field-content = field-vchar [ 1*( SP / HTAB ) field-vchar ], with
# field-vchar = VCHAR / obs-text, spelled once as a range of a character
# class. Leading and trailing whitespace (OWS) are stripped before matching.
# This excludes CR, LF, NUL and other controls.
_FIELD_VCHAR = rb"\x21-\x7e\x80-\xff"
_value_re = re.compile(rb"[\x09\x20" + _FIELD_VCHAR + rb"]*")

# header-field = field-name ":" OWS field-value OWS, in one match: the
# value is empty, or starts and ends with a visible byte, with visible bytes
# and whitespace in between. (Runs of visible bytes separated by whitespace
# are the same, but a nested repeat costs 70% more; a lazy match, 200%.)
_HEADER = (
    b"(" + _TOKEN.encode() + rb"):[ \t]*"
    rb"((?:[" + _FIELD_VCHAR + rb"](?:[\t\x20" + _FIELD_VCHAR + rb"]*"
    rb"[" + _FIELD_VCHAR + rb"])?)?)[ \t]*"
)
_header_re = re.compile(_HEADER)

# The same rules as bytes to delete with bytes.translate(), which checks a
# whole head faster than a regex: what remains of a valid head is empty.
# Names are tokens; a head holds field-content, whitespace and line ends.
_TCHAR_BYTES = bytes([b for b in range(128) if re.fullmatch(_TCHAR, chr(b))])
_HEAD_BYTES = bytes(
    [b for b in range(256) if re.fullmatch(rb"[\t\r\n\x20" + _FIELD_VCHAR + rb"]", bytes([b]))]
)

# reason-phrase = *( HTAB / SP / VCHAR / obs-text )
_reason_re = _value_re

# request-target: visible ASCII, no whitespace (RFC 7230, section 3.1.1; the
# forms of section 5.3 are all made of such characters).
_target_re = re.compile(rb"[\x21-\x7e]+")

# status-line = HTTP-version SP status-code SP reason-phrase CRLF, with
# status-code = 3DIGIT. Accept a missing SP before an empty reason phrase,
# as some servers omit it.
_status_re = re.compile(rb"HTTP/1\.1 ([0-9]{3})(?: (.*))?", re.DOTALL)

# Same rules as above, for the str values given to serialize(). field-vchar
# is visible ASCII, then every code point that encodes to non-ASCII bytes: no
# surrogates except those that surrogateescape turns back into single bytes
# \x80-\xff.
_FIELD_VCHAR_STR = "\x21-\x7e\x80-\ud7ff\udc80-\udcff\ue000-\U0010ffff"
_token_str_re = re.compile(_TOKEN)
_value_str_re = re.compile(f"[\t\x20{_FIELD_VCHAR_STR}]*")
_target_str_re = re.compile("[\x21-\x7e]+")

# What validate_header() accepts, for a whole header block at once: names
# joined with LF, then values joined with LF. LF is in neither, so when the
# joined text matches with as many LF as separators, each part is valid.
# Values neither start nor end with whitespace, as in _HEADER.
_VALUE_STR = f"(?:[{_FIELD_VCHAR_STR}](?:[\t\x20{_FIELD_VCHAR_STR}]*[{_FIELD_VCHAR_STR}])?)?"
_names_str_re = re.compile(f"{_TOKEN}(?:\n{_TOKEN})*")
_values_str_re = re.compile(f"{_VALUE_STR}(?:\n{_VALUE_STR})*")

# chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF (RFC 7230, section
# 4.1), with chunk-size = 1*HEXDIG. Extensions are ignored.
_chunk_size_re = re.compile(
    rb"([0-9A-Fa-f]+)[ \t]*(?:;[\x09\x20" + _FIELD_VCHAR + rb"]*)?"
)

_content_length_re = re.compile("[0-9]+")


def _decode(value: bytes) -> str:
    return value.decode("utf-8", "surrogateescape")


def _encode(value: str) -> bytes:
    return value.encode("utf-8", "surrogateescape")


# Pure functions: one place for each rule, shared by the parsers and by the
# coroutines.


def _check_line(line: bytes) -> bytes:
    """Check the length and the end of a line; return it without CRLF."""
    if len(line) > MAX_LINE_LENGTH:
        raise SecurityError("line too long")
    # RFC 7230, section 3.5, allows a bare LF as line terminator; a
    # WebSocket peer has no reason to send one, so refuse it.
    if not line.endswith(b"\r\n"):
        raise InvalidMessage(f"line without CRLF: {line!r}")
    return line[:-2]


def parse_request_line(line: bytes) -> str:
    """
    Parse the request line of a handshake request.

    Args:
        line: Request line, without its CRLF.

    Returns:
        The request target, usually a path such as ``"/chat?room=1"``.

    Raises:
        ~websockets.exceptions.InvalidMessage: If the line isn't
            ``GET <request-target> HTTP/1.1``.

    """
    # request-line = method SP request-target SP HTTP-version CRLF
    parts = line.split(b" ")
    if len(parts) != 3:
        raise InvalidMessage(f"invalid HTTP request line: {line!r}")
    method, target, protocol = parts
    # RFC 6455, section 4.1: "The method of the request MUST be GET, and the
    # HTTP version MUST be at least 1.1." Only 1.1 exists with this syntax.
    if method != b"GET":
        raise InvalidMessage(f"unsupported HTTP method; expected GET; got {method!r}")
    if protocol != b"HTTP/1.1":
        raise InvalidMessage(
            f"unsupported protocol; expected HTTP/1.1; got {protocol!r}"
        )
    if not _target_re.fullmatch(target):
        raise InvalidMessage(f"invalid request target: {target!r}")
    return target.decode("ascii")


def parse_status_line(line: bytes) -> tuple[int, str]:
    """
    Parse the status line of a handshake response.

    Args:
        line: Status line, without its CRLF.

    Returns:
        The status code and the reason phrase, which may be empty.

    Raises:
        ~websockets.exceptions.InvalidMessage: If the line isn't
            ``HTTP/1.1 <status-code> <reason-phrase>`` with a status code
            between 100 and 599.

    """
    match = _status_re.fullmatch(line)
    if match is None:
        raise InvalidMessage(f"invalid HTTP status line: {line!r}")
    raw_status, raw_reason = match.groups(b"")
    status_code = int(raw_status)
    if not 100 <= status_code < 600:
        raise InvalidMessage(f"unsupported HTTP status code: {status_code}")
    if not _reason_re.fullmatch(raw_reason):
        raise InvalidMessage(f"invalid HTTP reason phrase: {raw_reason!r}")
    return status_code, _decode(raw_reason)


def parse_header_line(line: bytes) -> tuple[str, str]:
    """
    Parse a header line.

    Args:
        line: Header line, without its CRLF.

    Returns:
        The header's name and value, without leading and trailing whitespace.

    Raises:
        ~websockets.exceptions.InvalidMessage: If the name isn't a token or
            the value contains a forbidden character, such as a control
            character, or if the line continues the previous header.

    """
    match = _header_re.fullmatch(line)
    if match is not None:  # the common case: a valid line, in one step
        return match[1].decode("ascii"), _decode(match[2])
    # Find out what is wrong, in order.
    # RFC 7230, section 3.2.4: "A server that receives an obs-fold in a
    # request message [...] MUST either reject the message [...] or replace
    # each received obs-fold with one or more SP octets". Reject it, in
    # responses too: line folding is deprecated and no peer needs it.
    if line.startswith((b" ", b"\t")):
        raise InvalidMessage(f"obsolete line folding: {line!r}")
    raw_name, colon, raw_value = line.partition(b":")
    if not colon:
        raise InvalidMessage(f"invalid HTTP header line: {line!r}")
    # RFC 7230, section 3.2.4: "No whitespace is allowed between the header
    # field-name and colon." A token contains no whitespace.
    if not _token_re.fullmatch(raw_name):
        raise InvalidMessage(f"invalid HTTP header name: {raw_name!r}")
    # header-field = field-name ":" OWS field-value OWS
    raw_value = raw_value.strip(b" \t")
    raise InvalidMessage(f"invalid HTTP header value: {raw_value!r}")


def _add_header(headers: Headers, count: int, line: bytes) -> bool:
    """
    Process a line of a header block: ``count`` headers were read before.

    Return ``True`` at the empty line that ends the block.

    """
    if line == b"":
        return True
    if count >= MAX_NUM_HEADERS:
        raise SecurityError("too many HTTP headers")
    name, value = parse_header_line(line)
    headers[name] = value
    return False


def validate_header(name: str, value: str) -> None:
    """
    Check that a header can be sent as it is.

    This prevents header injection: a value can't contain CR or LF, so it
    can't end the header and start another one.

    Args:
        name: Header name.
        value: Header value.

    Raises:
        ValueError: If the name isn't a token (RFC 7230, section 3.2.6), or
            the value contains a control character other than horizontal tab
            (such as CR, LF or NUL), starts or ends with whitespace, or
            cannot be encoded.

    """
    if not _token_str_re.fullmatch(name):
        raise ValueError(f"invalid header name: {name!r}")
    if not _value_str_re.fullmatch(value):
        raise ValueError(f"invalid value for header {name}: {value!r}")
    # field-content cannot start or end with whitespace: a receiver would
    # strip it, and the header would change on its way.
    if value[:1] in (" ", "\t") or value[-1:] in (" ", "\t"):
        raise ValueError(
            f"invalid value for header {name}: {value!r} "
            f"starts or ends with whitespace"
        )


def _serialize_headers(headers: Headers) -> bytes:
    """Serialize a header block, blank line included, checking every header."""
    pairs = list(headers.raw_items())
    if pairs:
        # Check every header in two regex matches rather than two each.
        names = "\n".join([name for name, _ in pairs])
        values = "\n".join([value for _, value in pairs])
        separators = len(pairs) - 1
        if not (
            _names_str_re.fullmatch(names)
            and names.count("\n") == separators
            and _values_str_re.fullmatch(values)
            and values.count("\n") == separators
        ):
            # Find the culprit, for a precise error.
            for name, value in pairs:
                validate_header(name, value)
    return _encode("".join([f"{name}: {value}\r\n" for name, value in pairs]) + "\r\n")


def _content_length(headers: Headers) -> Optional[int]:
    """Return the value of the ``Content-Length`` header, if there's one."""
    values = headers.get_all("Content-Length")
    if not values:
        return None
    if len(values) > 1:
        raise InvalidMessage("multiple Content-Length headers")
    value = values[0]
    # Content-Length = 1*DIGIT (RFC 7230, section 3.3.2)
    if not _content_length_re.fullmatch(value):
        raise InvalidMessage(f"invalid Content-Length header: {value!r}")
    # Compare the number of digits first: int() refuses very long strings.
    digits = value.lstrip("0") or "0"
    if len(digits) > len(str(MAX_BODY_SIZE)) or int(digits) > MAX_BODY_SIZE:
        raise SecurityError("body too large")
    return int(digits)


def _check_request_headers(headers: Headers) -> None:
    """Refuse a request that announces a body."""
    # RFC 6455, section 4.1, describes the request as a GET with headers; a
    # body would be read as WebSocket frames after the upgrade (smuggling).
    # RFC 7230, section 3.3: the presence of a body is signaled by a
    # Content-Length or Transfer-Encoding header.
    if "Transfer-Encoding" in headers:
        raise InvalidMessage("unsupported Transfer-Encoding header in request")
    if _content_length(headers):
        raise InvalidMessage("unsupported body in request")


class _reading:
    """Turn the end of the stream while reading ``what`` into an error."""

    # A class rather than @contextlib.contextmanager: it runs for every
    # line of a handshake, and a generator-based context manager costs more.
    __slots__ = ("what",)

    def __init__(self, what: str) -> None:
        self.what = what

    def __enter__(self) -> None:
        pass

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        if isinstance(exc, EOFError):
            raise InvalidMessage(f"connection closed while reading {self.what}") from exc


# Generator-based parsers.

ReadLine = Callable[[int], Generator[None, None, bytes]]
ReadExact = Callable[[int], Generator[None, None, bytes]]
ReadToEOF = Callable[[int], Generator[None, None, bytes]]


def _parse_line(read_line: ReadLine, what: str) -> Generator[None, None, bytes]:
    """Read a line of the message; return it without CRLF."""
    with _reading(what):
        line = yield from read_line(MAX_LINE_LENGTH)
    return _check_line(line)


def _parse_headers(
    read_line: ReadLine, what: str = "HTTP headers"
) -> Generator[None, None, Headers]:
    """Read a header block, up to and including the empty line that ends it."""
    headers = Headers()
    count = 0
    while True:
        line = yield from _parse_line(read_line, what)
        if _add_header(headers, count, line):
            return headers
        count += 1


def _split_head_python(
    head: bytes, max_headers: int
) -> Optional[tuple[bytes, list[tuple[str, str]]]]:
    """
    Split a head, start line and header lines ending with an empty line.

    Return the start line and the ``(name, value)`` pairs of the headers, or
    :obj:`None` if a header line is invalid or there are more than
    ``max_headers``: then the line-by-line parser reads the head and says
    what's wrong. ``speedups.split_head()`` is the same in C.

    """
    lines = head[:-4].split(b"\r\n")
    # CR and LF only where lines end, no control characters, and tokens as
    # names: checked for the whole head at once.
    if (
        len(lines) > max_headers + 1
        or head.count(b"\n") != len(lines) + 1
        or head.count(b"\r") != len(lines) + 1
        or head.translate(None, _HEAD_BYTES)
    ):
        return None
    names = []
    pairs = []
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon or not name:
            return None
        names.append(name)
        pairs.append(
            (name.decode("latin-1"), value.strip(b" \t").decode("utf-8", "surrogateescape"))
        )
    # translate() has a set-up cost: one call for every name.
    if b"".join(names).translate(None, _TCHAR_BYTES):
        return None
    return lines[0], pairs


_split_head = _speedup("split_head") or _split_head_python


def _parse_head(head: bytes) -> Optional[tuple[bytes, Headers]]:
    split = _split_head(head, MAX_NUM_HEADERS)
    if split is None:
        return None
    line, pairs = split
    # Headers(pairs) would copy them first: 10% of receiving a request.
    headers = Headers()
    headers._extend(pairs)
    return line, headers


def _read_head(read_line: ReadLine) -> Optional[tuple[bytes, Headers]]:
    """
    Read the start line and the headers in one step, if they are buffered.

    This is the shortcut that most handshakes take: their head arrives in
    one piece. Return :obj:`None` without reading anything otherwise.

    """
    reader = getattr(read_line, "__self__", None)
    if not isinstance(reader, StreamReader):
        return None
    # Within MAX_LINE_LENGTH, so that every line is within it too.
    return reader.read_parsed(b"\r\n\r\n", MAX_LINE_LENGTH, _parse_head)


def _parse_chunked(
    read_line: ReadLine, read_exact: ReadExact
) -> Generator[None, None, bytes]:
    """Read a body with the chunked transfer coding (RFC 7230, section 4.1)."""
    chunks = []
    size = 0
    while True:
        line = yield from _parse_line(read_line, "HTTP body")
        match = _chunk_size_re.fullmatch(line)
        if match is None:
            raise InvalidMessage(f"invalid chunk size: {line!r}")
        chunk_size = int(match[1], 16)
        if chunk_size == 0:
            break
        # Check the size announced before reading the chunk.
        if chunk_size > MAX_BODY_SIZE - size:
            raise SecurityError("body too large")
        size += chunk_size
        with _reading("HTTP body"):
            chunks.append((yield from read_exact(chunk_size)))
            end = yield from read_exact(2)
        if end != b"\r\n":
            raise InvalidMessage(f"chunk without CRLF: {end!r}")
    # Trailers are read, with the same limits as headers, and ignored.
    yield from _parse_headers(read_line, "HTTP trailers")
    return b"".join(chunks)


@dataclasses.dataclass
class Request:
    """
    Handshake request (RFC 6455, section 4.1).

    Attributes:
        path: Request target, usually a path such as ``"/chat?room=1"``.
        headers: Request headers.

    """

    path: str
    headers: Headers

    @classmethod
    def parse(cls, read_line: ReadLine) -> Generator[None, None, Request]:
        """
        Parse a handshake request.

        This is a generator coroutine, driven as explained in
        :mod:`websockets.streams`. A handshake request has no body, so this
        reads up to the end of the headers and no further.

        Args:
            read_line: Reads a line, ending with ``b"\\n"``, no longer than
                its argument; usually :meth:`StreamReader.read_line
                <websockets.streams.StreamReader.read_line>`.

        Returns:
            The request.

        Raises:
            ~websockets.exceptions.InvalidMessage: If the request is
                malformed or announces a body. When the stream ended before
                the end of the request, the error's ``__cause__`` is an
                :exc:`EOFError`.
            ~websockets.exceptions.SecurityError: If the request exceeds
                :data:`MAX_LINE_LENGTH` or :data:`MAX_NUM_HEADERS`.

        """
        head = _read_head(read_line)
        if head is None:
            line = yield from _parse_line(read_line, "HTTP request line")
            path = parse_request_line(line)
            headers = yield from _parse_headers(read_line)
        else:
            line, headers = head
            path = parse_request_line(line)
        _check_request_headers(headers)
        return cls(path, headers)

    def serialize(self) -> bytes:
        """
        Serialize the request.

        Returns:
            The request line, the headers and the empty line that ends them.

        Raises:
            ValueError: If the path or a header cannot be sent as it is: it
                would be read back differently, or inject headers.

        """
        if not _target_str_re.fullmatch(self.path):
            raise ValueError(f"invalid request target: {self.path!r}")
        request_line = f"GET {self.path} HTTP/1.1\r\n".encode()
        return request_line + _serialize_headers(self.headers)


@dataclasses.dataclass
class Response:
    """
    Handshake response (RFC 6455, section 4.2.2).

    Attributes:
        status_code: Status code, such as ``101``.
        reason_phrase: Reason phrase, such as ``"Switching Protocols"``.
        headers: Response headers.
        body: Response body, empty for a successful handshake.

    """

    status_code: int
    reason_phrase: str
    headers: Headers
    body: bytes = b""

    @classmethod
    def parse(
        cls,
        read_line: ReadLine,
        read_exact: ReadExact,
        read_to_eof: ReadToEOF,
    ) -> Generator[None, None, Response]:
        """
        Parse a handshake response.

        This is a generator coroutine, driven as explained in
        :mod:`websockets.streams`.

        The length of the body follows RFC 7230, section 3.3.3: there's none
        for 1xx (including ``101``), 204 and 304 responses; otherwise the
        ``Transfer-Encoding: chunked`` header or the ``Content-Length``
        header gives it; otherwise the body runs until the end of the stream.

        Args:
            read_line: Reads a line, ending with ``b"\\n"``, no longer than
                its argument; usually :meth:`StreamReader.read_line
                <websockets.streams.StreamReader.read_line>`.
            read_exact: Reads as many bytes as its argument; usually
                :meth:`StreamReader.read_exact
                <websockets.streams.StreamReader.read_exact>`.
            read_to_eof: Reads until the end of the stream, no more bytes
                than its argument; usually :meth:`StreamReader.read_to_eof
                <websockets.streams.StreamReader.read_to_eof>`.

        Returns:
            The response.

        Raises:
            ~websockets.exceptions.InvalidMessage: If the response is
                malformed. When the stream ended before the end of the
                response, the error's ``__cause__`` is an :exc:`EOFError`.
            ~websockets.exceptions.SecurityError: If the response exceeds
                :data:`MAX_LINE_LENGTH`, :data:`MAX_NUM_HEADERS` or
                :data:`MAX_BODY_SIZE`.

        """
        head = _read_head(read_line)
        if head is None:
            line = yield from _parse_line(read_line, "HTTP status line")
            status_code, reason_phrase = parse_status_line(line)
            headers = yield from _parse_headers(read_line)
        else:
            line, headers = head
            status_code, reason_phrase = parse_status_line(line)

        # RFC 7230, section 3.3.3: "Any response to a HEAD request and any
        # response with a 1xx (Informational), 204 (No Content), or 304 (Not
        # Modified) status code is always terminated by the first empty line
        # after the header fields, regardless of the header fields present".
        # After a 101, the bytes that follow are WebSocket frames.
        if status_code < 200 or status_code in (204, 304):
            return cls(status_code, reason_phrase, headers)

        if "Transfer-Encoding" in headers:
            # RFC 7230, section 3.3.3: a message with both headers "might
            # indicate an attempt to perform request smuggling [...] and
            # ought to be handled as an error."
            if "Content-Length" in headers:
                raise InvalidMessage(
                    "both Transfer-Encoding and Content-Length headers in response"
                )
            # Transfer codings are case-insensitive (RFC 7230, section 4).
            codings = headers.get_all("Transfer-Encoding")
            if [coding.lower() for coding in codings] != ["chunked"]:
                raise InvalidMessage(
                    f"unsupported Transfer-Encoding: {', '.join(codings)}"
                )
            body = yield from _parse_chunked(read_line, read_exact)
            return cls(status_code, reason_phrase, headers, body)

        content_length = _content_length(headers)
        with _reading("HTTP body"):
            if content_length is not None:
                body = yield from read_exact(content_length)
            else:
                try:
                    body = yield from read_to_eof(MAX_BODY_SIZE)
                except SecurityError as exc:
                    raise SecurityError("body too large") from exc
        return cls(status_code, reason_phrase, headers, body)

    def serialize(self) -> bytes:
        """
        Serialize the response.

        Returns:
            The status line, the headers, the empty line that ends them and
            the body.

        Raises:
            ValueError: If the status code isn't between 100 and 599, or the
                reason phrase or a header cannot be sent as it is: it would
                be read back differently, or inject headers.

        """
        if not 100 <= self.status_code < 600:
            raise ValueError(f"invalid status code: {self.status_code}")
        if not _value_str_re.fullmatch(self.reason_phrase):
            raise ValueError(f"invalid reason phrase: {self.reason_phrase!r}")
        status_line = _encode(f"HTTP/1.1 {self.status_code:d} {self.reason_phrase}\r\n")
        return status_line + _serialize_headers(self.headers) + self.body


# Coroutines of websockets 8.x. They await the stream, hence no asyncio here.


class SupportsReadline(Protocol):
    """
    Stream that the coroutines read from, such as :class:`asyncio.StreamReader`.

    """

    async def readline(self) -> bytes:
        """
        Read a line, up to and including ``b"\\n"``.

        At the end of the stream, return the bytes read so far, possibly
        none. Raise :exc:`ValueError` if the line exceeds the stream's limit.

        """
        ...


async def read_line(stream: SupportsReadline) -> bytes:
    """
    Read a line of an HTTP message.

    Args:
        stream: Stream to read from.

    Returns:
        The line, without its CRLF.

    Raises:
        EOFError: If the stream ends before the end of the line.
        ~websockets.exceptions.InvalidMessage: If the line doesn't end with
            CRLF.
        ~websockets.exceptions.SecurityError: If the line exceeds
            :data:`MAX_LINE_LENGTH` or the stream's own limit.

    """
    try:
        line = await stream.readline()
    except ValueError as exc:  # asyncio.StreamReader's limit was reached
        raise SecurityError("line too long") from exc
    if len(line) > MAX_LINE_LENGTH:
        raise SecurityError("line too long")
    if not line.endswith(b"\n"):
        raise EOFError(f"stream ends after {len(line)} bytes, before end of line")
    return _check_line(line)


async def read_headers(stream: SupportsReadline) -> Headers:
    """
    Read the headers of an HTTP message, up to the empty line that ends them.

    Args:
        stream: Stream to read from.

    Returns:
        The headers.

    Raises:
        ~websockets.exceptions.InvalidMessage: If a header is malformed or
            the stream ends before the empty line.
        ~websockets.exceptions.SecurityError: If a line exceeds
            :data:`MAX_LINE_LENGTH` or there are more than
            :data:`MAX_NUM_HEADERS` headers.

    """
    headers = Headers()
    count = 0
    while True:
        with _reading("HTTP headers"):
            line = await read_line(stream)
        if _add_header(headers, count, line):
            return headers
        count += 1


# The return types below name datastructures.Headers: Sphinx fails to render
# the bare name Headers inside tuple[...].


async def read_request(
    stream: SupportsReadline,
) -> tuple[str, datastructures.Headers]:
    """
    Read a handshake request, like :meth:`Request.parse`.

    Args:
        stream: Stream to read from.

    Returns:
        The request target and the headers.

    Raises:
        ~websockets.exceptions.InvalidMessage: If the request is malformed,
            announces a body, or the stream ends before its end.
        ~websockets.exceptions.SecurityError: If the request exceeds
            :data:`MAX_LINE_LENGTH` or :data:`MAX_NUM_HEADERS`.

    """
    with _reading("HTTP request line"):
        line = await read_line(stream)
    path = parse_request_line(line)
    headers = await read_headers(stream)
    _check_request_headers(headers)
    return path, headers


async def read_response(
    stream: SupportsReadline,
) -> tuple[int, str, datastructures.Headers]:
    """
    Read a handshake response, without its body.

    Args:
        stream: Stream to read from.

    Returns:
        The status code, the reason phrase and the headers.

    Raises:
        ~websockets.exceptions.InvalidMessage: If the response is malformed
            or the stream ends before the end of the headers.
        ~websockets.exceptions.SecurityError: If the response exceeds
            :data:`MAX_LINE_LENGTH` or :data:`MAX_NUM_HEADERS`.

    """
    with _reading("HTTP status line"):
        line = await read_line(stream)
    status_code, reason_phrase = parse_status_line(line)
    headers = await read_headers(stream)
    return status_code, reason_phrase, headers
