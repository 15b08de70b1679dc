"""
End-to-end tests of the asyncio client and server over real sockets.

Every test runs on the stock event loop and on uvloop (``loop_factory``).
"""

import asyncio
import gc
import logging
import os
import weakref

import pytest

import websockets
from websockets.client import connect, unix_connect
from websockets.compiled import is_compiled
from websockets.exceptions import ConnectionClosedError, ConnectionClosedOK
from websockets.protocol import WebSocketCommonProtocol
from websockets.server import serve, unix_serve

from .utils import (
    MS,
    attribute_dicts,
    echo,
    echo_server,
    get_uri,
    run,
    wait_for_condition,
)


# Random data grows a little when compressed, and the core checks max_size
# on the length of the frame received too: stay below 2**20.
SIZES = [0, 1, 125, 126, 127, 65535, 65536, 2**19]


# Messages.


@pytest.mark.parametrize("compression", ["deflate", None])
@pytest.mark.parametrize("size", SIZES)
def test_echo_sizes(loop_factory, size, compression):
    async def main():
        async with echo_server(compression=compression) as server:
            async with connect(get_uri(server), compression=compression) as ws:
                text = "é" * (size // 2)
                await ws.send(text)
                assert await ws.recv() == text
                data = os.urandom(size)
                await ws.send(data)
                assert await ws.recv() == data

    run(main(), loop_factory)


def test_echo_bytes_like(loop_factory):
    async def main():
        async with echo_server() as server:
            async with connect(get_uri(server)) as ws:
                await ws.send(bytearray(b"tea"))
                assert await ws.recv() == b"tea"
                await ws.send(memoryview(b"coffee")[1:])
                assert await ws.recv() == b"offee"

    run(main(), loop_factory)


def test_echo_fragmented(loop_factory):
    async def agen(chunks):
        for chunk in chunks:
            await asyncio.sleep(0)
            yield chunk

    async def main():
        async with echo_server() as server:
            async with connect(get_uri(server)) as ws:
                await ws.send(["ca", "fé"])
                assert await ws.recv() == "café"
                await ws.send([b"t", bytearray(b"e"), memoryview(b"a")])
                assert await ws.recv() == b"tea"
                await ws.send(agen(["he", "llo"]))
                assert await ws.recv() == "hello"
                await ws.send(agen([b"by", b"tes"]))
                assert await ws.recv() == b"bytes"
                # A character split across fragments.
                encoded = "€".encode()
                await ws.send(agen([encoded[:1], encoded[1:]]))
                assert await ws.recv() == encoded
                # Nothing to send.
                await ws.send([])
                await ws.send("after")
                assert await ws.recv() == "after"

    run(main(), loop_factory)


def test_many_messages_keep_order(loop_factory):
    async def main():
        async with echo_server() as server:
            async with connect(get_uri(server)) as ws:
                for i in range(200):
                    await ws.send(str(i))
                assert [await ws.recv() for _ in range(200)] == [
                    str(i) for i in range(200)
                ]

    run(main(), loop_factory)


@pytest.mark.parametrize("tls", [False, True], ids=["tcp", "tls"])
def test_messages_kept(loop_factory, certificate, tls):
    # Payloads and frames above 512 bytes, received, masked or serialized,
    # may be recycled by the C extension once released: the messages that a
    # side keeps never change, nor the frames that a transport holds until
    # it writes them.
    payloads = [os.urandom(size) for size in (2**10, 2**14, 2**19) for _ in range(4)]
    server_ssl = certificate.server_context() if tls else None
    client_ssl = certificate.client_context() if tls else None

    async def main():
        async with echo_server(ssl=server_ssl) as server:
            async with connect(get_uri(server, secure=tls), ssl=client_ssl) as ws:
                for payload in payloads:
                    await ws.send(payload)
                assert [await ws.recv() for _ in payloads] == payloads

    run(main(), loop_factory)


@pytest.mark.skipif(
    not is_compiled(websockets.protocol), reason="the source build has instance dicts"
)
def test_connections_keep_attributes_in_slots(loop_factory):
    # Slots hold the attributes of connections and of their cores: an
    # attribute missing from them would build a dict, one more object per
    # connection for the garbage collector to walk.
    connections = []

    async def handler(ws):
        connections.append(ws)
        await echo(ws)

    async def main():
        async with echo_server(handler) as server:
            async with connect(get_uri(server)) as ws:
                await ws.send("hello")
                assert await ws.recv() == "hello"
                for connection in [ws, connections[0]]:
                    assert attribute_dicts(connection) == []
                    assert attribute_dicts(connection.sansio) == []
                    # Other attributes and weak references still work.
                    connection.user = "alice"
                    assert connection.user == "alice"
                    assert weakref.ref(connection)() is connection
                    assert weakref.ref(connection.sansio)() is connection.sansio

    run(main(), loop_factory)


# Pings.


def test_ping_latency(loop_factory):
    async def main():
        async with echo_server() as server:
            async with connect(get_uri(server)) as ws:
                assert ws.latency == 0
                pong_waiter = await ws.ping()
                latency = await asyncio.wait_for(pong_waiter, 1000 * MS)
                assert latency > 0
                assert ws.latency == latency
                # Custom payloads, text or bytes.
                latency = await asyncio.wait_for(await ws.ping("hi"), 1000 * MS)
                assert latency > 0
                await asyncio.wait_for(await ws.ping(b"\x00\xff"), 1000 * MS)

    run(main(), loop_factory)


def test_keepalive_keeps_connection_open(loop_factory):
    async def main():
        async with echo_server(ping_interval=10 * MS, ping_timeout=1000 * MS) as server:
            async with connect(
                get_uri(server), ping_interval=10 * MS, ping_timeout=1000 * MS
            ) as ws:
                # Wait for a few keepalive pings to be acknowledged.
                await wait_for_condition(lambda: ws.latency > 0)
                await ws.send("still there")
                assert await ws.recv() == "still there"

    run(main(), loop_factory)


# Closing.


def test_client_closes(loop_factory):
    async def main():
        closed = asyncio.Event()
        server_ws = []

        async def handler(ws):
            server_ws.append(ws)
            with pytest.raises(ConnectionClosedOK):
                await ws.recv()
            closed.set()

        async with echo_server(handler) as server:
            ws = await connect(get_uri(server))
            await ws.close(1000, "bye")
            assert ws.closed
            assert ws.close_code == 1000
            await asyncio.wait_for(closed.wait(), 1000 * MS)
            assert server_ws[0].close_code == 1000
            assert server_ws[0].close_reason == "bye"
            with pytest.raises(ConnectionClosedOK):
                await ws.recv()
            with pytest.raises(ConnectionClosedOK):
                await ws.send("too late")

    run(main(), loop_factory)


def test_server_handler_returns(loop_factory):
    async def handler(ws):
        await ws.send("only one")

    async def main():
        async with echo_server(handler) as server:
            async with connect(get_uri(server)) as ws:
                assert [message async for message in ws] == ["only one"]
                assert ws.close_code == 1000

    run(main(), loop_factory)


def test_server_close_going_away(loop_factory):
    async def main():
        server = await serve(echo, "127.0.0.1", 0)
        clients = [await connect(get_uri(server)) for _ in range(3)]
        await wait_for_condition(lambda: len(server.websockets) == 3)
        server.close()
        await asyncio.wait_for(server.wait_closed(), 2000 * MS)
        for ws in clients:
            # The iteration ends quietly on 1001.
            assert [message async for message in ws] == []
            with pytest.raises(ConnectionClosedOK) as raised:
                await ws.recv()
            assert raised.value.code == 1001
            assert ws.close_code == 1001
        assert server.websockets == set()
        assert list(server.sockets) == []

    run(main(), loop_factory)


def test_handler_exception_closes_1011(loop_factory, caplog):
    async def handler(ws):
        await ws.recv()
        raise RuntimeError("boom")

    async def main():
        async with echo_server(handler) as server:
            async with connect(get_uri(server)) as ws:
                await ws.send("trigger")
                with pytest.raises(ConnectionClosedError) as raised:
                    await ws.recv()
                assert raised.value.code == 1011
            # The server keeps serving.
            async with connect(get_uri(server)) as ws:
                await ws.send("again")
                with pytest.raises(ConnectionClosedError):
                    await ws.recv()

    with caplog.at_level(logging.ERROR, logger="websockets.server"):
        run(main(), loop_factory)
    failures = [r for r in caplog.records if r.getMessage() == "connection handler failed"]
    assert len(failures) == 2
    assert failures[0].exc_info[0] is RuntimeError


def test_oversized_message(loop_factory):
    async def handler(ws):
        await ws.send(b"x" * 2048)
        with pytest.raises(ConnectionClosedError) as raised:
            await ws.recv()
        assert raised.value.code == 1009

    async def main():
        async with echo_server(handler) as server:
            async with connect(get_uri(server), max_size=1024) as ws:
                with pytest.raises(ConnectionClosedError) as raised:
                    await ws.recv()
                exc = raised.value
                assert exc.sent.code == 1009
                assert isinstance(exc.__cause__, websockets.PayloadTooBig)

    run(main(), loop_factory)


def test_oversized_fragmented_message(loop_factory):
    async def handler(ws):
        await ws.send([b"x" * 600, b"x" * 600])
        await ws.wait_closed()

    async def main():
        async with echo_server(handler) as server:
            async with connect(get_uri(server), max_size=1024) as ws:
                with pytest.raises(ConnectionClosedError) as raised:
                    await ws.recv()
                assert raised.value.sent.code == 1009

    run(main(), loop_factory)


# Flow control.


def test_slow_reader_pauses_reading(loop_factory):
    max_queue = 4

    async def handler(ws):
        for i in range(max_queue * 4):
            await ws.send(str(i))
        await ws.wait_closed()

    async def main():
        async with echo_server(handler) as server:
            async with connect(get_uri(server), max_queue=max_queue) as ws:
                # The queue fills up, then the client stops reading.
                await wait_for_condition(lambda: not ws.transport.is_reading())
                # Messages that arrived in the same read are queued too.
                assert len(ws._messages) >= max_queue
                # Reading resumes as the application catches up.
                received = [await ws.recv() for _ in range(max_queue * 4)]
                assert received == [str(i) for i in range(max_queue * 4)]
                assert ws.transport.is_reading()

    run(main(), loop_factory)


def test_fast_client_pauses_server_reading(loop_factory):
    max_queue = 2
    server_ws = []
    release = None

    async def handler(ws):
        server_ws.append(ws)
        await release.wait()
        async for message in ws:
            if message == "last":
                await ws.send("got everything")

    async def main():
        nonlocal release
        release = asyncio.Event()  # in the loop: Python < 3.10 binds it
        async with echo_server(handler, max_queue=max_queue) as server:
            async with connect(get_uri(server)) as ws:
                for i in range(50):
                    await ws.send(str(i))
                await ws.send("last")
                await wait_for_condition(
                    lambda: server_ws and not server_ws[0].transport.is_reading()
                )
                release.set()
                assert await ws.recv() == "got everything"
                assert server_ws[0].transport.is_reading()

    run(main(), loop_factory)


def test_send_waits_for_drain(loop_factory):
    count = 64
    message = os.urandom(256 * 1024)
    server_ws = []
    sent = []

    async def handler(ws):
        server_ws.append(ws)
        for i in range(count):
            await ws.send(message)
            sent.append(i)
        await ws.wait_closed()

    async def main():
        async with echo_server(handler, compression=None, write_limit=2**16) as server:
            async with connect(get_uri(server), compression=None, max_queue=1) as ws:
                # The client doesn't read: the server's buffers fill and
                # its send() waits for them to drain.
                await wait_for_condition(
                    lambda: server_ws and server_ws[0]._writing_paused, 5000 * MS
                )
                assert len(sent) < count
                buffered = server_ws[0].transport.get_write_buffer_size()
                assert buffered > 2**16
                for _ in range(count):
                    assert await ws.recv() == message
                assert len(sent) == count

    run(main(), loop_factory)


def test_concurrent_sends_wait_for_drain_together(loop_factory):
    # Enough to fill the socket buffers of loopback before either ends.
    count = 64
    message = os.urandom(256 * 1024)
    server_ws = []
    sent = []

    async def handler(ws):
        server_ws.append(ws)

        async def sender(name):
            for _ in range(count):
                await ws.send(message)
            sent.append(name)

        await asyncio.gather(sender("a"), sender("b"))
        await ws.wait_closed()

    async def main():
        async with echo_server(handler, compression=None, write_limit=2**16) as server:
            async with connect(get_uri(server), compression=None, max_queue=1) as ws:
                # Both senders wait until the client reads.
                await wait_for_condition(
                    lambda: server_ws and len(server_ws[0]._drain_waiters or ()) == 2,
                    5000 * MS,
                )
                assert sent == []
                for _ in range(2 * count):
                    assert await ws.recv() == message
                await wait_for_condition(lambda: len(sent) == 2)
                assert sorted(sent) == ["a", "b"]

    run(main(), loop_factory)


def test_connection_lost_while_waiting_for_drain(loop_factory):
    message = os.urandom(256 * 1024)
    server_ws = []
    outcome = []

    async def handler(ws):
        server_ws.append(ws)
        try:
            while True:
                # Fragmented messages wait for drain between fragments.
                await ws.send([message, message])
        except ConnectionClosedError as exc:
            outcome.append(exc)

    async def main():
        async with echo_server(handler, compression=None) as server:
            ws = await connect(get_uri(server), compression=None, max_queue=1)
            await wait_for_condition(
                lambda: server_ws and server_ws[0]._writing_paused, 5000 * MS
            )
            ws.transport.abort()
            await wait_for_condition(lambda: outcome)
            assert outcome[0].code == 1006

    run(main(), loop_factory)


def test_debug_logs(loop_factory, caplog):
    async def main():
        async with echo_server(ping_interval=5 * MS) as server:
            async with connect(get_uri(server), ping_interval=5 * MS) as ws:
                await wait_for_condition(lambda: ws.latency > 0)
                await ws.send("logged")
                assert await ws.recv() == "logged"

    with caplog.at_level(logging.DEBUG, logger="websockets"):
        run(main(), loop_factory)
    messages = {r.getMessage() for r in caplog.records}
    assert "sending keepalive ping" in messages
    assert "connection open" in messages
    assert "> EOF" in messages
    # Each record carries its connection.
    assert all(
        isinstance(r.websocket, WebSocketCommonProtocol)
        for r in caplog.records
        if r.name != "websockets.server"
    )


def test_closed_connections_go_without_the_garbage_collector(loop_factory):
    # Nothing ties a connection in a reference cycle, not even its logger:
    # once closed and dropped, it's freed at once, with all it holds.
    refs = []

    async def handler(ws):
        refs.append(weakref.ref(ws))
        await echo(ws)

    async def main():
        async with echo_server(handler) as server:
            async with connect(get_uri(server)) as ws:
                refs.append(weakref.ref(ws))
                await ws.send("hello")
                assert await ws.recv() == "hello"
            del ws
            await wait_for_condition(lambda: all(ref() is None for ref in refs))

    gc.disable()
    try:
        run(main(), loop_factory)
    finally:
        gc.enable()


# TLS.


def test_tls(loop_factory, certificate):
    async def main():
        async with echo_server(ssl=certificate.server_context()) as server:
            uri = get_uri(server, secure=True)
            async with connect(uri, ssl=certificate.client_context()) as ws:
                assert ws.secure
                await ws.send("secret")
                assert await ws.recv() == "secret"
                await ws.send(os.urandom(100_000))
                assert len(await ws.recv()) == 100_000
            assert ws.close_code == 1000

    run(main(), loop_factory)


def test_tls_default_context(loop_factory, certificate, monkeypatch):
    # The default context trusts the test certificate through this variable.
    monkeypatch.setenv("SSL_CERT_FILE", certificate.certfile)

    async def main():
        async with echo_server(ssl=certificate.server_context()) as server:
            uri = f"wss://localhost:{list(server.sockets)[0].getsockname()[1]}/"
            async with connect(uri) as ws:
                await ws.send("default")
                assert await ws.recv() == "default"

    run(main(), loop_factory)


def test_tls_server_closes(loop_factory, certificate):
    async def main():
        server = await serve(echo, "127.0.0.1", 0, ssl=certificate.server_context())
        ws = await connect(get_uri(server, secure=True), ssl=certificate.client_context())
        server.close()
        await asyncio.wait_for(server.wait_closed(), 2000 * MS)
        with pytest.raises(ConnectionClosedOK):
            await ws.recv()
        assert ws.close_code == 1001

    run(main(), loop_factory)


# Unix sockets.


def test_unix_socket(loop_factory, unix_dir):
    path = os.path.join(unix_dir, "ws.sock")

    async def handler(ws, path):
        await ws.send(f"path={path}")
        await echo(ws)

    async def main():
        async with unix_serve(handler, path):
            async with unix_connect(path, "ws://localhost/chat") as ws:
                assert await ws.recv() == "path=/chat"
                await ws.send("over unix")
                assert await ws.recv() == "over unix"
            async with unix_connect(path) as ws:
                assert await ws.recv() == "path=/"

    run(main(), loop_factory)


# Compatibility with programs written for websockets 8.x.


def test_classic_program_style(loop_factory):
    """The getting-started example of websockets 8.x, almost verbatim."""

    async def hello(websocket, path):
        name = await websocket.recv()
        greeting = f"Hello {name}!"
        await websocket.send(greeting)

    async def client(uri):
        async with websockets.connect(uri) as websocket:
            await websocket.send("World")
            return await websocket.recv()

    loop = loop_factory()
    try:
        # serve() and connect() are created outside the running loop.
        start_server = websockets.serve(hello, "127.0.0.1", 0)
        server = loop.run_until_complete(start_server)
        uri = get_uri(server)
        assert loop.run_until_complete(asyncio.wait_for(client(uri), 5)) == "Hello World!"
        connection = websockets.connect(uri)
        ws = loop.run_until_complete(connection)
        loop.run_until_complete(ws.send("Bob"))
        assert loop.run_until_complete(ws.recv()) == "Hello Bob!"
        loop.run_until_complete(ws.close())
        server.close()
        loop.run_until_complete(asyncio.wait_for(server.wait_closed(), 5))
    finally:
        loop.close()


def test_classic_attributes(loop_factory):
    async def main():
        server_ws = []

        async def handler(ws, path):
            server_ws.append(ws)
            assert ws.path == path == "/attrs?x=1"
            assert ws.request_headers["Host"] == f"127.0.0.1:{get_port()}"
            assert ws.open and not ws.closed
            assert ws.close_code is None and ws.close_reason is None
            await echo(ws)

        async with echo_server(handler) as server:

            def get_port():
                return list(server.sockets)[0].getsockname()[1]

            async with connect(get_uri(server, "/attrs?x=1")) as ws:
                assert ws.open and not ws.closed
                assert ws.state is websockets.protocol.State.OPEN
                assert ws.path == "/attrs?x=1"
                assert ws.response_headers["Upgrade"] == "websocket"
                assert ws.remote_address[:2] == ("127.0.0.1", get_port())
                assert ws.local_address[0] == "127.0.0.1"
                assert ws.subprotocol is None
                assert ws.is_client and ws.side == "client"
                await ws.send("hi")
                assert await ws.recv() == "hi"
                assert not server_ws[0].is_client
            assert not ws.open and ws.closed
            assert ws.close_code == 1000
            assert ws.close_reason == ""
            await server_ws[0].wait_closed()
            assert server_ws[0].close_code == 1000

    run(main(), loop_factory)
