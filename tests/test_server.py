"""Tests of the asyncio server: serve(), handlers, process_request, closing."""

import asyncio
import functools
import http
import logging
import os
import socket

import pytest

from websockets.client import connect
from websockets.datastructures import Headers
from websockets.exceptions import (
    AbortHandshake,
    ConnectionClosedOK,
    InvalidStatusCode,
)
from websockets.http import SERVER
from websockets.server import (
    Serve,
    WebSocketServer,
    WebSocketServerProtocol,
    serve,
    unix_serve,
)

from .utils import (
    MS,
    echo,
    echo_server,
    get_port,
    get_uri,
    make_request,
    run,
    wait_for_condition,
)


async def read_response(reader):
    """Read a raw HTTP response up to the end of its headers."""
    return (await reader.readuntil(b"\r\n\r\n")).decode()


# Handler signatures.


async def handler_with_path(ws, path):
    await ws.send(f"two args: {path}")


async def handler_without_path(ws):
    await ws.send(f"one arg: {ws.path}")


async def handler_with_extra(ws, path, *, greeting):
    await ws.send(f"{greeting} {path}")


class Handlers:
    def __init__(self, name):
        self.name = name

    async def with_path(self, ws, path):
        await ws.send(f"{self.name} method: {path}")

    async def without_path(self, ws):
        await ws.send(f"{self.name} method: {ws.path}")


@pytest.mark.parametrize(
    "handler, expected",
    [
        (handler_with_path, "two args: /h"),
        (handler_without_path, "one arg: /h"),
        (functools.partial(handler_with_extra, greeting="hi"), "hi /h"),
        (Handlers("bound").with_path, "bound method: /h"),
        (Handlers("bound").without_path, "bound method: /h"),
        (lambda ws, path: ws.send(f"lambda {path}"), "lambda /h"),
    ],
    ids=["ws-path", "ws", "partial", "method-path", "method", "lambda"],
)
def test_handler_signatures(loop_factory, handler, expected):
    async def main():
        async with echo_server(handler) as server:
            async with connect(get_uri(server, "/h")) as ws:
                assert await ws.recv() == expected

    run(main(), loop_factory)


def test_handler_connection_closed_isnt_logged(loop_factory, caplog):
    done = []

    async def handler(ws):
        try:
            await ws.recv()
        finally:
            done.append(True)

    async def main():
        async with echo_server(handler) as server:
            ws = await connect(get_uri(server))
            await ws.close()
            await wait_for_condition(lambda: done)

    with caplog.at_level(logging.ERROR, logger="websockets"):
        run(main(), loop_factory)
    assert caplog.records == []


# process_request.


def health_check(path, request_headers):
    if path == "/health":
        return http.HTTPStatus.OK, [("X-Check", "ok")], b"OK\n"
    return None


async def async_health_check(path, request_headers):
    await asyncio.sleep(0)
    return health_check(path, request_headers)


