"""
Tests of WebSocketCommonProtocol: messages, pings, timeouts, flow control,
errors, and broadcast().
"""

import asyncio
import collections
import gc
import logging
import sys
from unittest import mock

import pytest

from websockets.client import WebSocketClientProtocol, connect
from websockets.exceptions import (
    ConcurrencyError,
    ConnectionClosed,
    ConnectionClosedError,
    ConnectionClosedOK,
    InvalidState,
    ProtocolError,
)
from websockets.protocol import (
    State,
    WebSocketCommonProtocol,
    _Deadlines,
    _ConnectionLogger,
    _open_deadlines,
    _open_within,
    broadcast,
)

from .utils import (
    MS,
    accept_then,
    attribute_dicts,
    echo_server,
    get_uri,
    raw_server,
    run,
    wait_for_condition,
)


async def hold(ws):
    """Connection handler that keeps the connection open until it closes."""
    await ws.wait_closed()


@pytest.fixture
def server_connections():
    """Collects the server side of connections."""
    return []


def collecting(connections, then=hold):
    async def handler(ws):
        connections.append(ws)
        await then(ws)

    return handler


# recv()


def test_recv_waits_for_the_first_message(loop_factory):
    async def main():
        async with echo_server() as server:
            async with connect(get_uri(server)) as ws:
                # No message yet: no queue either.
                referents = gc.get_referents(ws)
                assert not any(isinstance(r, collections.deque) for r in referents)
                received = asyncio.create_task(ws.recv())
                await asyncio.sleep(0)  # recv() waits
                await ws.send("hello")
                assert await received == "hello"

    run(main(), loop_factory)


def test_concurrent_recv(loop_factory):
    async def main():
        async with echo_server(hold) as server:
            async with connect(get_uri(server)) as ws:
                first = asyncio.ensure_future(ws.recv())
                await asyncio.sleep(0)
                with pytest.raises(ConcurrencyError):
                    await ws.recv()
                assert isinstance(ConcurrencyError(), RuntimeError)
                first.cancel()
                # Iterating counts as receiving.
                first = asyncio.ensure_future(ws.__anext__())
                await asyncio.sleep(0)
                with pytest.raises(ConcurrencyError):
                    await ws.recv()
                first.cancel()

    run(main(), loop_factory)


def test_recv_in_a_task(loop_factory):
    async def main():
        async with echo_server() as server:
            async with connect(get_uri(server)) as ws:
                task = asyncio.create_task(ws.recv())
                await ws.send("hi")
                assert await task == "hi"

    run(main(), loop_factory)


def test_recv_is_a_coroutine_function():
    # Unlike __anext__(), which waits in a coroutine of the C extension:
    # mocks made from the class must be awaitable.
    assert isinstance(mock.AsyncMock(spec=WebSocketClientProtocol).recv, mock.AsyncMock)
    autospec = mock.create_autospec(WebSocketClientProtocol, instance=True)
    assert isinstance(autospec.recv, mock.AsyncMock)


def test_message_after_cancelled_recv(loop_factory):
    async def main():
        async with echo_server(hold) as server:
            async with connect(get_uri(server)) as ws:
                with pytest.raises(asyncio.TimeoutError):
                    await asyncio.wait_for(ws.recv(), 10 * MS)
                # The message arrives before the next recv() call.
                ws.data_received(b"\x81\x04kept")
                assert await ws.recv() == "kept"

    run(main(), loop_factory)


def test_data_received_takes_bytes_in_hand(loop_factory):
    # asyncio calls get_buffer() and buffer_updated(); code with bytes in
    # hand calls data_received().
    async def main():
        async with echo_server(hold) as server:
            async with connect(get_uri(server)) as ws:
                ws.data_received(b"\x81\x02hi\x82")  # a frame, then a piece
                assert await ws.recv() == "hi"
                ws.data_received(b"\x01!")
                assert await ws.recv() == b"!"

    run(main(), loop_factory)


def test_large_message_received_in_place(loop_factory):
    # A message larger than the shared receive buffer arrives in many reads,
    # the rest of the frame straight into the core's buffer.
    async def main():
        async with echo_server() as server:
            async with connect(get_uri(server), max_size=None) as ws:
                message = bytes(range(256)) * 4096  # 1 MiB
                await ws.send(message)
                assert await ws.recv() == message

    run(main(), loop_factory)


