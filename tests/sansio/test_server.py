import logging
import random
import time

import pytest

from websockets.exceptions import (
    PayloadTooBig,
    InvalidHeader,
    InvalidMessage,
    InvalidOrigin,
    InvalidUpgrade,
)
from websockets.framing import OP_BINARY, OP_TEXT, Frame
from websockets.http import SERVER, Request
from websockets.sansio.connection import CONNECTING, OPEN
from websockets.sansio.server import ServerConnection, http_date
from websockets.utils import accept_key

from .extensions import Rsv2Extension, ServerRsv2Factory


KEY = "dGhlIHNhbXBsZSBub25jZQ=="
DATE = "Sun, 06 Nov 1994 08:49:37 GMT"


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch):
    monkeypatch.setattr("websockets.sansio.server.http_date", lambda: DATE)


def request_bytes(*extra_headers, path="/chat", **replace):
    headers = {
        "Host": "example.com",
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": KEY,
        "Sec-WebSocket-Version": "13",
    }
    headers.update(replace)
    lines = [f"GET {path} HTTP/1.1"]
    lines += [f"{name}: {value}" for name, value in headers.items() if value is not None]
    lines += extra_headers
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def receive_request(server, data):
    server.receive_data(data)
    [request] = server.events_received()
    return request


def answer(server, *extra_headers, **replace):
    """Receive a request, accept it, send the response; return the response."""
    response = server.accept(receive_request(server, request_bytes(*extra_headers, **replace)))
    server.send_response(response)
    return response


def test_request_event():
    server = ServerConnection()
    request = receive_request(server, request_bytes())
    assert isinstance(request, Request) and request.path == "/chat"
    assert server.request is request
    assert server.state is CONNECTING


def test_request_byte_by_byte():
    server = ServerConnection()
    data = request_bytes()
    for i in range(len(data) - 1):
        server.receive_data(data[i : i + 1])
        assert server.events_received() == []
    server.receive_data(data[-1:])
    assert [event.path for event in server.events_received()] == ["/chat"]


def test_accept_exact_bytes():
    server = ServerConnection()
    answer(server)
    assert server.data_to_send() == [
        f"HTTP/1.1 101 Switching Protocols\r\n"
        f"Date: {DATE}\r\n"
        f"Upgrade: websocket\r\n"
        f"Connection: Upgrade\r\n"
        f"Sec-WebSocket-Accept: {accept_key(KEY)}\r\n"
        f"Server: {SERVER}\r\n"
        f"\r\n".encode()
    ]
    assert server.state is OPEN
    assert server.handshake_exc is None
    # The reader of the handshake is gone with it.
    assert not hasattr(server, "reader")


def test_frames_received_before_the_response_are_kept():
    server = ServerConnection()
    request = receive_request(server, request_bytes() + b"\x81\x82\x00\x00\x00\x00hi")
    server.send_response(server.accept(request))
    assert server.events_received() == [Frame(True, OP_TEXT, b"hi")]


def test_reject():
    server = ServerConnection()
    response = server.reject(404, "Not here.\n")
    assert (response.status_code, response.reason_phrase) == (404, "Not Found")
    assert response.body == b"Not here.\n"
    assert list(response.headers.raw_items()) == [
        ("Date", DATE),
        ("Connection", "close"),
        ("Content-Length", "10"),
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Server", SERVER),
    ]
    server.send_response(response)
    assert server.data_to_send() == [response.serialize(), b""]
    assert server.handshake_exc is None
    assert server.close_expected()


def test_respond():
    server = ServerConnection()
    response = server.respond(200, [("X-Check", "ok")], "fine\n")
    assert (response.status_code, response.reason_phrase) == (200, "OK")
    assert response.body == b"fine\n"
    assert list(response.headers.raw_items()) == [
        ("X-Check", "ok"),
        ("Date", DATE),
        ("Server", SERVER),
        ("Content-Length", "5"),
        ("Content-Type", "text/plain"),
        ("Connection", "close"),
    ]
    server.send_response(response)
    assert server.data_to_send() == [response.serialize(), b""]


def test_respond_headers_replace_defaults():
    server = ServerConnection()
    body = b"\x89PNG\r\n"
    headers = {"Content-Type": "image/png", "Server": "mine", "Date": "then"}
    response = server.respond(404, headers, body, server_header=None)
    assert response.body == body
    assert list(response.headers.raw_items()) == [
        ("Content-Type", "image/png"),
        ("Server", "mine"),
        ("Date", "then"),
        ("Content-Length", "6"),
        ("Connection", "close"),
    ]