@pytest.mark.parametrize("process_request", [health_check, async_health_check])
def test_process_request(loop_factory, process_request, caplog):
    async def main():
        async with echo_server(process_request=process_request) as server:
            reader, writer = await asyncio.open_connection("127.0.0.1", get_port(server))
            writer.write(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
            response = await read_response(reader)
            body = await reader.read()
            writer.close()
            assert response.startswith("HTTP/1.1 200 OK\r\n")
            assert "X-Check: ok\r\n" in response
            assert "Content-Length: 3\r\n" in response
            assert f"Server: {SERVER}\r\n" in response
            assert body == b"OK\n"
            # Other paths are upgraded.
            async with connect(get_uri(server)) as ws:
                await ws.send("upgraded")
                assert await ws.recv() == "upgraded"

    with caplog.at_level(logging.INFO, logger="websockets.server"):
        run(main(), loop_factory)
    assert "connection rejected (200 OK)" in [r.getMessage() for r in caplog.records]


def test_process_request_in_subclass(loop_factory):
    class NotFound(WebSocketServerProtocol):
        async def process_request(self, path, request_headers):
            if path != "/ok":
                return 404, Headers(), "not found\n"
            return await super().process_request(path, request_headers)

    class SyncNotFound(WebSocketServerProtocol):
        def process_request(self, path, request_headers):
            return None if path == "/ok" else (404, {}, b"")

    async def main():
        for create_protocol in [NotFound, SyncNotFound]:
            async with echo_server(create_protocol=create_protocol) as server:
                with pytest.raises(InvalidStatusCode) as raised:
                    await connect(get_uri(server, "/nope"))
                assert raised.value.status_code == 404
                async with connect(get_uri(server, "/ok")) as ws:
                    assert isinstance(
                        next(iter(server.websockets)), create_protocol
                    )
                    await ws.send("ok")
                    assert await ws.recv() == "ok"

    run(main(), loop_factory)


def test_process_request_abort_handshake(loop_factory):
    def process_request(path, request_headers):
        raise AbortHandshake(http.HTTPStatus.FORBIDDEN, [("X-Reason", "no")], b"go")

    async def main():
        async with echo_server(process_request=process_request) as server:
            with pytest.raises(InvalidStatusCode) as raised:
                await connect(get_uri(server))
            assert raised.value.status_code == 403
            assert raised.value.headers["X-Reason"] == "no"

    run(main(), loop_factory)


def test_process_request_crashes(loop_factory, caplog):
    def process_request(path, request_headers):
        raise ZeroDivisionError

    async def main():
        async with echo_server(process_request=process_request) as server:
            with pytest.raises(InvalidStatusCode) as raised:
                await connect(get_uri(server))
            assert raised.value.status_code == 500

    with caplog.at_level(logging.ERROR, logger="websockets.server"):
        run(main(), loop_factory)
    assert [r.getMessage() for r in caplog.records] == ["opening handshake failed"]


def test_process_request_invalid_header(loop_factory, caplog):
    def process_request(path, request_headers):
        return 200, [("X-Injected", "a\r\nb")], b""

    async def main():
        async with echo_server(process_request=process_request) as server:
            with pytest.raises(InvalidStatusCode) as raised:
                await connect(get_uri(server))
            assert raised.value.status_code == 500

    with caplog.at_level(logging.ERROR, logger="websockets.server"):
        run(main(), loop_factory)
    assert [r.getMessage() for r in caplog.records] == ["invalid HTTP response"]


def test_process_request_unknown_status(loop_factory):
    def process_request(path, request_headers):
        return 499, [], b""

    async def main():
        async with echo_server(process_request=process_request) as server:
            with pytest.raises(InvalidStatusCode) as raised:
                await connect(get_uri(server))
            assert raised.value.status_code == 499

    run(main(), loop_factory)


# Handshake options.


@pytest.mark.parametrize(
    "extra_headers",
    [
        {"X-Extra": "1", "Server": "custom"},
        [("X-Extra", "1"), ("Server", "custom")],
        Headers(X_Extra="1", Server="custom"),
        lambda path, request_headers: {"X-Extra": "1", "Server": "custom"},
    ],
    ids=["dict", "pairs", "headers", "callable"],
)
def test_extra_headers(loop_factory, extra_headers):
    async def main():
        async with echo_server(extra_headers=extra_headers) as server:
            async with connect(get_uri(server)) as ws:
                headers = ws.response_headers
                assert headers.get("X-Extra", headers.get("X_Extra")) == "1"
                assert headers.get_all("Server") == ["custom"]

    run(main(), loop_factory)


def test_extra_headers_crash(loop_factory, caplog):
    def extra_headers(path, request_headers):
        raise ValueError

    async def main():
        async with echo_server(extra_headers=extra_headers) as server:
            with pytest.raises(InvalidStatusCode) as raised:
                await connect(get_uri(server))
            assert raised.value.status_code == 500

    with caplog.at_level(logging.ERROR, logger="websockets.server"):
        run(main(), loop_factory)
    assert len(caplog.records) == 1


@pytest.mark.parametrize("server_header, expected", [(None, []), ("mine", ["mine"])])
def test_server_header(loop_factory, server_header, expected):
    async def main():
        async with echo_server(server_header=server_header) as server:
            async with connect(get_uri(server)) as ws:
                assert ws.response_headers.get_all("Server") == expected

    run(main(), loop_factory)


def test_origins(loop_factory):
    async def main():
        origins = ["https://good.example", None]
        async with echo_server(origins=origins) as server:
            async with connect(get_uri(server), origin="https://good.example"):
                pass
            async with connect(get_uri(server)):
                pass
            with pytest.raises(InvalidStatusCode) as raised:
                await connect(get_uri(server), origin="https://evil.example")
            assert raised.value.status_code == 403

    run(main(), loop_factory)


def test_select_subprotocol(loop_factory):
    def select_subprotocol(client_subprotocols, server_subprotocols):
        return client_subprotocols[-1]

    class LastResort(WebSocketServerProtocol):
        def select_subprotocol(self, client_subprotocols, server_subprotocols):
            return server_subprotocols[-1]

    class Logged(WebSocketServerProtocol):
        def select_subprotocol(self, client_subprotocols, server_subprotocols):
            chosen.append(super().select_subprotocol(client_subprotocols, server_subprotocols))
            return chosen[-1]

    chosen = []

    async def main():
        kwargs = dict(subprotocols=["a", "b", "c"])
        async with echo_server(select_subprotocol=select_subprotocol, **kwargs) as server:
            async with connect(get_uri(server), subprotocols=["a", "b"]) as ws:
                assert ws.subprotocol == "b"
        async with echo_server(create_protocol=LastResort, **kwargs) as server:
            async with connect(get_uri(server), subprotocols=["a", "c"]) as ws:
                assert ws.subprotocol == "c"
        async with echo_server(**kwargs) as server:
            async with connect(get_uri(server), subprotocols=["c", "a"]) as ws:
                assert ws.subprotocol == "a"  # best sum of ranks
            async with connect(get_uri(server), subprotocols=["x"]) as ws:
                assert ws.subprotocol is None
        # An override may defer to the argument or to the default.
        async with echo_server(
            select_subprotocol=select_subprotocol, create_protocol=Logged, **kwargs
        ) as server:
            async with connect(get_uri(server), subprotocols=["a", "b"]) as ws:
                assert ws.subprotocol == "b"
        async with echo_server(create_protocol=Logged, **kwargs) as server:
            async with connect(get_uri(server), subprotocols=["c", "a"]) as ws:
                assert ws.subprotocol == "a"
        assert chosen == ["b", "a"]

    run(main(), loop_factory)


def test_not_a_websocket_request(loop_factory):
    async def main():
        async with echo_server() as server:
            reader, writer = await asyncio.open_connection("127.0.0.1", get_port(server))
            writer.write(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
            response = await read_response(reader)
            writer.close()
            assert response.startswith("HTTP/1.1 426 Upgrade Required\r\n")

    run(main(), loop_factory)


def test_malformed_request_is_one_log_line(loop_factory, caplog):
    async def main():
        async with echo_server() as server:
            reader, writer = await asyncio.open_connection("127.0.0.1", get_port(server))
            writer.write(b"NOT HTTP\r\n\r\n")
            response = await read_response(reader)
            assert response.startswith("HTTP/1.1 400 Bad Request\r\n")
            await reader.read()
            writer.close()
            await wait_for_condition(lambda: not server.websockets)

    with caplog.at_level(logging.INFO, logger="websockets.server"):
        run(main(), loop_factory)
    failures = [r for r in caplog.records if "handshake failed" in r.getMessage()]
    assert len(failures) == 1
    assert failures[0].exc_info is None


def test_port_scanner_is_one_log_line(loop_factory, caplog):
    def handshake_failures():
        return [r for r in caplog.records if "handshake" in r.getMessage()]

    async def main():
        async with echo_server() as server:
            with socket.create_connection(("127.0.0.1", get_port(server))):
                pass
            await wait_for_condition(handshake_failures)

    with caplog.at_level(logging.INFO, logger="websockets.server"):
        run(main(), loop_factory)
    failures = handshake_failures()
    assert len(failures) == 1
    assert failures[0].exc_info is None
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_open_timeout(loop_factory, caplog):
    async def main():
        async with echo_server(open_timeout=20 * MS) as server:
            reader, writer = await asyncio.open_connection("127.0.0.1", get_port(server))
            writer.write(b"GET / HTTP/1.1\r\n")  # and nothing more
            assert await asyncio.wait_for(reader.read(), 1000 * MS) == b""
            writer.close()

    with caplog.at_level(logging.INFO, logger="websockets.server"):
        run(main(), loop_factory)
    assert "opening handshake timed out" in [r.getMessage() for r in caplog.records]


def test_open_timeout_set_by_a_subclass(loop_factory, caplog):
    # Each timeout gets its own deadlines: a shorter one isn't held up by
    # the server's, nor the server's by it.
    class Impatient(WebSocketServerProtocol):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.open_timeout = 20 * MS

    async def main():
        async with echo_server(create_protocol=Impatient, open_timeout=10) as server:
            reader, writer = await asyncio.open_connection("127.0.0.1", get_port(server))
            writer.write(b"GET / HTTP/1.1\r\n")  # and nothing more
            assert await asyncio.wait_for(reader.read(), 1000 * MS) == b""
            writer.close()
            assert server._deadlines(10) is server._deadlines(10)
            assert server._deadlines(10) is not server._deadlines(20 * MS)

    with caplog.at_level(logging.INFO, logger="websockets.server"):
        run(main(), loop_factory)
    assert "opening handshake timed out" in [r.getMessage() for r in caplog.records]


def test_pipelined_frames_after_request(loop_factory):
    async def main():
        async with echo_server(compression=None) as server:
            reader, writer = await asyncio.open_connection("127.0.0.1", get_port(server))
            # The request, then a masked text frame "hi" in the same write.
            mask = b"\x01\x02\x03\x04"
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(b"hi"))
            writer.write(make_request() + b"\x81\x82" + mask + payload)
            response = await read_response(reader)
            assert response.startswith("HTTP/1.1 101 ")
            assert await reader.readexactly(4) == b"\x81\x02hi"
            writer.close()

    run(main(), loop_factory)


# Life of the server.


def test_await_serve_and_close(loop_factory):
    async def main():
        server = await serve(echo, "127.0.0.1", 0)
        assert isinstance(server, WebSocketServer)
        assert server.is_serving()
        assert server.get_loop() is asyncio.get_running_loop()
        ws = await connect(get_uri(server))
        await wait_for_condition(lambda: len(server.websockets) == 1)
        server.close()
        server.close()  # closing twice does nothing
        await asyncio.wait_for(server.wait_closed(), 1000 * MS)
        assert not server.is_serving()
        with pytest.raises(ConnectionClosedOK):
            await ws.recv()
        # Connecting fails once the server is closed.
        with pytest.raises(OSError):
            await connect(get_uri_from_port(ws.remote_address[1]))

    def get_uri_from_port(port):
        return f"ws://127.0.0.1:{port}/"

    run(main(), loop_factory)


def test_serve_is_a_class():
    assert serve is Serve
    with pytest.raises(ValueError, match="compression"):
        serve(echo, compression="zstd")


def test_server_waits_for_handlers(loop_factory):
    cleanup = []

    async def handler(ws):
        try:
            await ws.wait_closed()
        finally:
            await asyncio.sleep(0)
            cleanup.append(ws.close_code)

    async def main():
        async with echo_server(handler) as server:
            await connect(get_uri(server))
            await wait_for_condition(lambda: server.websockets)
        assert cleanup == [1001]

    run(main(), loop_factory)


def test_handshake_during_shutdown_gets_503(loop_factory):
    async def main():
        release = asyncio.Event()

        async def process_request(path, request_headers):
            await release.wait()

        async with echo_server(process_request=process_request) as server:
            connecting = asyncio.ensure_future(connect(get_uri(server)))
            await wait_for_condition(
                lambda: any(ws.handler_task for ws in server.websockets)
            )
            server.close()
            await asyncio.sleep(0)
            release.set()
            with pytest.raises(InvalidStatusCode) as raised:
                await connecting
            assert raised.value.status_code == 503

    run(main(), loop_factory)


def test_serve_forever(loop_factory):
    async def main():
        server = await serve(echo, "127.0.0.1", 0)
        async with server:
            task = asyncio.ensure_future(server.serve_forever())
            async with connect(get_uri(server)) as ws:
                await ws.send("forever")
                assert await ws.recv() == "forever"
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        assert not server.is_serving()

    run(main(), loop_factory)


def test_start_serving_later(loop_factory):
    async def main():
        server = await serve(echo, "127.0.0.1", 0, start_serving=False)
        assert not server.is_serving()
        await server.start_serving()
        async with connect(get_uri(server)) as ws:
            await ws.send("started")
            assert await ws.recv() == "started"
        server.close()
        await server.wait_closed()

    run(main(), loop_factory)


def test_unix_serve_with_sock(loop_factory, unix_dir):
    path = os.path.join(unix_dir, "s.sock")

    async def main():
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(path)
        async with unix_serve(echo, sock=sock) as server:
            assert len(list(server.sockets)) == 1
            reader, writer = await asyncio.open_unix_connection(path)
            writer.write(make_request())
            assert (await read_response(reader)).startswith("HTTP/1.1 101 ")
            writer.close()

    run(main(), loop_factory)


def test_many_connections(loop_factory):
    async def main():
        async with echo_server() as server:
            clients = await asyncio.gather(*[connect(get_uri(server)) for _ in range(50)])
            await asyncio.gather(*[ws.send(str(i)) for i, ws in enumerate(clients)])
            replies = await asyncio.gather(*[ws.recv() for ws in clients])
            assert replies == [str(i) for i in range(50)]
            assert len(server.websockets) == 50
            await asyncio.gather(*[ws.close() for ws in clients])
            await wait_for_condition(lambda: not server.websockets)

    run(main(), loop_factory)