def test_cancelled_recv_loses_nothing(loop_factory):
    async def main():
        async with echo_server() as server:
            async with connect(get_uri(server)) as ws:
                with pytest.raises(asyncio.TimeoutError):
                    await asyncio.wait_for(ws.recv(), 10 * MS)
                await ws.send("kept")
                assert await ws.recv() == "kept"

    run(main(), loop_factory)


def test_iteration_resumes_after_break(loop_factory):
    # The connection is its own iterator: leaving a loop early and starting
    # another one loses no message.
    async def main():
        async with echo_server() as server:
            async with connect(get_uri(server)) as ws:
                assert ws.__aiter__() is ws
                for message in ["one", "two", "three"]:
                    await ws.send(message)
                async for message in ws:
                    assert message == "one"
                    break
                received = []
                async for message in ws:
                    received.append(message)
                    if len(received) == 2:
                        break
                assert received == ["two", "three"]

    run(main(), loop_factory)


def test_iteration_calls_recv_of_subclass(loop_factory):
    class Shouting(WebSocketClientProtocol):
        async def recv(self):
            return (await super().recv()).upper()

    async def main():
        async with echo_server() as server:
            async with connect(get_uri(server), create_protocol=Shouting) as ws:
                await ws.send("hi")
                await ws.send("there")
                received = []
                async for message in ws:
                    received.append(message)
                    if len(received) == 2:
                        await ws.close()  # then the iteration stops
                assert received == ["HI", "THERE"]

    run(main(), loop_factory)


def test_recv_after_abnormal_closure(loop_factory):
    async def main():
        async def vanish(reader, writer):
            writer.transport.abort()

        async def handler(reader, writer):
            await accept_then(reader, writer, vanish)

        async with raw_server(handler) as server:
            ws = await connect(get_uri(server))
            with pytest.raises(ConnectionClosedError) as raised:
                await ws.recv()
            assert raised.value.code == 1006
            assert ws.close_code == 1006
            # Iteration raises on an error, rather than end quietly.
            with pytest.raises(ConnectionClosedError):
                async for _ in ws:
                    pass

    run(main(), loop_factory)


def peer_sends(data):
    """A raw server that accepts, sends ``data``, then reads until EOF."""

    async def action(reader, writer):
        writer.write(data)
        await reader.read()

    async def handler(reader, writer):
        await accept_then(reader, writer, action)

    return handler


def test_invalid_utf8_fails_1007(loop_factory):
    async def main():
        async with raw_server(peer_sends(b"\x81\x02\xff\xfe")) as server:
            ws = await connect(get_uri(server), compression=None, close_timeout=50 * MS)
            with pytest.raises(ConnectionClosedError) as raised:
                await ws.recv()
            assert raised.value.sent.code == 1007
            assert isinstance(raised.value.__cause__, UnicodeDecodeError)

    run(main(), loop_factory)


def test_protocol_error_fails_1002(loop_factory):
    async def main():
        # A continuation frame without a first frame.
        async with raw_server(peer_sends(b"\x80\x00")) as server:
            ws = await connect(get_uri(server), compression=None, close_timeout=50 * MS)
            with pytest.raises(ConnectionClosedError) as raised:
                await ws.recv()
            assert raised.value.sent.code == 1002
            assert isinstance(raised.value.__cause__, ProtocolError)

    run(main(), loop_factory)


# send()


def test_send_invalid_types(loop_factory):
    async def main():
        async with echo_server() as server:
            async with connect(get_uri(server)) as ws:
                with pytest.raises(TypeError, match="dict-like"):
                    await ws.send({"not": "sent"})
                with pytest.raises(TypeError):
                    await ws.send(42)
                with pytest.raises(TypeError):
                    await ws.send([42])
                # The connection is still fine.
                await ws.send("fine")
                assert await ws.recv() == "fine"

    run(main(), loop_factory)