def test_respond_unknown_status_without_server_header():
    server = ServerConnection()
    response = server.respond(599, {}, b"", server_header=None)
    assert (response.status_code, response.reason_phrase) == (599, "Unknown")
    assert "Server" not in response.headers


@pytest.mark.parametrize(
    "replace, status, error",
    [
        ({"Upgrade": None}, 426, InvalidUpgrade),
        ({"Connection": "keep-alive"}, 426, InvalidUpgrade),
        ({"Sec-WebSocket-Key": None}, 400, InvalidHeader),
        ({"Sec-WebSocket-Version": "8"}, 400, InvalidHeader),
    ],
)
def test_refused_requests(replace, status, error):
    server = ServerConnection()
    response = answer(server, **replace)
    assert response.status_code == status
    assert isinstance(server.handshake_exc, error)
    assert response.body.decode().startswith("Failed to open a WebSocket connection: ")
    assert server.data_to_send()[-1] == b""
    assert server.state is CONNECTING


def test_upgrade_required_says_what_to_upgrade_to():
    response = answer(ServerConnection(), Upgrade=None)
    assert response.headers["Upgrade"] == "websocket"


def test_malformed_request_gets_400():
    server = ServerConnection()
    server.receive_data(b"GET / HTTP/1.0\r\n\r\n")
    assert server.events_received() == []
    assert isinstance(server.handshake_exc, InvalidMessage)
    response, eof = server.data_to_send()
    assert response.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert eof == b""


def test_eof_during_request_gets_no_answer():
    server = ServerConnection()
    server.receive_data(b"GET / HTTP/1.1\r\n")
    server.receive_eof()
    assert isinstance(server.handshake_exc, InvalidMessage)
    assert server.data_to_send() == [b""]


# Origins.


@pytest.mark.parametrize(
    "origins, origin, status",
    [
        (None, "https://evil.example", 101),
        (["https://example.com"], "https://example.com", 101),
        (["https://example.com"], "https://evil.example", 403),
        (["https://example.com"], None, 403),
        (["https://example.com", None], None, 101),
    ],
)
def test_origins(origins, origin, status):
    server = ServerConnection(origins=origins)
    response = answer(server, Origin=origin)
    assert response.status_code == status
    if status == 403:
        assert isinstance(server.handshake_exc, InvalidOrigin)


def test_multiple_origins():
    server = ServerConnection(origins=["https://example.com"])
    response = answer(server, "Origin: https://example.com", "Origin: https://example.com")
    assert response.status_code == 400
    assert isinstance(server.handshake_exc, InvalidHeader)


# Extensions.


def test_extension_negotiated():
    server = ServerConnection(extensions=[ServerRsv2Factory()])
    response = answer(server, "Sec-WebSocket-Extensions: x-other, x-rsv2")
    assert response.headers["Sec-WebSocket-Extensions"] == "x-rsv2"
    assert server.extensions == [Rsv2Extension()]
    server.receive_data(b"\xa1\x82\x00\x00\x00\x00ih")
    assert server.events_received() == [Frame(True, OP_TEXT, b"hi")]


def test_extension_declined_then_accepted():
    server = ServerConnection(extensions=[ServerRsv2Factory()])
    response = answer(server, "Sec-WebSocket-Extensions: x-rsv2; a=1, x-rsv2")
    assert response.headers["Sec-WebSocket-Extensions"] == "x-rsv2"


def test_extension_not_supported():
    server = ServerConnection()
    response = answer(server, "Sec-WebSocket-Extensions: x-rsv2")
    assert "Sec-WebSocket-Extensions" not in response.headers
    assert server.extensions == []


def test_extension_all_declined():
    server = ServerConnection(extensions=[ServerRsv2Factory()])
    response = answer(server, "Sec-WebSocket-Extensions: x-rsv2; a=1")
    assert "Sec-WebSocket-Extensions" not in response.headers


# Subprotocols.


@pytest.mark.parametrize(
    "server_subprotocols, offer, selected",
    [
        # Equal sums of ranks: the client's preference wins.
        (["chat", "superchat"], "superchat, chat", "superchat"),
        # Ranks 0 + 1 for chat beat 0 + 2 for superchat.
        (["chat", "other", "superchat"], "superchat, chat", "chat"),
        (["superchat", "chat"], "superchat, chat", "superchat"),
        (["a", "b", "c"], "c, b, a", "c"),
        (["chat"], "other", None),
        ([], "chat", None),
    ],
)
def test_subprotocol_selection(server_subprotocols, offer, selected):
    server = ServerConnection(subprotocols=server_subprotocols)
    response = answer(server, f"Sec-WebSocket-Protocol: {offer}")
    assert server.subprotocol == selected
    assert response.headers.get("Sec-WebSocket-Protocol") == selected


