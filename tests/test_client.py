"""Tests of the asyncio client: connect(), redirects, handshake failures."""

import asyncio
import http
import socket

import pytest

from websockets.client import Connect, WebSocketClientProtocol, connect
from websockets.exceptions import (
    InvalidHandshake,
    InvalidHeader,
    InvalidMessage,
    InvalidStatusCode,
    InvalidURI,
    SecurityError,
)
from websockets.http import USER_AGENT

from .utils import (
    MS,
    accept_then,
    echo_server,
    get_port,
    get_uri,
    raw_server,
    run,
)


async def path_handler(ws, path):
    """Tell the client where it landed and what it sent."""
    await ws.send(path)
    await ws.send(ws.request_headers.get("User-Agent", "<none>"))
    await ws.wait_closed()


def redirect_to(location, status=http.HTTPStatus.FOUND, when=lambda path: True):
    def process_request(path, request_headers):
        if when(path):
            return status, [("Location", location)], b""
        return None

    return process_request


# Redirects.


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_relative(loop_factory, status):
    async def main():
        process_request = redirect_to(
            "/target?q=1", status, when=lambda path: path == "/start"
        )
        async with echo_server(path_handler, process_request=process_request) as server:
            async with connect(get_uri(server, "/start")) as ws:
                assert await ws.recv() == "/target?q=1"
                assert ws.path == "/target?q=1"

    run(main(), loop_factory)


def test_redirect_other_server(loop_factory):
    async def main():
        async with echo_server(path_handler) as target:
            location = get_uri(target, "/elsewhere")
            async with echo_server(process_request=redirect_to(location)) as server:
                async with connect(get_uri(server)) as ws:
                    assert await ws.recv() == "/elsewhere"
                    assert ws.remote_address[1] == get_port(target)

    run(main(), loop_factory)


def test_redirect_overridden_host_is_kept_for_same_origin(loop_factory):
    async def main():
        process_request = redirect_to("/b", when=lambda path: path == "/a")
        async with echo_server(path_handler, process_request=process_request) as server:
            # The URI names a host that doesn't resolve; host= overrides it.
            uri = f"ws://invalid.example:{get_port(server)}/a"
            async with connect(uri, host="127.0.0.1") as ws:
                assert await ws.recv() == "/b"

    run(main(), loop_factory)


def test_redirect_loop(loop_factory):
    async def main():
        async with echo_server(process_request=redirect_to("/again")) as server:
            with pytest.raises(SecurityError, match="too many redirects"):
                await connect(get_uri(server))

    run(main(), loop_factory)


def test_redirect_without_location(loop_factory):
    async def main():
        def process_request(path, request_headers):
            return http.HTTPStatus.FOUND, [], b""

        async with echo_server(process_request=process_request) as server:
            with pytest.raises(InvalidHeader):
                await connect(get_uri(server))

    run(main(), loop_factory)


def test_redirect_wss_to_ws_refused(loop_factory, certificate):
    async def main():
        async with echo_server() as plain:
            location = get_uri(plain)
            async with echo_server(
                process_request=redirect_to(location), ssl=certificate.server_context()
            ) as server:
                with pytest.raises(SecurityError, match="WSS to WS"):
                    await connect(
                        get_uri(server, secure=True), ssl=certificate.client_context()
                    )

    run(main(), loop_factory)


def test_redirect_ws_to_wss(loop_factory, certificate, monkeypatch):
    # The default TLS context trusts the test certificate.
    monkeypatch.setenv("SSL_CERT_FILE", certificate.certfile)

    async def main():
        async with echo_server(path_handler, ssl=certificate.server_context()) as tls:
            location = f"wss://localhost:{get_port(tls)}/secure"
            async with echo_server(process_request=redirect_to(location)) as server:
                async with connect(get_uri(server)) as ws:
                    assert ws.secure
                    assert await ws.recv() == "/secure"

    run(main(), loop_factory)


# Handshake failures.


@pytest.mark.parametrize("status", [401, 403, 404, 500, 503])
def test_invalid_status_code(loop_factory, status):
    async def main():
        def process_request(path, request_headers):
            return status, [("X-Why", "because")], b"no\n"

        async with echo_server(process_request=process_request) as server:
            with pytest.raises(InvalidStatusCode) as raised:
                await connect(get_uri(server))
            assert raised.value.status_code == status
            assert raised.value.headers["X-Why"] == "because"

    run(main(), loop_factory)