@pytest.mark.parametrize("use_async", [False, True])
def test_send_mixed_fragments_fails_connection(loop_factory, use_async):
    async def agen():
        yield "text"
        yield b"bytes"

    async def main():
        async with echo_server() as server:
            async with connect(get_uri(server)) as ws:
                chunks = agen() if use_async else ["text", b"bytes"]
                with pytest.raises(TypeError, match="uniform"):
                    await ws.send(chunks)
                with pytest.raises(ConnectionClosedError) as raised:
                    await ws.recv()
                assert raised.value.sent.code == 1011

    run(main(), loop_factory)


def test_send_waits_for_fragmented_message(loop_factory):
    async def main():
        release = asyncio.Event()

        async def chunks():
            yield "frag"
            await release.wait()
            yield "mented"

        async with echo_server() as server:
            async with connect(get_uri(server)) as ws:
                fragmented = asyncio.ensure_future(ws.send(chunks()))
                await wait_for_condition(lambda: ws._fragmented_send is not None)
                other = asyncio.ensure_future(ws.send("after"))
                await asyncio.sleep(0)
                assert not other.done()
                release.set()
                await fragmented
                await other
                assert await ws.recv() == "fragmented"
                assert await ws.recv() == "after"

    run(main(), loop_factory)


def test_send_before_open(loop_factory):
    async def main():
        ws = WebSocketClientProtocolForTest()
        with pytest.raises(InvalidState):
            await ws.send("early")

    run(main(), loop_factory)


def test_message_path_calls_flush_directly(loop_factory):
    # The path that messages take calls flush() without looking it up, in
    # the source as in the compiled build: an override applies to other
    # callers, such as the handshake.
    calls = []

    class CountingFlush(WebSocketClientProtocol):
        def flush(self):
            calls.append(self.state)
            super().flush()

    async def main():
        async with echo_server() as server:
            async with connect(get_uri(server), create_protocol=CountingFlush) as ws:
                assert calls == [State.CONNECTING]
                await ws.send("hello")
                assert await ws.recv() == "hello"
                assert calls == [State.CONNECTING]

    run(main(), loop_factory)


def test_user_values_accepted_as_in_source(loop_factory):
    # Compiled, the protocol's attributes are C fields: those that hold what
    # users pass or set take any object, as in the source.
    async def main():
        ws = WebSocketCommonProtocol(max_queue=8.0)
        assert ws._queue_high == 8.0 and ws._queue_low == 2.0
        ws.latency = None
        assert ws.latency is None

    run(main(), loop_factory)


def test_protocol_without_core_raises(loop_factory):
    # Only subclasses give a protocol its core. Compiled, the core is a typed
    # attribute: when it's missing, using it must raise, not crash.
    async def main():
        ws = WebSocketCommonProtocol()
        with pytest.raises(AttributeError):
            ws.get_buffer(-1)
        with pytest.raises(AttributeError):
            ws.buffer_updated(1)
        with pytest.raises(AttributeError):
            ws.data_received(b"\x81\x00")
        with pytest.raises(AttributeError):
            ws.eof_received()
        with pytest.raises(AttributeError):
            ws.flush()
        with pytest.raises(AttributeError):
            await ws.send("early")

    run(main(), loop_factory)


class WebSocketClientProtocolForTest(WebSocketCommonProtocol):
    """A connection that was never made, with the core in CONNECTING."""

    def __init__(self):
        super().__init__()
        from websockets.sansio.connection import CLIENT, CONNECTING, Connection

        self.sansio = Connection(CLIENT, state=CONNECTING)


def test_send_on_closing_connection_waits_for_close(loop_factory, server_connections):
    async def main():
        async with echo_server(collecting(server_connections)) as server:
            async with connect(get_uri(server)) as ws:
                await ws.send("hello")
                closing = asyncio.ensure_future(ws.close())
                await asyncio.sleep(0)
                with pytest.raises(ConnectionClosedOK):
                    await ws.send("too late")
                assert ws.closed
                await closing

    run(main(), loop_factory)


# Pings and pongs.


