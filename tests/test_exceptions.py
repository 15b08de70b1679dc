import pytest

from websockets.datastructures import Headers
from websockets.exceptions import (
    AbortHandshake,
    ConcurrencyError,
    ConnectionClosed,
    ConnectionClosedError,
    ConnectionClosedOK,
    DuplicateParameter,
    InvalidHandshake,
    InvalidHeader,
    InvalidHeaderFormat,
    InvalidHeaderValue,
    InvalidMessage,
    InvalidOrigin,
    InvalidParameterName,
    InvalidParameterValue,
    InvalidState,
    InvalidStatusCode,
    InvalidUpgrade,
    InvalidURI,
    NegotiationError,
    PayloadTooBig,
    ProtocolError,
    RedirectHandshake,
    SecurityError,
    WebSocketException,
    WebSocketProtocolError,
    close_code_explanation,
)
from websockets.framing import Close


@pytest.mark.parametrize(
    "exc, text",
    [
        (ConnectionClosed(1000, ""), "code = 1000 (OK), no reason"),
        (ConnectionClosedOK(1001, "bye"), "code = 1001 (going away), reason = bye"),
        (ConnectionClosedError(1006), "code = 1006 (connection closed abnormally [internal]), no reason"),
        (ConnectionClosedError(3000), "code = 3000 (registered), no reason"),
        (ConnectionClosedError(4000), "code = 4000 (private use), no reason"),
        (ConnectionClosedError(5000), "code = 5000 (unknown), no reason"),
        (InvalidHeader("Name"), "missing Name header"),
        (InvalidHeader("Name", ""), "empty Name header"),
        (InvalidHeader("Name", "Value"), "invalid Name header: Value"),
        (InvalidHeaderFormat("Name", "expected token", "a=|", 2), "invalid Name header: expected token at 2 in a=|"),
        (InvalidHeaderValue("Name", "Value"), "invalid Name header: Value"),
        (InvalidOrigin("http://x"), "invalid Origin header: http://x"),
        (InvalidOrigin(None), "missing Origin header"),
        (InvalidUpgrade("Upgrade", "h2c"), "invalid Upgrade header: h2c"),
        (InvalidStatusCode(403), "server rejected WebSocket connection: HTTP 403"),
        (DuplicateParameter("a"), "duplicate parameter: a"),
        (InvalidParameterName("a"), "invalid parameter name: a"),
        (InvalidParameterValue("a", None), "missing value for parameter a"),
        (InvalidParameterValue("a", ""), "empty value for parameter a"),
        (InvalidParameterValue("a", "b"), "invalid value for parameter a: b"),
        (AbortHandshake(200, [("X", "1")], b"OK"), "HTTP 200, 1 headers, 2 bytes"),
        (RedirectHandshake("wss://x/"), "redirect to wss://x/"),
        (InvalidURI("http://x"), "http://x isn't a valid URI"),
        (InvalidURI("http://x", "scheme isn't ws or wss"), "http://x isn't a valid URI: scheme isn't ws or wss"),
    ],
)
def test_str(exc, text):
    assert str(exc) == text


def test_connection_closed_attributes():
    rcvd, sent = Close(1000, "bye"), Close(1000, "")
    exc = ConnectionClosedOK(1000, "bye", rcvd=rcvd, sent=sent)
    assert (exc.code, exc.reason, exc.rcvd, exc.sent) == (1000, "bye", rcvd, sent)


def test_invalid_status_code_headers():
    assert InvalidStatusCode(500).headers == Headers()
    headers = Headers(Location="/")
    exc = InvalidStatusCode(302, headers)
    assert (exc.status_code, exc.headers) == (302, headers)


def test_abort_handshake_attributes():
    exc = AbortHandshake(404, {"X": "1"})
    assert exc.status == 404 and exc.status.phrase == "Not Found"
    assert exc.headers == Headers(X="1") and exc.body == b""


@pytest.mark.parametrize(
    "cls, bases",
    [
        (ConnectionClosedOK, (ConnectionClosed,)),
        (ConnectionClosedError, (ConnectionClosed,)),
        (SecurityError, (InvalidHandshake,)),
        (InvalidMessage, (InvalidHandshake,)),
        (InvalidHeaderFormat, (InvalidHeader,)),
        (InvalidHeaderValue, (InvalidHeader,)),
        (InvalidOrigin, (InvalidHeader,)),
        (InvalidUpgrade, (InvalidHeader,)),
        (InvalidHeader, (InvalidHandshake,)),
        (InvalidStatusCode, (InvalidHandshake,)),
        (DuplicateParameter, (NegotiationError,)),
        (InvalidParameterName, (NegotiationError,)),
        (InvalidParameterValue, (NegotiationError,)),
        (NegotiationError, (InvalidHandshake,)),
        (AbortHandshake, (InvalidHandshake,)),
        (RedirectHandshake, (InvalidHandshake,)),
        (InvalidState, (WebSocketException, AssertionError)),
        (ConcurrencyError, (WebSocketException, RuntimeError)),
        (InvalidURI, (WebSocketException,)),
        (PayloadTooBig, (WebSocketException,)),
        (ProtocolError, (WebSocketException,)),
        (ConnectionClosed, (WebSocketException,)),
        (InvalidHandshake, (WebSocketException,)),
    ],
)
def test_hierarchy(cls, bases):
    assert all(issubclass(cls, base) for base in bases)


def test_protocol_error_alias():
    assert WebSocketProtocolError is ProtocolError


@pytest.mark.parametrize("code", [1000, 1001, 1002, 1003, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 1015])
def test_close_code_explanation_known(code):
    assert close_code_explanation(code) not in ("registered", "private use", "unknown")