def test_invalid_response(loop_factory):
    async def handler(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 101 Switching Protocols\r\n\r\n")
        await reader.read()

    async def main():
        async with raw_server(handler) as server:
            with pytest.raises(InvalidHandshake):
                await connect(get_uri(server))

    run(main(), loop_factory)


def test_server_closes_during_handshake(loop_factory):
    async def handler(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        writer.close()

    async def main():
        async with raw_server(handler) as server:
            with pytest.raises(InvalidMessage) as raised:
                await connect(get_uri(server))
            assert isinstance(raised.value.__cause__, EOFError)

    run(main(), loop_factory)


def test_open_timeout(loop_factory):
    async def handler(reader, writer):
        await reader.read()  # never answers

    async def main():
        async with raw_server(handler) as server:
            with pytest.raises(asyncio.TimeoutError):
                await connect(get_uri(server), open_timeout=50 * MS)

    run(main(), loop_factory)


def test_connection_refused(loop_factory):
    async def main():
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        with pytest.raises(OSError):
            await connect(f"ws://127.0.0.1:{port}/")

    run(main(), loop_factory)


def test_messages_right_after_response(loop_factory):
    # A server may send frames in the same packet as its 101 response.
    async def handler(reader, writer):
        async def send_message(reader, writer):
            writer.write(b"\x81\x05hello")
            await reader.read()

        await accept_then(reader, writer, send_message)

    async def main():
        async with raw_server(handler) as server:
            ws = await connect(get_uri(server), compression=None)
            assert await ws.recv() == "hello"
            ws.transport.abort()
            await ws.wait_closed()

    run(main(), loop_factory)


# Arguments.


def test_invalid_uri():
    with pytest.raises(InvalidURI):
        connect("http://localhost/")


def test_ssl_with_ws_uri():
    with pytest.raises(ValueError, match="wss://"):
        connect("ws://localhost/", ssl=True)


def test_unsupported_compression():
    with pytest.raises(ValueError, match="compression"):
        connect("ws://localhost/", compression="brotli")


def test_connect_is_a_class():
    assert connect is Connect
    assert Connect.MAX_REDIRECTS_ALLOWED == 10


def test_headers_and_options(loop_factory):
    async def handler(ws):
        headers = ws.request_headers
        await ws.send(headers.get("User-Agent", "<none>"))
        await ws.send(headers.get("Origin", "<none>"))
        await ws.send(headers.get("X-Extra", "<none>"))
        await ws.send(headers.get("Sec-WebSocket-Extensions", "<none>"))
        await ws.wait_closed()

    async def main():
        async with echo_server(handler) as server:
            uri = get_uri(server)
            async with connect(uri) as ws:
                assert await ws.recv() == USER_AGENT
                assert await ws.recv() == "<none>"
                assert await ws.recv() == "<none>"
                assert "permessage-deflate" in await ws.recv()
            async with connect(
                uri,
                user_agent_header=None,
                origin="https://example.com",
                extra_headers={"X-Extra": "1"},
                compression=None,
                loop=asyncio.get_running_loop(),
            ) as ws:
                assert await ws.recv() == "<none>"
                assert await ws.recv() == "https://example.com"
                assert await ws.recv() == "1"
                assert await ws.recv() == "<none>"
                assert ws.extensions == []
            async with connect(
                uri, user_agent_header="agent/1", extra_headers=[("X-Extra", "2")]
            ) as ws:
                assert await ws.recv() == "agent/1"
                await ws.recv()
                assert await ws.recv() == "2"

    run(main(), loop_factory)


def test_subprotocols(loop_factory):
    async def main():
        async with echo_server(subprotocols=["chat", "superchat"]) as server:
            async with connect(get_uri(server), subprotocols=["superchat"]) as ws:
                assert ws.subprotocol == "superchat"
            async with connect(get_uri(server)) as ws:
                assert ws.subprotocol is None

    run(main(), loop_factory)


def test_user_info_becomes_basic_auth(loop_factory):
    async def handler(ws):
        await ws.send(ws.request_headers["Authorization"])
        await ws.wait_closed()

    async def main():
        async with echo_server(handler) as server:
            uri = f"ws://user:pass@127.0.0.1:{get_port(server)}/"
            async with connect(uri) as ws:
                assert await ws.recv() == "Basic dXNlcjpwYXNz"

    run(main(), loop_factory)


def test_host_port_and_sock_overrides(loop_factory):
    async def main():
        async with echo_server(path_handler) as server:
            port = get_port(server)
            async with connect("ws://example.invalid/p", host="127.0.0.1", port=port) as ws:
                assert await ws.recv() == "/p"
                assert ws.request_headers["Host"] == "example.invalid"
            sock = socket.create_connection(("127.0.0.1", port))
            async with connect("ws://example.invalid/s", sock=sock) as ws:
                assert await ws.recv() == "/s"

    run(main(), loop_factory)


def test_create_protocol(loop_factory):
    class MyProtocol(WebSocketClientProtocol):
        created = 0

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            type(self).created += 1

    async def main():
        async with echo_server() as server:
            async with connect(get_uri(server), create_protocol=MyProtocol) as ws:
                assert isinstance(ws, MyProtocol)
                await ws.send("custom")
                assert await ws.recv() == "custom"
        assert MyProtocol.created == 1

    run(main(), loop_factory)


def test_await_then_close(loop_factory):
    async def main():
        async with echo_server() as server:
            connection = connect(get_uri(server))
            ws = await connection
            assert connection.protocol is ws
            await ws.close()
            await ws.close()  # closing twice does nothing
            assert ws.closed

    run(main(), loop_factory)