def test_ping_payloads(loop_factory):
    async def main():
        async with echo_server() as server:
            async with connect(get_uri(server)) as ws:
                # Hold the pong back by pausing the reading of the client.
                ws.transport.pause_reading()
                first = await ws.ping("same")
                with pytest.raises(ConcurrencyError):
                    await ws.ping(b"same")
                second = await ws.ping()
                ws.transport.resume_reading()
                assert await asyncio.wait_for(first, 1000 * MS) > 0
                assert await asyncio.wait_for(second, 1000 * MS) > 0
                with pytest.raises(TypeError):
                    await ws.ping(42)
                with pytest.raises(ValueError):
                    await ws.ping(b"x" * 126)

    run(main(), loop_factory)


def test_pong_acknowledges_earlier_pings(loop_factory, server_connections):
    async def main():
        async with echo_server(collecting(server_connections)) as server:
            async with connect(get_uri(server)) as ws:
                await wait_for_condition(lambda: server_connections)
                server_ws = server_connections[0]
                # The server stops reading: pings pile up unanswered.
                server_ws.transport.pause_reading()
                waiters = [await ws.ping(data) for data in ["1", "2", "3"]]
                await asyncio.sleep(0)
                assert not any(waiter.done() for waiter in waiters)
                # An unsolicited pong acknowledges nothing.
                await server_ws.pong("unknown")
                # The pong for the second ping acknowledges the first one too.
                await server_ws.pong("2")
                await asyncio.wait_for(waiters[1], 1000 * MS)
                assert waiters[0].done()
                assert not waiters[2].done()
                assert list(ws.pings) == [b"3"]
                server_ws.transport.resume_reading()
                await asyncio.wait_for(waiters[2], 1000 * MS)

    run(main(), loop_factory)


def test_ping_waiters_fail_when_connection_closes(loop_factory):
    async def main():
        async with echo_server(hold) as server:
            ws = await connect(get_uri(server))
            # The client stops reading: the pong won't arrive.
            ws.transport.pause_reading()
            waiter = await ws.ping()
            ws.transport.abort()
            with pytest.raises(ConnectionClosed):
                await waiter
            with pytest.raises(ConnectionClosedError):
                await ws.ping()
            with pytest.raises(ConnectionClosedError):
                await ws.pong()

    run(main(), loop_factory)


def test_keepalive_timeout_against_silent_peer(loop_factory, caplog):
    async def never_read(reader, writer):
        await asyncio.Event().wait()

    async def handler(reader, writer):
        await accept_then(reader, writer, never_read)

    async def main():
        async with raw_server(handler) as server:
            ws = await connect(
                get_uri(server),
                ping_interval=20 * MS,
                ping_timeout=20 * MS,
                close_timeout=20 * MS,
            )
            with pytest.raises(ConnectionClosedError) as raised:
                await ws.recv()
            assert raised.value.code == 1006  # no close frame came back
            assert raised.value.sent.code == 1011
            assert raised.value.sent.reason == "keepalive ping timeout"

    with caplog.at_level(logging.INFO, logger="websockets.client"):
        run(main(), loop_factory)
    assert "keepalive ping timeout; closing connection" in [
        r.getMessage() for r in caplog.records
    ]


def test_keepalive_disabled(loop_factory):
    async def main():
        async with echo_server(ping_interval=None) as server:
            async with connect(get_uri(server), ping_interval=None) as ws:
                assert ws._keepalive_timer is None

    run(main(), loop_factory)


# Closing.


def test_close_timeout_against_peer_that_never_closes(loop_factory):
    async def read_forever(reader, writer):
        while await reader.read(4096):
            pass

    async def handler(reader, writer):
        await accept_then(reader, writer, read_forever)

    async def main():
        async with raw_server(handler) as server:
            ws = await connect(get_uri(server), close_timeout=20 * MS)
            await asyncio.wait_for(ws.close(), 1000 * MS)
            assert ws.closed
            assert ws.close_code == 1006
            assert ws.state is State.CLOSED

    run(main(), loop_factory)


def test_close_with_invalid_code(loop_factory):
    async def main():
        async with echo_server() as server:
            async with connect(get_uri(server)) as ws:
                with pytest.raises(ValueError):
                    await ws.close(1005)
                assert ws.open

    run(main(), loop_factory)


