"""
Every exception that websockets raises.

The tree::

    WebSocketException
    ├── ConnectionClosed
    │   ├── ConnectionClosedOK
    │   └── ConnectionClosedError
    ├── InvalidHandshake
    │   ├── SecurityError
    │   ├── InvalidMessage
    │   ├── InvalidHeader
    │   │   ├── InvalidHeaderFormat
    │   │   ├── InvalidHeaderValue
    │   │   ├── InvalidOrigin
    │   │   └── InvalidUpgrade
    │   ├── InvalidStatusCode
    │   ├── NegotiationError
    │   │   ├── DuplicateParameter
    │   │   ├── InvalidParameterName
    │   │   └── InvalidParameterValue
    │   ├── AbortHandshake
    │   └── RedirectHandshake
    ├── InvalidState          (also an AssertionError)
    ├── InvalidURI
    ├── PayloadTooBig
    ├── ProtocolError         (alias: WebSocketProtocolError)
    └── ConcurrencyError      (also a RuntimeError)

Errors made by the peer never escape the sans-I/O core as exceptions: the core
fails the connection with the matching close code and keeps the error, which
becomes the ``__cause__`` of the :exc:`ConnectionClosedError` raised later.
Errors made by the caller, such as sending on a closed connection, raise at
once.

"""

from __future__ import annotations

import http
from typing import TYPE_CHECKING, Optional

from .datastructures import Headers, HeadersLike


if TYPE_CHECKING:  # pragma: no cover
    from .framing import Close


__all__ = [
    "WebSocketException",
    "ConnectionClosed",
    "ConnectionClosedOK",
    "ConnectionClosedError",
    "InvalidHandshake",
    "SecurityError",
    "InvalidMessage",
    "InvalidHeader",
    "InvalidHeaderFormat",
    "InvalidHeaderValue",
    "InvalidOrigin",
    "InvalidUpgrade",
    "InvalidStatusCode",
    "NegotiationError",
    "DuplicateParameter",
    "InvalidParameterName",
    "InvalidParameterValue",
    "AbortHandshake",
    "RedirectHandshake",
    "InvalidState",
    "InvalidURI",
    "PayloadTooBig",
    "ProtocolError",
    "WebSocketProtocolError",
    "ConcurrencyError",
    "OK_CLOSE_CODES",
]


#: Close codes for which :exc:`ConnectionClosedOK` is raised: a normal
#: closure, a peer going away, and a close frame without a status code.
OK_CLOSE_CODES = frozenset({1000, 1001, 1005})


class WebSocketException(Exception):
    """Base class for every exception raised by websockets."""


class ConnectionClosed(WebSocketException):
    """
    Raised when using a connection that is closed.

    Args:
        code: Close code: the one received in the peer's close frame, 1005
            when that frame had no code, 1006 when the connection dropped
            without a close frame.
        reason: Close reason received from the peer, ``""`` if there was none.
        rcvd: Close frame received from the peer, if any.
        sent: Close frame sent to the peer, if any.

    """

    def __init__(
        self,
        code: int,
        reason: str = "",
        *,
        rcvd: Optional[Close] = None,
        sent: Optional[Close] = None,
    ) -> None:
        self.code = code
        self.reason = reason
        self.rcvd = rcvd
        self.sent = sent
        super().__init__(code, reason)

    def __str__(self) -> str:
        text = f"code = {self.code} ({close_code_explanation(self.code)})"
        if self.reason:
            text += f", reason = {self.reason}"
        else:
            text += ", no reason"
        return text


def close_code_explanation(code: int) -> str:
    """Describe a close code in a few words, for error messages and logs."""
    explanations = {
        1000: "OK",
        1001: "going away",
        1002: "protocol error",
        1003: "unsupported type",
        1005: "no status code [internal]",
        1006: "connection closed abnormally [internal]",
        1007: "invalid data",
        1008: "policy violation",
        1009: "message too big",
        1010: "extension required",
        1011: "unexpected error",
        1012: "service restart",
        1013: "try again later",
        1014: "bad gateway",
        1015: "TLS failure [internal]",
    }
    if code in explanations:
        return explanations[code]
    if 3000 <= code < 4000:
        return "registered"
    if 4000 <= code < 5000:
        return "private use"
    return "unknown"


class ConnectionClosedOK(ConnectionClosed):
    """
    :exc:`ConnectionClosed` after a normal closure: code 1000, 1001 or 1005.

    ``async for message in websocket`` ends quietly on this exception.

    """


class ConnectionClosedError(ConnectionClosed):
    """
    :exc:`ConnectionClosed` after an error: any code but 1000, 1001 and 1005.

    When the connection failed because of the peer's misbehavior, the error
    that the core detected is this exception's ``__cause__``.

    """


class InvalidHandshake(WebSocketException):
    """Raised during the opening handshake when it cannot complete."""


class SecurityError(InvalidHandshake):
    """
    Raised when a handshake exceeds a limit set for security reasons.

    For instance an HTTP line, a header count or a body size above its limit.

    """