def test_subprotocol_over_several_headers():
    server = ServerConnection(subprotocols=["superchat"])
    answer(server, "Sec-WebSocket-Protocol: chat", "Sec-WebSocket-Protocol: superchat")
    assert server.subprotocol == "superchat"


def test_no_subprotocol_offered():
    server = ServerConnection(subprotocols=["chat"])
    response = answer(server)
    assert server.subprotocol is None
    assert "Sec-WebSocket-Protocol" not in response.headers


def test_custom_select_subprotocol():
    def select(client, server):
        return client[-1]

    server = ServerConnection(subprotocols=["chat"], select_subprotocol=select)
    answer(server, "Sec-WebSocket-Protocol: chat, superchat")
    assert server.subprotocol == "superchat"


def test_invalid_subprotocols_refused():
    with pytest.raises(TypeError):
        ServerConnection(subprotocols="chat")


def test_http_date():
    assert http_date(784111777) == DATE
    assert http_date(0) == "Thu, 01 Jan 1970 00:00:00 GMT"


def test_http_date_rounds_down_like_gmtime():
    # The last date is reused within its second, and only within it.
    assert http_date(784111777.9) == DATE
    assert http_date(784111778) == "Sun, 06 Nov 1994 08:49:38 GMT"
    assert http_date(-0.5) == "Wed, 31 Dec 1969 23:59:59 GMT"


def test_http_date_now(monkeypatch):
    monkeypatch.setattr(time, "time", lambda: 784111777.25)
    assert http_date() == DATE
    monkeypatch.setattr(time, "time", lambda: 784111778.0)
    assert http_date() == "Sun, 06 Nov 1994 08:49:38 GMT"


def test_debug_logs_the_handshake(caplog):
    logger = logging.getLogger("test.server")
    logger.setLevel(logging.DEBUG)
    server = ServerConnection(logger=logger)
    with caplog.at_level(logging.DEBUG, logger="test.server"):
        answer(server, Upgrade=None)
    messages = [record.getMessage() for record in caplog.records]
    assert "< GET /chat HTTP/1.1" in messages
    assert "> HTTP/1.1 426 Upgrade Required" in messages
    assert any(message.startswith("! invalid handshake request: ") for message in messages)


def compressed_pair(max_size):
    """A client and a server that negotiated permessage-deflate."""
    from websockets.extensions.permessage_deflate import (
        enable_client_permessage_deflate,
        enable_server_permessage_deflate,
    )
    from websockets.sansio.client import ClientConnection
    from websockets.uri import parse_uri

    client = ClientConnection(
        parse_uri("ws://example.com/"),
        extensions=enable_client_permessage_deflate(None),
    )
    server = ServerConnection(
        extensions=enable_server_permessage_deflate(None), max_size=max_size
    )
    client.send_request(client.connect())
    for data in client.data_to_send():
        server.receive_data(data)
    [request] = server.events_received()
    server.send_response(server.accept(request))
    for data in server.data_to_send():
        client.receive_data(data)
    assert client.state is OPEN and server.state is OPEN
    assert [ext.name for ext in server.extensions] == ["permessage-deflate"]
    return client, server


@pytest.mark.parametrize("size, accepted", [(2**20, True), (2**20 + 1, False)])
def test_max_size_applies_to_the_decompressed_message(size, accepted):
    # Random bytes don't compress: the frame on the wire is longer than the
    # message, which must not count against max_size.
    client, server = compressed_pair(max_size=2**20)
    payload = random.Random(size).randbytes(size)
    client.send_binary(payload)
    data = b"".join(client.data_to_send())
    assert len(data) > size
    server.receive_data(data)
    if accepted:
        assert server.events_received() == [Frame(True, OP_BINARY, payload)]
    else:
        assert server.events_received() == []
        assert isinstance(server.parser_exc, PayloadTooBig)
        assert server.close_sent.code == 1009


def test_max_size_applies_to_the_decompressed_fragments():
    client, server = compressed_pair(max_size=2**16)
    rng = random.Random(42)
    fragments = [rng.randbytes(2**15), rng.randbytes(2**15)]
    client.send_binary(fragments[0], fin=False)
    client.send_continuation(fragments[1], fin=True)
    for data in client.data_to_send():
        server.receive_data(data)
    assert [frame.data for frame in server.events_received()] == fragments
    client.send_binary(fragments[0], fin=False)
    client.send_continuation(fragments[1] + b"!", fin=True)
    for data in client.data_to_send():
        server.receive_data(data)
    assert isinstance(server.parser_exc, PayloadTooBig)