def test_close_custom_code(loop_factory, server_connections):
    async def main():
        async with echo_server(collecting(server_connections)) as server:
            ws = await connect(get_uri(server))
            await ws.close(4000, "custom")
            with pytest.raises(ConnectionClosedError) as raised:
                await ws.recv()
            assert raised.value.code == 4000
            assert raised.value.reason == ""  # the server echoes the code only
            await server_connections[0].wait_closed()
            assert server_connections[0].close_code == 4000
            assert server_connections[0].close_reason == "custom"

    run(main(), loop_factory)


def test_close_resumes_paused_reading(loop_factory, server_connections):
    async def flood(ws):
        for _ in range(10):
            await ws.send("x")
        await ws.wait_closed()

    async def main():
        async with echo_server(collecting(server_connections, flood)) as server:
            ws = await connect(get_uri(server), max_queue=1)
            await wait_for_condition(lambda: not ws.transport.is_reading())
            await asyncio.wait_for(ws.close(), 1000 * MS)
            assert ws.close_code == 1000

    run(main(), loop_factory)


def test_fail(loop_factory, server_connections):
    async def main():
        async with echo_server(collecting(server_connections)) as server:
            ws = await connect(get_uri(server))
            ws.fail(1008, "policy")
            await ws.wait_closed()
            ws.fail(1008, "again")  # does nothing once closed
            await server_connections[0].wait_closed()
            assert server_connections[0].close_code == 1008

    run(main(), loop_factory)


# broadcast()


def test_broadcast(loop_factory, server_connections, caplog):
    async def main():
        async with echo_server(collecting(server_connections)) as server:
            clients = [await connect(get_uri(server)) for _ in range(4)]
            await wait_for_condition(lambda: len(server_connections) == 4)
            closed, slow, *fine = server_connections
            await closed.close()
            slow.write_limit = -1  # its write buffer is always "too big"
            broadcast(server_connections, "text")
            broadcast(iter(server_connections), b"binary")
            broadcast(server_connections, bytearray(b"array"))
            for ws in clients[2:]:
                assert await ws.recv() == "text"
                assert await ws.recv() == b"binary"
                assert await ws.recv() == b"array"
            slow.write_limit = 2**16
            broadcast([slow], "now")
            assert await clients[1].recv() == "now"
            with pytest.raises(TypeError):
                broadcast(server_connections, 42)
            for ws in clients:
                await ws.close()

    with caplog.at_level(logging.WARNING, logger="websockets.server"):
        run(main(), loop_factory)
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["skipped broadcast: connection is slow"] * 3


def test_broadcast_skips_fragmented_send(loop_factory, caplog):
    async def main():
        release = asyncio.Event()

        async def chunks():
            yield "frag"
            await release.wait()
            yield "mented"

        async with echo_server() as server:
            async with connect(get_uri(server)) as ws:
                sending = asyncio.ensure_future(ws.send(chunks()))
                await wait_for_condition(lambda: ws._fragmented_send is not None)
                broadcast([ws], "skipped")
                release.set()
                await sending
                broadcast([ws], "sent")
                assert await ws.recv() == "fragmented"
                assert await ws.recv() == "sent"

    with caplog.at_level(logging.WARNING, logger="websockets.client"):
        run(main(), loop_factory)
    assert [r.getMessage() for r in caplog.records] == [
        "skipped broadcast: sending a fragmented message"
    ]


def test_peer_closes_during_fragmented_send(loop_factory, server_connections):
    async def main():
        release = asyncio.Event()

        async def chunks():
            yield b"first"
            await release.wait()
            yield b"second"

        async with echo_server(collecting(server_connections)) as server:
            async with connect(get_uri(server)) as ws:
                sending = asyncio.ensure_future(ws.send(chunks()))
                await wait_for_condition(lambda: server_connections)
                await server_connections[0].close(1001)
                release.set()
                with pytest.raises(ConnectionClosedOK):
                    await sending

    run(main(), loop_factory)


# Deadlines of opening handshakes, with one timer.


def expiring(expired):
    """Expire callback that records each key and the time it expired."""

    def expire(key):
        expired.append((key, asyncio.get_running_loop().time()))

    return expire


