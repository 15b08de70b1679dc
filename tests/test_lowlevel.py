"""
Tests of the callback API, :mod:`websockets.lowlevel`, over real sockets.

Every test runs on the stock event loop and on uvloop (``loop_factory``).
Listeners record what they are told; tests wait for it with
``wait_for_condition``, so that no test depends on how fast the machine is.
Raw peers (``raw_server``, ``make_request``) play the misbehaving side.
"""

import asyncio
import contextlib
import logging
import os
import socket
import time
import weakref

import pytest

import websockets.lowlevel
from websockets.compiled import is_compiled
from websockets.exceptions import (
    AbortHandshake,
    ConnectionClosed,
    ConnectionClosedError,
    ConnectionClosedOK,
    InvalidHandshake,
    InvalidHeaderValue,
    InvalidMessage,
    InvalidState,
    InvalidStatusCode,
    PayloadTooBig,
)
from websockets.framing import (
    OP_BINARY,
    OP_CLOSE,
    OP_CONT,
    OP_PING,
    OP_PONG,
    OP_TEXT,
    Close,
    Frame,
)
from websockets.http import Request, Response
from websockets.lowlevel import (
    WebSocketListener,
    WebSocketTransport,
    connect,
    serve,
    unix_connect,
    unix_serve,
)
from websockets.sansio.connection import CLOSED, CLOSING, OPEN

from .utils import (
    MS,
    attribute_dicts,
    get_port,
    get_uri,
    handshake_response,
    make_request,
    raw_server,
    run,
    wait_for_condition,
)


#: Bound on each wait for something that should happen at once.
TIMEOUT = 2_000 * MS

DATA_OPCODES = (OP_TEXT, OP_BINARY, OP_CONT)

LOGGER = "websockets.lowlevel"


# Listeners.


class Recorder(WebSocketListener):
    """A listener that records every call it gets."""

    def __init__(self):
        self.transport = None
        self.request = None  # set by the server's listener factory
        self.calls = []
        self.transports = set()
        self.frames = []
        self.closed = []
        self.pauses = 0
        self.resumes = 0

    def on_connected(self, transport):
        self.transport = transport
        self.transports.add(transport)
        self.calls.append("connected")

    def on_frame(self, transport, frame):
        self.transports.add(transport)
        self.calls.append("frame")
        self.frames.append(frame)

    def on_closed(self, transport):
        self.transports.add(transport)
        self.calls.append("closed")
        self.closed.append((transport.close_code, transport.close_reason))

    def pause_writing(self):
        self.pauses += 1

    def resume_writing(self):
        self.resumes += 1

    # Helpers for the tests.

    def data_frames(self):
        return [
            (frame.opcode, frame.data, frame.fin)
            for frame in self.frames
            if frame.opcode in DATA_OPCODES
        ]

    def control_frames(self, opcode):
        return [frame.data for frame in self.frames if frame.opcode == opcode]

    def close_frames(self):
        return [Close.parse(data) for data in self.control_frames(OP_CLOSE)]

    def close_codes(self):
        return [close.code for close in self.close_frames()]


class Echo(Recorder):
    """A listener that sends back every data frame as it is."""

    def on_frame(self, transport, frame):
        super().on_frame(transport, frame)
        if frame.opcode in DATA_OPCODES:
            transport.send(frame.opcode, frame.data, frame.fin)


class Failing(Recorder):
    """A listener whose on_frame fails on text frames."""

    def on_frame(self, transport, frame):
        super().on_frame(transport, frame)
        if frame.opcode == OP_TEXT:
            raise RuntimeError("boom")


# Servers and clients that clean up after themselves.


@contextlib.asynccontextmanager
async def serving(listener_factory, **kwargs):
    """Run a lowlevel server on 127.0.0.1 with a random port."""
    server = await serve(listener_factory, "127.0.0.1", 0, **kwargs)
    try:
        yield server
    finally:
        server.close()
        await asyncio.wait_for(server.wait_closed(), TIMEOUT)


async def shut(transport):
    """Close a connection at once, if it isn't, and wait until it is."""
    if transport.state is not CLOSED:
        transport.abort()
    await asyncio.wait_for(transport.wait_closed(), TIMEOUT)


@contextlib.asynccontextmanager
async def ws_server(listener_class=Echo, **kwargs):
    """
    Run a lowlevel server whose listeners are ``listener_class()``.

    Yields the server and the list of listeners it created, in order.

    """
    listeners = []

    def listener_factory(request):
        listener = listener_class()
        listener.request = request
        listeners.append(listener)
        return listener

    async with serving(listener_factory, **kwargs) as server:
        try:
            yield server, listeners
        finally:
            for listener in listeners:
                if listener.transport is not None:
                    await shut(listener.transport)


@contextlib.asynccontextmanager
async def ws_client(uri, listener_class=Recorder, **kwargs):
    """Connect a lowlevel client whose listener is ``listener_class()``."""
    transport = await connect(listener_class, uri, **kwargs)
    try:
        yield transport
    finally:
        await shut(transport)


@contextlib.asynccontextmanager
async def raw_client(server):
    """Open a raw TCP connection to a server."""
    reader, writer = await asyncio.open_connection("127.0.0.1", get_port(server))
    try:
        yield reader, writer
    finally:
        writer.transport.abort()
        await asyncio.sleep(0)  # let the transport close


async def read_head(reader):
    """Read a raw HTTP response up to the end of its headers."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)
    status_line, *lines = head.decode().split("\r\n")
    headers = [tuple(line.split(": ", 1)) for line in lines if line]
    return int(status_line.split(" ")[1]), headers


async def read_to_eof(reader):
    """Read until the peer closes the connection, by a FIN or a RST."""
    chunks = []
    try:
        while chunk := await asyncio.wait_for(reader.read(2**16), TIMEOUT):
            chunks.append(chunk)
    except ConnectionResetError:
        pass
    return b"".join(chunks)


async def read_frame(reader, *, mask, timeout=TIMEOUT):
    """Read a frame as a raw peer: ``mask`` on the server's side."""
    return await asyncio.wait_for(Frame.read(reader.readexactly, mask=mask), timeout)


def client_frame(opcode, data, fin=True):
    """Bytes of a frame as a client sends it: masked."""
    return Frame(fin, opcode, data).serialize(mask=True)


def server_frame(opcode, data, fin=True):
    """Bytes of a frame as a server sends it: not masked."""
    return Frame(fin, opcode, data).serialize(mask=False)


def messages(caplog, message):
    """Log records whose message is ``message``."""
    return [r for r in caplog.records if r.getMessage() == message]


def messages_starting(caplog, prefix):
    """Log records whose message starts with ``prefix``."""
    return [r for r in caplog.records if r.getMessage().startswith(prefix)]


# Messages.


SIZES = [0, 1, 125, 126, 65535, 65536, 2**19]


