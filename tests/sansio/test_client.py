import logging

import pytest

from websockets.exceptions import (
    InvalidHandshake,
    InvalidHeader,
    InvalidHeaderValue,
    InvalidMessage,
    InvalidStatusCode,
    NegotiationError,
)
from websockets.framing import OP_TEXT, Frame
from websockets.http import USER_AGENT, Request, Response
from websockets.sansio.client import ClientConnection
from websockets.sansio.connection import CONNECTING, OPEN
from websockets.uri import parse_uri
from websockets.utils import accept_key

from .extensions import ClientRsv2Factory, Rsv2Extension


KEY = "dGhlIHNhbXBsZSBub25jZQ=="
ACCEPT = accept_key(KEY)


@pytest.fixture(autouse=True)
def fixed_key(monkeypatch):
    monkeypatch.setattr("websockets.handshake.generate_key", lambda: KEY)


def make_client(uri="ws://example.com/chat?room=1", **kwargs):
    return ClientConnection(parse_uri(uri), **kwargs)


def response_bytes(*extra_headers, status="101 Switching Protocols", accept=ACCEPT):
    lines = [
        f"HTTP/1.1 {status}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Accept: {accept}",
        *extra_headers,
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def handshake(client, data):
    client.send_request(client.connect())
    client.data_to_send()
    client.receive_data(data)
    return client.events_received()


# Building the request.


def test_request_exact_bytes():
    client = make_client()
    client.send_request(client.connect())
    assert client.data_to_send() == [
        f"GET /chat?room=1 HTTP/1.1\r\n"
        f"Host: example.com\r\n"
        f"Upgrade: websocket\r\n"
        f"Connection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {KEY}\r\n"
        f"Sec-WebSocket-Version: 13\r\n"
        f"User-Agent: {USER_AGENT}\r\n"
        f"\r\n".encode()
    ]
    assert client.state is CONNECTING


def test_request_host_with_port_and_ipv6():
    assert make_client("ws://[::1]:8080/").connect().headers["Host"] == "[::1]:8080"
    assert make_client("wss://example.com:443/").connect().headers["Host"] == "example.com"


def test_request_credentials_become_basic_auth():
    request = make_client("ws://user:pass@example.com/").connect()
    assert request.headers["Authorization"] == "Basic dXNlcjpwYXNz"


def test_request_origin_extensions_subprotocols():
    client = make_client(
        origin="https://example.com",
        extensions=[ClientRsv2Factory()],
        subprotocols=["chat", "superchat"],
    )
    headers = client.connect().headers
    assert headers["Origin"] == "https://example.com"
    assert headers["Sec-WebSocket-Extensions"] == "x-rsv2"
    assert headers["Sec-WebSocket-Protocol"] == "chat, superchat"


def test_request_extra_headers_and_user_agent():
    request = make_client().connect(extra_headers={"X-Trace": "1"}, user_agent=None)
    assert request.headers["X-Trace"] == "1"
    assert "User-Agent" not in request.headers
    request = make_client().connect(extra_headers=[("User-Agent", "mine")])
    assert request.headers.get_all("User-Agent") == ["mine"]


def test_invalid_subprotocols_refused():
    with pytest.raises(TypeError):
        make_client(subprotocols="chat")


# Receiving the response.


def test_successful_handshake():
    client = make_client()
    [response] = handshake(client, response_bytes())
    assert isinstance(response, Response) and response.status_code == 101
    assert client.state is OPEN
    assert client.response is response
    assert client.handshake_exc is None
    assert client.extensions == [] and client.subprotocol is None
    # The reader of the handshake is gone with it.
    assert not hasattr(client, "reader")
    assert isinstance(client.request, Request)


def test_response_byte_by_byte_then_frames():
    client = make_client()
    client.send_request(client.connect())
    data = response_bytes() + b"\x81\x02hi"
    for i in range(len(data)):
        client.receive_data(data[i : i + 1])
    [response, frame] = client.events_received()
    assert response.status_code == 101
    assert frame == Frame(True, OP_TEXT, b"hi")


def test_frames_in_the_same_segment_as_the_response():
    client = make_client()
    events = handshake(client, response_bytes() + b"\x81\x02hi\x81\x00")
    assert events[1:] == [Frame(True, OP_TEXT, b"hi"), Frame(True, OP_TEXT, b"")]


def test_non_101_status():
    client = make_client()
    data = b"HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nnop"
    [response] = handshake(client, data)
    assert response.status_code == 404 and response.body == b"nop"
    assert isinstance(client.handshake_exc, InvalidStatusCode)
    assert client.handshake_exc.status_code == 404
    assert client.handshake_exc.headers["Content-Length"] == "3"
    assert client.data_to_send() == [b""]
    assert client.close_expected()


def test_redirect_keeps_location():
    client = make_client()
    handshake(client, b"HTTP/1.1 302 Found\r\nLocation: /new\r\nContent-Length: 0\r\n\r\n")
    assert client.handshake_exc.status_code == 302
    assert client.handshake_exc.headers["Location"] == "/new"


def test_wrong_accept():
    client = make_client()
    handshake(client, response_bytes(accept=accept_key("other")))
    assert isinstance(client.handshake_exc, InvalidHeaderValue)
    assert client.state is CONNECTING
    assert client.data_to_send() == [b""]


def test_missing_upgrade():
    client = make_client()
    handshake(client, b"HTTP/1.1 101 Switching Protocols\r\n\r\n")
    assert isinstance(client.handshake_exc, InvalidHeader)


def test_malformed_response():
    client = make_client()
    assert handshake(client, b"SSH-2.0-OpenSSH\r\n\r\n") == []
    assert isinstance(client.handshake_exc, InvalidMessage)
    assert client.data_to_send() == [b""]


def test_eof_before_response():
    client = make_client()
    client.send_request(client.connect())
    client.receive_data(b"HTTP/1.1 101 Switching")
    client.receive_eof()
    assert isinstance(client.handshake_exc, InvalidMessage)
    assert isinstance(client.handshake_exc.__cause__, EOFError)


def test_data_after_failed_handshake_is_ignored():
    client = make_client()
    handshake(client, b"SSH-2.0-OpenSSH\r\n\r\n")
    client.receive_data(b"more garbage")
    assert client.events_received() == []


# Extensions.


def test_extension_accepted():
    client = make_client(extensions=[ClientRsv2Factory()])
    handshake(client, response_bytes("Sec-WebSocket-Extensions: x-rsv2"))
    assert client.extensions == [Rsv2Extension()]
    assert client.state is OPEN


def test_extension_not_offered():
    client = make_client()
    handshake(client, response_bytes("Sec-WebSocket-Extensions: x-rsv2"))
    assert isinstance(client.handshake_exc, InvalidHandshake)
    assert str(client.handshake_exc) == "no extensions supported"


def test_extension_unknown_or_declined():
    client = make_client(extensions=[ClientRsv2Factory()])
    handshake(client, response_bytes("Sec-WebSocket-Extensions: x-other"))
    assert isinstance(client.handshake_exc, NegotiationError)
    client = make_client(extensions=[ClientRsv2Factory()])
    handshake(client, response_bytes("Sec-WebSocket-Extensions: x-rsv2; a=1"))
    assert isinstance(client.handshake_exc, NegotiationError)


def test_extension_frames_decoded():
    client = make_client(extensions=[ClientRsv2Factory()])
    events = handshake(client, response_bytes("Sec-WebSocket-Extensions: x-rsv2") + b"\xa1\x02ih")
    assert events[1] == Frame(True, OP_TEXT, b"hi")


# Subprotocols.


def test_subprotocol_selected():
    client = make_client(subprotocols=["chat", "superchat"])
    handshake(client, response_bytes("Sec-WebSocket-Protocol: superchat"))
    assert client.subprotocol == "superchat"


@pytest.mark.parametrize(
    "headers, error",
    [
        (["Sec-WebSocket-Protocol: chat", "Sec-WebSocket-Protocol: chat"], InvalidHeader),
        (["Sec-WebSocket-Protocol: chat, superchat"], InvalidHeaderValue),
        (["Sec-WebSocket-Protocol: other"], NegotiationError),
    ],
)
def test_subprotocol_errors(headers, error):
    client = make_client(subprotocols=["chat", "superchat"])
    handshake(client, response_bytes(*headers))
    assert isinstance(client.handshake_exc, error)


def test_subprotocol_not_offered():
    client = make_client()
    handshake(client, response_bytes("Sec-WebSocket-Protocol: chat"))
    assert isinstance(client.handshake_exc, NegotiationError)


def test_skip_handshake():
    client = make_client(state=OPEN)
    client.receive_data(b"\x81\x02hi")
    assert client.events_received() == [Frame(True, OP_TEXT, b"hi")]


def test_debug_logs_the_handshake(caplog):
    logger = logging.getLogger("test.client")
    logger.setLevel(logging.DEBUG)
    client = make_client(logger=logger)
    with caplog.at_level(logging.DEBUG, logger="test.client"):
        handshake(client, b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    messages = [record.getMessage() for record in caplog.records]
    assert "> GET /chat?room=1 HTTP/1.1" in messages
    assert "> Host: example.com" in messages
    assert "< HTTP/1.1 400 Bad Request" in messages
    assert "! handshake failed: server rejected WebSocket connection: HTTP 400" in messages