def test_deadlines_expire_in_order_with_one_timer(loop_factory):
    async def main():
        loop = asyncio.get_running_loop()
        expired = []
        deadlines = _Deadlines(20 * MS, expiring(expired))
        start = loop.time()
        deadlines.add("a")
        timer = deadlines._timer
        await asyncio.sleep(5 * MS)
        added = loop.time()
        deadlines.add("b")
        assert deadlines._timer is timer
        await wait_for_condition(lambda: len(expired) == 2)
        assert [key for key, _ in expired] == ["a", "b"]
        assert expired[0][1] >= start + 20 * MS
        assert expired[1][1] >= added + 20 * MS
        assert deadlines._timer is None

    run(main(), loop_factory)


def test_deadlines_discard(loop_factory):
    async def main():
        loop = asyncio.get_running_loop()
        expired = []
        deadlines = _Deadlines(20 * MS, expiring(expired))
        deadlines.add("a")
        await asyncio.sleep(5 * MS)
        added = loop.time()
        deadlines.add("b")
        assert deadlines.discard("a")
        assert not deadlines.discard("c")  # never added: nothing happens
        # The timer fires for "a" first, then waits for "b".
        await wait_for_condition(lambda: expired)
        assert [key for key, _ in expired] == ["b"]
        assert expired[0][1] >= added + 20 * MS

    run(main(), loop_factory)


def test_deadlines_drop_the_timer_when_empty(loop_factory):
    async def main():
        expired = []
        deadlines = _Deadlines(5 * MS, expiring(expired))
        deadlines.add("a")
        deadlines.add("b")
        deadlines.discard("a")
        assert deadlines._timer is not None
        deadlines.discard("b")
        assert deadlines._timer is None
        await asyncio.sleep(10 * MS)
        assert expired == []

    run(main(), loop_factory)


def test_deadlines_expire_may_discard_another_key(loop_factory):
    async def main():
        expired = []
        deadlines = _Deadlines(0, lambda key: (expired.append(key), deadlines.discard("b")))
        deadlines.add("a")
        deadlines.add("b")
        await wait_for_condition(lambda: expired)
        await asyncio.sleep(5 * MS)
        assert expired == ["a"]

    run(main(), loop_factory)


def test_deadlines_start_again(loop_factory):
    async def main():
        expired = []
        deadlines = _Deadlines(5 * MS, expiring(expired))
        deadlines.add("a")
        await wait_for_condition(lambda: expired)
        deadlines.add("b")
        assert deadlines._timer is not None
        await wait_for_condition(lambda: len(expired) == 2)
        assert [key for key, _ in expired] == ["a", "b"]

    run(main(), loop_factory)


# The clients' open timeout, with one timer per loop and timeout.

needs_uncancel = pytest.mark.skipif(
    sys.version_info < (3, 11),
    reason="before Python 3.11, _open_within() is asyncio.wait_for()",
)


async def never():
    """An opening that never ends; it records its cancellation."""
    await asyncio.get_running_loop().create_future()


def test_open_within_returns_the_result(loop_factory):
    async def main():
        async def opening():
            await asyncio.sleep(0)
            return "open"

        assert await _open_within(1, opening()) == "open"
        assert await _open_within(None, opening()) == "open"

    run(main(), loop_factory)


def test_open_within_times_out(loop_factory):
    async def main():
        loop = asyncio.get_running_loop()
        cancelled = []

        async def opening():
            try:
                await never()
            except asyncio.CancelledError:
                cancelled.append(True)
                raise

        start = loop.time()
        with pytest.raises(asyncio.TimeoutError):
            await _open_within(20 * MS, opening())
        assert loop.time() >= start + 20 * MS
        assert cancelled == [True]
        if sys.version_info >= (3, 11):
            assert asyncio.current_task().cancelling() == 0

    run(main(), loop_factory)


def test_open_within_lets_other_cancellations_through(loop_factory):
    async def main():
        task = asyncio.create_task(_open_within(1, never()))
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run(main(), loop_factory)


@needs_uncancel
def test_open_within_cancelled_while_timing_out(loop_factory):
    async def main():
        async def opening():
            try:
                await never()
            except asyncio.CancelledError:
                # Another cancellation arrives as the timeout expires.
                asyncio.current_task().cancel()
                raise

        task = asyncio.create_task(_open_within(0, opening()))
        with pytest.raises(asyncio.CancelledError):
            await task
        assert task.cancelling() == 1

    run(main(), loop_factory)