@pytest.mark.parametrize("compression", [None, "deflate"])
@pytest.mark.parametrize("size", SIZES)
def test_echo(loop_factory, size, compression):
    text = "é" * (size // 2)
    data = os.urandom(size)

    async def main():
        async with ws_server(compression=compression) as (server, listeners):
            async with ws_client(get_uri(server), compression=compression) as client:
                extensions = client.response.headers.get("Sec-WebSocket-Extensions")
                if compression is None:
                    assert extensions is None
                else:
                    assert extensions.startswith("permessage-deflate")
                client.send(OP_TEXT, text)
                client.send(OP_TEXT, text.encode())
                client.send(OP_BINARY, data)
                await wait_for_condition(
                    lambda: len(client.listener.data_frames()) == 3, TIMEOUT
                )
                expected = [
                    (OP_TEXT, text.encode(), True),
                    (OP_TEXT, text.encode(), True),
                    (OP_BINARY, data, True),
                ]
                assert client.listener.data_frames() == expected
                assert listeners[0].data_frames() == expected
                assert client.listener.transports == {client}
                assert listeners[0].transports == {listeners[0].transport}
                assert client.listener.calls == ["connected", "frame", "frame", "frame"]

    run(main(), loop_factory)


@pytest.mark.skipif(
    not is_compiled(websockets.lowlevel), reason="the source build has instance dicts"
)
def test_transports_keep_attributes_in_slots(loop_factory):
    # As test_client_server.test_connections_keep_attributes_in_slots.
    async def main():
        async with ws_server() as (server, listeners):
            async with ws_client(get_uri(server)) as client:
                client.send(OP_TEXT, "hello")
                await wait_for_condition(lambda: client.listener.data_frames(), TIMEOUT)
                for transport in [client, listeners[0].transport]:
                    assert attribute_dicts(transport) == []
                    assert attribute_dicts(transport.sansio) == []

    run(main(), loop_factory)


def test_echo_bytes_like(loop_factory):
    async def main():
        async with ws_server() as (server, listeners):
            async with ws_client(get_uri(server)) as client:
                client.send(OP_BINARY, bytearray(b"tea"))
                client.send(OP_BINARY, memoryview(b"coffee")[1:])
                client.send(OP_TEXT, bytearray("thé".encode()))
                client.send(OP_TEXT, memoryview("café".encode()))
                # A str is encoded to UTF-8, whatever the opcode.
                client.send(OP_BINARY, "é")
                await wait_for_condition(
                    lambda: len(client.listener.data_frames()) == 5, TIMEOUT
                )
                expected = [
                    (OP_BINARY, b"tea", True),
                    (OP_BINARY, b"offee", True),
                    (OP_TEXT, "thé".encode(), True),
                    (OP_TEXT, "café".encode(), True),
                    (OP_BINARY, "é".encode(), True),
                ]
                assert listeners[0].data_frames() == expected
                assert client.listener.data_frames() == expected

    run(main(), loop_factory)


@pytest.mark.parametrize("compression", [None, "deflate"])
def test_fragmented_message(loop_factory, compression):
    encoded = "é".encode()

    async def main():
        async with ws_server(compression=compression) as (server, listeners):
            async with ws_client(get_uri(server), compression=compression) as client:
                client.send(OP_TEXT, "ca", fin=False)
                # A control frame may come in the middle of a message.
                client.ping("middle")
                client.send(OP_CONT, encoded[:1], fin=False)  # half a character
                client.send(OP_CONT, encoded[1:] + b"!", fin=True)
                client.send(OP_BINARY, b"\x00", fin=False)
                client.send(OP_CONT, b"", fin=False)
                client.send(OP_CONT, b"\x01", fin=True)
                client.send(OP_TEXT, "whole")
                await wait_for_condition(
                    lambda: len(client.listener.data_frames()) == 7, TIMEOUT
                )
                # Each frame arrives apart, in order, as sent.
                expected = [
                    (OP_TEXT, b"ca", False),
                    (OP_CONT, encoded[:1], False),
                    (OP_CONT, encoded[1:] + b"!", True),
                    (OP_BINARY, b"\x00", False),
                    (OP_CONT, b"", False),
                    (OP_CONT, b"\x01", True),
                    (OP_TEXT, b"whole", True),
                ]
                assert listeners[0].data_frames() == expected
                assert client.listener.data_frames() == expected
                # The ping reached the server between the first two frames.
                assert [frame.opcode for frame in listeners[0].frames[:3]] == [
                    OP_TEXT,
                    OP_PING,
                    OP_CONT,
                ]
                assert client.listener.control_frames(OP_PONG) == [b"middle"]

    run(main(), loop_factory)


def test_payloads_belong_to_the_listener(loop_factory):
    # Large frames are received in place, small ones through a shared
    # buffer, and the C extension may recycle payloads and frames above 512
    # bytes, received, masked or serialized, once released: payloads kept by
    # the listener must not change afterwards.
    large = [os.urandom(2**19) for _ in range(4)]
    small = [os.urandom(size) for size in (100, 1024) for _ in range(50)]

    class Sender(Recorder):
        def on_frame(self, transport, frame):
            super().on_frame(transport, frame)
            if frame.data == b"go":
                for payload in large + small + large:
                    transport.send(OP_BINARY, payload)

    async def main():
        async with ws_server(Sender) as (server, listeners):
            async with ws_client(get_uri(server)) as client:
                client.send(OP_TEXT, "go")
                await wait_for_condition(
                    lambda: len(client.listener.frames) == 108, TIMEOUT
                )
                received = [frame.data for frame in client.listener.frames]
                assert received == large + small + large
                # The other way, masked by the client, sent at once.
                for payload in large:
                    client.send(OP_BINARY, payload)
                await wait_for_condition(
                    lambda: len(listeners[0].frames) == 5, TIMEOUT
                )
                assert [frame.data for frame in listeners[0].frames[1:]] == large

    run(main(), loop_factory)


def test_send_invalid_utf8_fails_the_peer(loop_factory):
    async def main():
        async with ws_server() as (server, listeners):
            async with ws_client(get_uri(server)) as client:
                # Sent as it is: the server's core checks it, not send().
                client.send(OP_TEXT, b"\xff\xfe")
                await wait_for_condition(lambda: client.listener.closed, TIMEOUT)
                assert client.listener.close_codes() == [1007]
                assert client.listener.closed[0][0] == 1007
                assert listeners[0].data_frames() == []

    run(main(), loop_factory)


@pytest.mark.parametrize("data", [5, None, ["list"]])
def test_send_not_bytes(loop_factory, data):
    async def main():
        async with ws_server() as (server, listeners):
            async with ws_client(get_uri(server)) as client:
                with pytest.raises(TypeError, match="str or bytes-like"):
                    client.send(OP_BINARY, data)
                with pytest.raises(TypeError, match="str or bytes-like"):
                    client.ping(data)
                # Nothing was sent; the connection works.
                client.send(OP_BINARY, b"after")
                await wait_for_condition(lambda: client.listener.frames, TIMEOUT)
                assert listeners[0].frames == [Frame(True, OP_BINARY, b"after")]

    run(main(), loop_factory)


@pytest.mark.parametrize("opcode", [OP_CLOSE, OP_PING, OP_PONG, 3])
def test_send_control_opcode(loop_factory, opcode):
    async def main():
        async with ws_server() as (server, listeners):
            async with ws_client(get_uri(server)) as client:
                with pytest.raises(ValueError):
                    client.send(opcode, b"payload")
                # Nothing was sent; the connection works.
                assert client.state is OPEN
                client.send(OP_TEXT, "after")
                await wait_for_condition(lambda: client.listener.frames, TIMEOUT)
                assert client.listener.data_frames() == [(OP_TEXT, b"after", True)]
                assert listeners[0].frames == [Frame(True, OP_TEXT, b"after")]

    run(main(), loop_factory)


def test_send_out_of_sequence(loop_factory):
    async def main():
        async with ws_server() as (server, listeners):
            async with ws_client(get_uri(server)) as client:
                # A continuation with no message in progress.
                with pytest.raises(InvalidState):
                    client.send(OP_CONT, b"orphan")
                client.send(OP_TEXT, "be", fin=False)
                # A new message while one is in progress.
                with pytest.raises(InvalidState):
                    client.send(OP_BINARY, b"interleaved")
                with pytest.raises(InvalidState):
                    client.send(OP_TEXT, "interleaved")
                client.send(OP_CONT, "gin", fin=True)
                with pytest.raises(InvalidState):
                    client.send(OP_CONT, b"again", fin=True)
                await wait_for_condition(
                    lambda: len(client.listener.data_frames()) == 2, TIMEOUT
                )
                assert listeners[0].data_frames() == [
                    (OP_TEXT, b"be", False),
                    (OP_CONT, b"gin", True),
                ]

    run(main(), loop_factory)


# Pings and pongs.


def test_ping(loop_factory):
    async def main():
        async with ws_server() as (server, listeners):
            async with ws_client(get_uri(server)) as client:
                client.ping(b"\x00\xff")
                client.ping("hé")
                client.ping()
                await wait_for_condition(
                    lambda: len(client.listener.control_frames(OP_PONG)) == 3, TIMEOUT
                )
                expected = [b"\x00\xff", "hé".encode(), b""]
                # The server's core answered; its listener saw the pings.
                assert client.listener.control_frames(OP_PONG) == expected
                assert listeners[0].control_frames(OP_PING) == expected
                assert listeners[0].control_frames(OP_PONG) == []
                # The server can ping too.
                listeners[0].transport.ping("from server")
                await wait_for_condition(
                    lambda: listeners[0].control_frames(OP_PONG), TIMEOUT
                )
                assert listeners[0].control_frames(OP_PONG) == [b"from server"]
                assert client.listener.control_frames(OP_PING) == [b"from server"]

    run(main(), loop_factory)


def test_unsolicited_pong(loop_factory):
    async def main():
        async with ws_server() as (server, listeners):
            async with ws_client(get_uri(server)) as client:
                client.pong(b"heartbeat")
                client.pong("hé")
                client.send(OP_TEXT, "marker")
                await wait_for_condition(lambda: client.listener.frames, TIMEOUT)
                assert listeners[0].control_frames(OP_PONG) == [
                    b"heartbeat",
                    "hé".encode(),
                ]
                # Nothing answered the pongs: the echo is the first frame.
                assert client.listener.frames == [Frame(True, OP_TEXT, b"marker")]
                listeners[0].transport.pong()
                await wait_for_condition(
                    lambda: client.listener.control_frames(OP_PONG), TIMEOUT
                )
                assert client.listener.control_frames(OP_PONG) == [b""]

    run(main(), loop_factory)


def test_control_payload_too_long(loop_factory):
    async def main():
        async with ws_server() as (server, listeners):
            async with ws_client(get_uri(server)) as client:
                with pytest.raises(ValueError):
                    client.ping(b"x" * 126)
                with pytest.raises(ValueError):
                    client.pong("x" * 126)
                client.ping(b"x" * 125)
                await wait_for_condition(lambda: client.listener.frames, TIMEOUT)
                assert client.listener.control_frames(OP_PONG) == [b"x" * 125]
                assert client.state is OPEN

    run(main(), loop_factory)


# Closing.


def test_client_closes(loop_factory):
    async def main():
        async with ws_server() as (server, listeners):
            client = await connect(Recorder, get_uri(server))
            client.send(OP_TEXT, "last")
            await wait_for_condition(lambda: client.listener.frames, TIMEOUT)
            client.close(1000, "bye")
            assert client.state is CLOSING
            client.close(1001, "twice")  # nothing happens
            await asyncio.wait_for(client.wait_closed(), TIMEOUT)
            server_listener = listeners[0]
            await asyncio.wait_for(server_listener.transport.wait_closed(), TIMEOUT)

            assert client.state is CLOSED
            assert server_listener.transport.state is CLOSED
            # Both listeners saw one close frame each.
            assert server_listener.close_frames() == [Close(1000, "bye")]
            assert client.listener.close_frames() == [Close(1000, "")]
            assert server_listener.calls == ["connected", "frame", "frame", "closed"]
            assert client.listener.calls == ["connected", "frame", "frame", "closed"]
            # close_code and close_reason are those received.
            assert server_listener.closed == [(1000, "bye")]
            assert client.listener.closed == [(1000, "")]
            assert client.close_code == 1000
            assert client.close_reason == ""

            client.close()  # nothing happens either
            for transport in (client, server_listener.transport):
                for method, args in [
                    (transport.send, (OP_TEXT, "too late")),
                    (transport.ping, ()),
                    (transport.pong, ()),
                ]:
                    with pytest.raises(ConnectionClosedOK) as raised:
                        method(*args)
                    assert raised.value.code == 1000
            assert client.listener.closed == [(1000, "")]

    run(main(), loop_factory)


def test_server_closes(loop_factory):
    class Closer(Recorder):
        def on_frame(self, transport, frame):
            super().on_frame(transport, frame)
            if frame.opcode == OP_TEXT:
                transport.close(1001, "going away")

    async def main():
        async with ws_server(Closer) as (server, listeners):
            async with ws_client(get_uri(server)) as client:
                client.send(OP_TEXT, "please close")
                await asyncio.wait_for(client.wait_closed(), TIMEOUT)
                await wait_for_condition(lambda: listeners[0].closed, TIMEOUT)
                assert client.listener.close_frames() == [Close(1001, "going away")]
                assert client.listener.closed == [(1001, "going away")]
                assert listeners[0].close_frames() == [Close(1001, "")]
                assert listeners[0].closed == [(1001, "")]
                with pytest.raises(ConnectionClosedOK) as raised:
                    client.send(OP_TEXT, "too late")
                assert raised.value.code == 1001

    run(main(), loop_factory)


def test_send_while_closing(loop_factory):
    async def main():
        async with ws_server() as (server, listeners):
            async with ws_client(get_uri(server)) as client:
                client.close()
                # The closing handshake isn't over yet.
                assert client.state is CLOSING
                for method, args in [
                    (client.send, (OP_BINARY, b"late")),
                    (client.ping, ()),
                    (client.pong, ()),
                ]:
                    with pytest.raises(ConnectionClosed):
                        method(*args)
                await asyncio.wait_for(client.wait_closed(), TIMEOUT)
                await wait_for_condition(lambda: listeners[0].closed, TIMEOUT)
                # close() sends code 1000 by default.
                assert listeners[0].closed == [(1000, "")]
                assert listeners[0].data_frames() == []

    run(main(), loop_factory)


def test_close_invalid_arguments(loop_factory):
    async def main():
        async with ws_server() as (server, listeners):
            async with ws_client(get_uri(server)) as client:
                with pytest.raises(ValueError):
                    client.close(1005)
                with pytest.raises(ValueError):
                    client.close(1000, "é" * 62)  # 124 bytes
                assert client.state is OPEN
                client.send(OP_TEXT, "still open")
                await wait_for_condition(lambda: client.listener.frames, TIMEOUT)
                assert client.listener.data_frames() == [(OP_TEXT, b"still open", True)]

    run(main(), loop_factory)


def test_wait_closed(loop_factory):
    async def main():
        async with ws_server() as (server, listeners):
            client = await connect(Recorder, get_uri(server))
            waiters = [asyncio.create_task(client.wait_closed()) for _ in range(2)]
            await asyncio.sleep(0)
            assert not any(waiter.done() for waiter in waiters)
            client.close()
            await asyncio.wait_for(asyncio.gather(*waiters), TIMEOUT)
            assert client.state is CLOSED
            assert client.listener.closed == [(1000, "")]
            # Once closed, it returns at once.
            await asyncio.wait_for(client.wait_closed(), TIMEOUT)

    run(main(), loop_factory)


def test_wait_closed_cancelled(loop_factory):
    async def main():
        async with ws_server() as (server, listeners):
            async with ws_client(get_uri(server)) as client:
                first = asyncio.create_task(client.wait_closed())
                second = asyncio.create_task(client.wait_closed())
                await asyncio.sleep(0)
                first.cancel()
                await asyncio.gather(first, return_exceptions=True)
                assert first.cancelled()
                client.close()
                await asyncio.wait_for(second, TIMEOUT)
                assert client.state is CLOSED

    run(main(), loop_factory)


@pytest.mark.parametrize("side", ["client", "server"])
def test_abort(loop_factory, side):
    async def main():
        async with ws_server() as (server, listeners):
            async with ws_client(get_uri(server)) as client:
                await wait_for_condition(lambda: listeners, TIMEOUT)
                server_transport = listeners[0].transport
                (client if side == "client" else server_transport).abort()
                await asyncio.wait_for(client.wait_closed(), TIMEOUT)
                await asyncio.wait_for(server_transport.wait_closed(), TIMEOUT)
                # No close frame: close code 1006, on both sides.
                assert client.listener.closed == [(1006, "")]
                assert listeners[0].closed == [(1006, "")]
                assert client.listener.close_frames() == []
                assert listeners[0].close_frames() == []
                with pytest.raises(ConnectionClosedError) as raised:
                    client.send(OP_TEXT, "lost")
                assert raised.value.code == 1006

    run(main(), loop_factory)


def test_peer_closes_tcp_in_the_middle_of_a_frame(loop_factory):
    async def handler(reader, writer):
        request = await reader.readuntil(b"\r\n\r\n")
        # The first half of a text frame, then a FIN.
        writer.write(handshake_response(request) + server_frame(OP_TEXT, b"hello")[:4])
        await writer.drain()
        writer.close()

    async def main():
        async with raw_server(handler) as server:
            async with ws_client(get_uri(server)) as client:
                await asyncio.wait_for(client.wait_closed(), TIMEOUT)
                assert client.listener.calls == ["connected", "closed"]
                assert client.listener.closed == [(1006, "")]
                with pytest.raises(ConnectionClosedError) as raised:
                    client.send(OP_TEXT, "lost")
                assert raised.value.code == 1006
                assert isinstance(raised.value.__cause__, EOFError)

    run(main(), loop_factory)


def test_close_timeout_client(loop_factory):
    received = []

    async def handler(reader, writer):
        request = await reader.readuntil(b"\r\n\r\n")
        writer.write(handshake_response(request))
        # Read the close frame, never answer it, never close.
        received.append(await read_frame(reader, mask=True))
        await reader.read()

    async def main():
        async with raw_server(handler) as server:
            client = await connect(Recorder, get_uri(server), close_timeout=50 * MS)
            start = time.monotonic()
            client.close(1000, "bye")
            await asyncio.wait_for(client.wait_closed(), TIMEOUT)
            elapsed = time.monotonic() - start
            assert elapsed >= 40 * MS
            await wait_for_condition(lambda: received, TIMEOUT)
            assert received == [Frame(True, OP_CLOSE, Close(1000, "bye").serialize())]
            assert client.listener.closed == [(1006, "")]

    run(main(), loop_factory)


def test_close_timeout_server(loop_factory):
    class CloseAtOnce(Recorder):
        def on_connected(self, transport):
            super().on_connected(transport)
            transport.close(1000, "bye")

    async def main():
        async with ws_server(CloseAtOnce, close_timeout=50 * MS) as (server, listeners):
            async with raw_client(server) as (reader, writer):
                writer.write(make_request())
                start = time.monotonic()
                status, _ = await read_head(reader)
                assert status == 101
                frame = await read_frame(reader, mask=False)
                assert Close.parse(frame.data) == Close(1000, "bye")
                # Don't answer: the server closes the connection anyway.
                assert await read_to_eof(reader) == b""
                assert time.monotonic() - start >= 40 * MS
                await wait_for_condition(lambda: listeners[0].closed, TIMEOUT)
                assert listeners[0].closed == [(1006, "")]

    run(main(), loop_factory)


def test_close_timeout_none(loop_factory):
    async def handler(reader, writer):
        request = await reader.readuntil(b"\r\n\r\n")
        writer.write(handshake_response(request))
        await reader.read()  # never answer

    async def main():
        async with raw_server(handler) as server:
            client = await connect(Recorder, get_uri(server), close_timeout=None)
            client.close()
            # Nothing closes the connection.
            await asyncio.sleep(100 * MS)
            assert client.state is CLOSING
            assert client.listener.closed == []
            client.abort()
            await asyncio.wait_for(client.wait_closed(), TIMEOUT)
            assert client.listener.closed == [(1006, "")]

    run(main(), loop_factory)


# Listeners that fail.


def test_on_frame_fails_on_server(loop_factory, caplog):
    async def main():
        async with ws_server(Failing) as (server, listeners):
            async with ws_client(get_uri(server)) as client:
                client.send(OP_TEXT, "trigger")
                await asyncio.wait_for(client.wait_closed(), TIMEOUT)
                expected = [Close(1011, "unexpected error")]
                assert client.listener.close_frames() == expected
                assert client.listener.closed == [(1011, "unexpected error")]
                await wait_for_condition(lambda: listeners[0].closed, TIMEOUT)
                assert listeners[0].calls == ["connected", "frame", "closed"]

    with caplog.at_level(logging.ERROR, logger=LOGGER):
        run(main(), loop_factory)
    failures = messages(caplog, "listener failed")
    assert len(failures) == 1
    assert failures[0].name == LOGGER
    assert failures[0].exc_info[0] is RuntimeError


class FailOnConnect(Recorder):
    def on_connected(self, transport):
        super().on_connected(transport)
        raise RuntimeError("boom")


def test_on_connected_fails_on_server(loop_factory, caplog):
    async def main():
        async with ws_server(FailOnConnect) as (server, listeners):
            async with raw_client(server) as (reader, writer):
                writer.write(make_request())
                status, _ = await read_head(reader)
                assert status == 101
                frame = await read_frame(reader, mask=False)
                assert Close.parse(frame.data) == Close(1011, "unexpected error")
                assert await read_to_eof(reader) == b""
            await wait_for_condition(lambda: listeners[0].closed, TIMEOUT)
            assert listeners[0].calls == ["connected", "closed"]

    with caplog.at_level(logging.ERROR, logger=LOGGER):
        run(main(), loop_factory)
    failures = messages(caplog, "listener failed")
    assert len(failures) == 1
    assert failures[0].exc_info[0] is RuntimeError


def test_on_connected_fails_on_client(loop_factory, caplog):
    async def main():
        async with ws_server() as (server, listeners):
            # connect() returns the connection all the same.
            async with ws_client(get_uri(server), FailOnConnect) as client:
                await asyncio.wait_for(client.wait_closed(), TIMEOUT)
                assert client.listener.calls == ["connected", "closed"]
                await wait_for_condition(lambda: listeners[0].closed, TIMEOUT)
                assert listeners[0].close_frames() == [Close(1011, "unexpected error")]

    with caplog.at_level(logging.ERROR, logger=LOGGER):
        run(main(), loop_factory)
    failures = messages(caplog, "listener failed")
    assert len(failures) == 1
    assert failures[0].exc_info[0] is RuntimeError


def test_on_frame_fails_on_client(loop_factory, caplog):
    async def main():
        async with ws_server() as (server, listeners):
            async with ws_client(get_uri(server), Failing) as client:
                client.send(OP_TEXT, "echo me")
                await asyncio.wait_for(client.wait_closed(), TIMEOUT)
                await wait_for_condition(lambda: listeners[0].closed, TIMEOUT)
                assert listeners[0].close_frames() == [Close(1011, "unexpected error")]
                assert listeners[0].closed == [(1011, "unexpected error")]
                # The client failed the connection: it ignored the server's
                # close frame, hence no close code.
                assert client.listener.closed == [(1006, "")]

    with caplog.at_level(logging.ERROR, logger=LOGGER):
        run(main(), loop_factory)
    failures = messages(caplog, "listener failed")
    assert len(failures) == 1
    assert failures[0].exc_info[0] is RuntimeError


def test_on_closed_fails(loop_factory, caplog):
    class FailOnClose(Recorder):
        def on_closed(self, transport):
            super().on_closed(transport)
            raise RuntimeError("boom")

    async def main():
        async with ws_server() as (server, listeners):
            async with ws_client(get_uri(server), FailOnClose) as client:
                client.close()
                await asyncio.wait_for(client.wait_closed(), TIMEOUT)
                assert client.listener.closed == [(1000, "")]

    with caplog.at_level(logging.ERROR, logger=LOGGER):
        run(main(), loop_factory)
    failures = messages(caplog, "listener failed")
    assert len(failures) == 1
    assert failures[0].exc_info[0] is RuntimeError


def test_listener_raising_connection_closed_is_quiet(loop_factory, caplog):
    class SendTooLate(Recorder):
        def on_frame(self, transport, frame):
            super().on_frame(transport, frame)
            if frame.opcode == OP_CLOSE:
                # The core answered the close frame already.
                transport.send(OP_TEXT, "too late")

        def on_closed(self, transport):
            super().on_closed(transport)
            transport.ping()

    async def main():
        async with ws_server(SendTooLate) as (server, listeners):
            async with ws_client(get_uri(server)) as client:
                client.close(1000, "bye")
                await asyncio.wait_for(client.wait_closed(), TIMEOUT)
                await wait_for_condition(lambda: listeners[0].closed, TIMEOUT)
                # A normal closure, not a failure.
                assert client.listener.close_frames() == [Close(1000, "")]
                assert listeners[0].closed == [(1000, "bye")]
                assert listeners[0].calls == ["connected", "frame", "closed"]

    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        run(main(), loop_factory)
    assert messages(caplog, "listener failed") == []
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_no_frames_after_listener_failure(loop_factory, caplog):
    async def main():
        async with ws_server(Failing) as (server, listeners):
            async with raw_client(server) as (reader, writer):
                writer.write(make_request())
                status, _ = await read_head(reader)
                assert status == 101
                # Three messages in one write: they arrive in one read.
                frames = [client_frame(OP_TEXT, b"%d" % i) for i in range(3)]
                writer.write(b"".join(frames))
                frame = await read_frame(reader, mask=False)
                assert Close.parse(frame.data).code == 1011
                assert await read_to_eof(reader) == b""
            await wait_for_condition(lambda: listeners[0].closed, TIMEOUT)
            # The connection failed on the first message: RFC 6455 §7.1.7
            # says not to process what follows.
            assert listeners[0].data_frames() == [(OP_TEXT, b"0", True)]

    with caplog.at_level(logging.ERROR, logger=LOGGER):
        run(main(), loop_factory)
    assert len(messages(caplog, "listener failed")) == 1


# Opening handshake: the server.


def test_abort_handshake(loop_factory):
    def listener_factory(request):
        raise AbortHandshake(401, {"WWW-Authenticate": 'Basic realm="x"'}, b"who?")

    async def main():
        async with serving(listener_factory) as server:
            with pytest.raises(InvalidStatusCode) as raised:
                await connect(Recorder, get_uri(server))
            assert raised.value.status_code == 401
            assert raised.value.headers["WWW-Authenticate"] == 'Basic realm="x"'
            # The body, as a raw client sees it.
            async with raw_client(server) as (reader, writer):
                writer.write(make_request())
                status, headers = await read_head(reader)
                assert status == 401
                assert ("WWW-Authenticate", 'Basic realm="x"') in headers
                assert await read_to_eof(reader) == b"who?"

    run(main(), loop_factory)


def test_abort_handshake_body_as_given(loop_factory):
    body = b"\x89PNG\r\n\x1a\n\xff\x00"

    def listener_factory(request):
        raise AbortHandshake(404, {}, body)

    async def main():
        async with serving(listener_factory) as server:
            async with raw_client(server) as (reader, writer):
                writer.write(make_request())
                status, headers = await read_head(reader)
                assert status == 404
                assert ("Content-Length", str(len(body))) in headers
                assert await read_to_eof(reader) == body

    run(main(), loop_factory)


def test_abort_handshake_headers_replace_defaults(loop_factory):
    def listener_factory(request):
        raise AbortHandshake(404, {"Content-Type": "text/html"}, b"<p>nope</p>")

    async def main():
        async with serving(listener_factory) as server:
            async with raw_client(server) as (reader, writer):
                writer.write(make_request())
                status, headers = await read_head(reader)
                assert status == 404
                assert await read_to_eof(reader) == b"<p>nope</p>"
                content_types = [v for n, v in headers if n == "Content-Type"]
                assert content_types == ["text/html"]

    run(main(), loop_factory)


def test_listener_factory_fails(loop_factory, caplog):
    def listener_factory(request):
        raise RuntimeError("boom")

    async def main():
        async with serving(listener_factory) as server:
            with pytest.raises(InvalidStatusCode) as raised:
                await connect(Recorder, get_uri(server))
            assert raised.value.status_code == 500

    with caplog.at_level(logging.ERROR, logger=LOGGER):
        run(main(), loop_factory)
    failures = messages(caplog, "listener factory failed")
    assert len(failures) == 1
    assert failures[0].exc_info[0] is RuntimeError


def test_listener_factory_returns_none(loop_factory):
    async def main():
        async with serving(lambda request: None) as server:
            with pytest.raises(InvalidStatusCode) as raised:
                await connect(Recorder, get_uri(server))
            assert raised.value.status_code == 404

    run(main(), loop_factory)


def test_listener_factory_returns_no_listener(loop_factory, caplog):
    async def main():
        async with serving(lambda request: "not a listener") as server:
            with pytest.raises(InvalidStatusCode) as raised:
                await connect(Recorder, get_uri(server))
            assert raised.value.status_code == 500

    with caplog.at_level(logging.ERROR, logger=LOGGER):
        run(main(), loop_factory)
    failures = messages_starting(caplog, "listener factory returned")
    assert [record.getMessage() for record in failures] == [
        "listener factory returned 'not a listener', not a WebSocketListener"
    ]


def test_client_listener_factory_returns_no_listener(loop_factory):
    async def main():
        async with serving(lambda request: Echo()) as server:
            with pytest.raises(TypeError, match="returned None, not a WebSocketListener"):
                await connect(lambda: None, get_uri(server))

    run(main(), loop_factory)


def test_client_lets_go_of_its_listener_factory(loop_factory):
    # Often a closure: the connection doesn't keep it, nor what it holds.
    async def main():
        async with serving(lambda request: Echo()) as server:

            def factory():
                return Recorder()

            alive = weakref.ref(factory)
            transport = await connect(factory, get_uri(server))
            try:
                del factory
                assert alive() is None
            finally:
                await shut(transport)

    run(main(), loop_factory)


def test_connect_ssl_with_ws_uri(loop_factory):
    async def main():
        with pytest.raises(ValueError, match="use a wss:// URI"):
            await connect(Recorder, "ws://localhost/", ssl=True)

    run(main(), loop_factory)


def test_abort_handshake_with_invalid_header(loop_factory, caplog):
    def listener_factory(request):
        raise AbortHandshake(401, {"X-Bad": "a\r\nInjected: yes"}, b"")

    async def main():
        async with serving(listener_factory) as server:
            with pytest.raises(InvalidStatusCode) as raised:
                await connect(Recorder, get_uri(server))
            assert raised.value.status_code == 500
            assert "Injected" not in raised.value.headers
            assert "X-Bad" not in raised.value.headers

    with caplog.at_level(logging.ERROR, logger=LOGGER):
        run(main(), loop_factory)
    failures = messages(caplog, "invalid HTTP response")
    assert len(failures) == 1
    assert failures[0].exc_info[0] is ValueError


def test_not_a_websocket_request(loop_factory, caplog):
    async def main():
        async with ws_server() as (server, listeners):
            async with raw_client(server) as (reader, writer):
                writer.write(make_request().replace(b"Upgrade: websocket\r\n", b""))
                status, headers = await read_head(reader)
                assert status == 426
                assert ("Upgrade", "websocket") in headers
                assert b"Upgrade" in await read_to_eof(reader)
            # The listener factory wasn't called.
            assert listeners == []

    with caplog.at_level(logging.INFO, logger=LOGGER):
        run(main(), loop_factory)
    failures = messages_starting(caplog, "opening handshake failed")
    assert len(failures) == 1
    assert "Upgrade" in failures[0].getMessage()
    assert failures[0].levelno == logging.INFO


def test_malformed_request(loop_factory):
    async def main():
        async with ws_server() as (server, listeners):
            async with raw_client(server) as (reader, writer):
                writer.write(b"NOT HTTP\r\n\r\n")
                status, _ = await read_head(reader)
                assert status == 400
                assert await read_to_eof(reader) != b""
            assert listeners == []

    run(main(), loop_factory)


def test_origins(loop_factory):
    async def main():
        origins = ["https://good.example"]
        async with ws_server(origins=origins) as (server, listeners):
            for origin in ["https://evil.example", None]:
                with pytest.raises(InvalidStatusCode) as raised:
                    await connect(Recorder, get_uri(server), origin=origin)
                assert raised.value.status_code == 403
            assert listeners == []
            async with ws_client(get_uri(server), origin="https://good.example"):
                await wait_for_condition(lambda: listeners, TIMEOUT)
                assert listeners[0].request.headers["Origin"] == "https://good.example"

    run(main(), loop_factory)


@pytest.mark.parametrize(
    "sent", [b"", b"GET / HTTP/1.1\r\n"], ids=["nothing", "partial"]
)
def test_open_timeout_server(loop_factory, caplog, sent):
    async def main():
        async with ws_server(open_timeout=50 * MS) as (server, listeners):
            start = time.monotonic()  # the timer starts after this
            async with raw_client(server) as (reader, writer):
                writer.write(sent)
                assert await read_to_eof(reader) == b""
                assert time.monotonic() - start >= 40 * MS
            assert listeners == []

    with caplog.at_level(logging.INFO, logger=LOGGER):
        run(main(), loop_factory)
    assert len(messages(caplog, "opening handshake timed out")) == 1


def test_open_timeout_after_client_left(loop_factory, caplog):
    # Clients that connect and leave before the server accepts them, with a
    # timer that expires at once: the server reads the end of the stream,
    # usually before the timer runs, which then has nothing to do.
    def lost():
        return messages(caplog, "x connection lost: None")

    async def main():
        async with ws_server(open_timeout=0) as (server, listeners):
            for _ in range(3):
                with socket.create_connection(("127.0.0.1", get_port(server))):
                    pass
            await wait_for_condition(lambda: len(lost()) == 3, TIMEOUT)
            assert listeners == []

    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        run(main(), loop_factory)
    # Each connection saw its peer leave; at most, its timer expired first.
    left = messages_starting(caplog, "! invalid handshake request")
    assert len(left) == 3
    assert len(messages(caplog, "opening handshake timed out")) <= 3
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_request_in_pieces_without_open_timeout(loop_factory):
    async def main():
        async with ws_server(open_timeout=None) as (server, listeners):
            async with raw_client(server) as (reader, writer):
                request = make_request()
                writer.write(request[:20])
                await asyncio.sleep(20 * MS)
                writer.write(request[20:])
                status, _ = await read_head(reader)
                assert status == 101
                writer.write(client_frame(OP_TEXT, b"hi"))
                frame = await read_frame(reader, mask=False)
                assert frame == Frame(True, OP_TEXT, b"hi")

    run(main(), loop_factory)


def test_frames_right_after_request(loop_factory):
    async def main():
        async with ws_server() as (server, listeners):
            async with raw_client(server) as (reader, writer):
                # The request and a frame in one write, before the response.
                writer.write(make_request() + client_frame(OP_TEXT, b"early"))
                status, _ = await read_head(reader)
                assert status == 101
                # The server echoes the frame.
                frame = await read_frame(reader, mask=False, timeout=1_000 * MS)
                assert frame == Frame(True, OP_TEXT, b"early")

    run(main(), loop_factory)


def test_frames_and_close_right_after_request(loop_factory):
    async def main():
        async with ws_server(Recorder) as (server, listeners):
            async with raw_client(server) as (reader, writer):
                writer.write(
                    make_request()
                    + client_frame(OP_TEXT, b"early")
                    + client_frame(OP_CLOSE, Close(1000, "bye").serialize())
                )
                status, _ = await read_head(reader)
                assert status == 101
                # The core answered the close frame, then closed.
                frame = await read_frame(reader, mask=False)
                assert Close.parse(frame.data) == Close(1000, "")
                assert await read_to_eof(reader) == b""
            with contextlib.suppress(asyncio.TimeoutError):
                await wait_for_condition(lambda: listeners[0].closed, 1_000 * MS)
            assert listeners[0].calls == ["connected", "frame", "frame", "closed"]
            assert listeners[0].closed == [(1000, "bye")]

    run(main(), loop_factory)


# Opening handshake: the client.


def test_open_timeout_client(loop_factory):
    ended = []

    async def handler(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        try:
            await reader.read()  # never answer
        except ConnectionResetError:
            pass
        ended.append(True)

    async def main():
        async with raw_server(handler) as server:
            start = time.monotonic()
            with pytest.raises(asyncio.TimeoutError):
                await connect(Recorder, get_uri(server), open_timeout=50 * MS)
            assert time.monotonic() - start >= 40 * MS
            # The client dropped the connection.
            await wait_for_condition(lambda: ended, TIMEOUT)

    run(main(), loop_factory)


def test_non_101_response(loop_factory):
    created = []

    def listener_factory():
        created.append(Recorder())
        return created[-1]

    async def handler(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        writer.write(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\nX-Why: nowhere\r\n\r\nnope"
        )
        await reader.read()

    async def main():
        async with raw_server(handler) as server:
            with pytest.raises(InvalidStatusCode) as raised:
                await connect(listener_factory, get_uri(server))
            assert raised.value.status_code == 404
            assert raised.value.headers["X-Why"] == "nowhere"
            # The listener was created first, but never connected.
            assert len(created) == 1
            await asyncio.sleep(0)
            assert created[0].calls == []

    run(main(), loop_factory)


def test_server_closes_before_answering(loop_factory):
    async def handler(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        writer.close()

    async def main():
        async with raw_server(handler) as server:
            with pytest.raises(InvalidHandshake) as raised:
                await connect(Recorder, get_uri(server))
            # The core's handshake_exc: a response cut short.
            assert type(raised.value) is InvalidMessage
            assert isinstance(raised.value.__cause__, EOFError)

    run(main(), loop_factory)


def test_invalid_accept_key(loop_factory):
    async def handler(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        writer.write(handshake_response(make_request()))  # the wrong key
        await reader.read()

    async def main():
        async with raw_server(handler) as server:
            with pytest.raises(InvalidHeaderValue) as raised:
                await connect(Recorder, get_uri(server))
            assert raised.value.name == "Sec-WebSocket-Accept"

    run(main(), loop_factory)


def test_response_in_pieces(loop_factory):
    async def handler(reader, writer):
        request = await reader.readuntil(b"\r\n\r\n")
        response = handshake_response(request)
        writer.write(response[:20])
        await writer.drain()
        await asyncio.sleep(20 * MS)
        writer.write(response[20:])
        frame = await read_frame(reader, mask=True)
        writer.write(server_frame(frame.opcode, frame.data))
        await reader.read()

    async def main():
        async with raw_server(handler) as server:
            async with ws_client(get_uri(server)) as client:
                assert client.response.status_code == 101
                client.send(OP_TEXT, "hi")
                await wait_for_condition(lambda: client.listener.frames, TIMEOUT)
                assert client.listener.data_frames() == [(OP_TEXT, b"hi", True)]

    run(main(), loop_factory)


def test_frames_with_the_response(loop_factory):
    received = []

    async def handler(reader, writer):
        request = await reader.readuntil(b"\r\n\r\n")
        # The response and two frames in one write.
        writer.write(
            handshake_response(request)
            + server_frame(OP_TEXT, b"hello")
            + server_frame(OP_PING, b"are you there")
        )
        received.append(await read_frame(reader, mask=True))
        await reader.read()

    async def main():
        async with raw_server(handler) as server:
            async with ws_client(get_uri(server)) as client:
                await wait_for_condition(
                    lambda: len(client.listener.frames) == 2, TIMEOUT
                )
                assert client.listener.calls == ["connected", "frame", "frame"]
                assert client.listener.frames == [
                    Frame(True, OP_TEXT, b"hello"),
                    Frame(True, OP_PING, b"are you there"),
                ]
                # The core answered the ping.
                await wait_for_condition(lambda: received, TIMEOUT)
                assert received == [Frame(True, OP_PONG, b"are you there")]

    run(main(), loop_factory)


def test_frames_and_close_with_the_response(loop_factory):
    async def handler(reader, writer):
        request = await reader.readuntil(b"\r\n\r\n")
        writer.write(
            handshake_response(request)
            + server_frame(OP_TEXT, b"hello")
            + server_frame(OP_CLOSE, Close(1000, "bye").serialize())
        )
        await read_frame(reader, mask=True)  # the answer to the close frame
        writer.close()

    async def main():
        async with raw_server(handler) as server:
            # The handshake succeeded: this should return the connection.
            async with ws_client(get_uri(server)) as client:
                await asyncio.wait_for(client.wait_closed(), TIMEOUT)
                calls = ["connected", "frame", "frame", "closed"]
                assert client.listener.calls == calls
                assert client.listener.closed == [(1000, "bye")]

    run(main(), loop_factory)


# Handshake results and attributes.


def test_attributes(loop_factory):
    async def main():
        subprotocols = ["chat", "superchat"]
        async with ws_server(subprotocols=subprotocols) as (server, listeners):
            uri = get_uri(server, "/room?x=1")
            async with ws_client(
                uri,
                subprotocols=["superchat", "other"],
                extra_headers={"X-Test": "yes"},
            ) as client:
                await wait_for_condition(lambda: listeners, TIMEOUT)
                server_transport = listeners[0].transport
                assert isinstance(client, WebSocketTransport)
                assert isinstance(server_transport, WebSocketTransport)
                assert isinstance(client.listener, Recorder)
                assert server_transport.listener is listeners[0]

                assert client.subprotocol == "superchat"
                assert server_transport.subprotocol == "superchat"

                assert client.state is OPEN
                assert server_transport.state is OPEN
                assert client.close_code is None and client.close_reason is None

                assert isinstance(client.request, Request)
                assert isinstance(server_transport.request, Request)
                assert client.request.path == "/room?x=1"
                assert server_transport.request.path == "/room?x=1"
                # The listener factory got the request.
                assert listeners[0].request is server_transport.request
                headers = server_transport.request.headers
                assert headers["Sec-WebSocket-Protocol"] == "superchat, other"
                assert headers["X-Test"] == "yes"
                assert "User-Agent" in headers

                assert isinstance(client.response, Response)
                assert client.response.status_code == 101
                assert server_transport.response.status_code == 101
                assert client.response.headers["Sec-WebSocket-Protocol"] == "superchat"

                port = get_port(server)
                assert client.remote_address[:2] == ("127.0.0.1", port)
                assert server_transport.local_address[:2] == ("127.0.0.1", port)
                assert client.local_address == server_transport.remote_address
                assert client.local_address[0] == "127.0.0.1"

    run(main(), loop_factory)


def test_no_subprotocol_no_user_agent(loop_factory):
    async def main():
        async with ws_server(subprotocols=["chat"]) as (server, listeners):
            async with ws_client(
                get_uri(server), subprotocols=["other"], user_agent_header=None
            ) as client:
                await wait_for_condition(lambda: listeners, TIMEOUT)
                assert client.subprotocol is None
                assert listeners[0].transport.subprotocol is None
                assert "User-Agent" not in listeners[0].request.headers

    run(main(), loop_factory)


# Limits.


def test_max_size_client(loop_factory):
    class SendBig(Recorder):
        def on_frame(self, transport, frame):
            super().on_frame(transport, frame)
            if frame.opcode == OP_TEXT:
                transport.send(OP_BINARY, b"x" * 2048)

    async def main():
        async with ws_server(SendBig) as (server, listeners):
            async with ws_client(get_uri(server), max_size=1024) as client:
                client.send(OP_TEXT, "send me something big")
                await asyncio.wait_for(client.wait_closed(), TIMEOUT)
                await wait_for_condition(lambda: listeners[0].closed, TIMEOUT)
                # The message didn't reach the client's listener.
                assert client.listener.data_frames() == []
                # The server saw close code 1009.
                assert listeners[0].close_codes() == [1009]
                assert listeners[0].closed[0][0] == 1009
                with pytest.raises(ConnectionClosedError) as raised:
                    client.send(OP_TEXT, "too late")
                assert raised.value.sent.code == 1009
                assert isinstance(raised.value.__cause__, PayloadTooBig)

    run(main(), loop_factory)


def test_max_size_server_fragmented(loop_factory):
    async def main():
        async with ws_server(Recorder, max_size=1024) as (server, listeners):
            async with ws_client(get_uri(server)) as client:
                client.send(OP_BINARY, b"x" * 600, fin=False)
                client.send(OP_CONT, b"x" * 600, fin=True)
                await asyncio.wait_for(client.wait_closed(), TIMEOUT)
                assert client.listener.close_codes() == [1009]
                assert client.listener.closed[0][0] == 1009
                await wait_for_condition(lambda: listeners[0].closed, TIMEOUT)
                # The first fragment arrived; the second went over the limit.
                assert listeners[0].data_frames() == [(OP_BINARY, b"x" * 600, False)]

    run(main(), loop_factory)


def test_max_size_none(loop_factory):
    async def main():
        async with ws_server(max_size=None) as (server, listeners):
            async with ws_client(get_uri(server), max_size=None) as client:
                data = os.urandom(2**20 + 1)
                client.send(OP_BINARY, data)
                await wait_for_condition(lambda: client.listener.frames, TIMEOUT)
                assert client.listener.data_frames() == [(OP_BINARY, data, True)]

    run(main(), loop_factory)


# Flow control.


CHUNK = os.urandom(2**18)


class Flooder(Recorder):
    """On "flood", send until the write buffer is full, then once more."""

    sent = 0

    def on_frame(self, transport, frame):
        super().on_frame(transport, frame)
        if frame.data == b"flood":
            # Bounded, in case pause_writing() never came.
            while not self.pauses and self.sent < 200:
                transport.send(OP_BINARY, CHUNK)
                self.sent += 1
            # Frames sent while paused are buffered.
            transport.send(OP_TEXT, "done")
            self.sent += 1


def test_pause_and_resume(loop_factory):
    async def main():
        async with ws_server(Flooder, write_limit=2**16) as (server, listeners):
            async with ws_client(get_uri(server)) as client:
                client.pause_reading()
                assert not client.transport.is_reading()
                client.send(OP_TEXT, "flood")
                await wait_for_condition(
                    lambda: listeners and listeners[0].sent, TIMEOUT
                )
                flooder = listeners[0]
                # The server's listener was told to stop.
                assert flooder.pauses == 1
                assert flooder.resumes == 0
                assert flooder.sent < 200
                assert flooder.transport.transport.get_write_buffer_size() > 2**16
                # The client isn't reading.
                await asyncio.sleep(50 * MS)
                assert client.listener.frames == []
                client.resume_reading()
                assert client.transport.is_reading()
                await wait_for_condition(
                    lambda: len(client.listener.frames) == flooder.sent, 3 * TIMEOUT
                )
                await wait_for_condition(lambda: flooder.resumes, TIMEOUT)
                assert flooder.pauses == 1
                assert flooder.resumes == 1
                assert client.listener.data_frames() == [
                    (OP_BINARY, CHUNK, True)
                ] * (flooder.sent - 1) + [(OP_TEXT, b"done", True)]

    run(main(), loop_factory)


def test_pause_before_the_listener(loop_factory):
    # A response larger than the socket buffers fills the write buffer while
    # the connection has no listener.
    body = b"x" * 2**24

    def listener_factory(request):
        raise AbortHandshake(403, {}, body)

    async def main():
        async with serving(listener_factory, write_limit=2**16) as server:
            async with raw_client(server) as (reader, writer):
                writer.write(make_request())
                status, _ = await read_head(reader)
                assert status == 403
                received = await asyncio.wait_for(
                    reader.readexactly(len(body)), TIMEOUT
                )
                assert received == body
                assert await read_to_eof(reader) == b""

    run(main(), loop_factory)


# Transports.


def test_unix(loop_factory, unix_dir):
    path = os.path.join(unix_dir, "ws.sock")

    async def main():
        listeners = []

        def listener_factory(request):
            listeners.append(Echo())
            listeners[-1].request = request
            return listeners[-1]

        server = await unix_serve(listener_factory, path)
        try:
            client = await unix_connect(Recorder, path, "ws://localhost/chat")
            client.send(OP_TEXT, "over unix")
            await wait_for_condition(lambda: client.listener.frames, TIMEOUT)
            assert client.listener.data_frames() == [(OP_TEXT, b"over unix", True)]
            assert listeners[0].request.path == "/chat"
            client.close()
            await asyncio.wait_for(client.wait_closed(), TIMEOUT)
            assert client.listener.closed == [(1000, "")]

            client = await unix_connect(Recorder, path)
            await wait_for_condition(lambda: len(listeners) == 2, TIMEOUT)
            assert listeners[1].request.path == "/"
            client.close()
            await asyncio.wait_for(client.wait_closed(), TIMEOUT)
            await wait_for_condition(lambda: listeners[1].closed, TIMEOUT)
        finally:
            server.close()
            await asyncio.wait_for(server.wait_closed(), TIMEOUT)

    run(main(), loop_factory)


def test_tls(loop_factory, certificate):
    async def main():
        async with ws_server(ssl=certificate.server_context()) as (server, listeners):
            uri = get_uri(server, secure=True)
            async with ws_client(uri, ssl=certificate.client_context()) as client:
                assert client.transport.get_extra_info("ssl_object") is not None
                data = os.urandom(100_000)
                client.send(OP_TEXT, "secret")
                client.send(OP_BINARY, data)
                await wait_for_condition(
                    lambda: len(client.listener.frames) == 2, TIMEOUT
                )
                assert client.listener.data_frames() == [
                    (OP_TEXT, b"secret", True),
                    (OP_BINARY, data, True),
                ]
                client.close(1000, "bye")
                await asyncio.wait_for(client.wait_closed(), TIMEOUT)
                await wait_for_condition(lambda: listeners[0].closed, TIMEOUT)
                assert client.listener.closed == [(1000, "")]
                assert listeners[0].closed == [(1000, "bye")]

    run(main(), loop_factory)


def test_tls_refused(loop_factory, certificate):
    def listener_factory(request):
        raise AbortHandshake(403, {}, b"no")

    async def main():
        ssl = certificate.server_context()
        async with serving(listener_factory, ssl=ssl) as server:
            uri = get_uri(server, secure=True)
            with pytest.raises(InvalidStatusCode) as raised:
                await connect(Recorder, uri, ssl=certificate.client_context())
            assert raised.value.status_code == 403

    run(main(), loop_factory)


def test_tls_default_context(loop_factory, certificate, monkeypatch):
    # The default context trusts the test certificate through this variable.
    monkeypatch.setenv("SSL_CERT_FILE", certificate.certfile)

    async def main():
        async with ws_server(ssl=certificate.server_context()) as (server, listeners):
            uri = f"wss://localhost:{get_port(server)}/"
            async with ws_client(uri) as client:
                assert client.transport.get_extra_info("ssl_object") is not None
                client.send(OP_TEXT, "default")
                await wait_for_condition(lambda: client.listener.frames, TIMEOUT)
                assert client.listener.data_frames() == [(OP_TEXT, b"default", True)]

    run(main(), loop_factory)


def test_connect_with_sock(loop_factory):
    async def main():
        async with ws_server() as (server, listeners):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            try:
                await asyncio.get_running_loop().sock_connect(
                    sock, ("127.0.0.1", get_port(server))
                )
                async with ws_client(get_uri(server, "/sock"), sock=sock) as client:
                    client.send(OP_TEXT, "through a socket")
                    await wait_for_condition(lambda: client.listener.frames, TIMEOUT)
                    assert client.listener.data_frames() == [
                        (OP_TEXT, b"through a socket", True)
                    ]
                    assert listeners[0].request.path == "/sock"
            finally:
                sock.close()  # uvloop uses a duplicate

    run(main(), loop_factory)


def test_unsupported_compression(loop_factory):
    async def main():
        with pytest.raises(ValueError):
            await serve(Echo, "127.0.0.1", 0, compression="bogus")
        with pytest.raises(ValueError):
            await connect(Recorder, "ws://127.0.0.1:1/", compression="bogus")

    run(main(), loop_factory)


# Logging.


def test_debug_logs(loop_factory, caplog):
    async def main():
        async with ws_server() as (server, listeners):
            async with ws_client(get_uri(server)) as client:
                client.send(OP_TEXT, "logged")
                await wait_for_condition(lambda: client.listener.frames, TIMEOUT)
                client.close()
                await asyncio.wait_for(client.wait_closed(), TIMEOUT)
                await wait_for_condition(lambda: listeners[0].closed, TIMEOUT)

    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        run(main(), loop_factory)
    # Both sides, the client and the server, on the module's logger.
    for message in ["connection open", "x connection lost: None"]:
        records = messages(caplog, message)
        assert [r.name for r in records] == [LOGGER, LOGGER]
        assert [r.levelno for r in records] == [logging.DEBUG, logging.DEBUG]


def test_no_debug_logs_by_default(loop_factory, caplog):
    async def main():
        async with ws_server() as (server, listeners):
            async with ws_client(get_uri(server)) as client:
                client.close()
                await asyncio.wait_for(client.wait_closed(), TIMEOUT)

    with caplog.at_level(logging.INFO, logger=LOGGER):
        run(main(), loop_factory)
    assert [r for r in caplog.records if r.name.startswith("websockets")] == []


def test_custom_loggers(loop_factory, caplog):
    server_logger = logging.getLogger("tests.lowlevel.server")
    client_logger = logging.getLogger("tests.lowlevel.client")

    async def main():
        async with ws_server(logger=server_logger) as (server, listeners):
            uri = get_uri(server)
            async with ws_client(uri, Failing, logger=client_logger) as client:
                assert client.logger is client_logger
                await wait_for_condition(lambda: listeners, TIMEOUT)
                assert listeners[0].transport.logger is server_logger
                # The echo makes the client's listener fail.
                client.send(OP_TEXT, "fail")
                await asyncio.wait_for(client.wait_closed(), TIMEOUT)
            async with raw_client(server) as (reader, writer):
                writer.write(make_request().replace(b"Upgrade: websocket\r\n", b""))
                status, _ = await read_head(reader)
                assert status == 426

    with caplog.at_level(logging.INFO):
        run(main(), loop_factory)
    failures = messages(caplog, "listener failed")
    assert [r.name for r in failures] == ["tests.lowlevel.client"]
    handshakes = messages_starting(caplog, "opening handshake failed")
    assert [r.name for r in handshakes] == ["tests.lowlevel.server"]
    assert [r for r in caplog.records if r.name == LOGGER] == []