class InvalidMessage(InvalidHandshake):
    """Raised when an HTTP message in the handshake is malformed."""


class InvalidHeader(InvalidHandshake):
    """
    Raised when an HTTP header is missing or has a wrong value.

    Args:
        name: Header name.
        value: Header value, or :obj:`None` when the header is missing.

    """

    def __init__(self, name: str, value: Optional[str] = None) -> None:
        self.name = name
        self.value = value
        if value is None:
            message = f"missing {name} header"
        elif value == "":
            message = f"empty {name} header"
        else:
            message = f"invalid {name} header: {value}"
        super().__init__(message)


class InvalidHeaderFormat(InvalidHeader):
    """
    Raised when an HTTP header cannot be parsed.

    Args:
        name: Header name.
        error: What went wrong.
        header: The whole header value.
        pos: Position in ``header`` where parsing failed.

    """

    def __init__(self, name: str, error: str, header: str, pos: int) -> None:
        self.error = error
        self.header = header
        self.pos = pos
        super().__init__(name, f"{error} at {pos} in {header}")


class InvalidHeaderValue(InvalidHeader):
    """Raised when an HTTP header has a wrong value."""


class InvalidOrigin(InvalidHeader):
    """Raised when the ``Origin`` header of a request isn't allowed."""

    def __init__(self, origin: Optional[str]) -> None:
        super().__init__("Origin", origin)


class InvalidUpgrade(InvalidHeader):
    """Raised when the ``Upgrade`` or ``Connection`` header is wrong."""


class InvalidStatusCode(InvalidHandshake):
    """
    Raised when a handshake response's status code isn't 101.

    Args:
        status_code: HTTP status code of the response.
        headers: HTTP headers of the response.

    """

    def __init__(self, status_code: int, headers: Optional[Headers] = None) -> None:
        self.status_code = status_code
        self.headers = headers if headers is not None else Headers()
        super().__init__(f"server rejected WebSocket connection: HTTP {status_code}")


class NegotiationError(InvalidHandshake):
    """Raised when negotiating an extension or a subprotocol fails."""


class DuplicateParameter(NegotiationError):
    """Raised when an extension parameter appears twice."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"duplicate parameter: {name}")


class InvalidParameterName(NegotiationError):
    """Raised when an extension parameter has an unknown name."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"invalid parameter name: {name}")


class InvalidParameterValue(NegotiationError):
    """Raised when an extension parameter has a wrong value."""

    def __init__(self, name: str, value: Optional[str]) -> None:
        self.name = name
        self.value = value
        if value is None:
            message = f"missing value for parameter {name}"
        elif value == "":
            message = f"empty value for parameter {name}"
        else:
            message = f"invalid value for parameter {name}: {value}"
        super().__init__(message)


class AbortHandshake(InvalidHandshake):
    """
    Raised on the server side to answer the handshake with an HTTP response.

    ``process_request`` and the handshake checks use it to refuse a request
    (or to answer a plain HTTP request) without upgrading the connection.

    Args:
        status: HTTP status code.
        headers: HTTP headers of the response.
        body: Body of the response.

    """

    def __init__(
        self,
        status: http.HTTPStatus | int,
        headers: HeadersLike,
        body: bytes = b"",
    ) -> None:
        self.status = http.HTTPStatus(status)
        self.headers = Headers(headers)
        self.body = body
        super().__init__(
            f"HTTP {self.status:d}, {len(self.headers)} headers, {len(body)} bytes"
        )


class RedirectHandshake(InvalidHandshake):
    """
    Raised on the client side when the server answers with a redirect.

    Args:
        uri: The URI to follow, from the ``Location`` header.

    """

    def __init__(self, uri: str) -> None:
        self.uri = uri
        super().__init__(f"redirect to {uri}")


class InvalidState(WebSocketException, AssertionError):
    """
    Raised when an operation isn't allowed in the connection's current state.

    For instance, sending a message once the connection is closing. This is
    a programming error: it subclasses :exc:`AssertionError`.

    """


class InvalidURI(WebSocketException):
    """
    Raised when a URI isn't a valid WebSocket URI.

    Args:
        uri: The offending URI.
        msg: What is wrong with it.

    """

    def __init__(self, uri: str, msg: str = "") -> None:
        self.uri = uri
        self.msg = msg
        text = f"{uri} isn't a valid URI"
        if msg:
            text += f": {msg}"
        super().__init__(text)


class PayloadTooBig(WebSocketException):
    """Raised when a frame or message exceeds the ``max_size`` limit."""


class ProtocolError(WebSocketException):
    """Raised when the peer breaks a rule of the WebSocket protocol."""


#: Alias of :exc:`ProtocolError`, its name in earlier versions.
WebSocketProtocolError = ProtocolError


class ConcurrencyError(WebSocketException, RuntimeError):
    """
    Raised when two coroutines use a connection in a conflicting way.

    For instance, two concurrent calls to ``recv()``. It subclasses
    :exc:`RuntimeError`.

    """