@needs_uncancel
def test_open_within_opening_ignores_the_timeout(loop_factory):
    async def main():
        task = asyncio.current_task()

        async def finishing():
            try:
                await never()
            except asyncio.CancelledError:
                return "open"

        async def failing():
            try:
                await never()
            except asyncio.CancelledError:
                raise ValueError("failed") from None

        # The timeout expired, but the opening finished anyway.
        assert await _open_within(0, finishing()) == "open"
        assert task.cancelling() == 0
        with pytest.raises(ValueError):
            await _open_within(0, failing())
        assert task.cancelling() == 0

    run(main(), loop_factory)


@needs_uncancel
def test_open_within_errors_before_the_timeout(loop_factory):
    async def main():
        async def failing():
            raise ValueError("failed")

        with pytest.raises(ValueError):
            await _open_within(1, failing())
        deadlines = _open_deadlines[asyncio.get_running_loop()][1]
        assert deadlines._deadlines == {}
        assert deadlines._timer is None

    run(main(), loop_factory)


@needs_uncancel
def test_open_within_shares_a_timer(loop_factory):
    async def main():
        loop = asyncio.get_running_loop()
        started = asyncio.Event()

        async def opening():
            started.set()
            await asyncio.sleep(10 * MS)

        first = asyncio.create_task(_open_within(1, opening()))
        await started.wait()
        deadlines = _open_deadlines[loop][1]
        timer = deadlines._timer
        second = asyncio.create_task(_open_within(1, opening()))
        await asyncio.sleep(0)
        assert len(deadlines._deadlines) == 2
        assert deadlines._timer is timer
        await asyncio.gather(first, second)
        assert deadlines._timer is None

    run(main(), loop_factory)


@needs_uncancel
def test_open_within_keeps_few_timeouts(loop_factory):
    async def main():
        async def opening():
            pass

        for timeout in range(1, 20):
            await _open_within(timeout, opening())
        assert len(_open_deadlines[asyncio.get_running_loop()]) <= 8

    run(main(), loop_factory)


@needs_uncancel
def test_open_within_holds_loops_weakly(loop_factory):
    async def main():
        async def opening():
            pass

        await _open_within(1, opening())
        assert asyncio.get_running_loop() in _open_deadlines

    run(main(), loop_factory)
    gc.collect()
    # The loop that ran main() is gone, and its deadlines with it.
    assert len(_open_deadlines) == 0


@needs_uncancel
def test_open_within_needs_a_task(loop_factory):
    async def main():
        loop = asyncio.get_running_loop()
        raised = loop.create_future()

        def outside_a_task():
            opening = _open_within(1, loop.create_future())
            try:
                opening.send(None)
            except RuntimeError as exc:
                raised.set_result(exc)

        loop.call_soon(outside_a_task)
        assert "task" in str(await raised)

    run(main(), loop_factory)


# The logger of a connection.


def test_connection_logger_refers_to_the_connection_weakly():
    class Connection:
        pass

    connection = Connection()
    logger = _ConnectionLogger(logging.getLogger("websockets.test"), connection)
    assert isinstance(logger, logging.LoggerAdapter)
    assert logger.extra == {"websocket": connection}
    del connection
    assert logger.extra == {"websocket": None}


def test_connection_logger_records_carry_the_connection(caplog):
    class Connection:
        pass

    connection = Connection()
    logger = _ConnectionLogger(logging.getLogger("websockets.test"), connection)
    with caplog.at_level(logging.INFO, logger="websockets.test"):
        logger.info("hello")
    assert caplog.records[-1].websocket is connection


def test_connection_logger_is_a_logger_not_a_reference():
    class Connection:
        pass

    connection = Connection()
    base = logging.getLogger("websockets.test")
    logger = _ConnectionLogger(base, connection)
    other = _ConnectionLogger(base, connection)
    # Compared and hashed by identity, like other loggers, not by referent.
    assert logger == logger and logger != other
    assert len({logger, other}) == 2
    level = logging.getLevelName(base.getEffectiveLevel())
    assert repr(logger) == f"<_ConnectionLogger websockets.test ({level})>"
    # Only slots: no instance dict for the garbage collector to track.
    assert base in gc.get_referents(logger)
    assert attribute_dicts(logger) == []
