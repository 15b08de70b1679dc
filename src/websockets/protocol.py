"""
The asyncio layer shared by clients and servers.

:class:`WebSocketCommonProtocol` is an :class:`asyncio.BufferedProtocol` that
drives a sans-I/O :class:`~websockets.sansio.connection.Connection`, stored as
``self.sansio``. Its :meth:`~WebSocketCommonProtocol.buffer_updated` feeds the
core, writes what the core queued, and wakes at most one waiter: complete
messages go into a queue watched by a single future, and pings, pongs and
close frames are answered by the core without waking the application.

Connections receive into one buffer per thread, which the core parses in
place: a read allocates nothing, and an idle connection holds no buffer. Only
a frame that is still arriving gets a buffer of its own, from the core, where
its remaining bytes are received directly.

It owns what the core leaves out: time (keepalive pings, the close timeout)
and buffering (``max_queue`` pauses reading; ``write_limit`` makes
:meth:`~WebSocketCommonProtocol.send` wait until the transport drains).

:func:`broadcast` sends a message to many connections without waiting.

"""

from __future__ import annotations

import asyncio
import collections
import logging
import random
import struct
import sys
import threading
import time
import weakref
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Iterable,
    Iterator,
    Mapping,
)
from typing import TYPE_CHECKING, Any, Optional, TypeVar, Union, cast

from .compiled import slots
from .datastructures import Headers
from .exceptions import ConcurrencyError, ConnectionClosedOK, InvalidState
from .framing import OP_BINARY, OP_CONT, OP_PONG, OP_TEXT, Frame
from .sansio.connection import CONNECTING, OPEN, Connection, State
from .typing import Data, LoggerLike, Subprotocol
from .uri import WebSocketURI
from .utils import _speedup


if TYPE_CHECKING:  # pragma: no cover
    from .extensions.base import Extension


__all__ = ["WebSocketCommonProtocol", "broadcast", "State"]


BytesLike = (bytes, bytearray, memoryview)

T = TypeVar("T")

# Size of the receive buffer shared by the connections of a thread: as much as
# asyncio's selector transports read at once, plus the longest frame header
# (14 bytes), so that a message of 256 KiB, a usual size for the chunks of a
# large transfer, arrives in one read rather than two, with no copy of its
# beginning.
SCRATCH_SIZE = 256 * 1024 + 14

_local = threading.local()

# Looked up once: getLogger() takes the logging module's lock at each call.
_logger = logging.getLogger("websockets.protocol")


def _scratch() -> memoryview:
    # Reads never overlap within a thread: asyncio calls get_buffer(), reads
    # into the buffer, then calls buffer_updated(), which parses everything
    # there or copies it, before any other connection reads.
    try:
        scratch: memoryview = _local.scratch
    except AttributeError:
        scratch = _local.scratch = memoryview(bytearray(SCRATCH_SIZE))
    return scratch


def _writes_vectors(transport: asyncio.Transport) -> bool:
    """
    Tell whether to write a large frame's header and payload with one call.

    That's ``writelines()``, which uvloop turns into one vectored write. The
    default ``writelines()`` joins them into one object: a copy, which
    separate writes avoid. asyncio's own socket transports write vectors
    from Python 3.12 on, but their ``writelines()`` never pauses the
    protocol (3.12, 3.13.0): ``write_limit`` would go unenforced.

    Args:
        transport: A connection's transport.

    """
    transport_type = type(transport)
    return (
        transport_type.writelines is not asyncio.WriteTransport.writelines
        and not transport_type.__module__.startswith("asyncio.")
    )


def _check_ssl(wsuri: WebSocketURI, kwargs: dict[str, Any]) -> None:
    """
    Refuse an ``ssl`` argument of a client with a ``ws://`` URI.

    Silently opening a plain connection, or TLS against a URI that says
    otherwise, would hide the caller's mistake.

    Raises:
        ValueError: If ``kwargs`` has ``ssl`` and ``wsuri`` isn't secure.

    """
    if not wsuri.secure and kwargs.get("ssl") is not None:
        raise ValueError(
            "connect() received a ssl argument for a ws:// URI, "
            "use a wss:// URI to enable TLS"
        )


def _tls_defaults(wsuri: WebSocketURI, kwargs: dict[str, Any]) -> None:
    """
    Turn TLS on in a client's ``create_connection()`` arguments for ``wss://``.

    The certificate is checked against the host of the URI, even when
    connecting elsewhere (``sock``, ``host``, a unix socket). Arguments
    given by the caller win.

    """
    if wsuri.secure:
        kwargs.setdefault("ssl", True)
        kwargs.setdefault("server_hostname", wsuri.host)


async def _steps_python(step: Callable[[Any], Any], arg: Any) -> Any:
    # The reference of the C steps() of websockets.speedups, in which
    # "async for" waits for messages: run step(arg) until it returns
    # something other than a future to wait for.
    result = step(arg)
    while isinstance(result, asyncio.Future):
        await result
        result = step(arg)
    return result


_steps: Callable[[Callable[[Any], Any], Any], Coroutine[Any, Any, Any]] = (
    _speedup("steps") or _steps_python
)


def _write_out(
    transport: asyncio.Transport, chunks: list[bytes], vectored: bool
) -> bool:
    """
    Write what the core queued, as :meth:`~websockets.sansio.connection.Connection.data_to_send` returns it.

    An empty bytes object means: close the sending side, with ``write_eof()``
    when the transport supports it (plain TCP), else by closing the transport
    (TLS).

    Args:
        transport: A connection's transport.
        chunks: Bytes to write.
        vectored: Whether to write several chunks with one ``writelines()``
            call: see :func:`_writes_vectors`.

    Returns:
        Whether the sending side is closed now.

    """
    if b"" in chunks:
        end = chunks.index(b"")
        _write_out(transport, chunks[:end], vectored)
        if transport.can_write_eof():
            try:
                transport.write_eof()
            except (OSError, RuntimeError):  # pragma: no cover
                pass  # the transport is closing already
        else:
            transport.close()
        _write_out(transport, chunks[end + 1 :], vectored)
        return True
    if vectored and len(chunks) > 1:
        transport.writelines(chunks)  # e.g. a large frame in two parts
    else:
        for chunk in chunks:
            transport.write(chunk)
    return False


class _Deadlines:
    """
    Call ``expire(key)`` for each key still there ``timeout`` seconds after it
    was added: the timeout of opening handshakes, for many connections.

    One timer of the event loop serves every key. A timer per connection
    costs a timer handle and its context, which outlive the handshake until
    the loop purges cancelled timers, and on the stock loop, its Python code:
    about 29,000 instructions per connection. Keys share the timeout, so
    they expire in the order they were added, which the dict keeps.

    Args:
        timeout: Delay before a key expires, in seconds.
        expire: Called with each key that expires, after removing it.

    """

    def __init__(self, timeout: float, expire: Callable[[Any], None]) -> None:
        # No reference to the loop, which the timer has: _open_within() keeps
        # instances in a dict whose keys are loops, held weakly.
        self._timeout = timeout
        self._expire = expire
        self._deadlines: dict[Any, float] = {}
        self._timer: Optional[asyncio.TimerHandle] = None

    def add(self, key: Any) -> None:
        """Start the timeout of ``key``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout
        self._deadlines[key] = deadline
        if self._timer is None:
            self._timer = loop.call_at(deadline, self._run)

    def discard(self, key: Any) -> bool:
        """Stop the timeout of ``key``; return whether it was running."""
        running = self._deadlines.pop(key, None) is not None
        # With no key left, drop the timer: on the stock loop, a pending
        # timer costs each iteration of the loop a look at the clock.
        if not self._deadlines and self._timer is not None:
            self._timer.cancel()
            self._timer = None
        return running

    def _run(self) -> None:
        # The timer stays set for the oldest key when it leaves early: when
        # it fires, it's set again for the oldest key left, if there's one.
        self._timer = None
        loop = asyncio.get_running_loop()
        now = loop.time()
        expired = []
        for key, deadline in self._deadlines.items():
            if deadline > now:
                self._timer = loop.call_at(deadline, self._run)
                break
            expired.append(key)
        for key in expired:
            # An earlier expire() may have discarded it.
            if self._deadlines.pop(key, None) is not None:
                self._expire(key)


# Deadlines of the clients' opening handshakes, by loop, then by timeout.
_open_deadlines: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[float, _Deadlines]
] = weakref.WeakKeyDictionary()


def _cancel_opening(key: tuple[asyncio.Task[Any], Awaitable[Any]]) -> None:
    key[0].cancel()


async def _open_within(timeout: Optional[float], opening: Awaitable[T]) -> T:
    """
    Await ``opening``; if it takes more than ``timeout`` seconds, cancel it
    and raise :exc:`TimeoutError`, as :func:`asyncio.timeout` does.

    Clients open connections with it. The openings of a loop that share a
    timeout share a timer too (see :class:`_Deadlines`): on the stock loop,
    :func:`asyncio.timeout` costs about 43,000 instructions per connection,
    its Python code and a timer of its own.

    """
    if timeout is None:
        return await opening
    if sys.version_info < (3, 11):  # pragma: no cover
        return await asyncio.wait_for(opening, timeout)
    task = asyncio.current_task()
    if task is None:
        raise RuntimeError("a connection opens in a task")
    loop = task.get_loop()
    by_timeout = _open_deadlines.get(loop)
    if by_timeout is None:
        by_timeout = _open_deadlines[loop] = {}
    deadlines = by_timeout.get(timeout)
    if deadlines is None:
        # Timeouts computed at each call mustn't grow the dict forever.
        # Openings in progress keep their own reference.
        if len(by_timeout) >= 8:
            by_timeout.clear()
        deadlines = by_timeout[timeout] = _Deadlines(timeout, _cancel_opening)
    # As asyncio.timeout(): a cancellation is ours if the task wasn't asked
    # to cancel more times than before, besides the one we asked.
    cancelling = task.cancelling()
    key = (task, opening)
    deadlines.add(key)
    try:
        result = await opening
    except BaseException as exc:
        # A key that's gone expired: its cancellation is taken back.
        if (
            not deadlines.discard(key)
            and task.uncancel() <= cancelling
            and isinstance(exc, asyncio.CancelledError)
        ):
            raise TimeoutError from exc
        raise
    if not deadlines.discard(key):
        task.uncancel()
    return result


class _ConnectionLogger(weakref.ref, logging.LoggerAdapter):  # type: ignore[type-arg]
    """
    The logger of a connection: a :class:`logging.LoggerAdapter` whose
    ``extra`` is ``{"websocket": connection}``.

    A connection holds its logger: a strong reference back would tie them in
    a reference cycle, so that a closed connection, with all it holds, would
    wait for the garbage collector rather than go as soon as nothing uses
    it. So the adapter is a weak reference to the connection too, which
    makes it one object for the garbage collector rather than two. When the
    connection is gone, ``websocket`` is :obj:`None`.

    """

    # Only slots: an instance dict would be one more object.
    __slots__ = ("logger",)

    # As in LoggerAdapter.__init__(), which sets attributes that are
    # constant here.
    merge_extra = False

    # A logger, not a reference: compared and hashed by identity.
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__
    __repr__ = logging.LoggerAdapter.__repr__

    def __new__(cls, logger: LoggerLike, connection: Any) -> _ConnectionLogger:
        return super().__new__(cls, connection)

    def __init__(self, logger: LoggerLike, connection: Any) -> None:
        self.logger = logger

    @property
    def extra(self) -> dict[str, Any]:  # type: ignore[override]
        return {"websocket": self()}


class _MessagePath:
    """
    The part of :class:`WebSocketCommonProtocol` that messages go through.

    In the compiled twin of this module, it's an extension type
    (``protocol.pxd``): its attributes are C fields and its methods call each
    other directly, where a Python class looks up each name at each use. The
    protocol itself must inherit :class:`asyncio.BufferedProtocol`, a Python
    class, so it stays one and inherits this too.

    Public methods are called as ``_MessagePath.flush(self)`` and the core's
    as ``Connection.receive_data(sansio, data)``: compiled, that's a direct C
    call; in either form, an override in a subclass applies to other calls
    only.

    """

    #: The sans-I/O core of the connection.
    sansio: Connection
    #: The transport, set by :meth:`connection_made`.
    transport: asyncio.Transport

    def __init__(
        self,
        logger: LoggerLike,
        close_timeout: Optional[float],
        max_queue: Optional[int],
    ) -> None:
        #: Logger of this connection, a :class:`logging.LoggerAdapter` whose
        #: records carry the connection in their ``websocket`` attribute.
        self.logger: LoggerLike = _ConnectionLogger(logger, self)
        # Checking the level once saves building debug messages for nothing.
        self.debug = logger.isEnabledFor(logging.DEBUG)
        self.close_timeout = close_timeout
        self.loop = asyncio.get_running_loop()

        #: Latency of the last ping acknowledged by a pong, in seconds.
        self.latency: float = 0.0
        #: Pings waiting for their pong, as a dict that maps a payload to the
        #: waiter returned by :meth:`ping` and the time the ping was sent.
        self.pings: dict[bytes, tuple[asyncio.Future[float], float]] = {}

        # Incoming messages, and the only coroutine that may wait for one.
        # The queue starts as an empty tuple: a deque is 624 bytes and one
        # more object for the garbage collector, which a connection that
        # never receives a message doesn't need.
        self._messages: Union[collections.deque[Data], tuple[()]] = ()
        self._recv_waiter: Optional[asyncio.Future[None]] = None
        self._queue_high = max_queue or 0
        self._queue_low = (max_queue or 0) // 4
        self._reading_paused = False
        # Fragments of the incoming message being assembled, if any.
        self._fragments: Optional[list[bytes]] = None
        self._fragments_text = False

        # Flow control of outgoing data.
        self._writing_paused = False
        # Created when a writer first waits: most connections never do.
        self._drain_waiters: Optional[list[asyncio.Future[None]]] = None
        # Set while a fragmented message is being sent: other sends wait.
        self._fragmented_send: Optional[asyncio.Future[None]] = None
        # Whether a large frame's header and payload go out in one
        # writelines() call; connection_made() decides.
        self._vectored = False

        self._close_timer: Optional[asyncio.TimerHandle] = None

        # Where the next read goes: the thread's shared buffer, or the
        # core's buffer for the rest of an incomplete frame.
        self._scratch = _scratch()
        self._receiving_direct = False

        self._eof_received = False
        self._lost = False
        # Created when something first waits for the end of the connection:
        # while a connection is open, usually nothing does.
        self._connection_lost_waiter: Optional[asyncio.Future[None]] = None

    def get_buffer(self, sizehint: int) -> memoryview:
        """
        Provide a buffer to receive into: called by asyncio.

        Args:
            sizehint: Ignored: the buffer is as large as it is.

        """
        direct = Connection.get_buffer(self.sansio)
        if direct is None:
            self._receiving_direct = False
            return self._scratch
        self._receiving_direct = True
        return direct

    def buffer_updated(self, nbytes: int) -> None:
        """
        Process bytes received into the buffer: called by asyncio.

        Args:
            nbytes: How many bytes were received.

        """
        if self._receiving_direct:
            Connection.buffer_updated(self.sansio, nbytes)
        else:
            Connection.receive_data(self.sansio, self._scratch[:nbytes])
        self._received()

    def data_received(self, data: bytes) -> None:
        """
        Process incoming bytes given as an object rather than in the buffer.

        asyncio calls :meth:`get_buffer` and :meth:`buffer_updated` instead;
        this method serves code that has bytes in hand.

        Args:
            data: Bytes received from the network.

        """
        Connection.receive_data(self.sansio, data)
        self._received()

    def _received(self) -> None:
        # Write first: pongs and close frames answered by the core go out
        # before the application sees anything.
        _MessagePath.flush(self)
        events = Connection.events_received(self.sansio)
        if events:
            _MessagePath.process_events(self, events)

    def eof_received(self) -> None:
        """
        Process the end of the incoming stream: called by asyncio.

        Returning :obj:`None` lets asyncio close the transport.

        """
        self._eof_received = True
        self.sansio.receive_eof()
        self._received()

    # Plumbing between the transport and the core.

    def flush(self) -> None:
        """
        Write the bytes that the core queued for sending.

        An empty bytes object in the queue means: close the sending side, with
        ``write_eof()`` when the transport supports it (plain TCP), else by
        closing the transport (TLS).

        """
        sansio = self.sansio
        # The fields behind sansio.state and data_to_send(), which only the
        # core changes: on each message, C reads in the compiled build, and
        # no new empty list when there is nothing to write.
        is_open = sansio._state is OPEN
        if is_open and not sansio._writes:
            return  # nothing to write, no close timer to start
        chunks = Connection.data_to_send(sansio)
        if len(chunks) == 1 and chunks[0]:
            self.transport.write(chunks[0])  # the common case: one frame
        elif _write_out(self.transport, chunks, self._vectored):
            # Once we stopped sending, the peer must close promptly.
            self.start_close_timer()
        if not is_open and self._close_timer is None and sansio.close_expected():
            self.start_close_timer()

    def start_close_timer(self) -> None:
        """Abort the TCP connection if it isn't closed in ``close_timeout`` seconds."""
        if self._close_timer is None and not self._lost:
            if self.close_timeout is not None:
                self._close_timer = self.loop.call_later(
                    self.close_timeout, self._close_timeout_expired
                )

    def _close_timeout_expired(self) -> None:
        if not self._lost:
            if self.debug:
                self.logger.debug("! timed out waiting for TCP close")
            self.transport.abort()

    def process_events(self, events: list[Any]) -> None:
        """
        Dispatch events received from the core.

        Frames are assembled into messages for :meth:`recv`; pongs resolve
        ping waiters; other events go to :meth:`process_handshake_event`.

        Args:
            events: Events from
                :meth:`~websockets.sansio.connection.Connection.events_received`.

        """
        for event in events:
            if type(event) is not Frame:
                self.process_handshake_event(event)
                continue
            opcode = event.opcode
            if opcode is OP_TEXT or opcode is OP_BINARY:
                if event.fin:
                    # The common case: a message in one frame. The core has
                    # validated the UTF-8 of text frames already.
                    self._put_message(
                        event.data.decode() if opcode is OP_TEXT else event.data
                    )
                else:
                    self._fragments = [event.data]
                    self._fragments_text = opcode is OP_TEXT
            elif opcode is OP_CONT:
                self._continuation(event)
            elif opcode is OP_PONG:
                self._pong_received(event.data)
            # The core answers pings and close frames itself.

    def process_handshake_event(self, event: Any) -> None:
        """
        Handle an event of the opening handshake.

        Subclasses override it: the client gets the response, the server the
        request.

        Args:
            event: A :class:`~websockets.http.Request` or a
                :class:`~websockets.http.Response`.

        """

    def _continuation(self, frame: Frame) -> None:
        # The core checks the order of fragments and max_size over the
        # whole message.
        fragments = self._fragments
        if fragments is None:  # pragma: no cover
            return
        fragments.append(frame.data)
        if frame.fin:
            self._fragments = None
            data = b"".join(fragments)
            self._put_message(data.decode() if self._fragments_text else data)

    def _put_message(self, message: Data) -> None:
        messages = self._messages
        # Faster than isinstance(messages, deque), once compiled.
        if type(messages) is tuple:
            messages = self._messages = collections.deque()
        messages.append(message)  # type: ignore[union-attr]
        _MessagePath._wake_receiver(self)
        if self._queue_high and len(messages) >= self._queue_high:
            if not self._reading_paused:
                self._reading_paused = True
                self.transport.pause_reading()

    def _wake_receiver(self) -> None:
        """Resolve the future that :meth:`recv` waits on, if it waits."""
        waiter = self._recv_waiter
        if waiter is not None:
            self._recv_waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def _pong_received(self, data: bytes) -> None:
        pings = self.pings
        if data not in pings:
            return  # unsolicited pong: nothing to do
        now = time.perf_counter()
        # A pong acknowledges its ping and every ping sent before it.
        for key in list(pings):
            waiter, sent_at = pings.pop(key)
            if not waiter.done():
                waiter.set_result(now - sent_at)
            if key == data:
                self.latency = now - sent_at
                break

    def fail(self, code: int, reason: str = "") -> None:
        """
        Fail the WebSocket connection (RFC 6455, section 7.1.7).

        Send a close frame with ``code`` if the connection is open, then let
        the close timeout bound the wait for the TCP connection to close.

        Args:
            code: Close code.
            reason: Close reason.

        """
        if self._lost:
            return
        self.sansio.fail(code, reason)
        _MessagePath.flush(self)
        self.start_close_timer()

    async def recv(self) -> Data:
        """
        Receive the next message.

        Returns:
            A :class:`str` for a text message, :class:`bytes` for a binary
            message.

        Raises:
            ConnectionClosed: When the connection is closed.
            ConcurrencyError: If two coroutines call :meth:`recv`
                concurrently.

        """
        # A coroutine function, unlike __anext__(): callers may make a task
        # of it, and tools (mocks, docs) must see that it is one.
        while not self._messages:
            if self._lost:
                raise self.sansio.close_exc
            await self._recv_waiter_new()
        return self._recv_take()

    def __anext__(self) -> Awaitable[Data]:
        """
        Receive the next message, for ``async for``.

        Like :meth:`recv`, except that the iteration stops when the
        connection closes normally.

        """
        # Not "async def": _steps() makes a coroutine that waits for the
        # next message with no coroutine frame of its own.
        return _steps(_anext_step, self)

    def _anext_step(self) -> Union[Data, asyncio.Future[None]]:
        # One step of __anext__(): the next message, or a future to wait for
        # before the next step.
        if self._messages:
            return self._recv_take()
        if self._lost:
            exc = self.sansio.close_exc
            if isinstance(exc, ConnectionClosedOK):
                raise StopAsyncIteration
            raise exc
        return self._recv_waiter_new()

    def _recv_waiter_new(self) -> asyncio.Future[None]:
        # A future that _put_message() or connection_lost() resolves. One
        # that was cancelled with its recv() is done: it doesn't count.
        waiter = self._recv_waiter
        if waiter is not None and not waiter.done():
            raise ConcurrencyError(
                "cannot call recv while another coroutine "
                "is already waiting for the next message"
            )
        waiter = self._recv_waiter = self.loop.create_future()
        return waiter

    def _recv_take(self) -> Data:
        # Only called when a message is waiting: the queue is a deque.
        messages = self._messages
        message = messages.popleft()  # type: ignore[union-attr]
        if self._reading_paused and len(messages) <= self._queue_low:
            self._reading_paused = False
            if not self._lost:
                self.transport.resume_reading()
        return message

    async def send(
        self,
        message: Union[Data, Iterable[Data], AsyncIterable[Data]],
    ) -> None:
        """
        Send a message.

        A :class:`str` is sent as a text message, a bytes-like object
        (:class:`bytes`, :class:`bytearray`, :class:`memoryview`) as a binary
        message. An iterable or an asynchronous iterable of either (all of
        the same kind) is sent as a fragmented message, one frame per item.

        When the transport's write buffer is above ``write_limit``, wait
        until it drains.

        Args:
            message: The message to send.

        Raises:
            ConnectionClosed: When the connection is closed.
            TypeError: If ``message`` doesn't have a supported type; a
                mapping is refused rather than sent as its keys.

        """
        while self._fragmented_send is not None:
            await asyncio.shield(self._fragmented_send)
        sansio = self.sansio
        if sansio._state is not OPEN:  # as in flush()
            await self._raise_not_open()

        if isinstance(message, str):
            Connection.send_text(sansio, message.encode())
        elif isinstance(message, BytesLike):
            data = message if type(message) is bytes else bytes(message)
            Connection.send_binary(sansio, data)
        elif isinstance(message, Mapping):
            raise TypeError("data is a dict-like object")
        elif isinstance(message, Iterable):
            await self._send_fragments(iter(message), None)
            return
        elif isinstance(message, AsyncIterable):
            await self._send_fragments(None, message.__aiter__())
            return
        else:
            raise TypeError("data must be str, bytes-like, or iterable")

        _MessagePath.flush(self)
        if self._writing_paused:
            await self._drain()

    async def _send_fragments(
        self,
        chunks: Optional[Iterator[Data]],
        achunks: Optional[AsyncIterator[Data]],
    ) -> None:
        # Pull the first chunk to learn the kind of message.
        try:
            if chunks is not None:
                first = next(chunks)
            else:
                assert achunks is not None
                first = await achunks.__anext__()
        except (StopIteration, StopAsyncIteration):
            return  # an empty iterable sends nothing
        text = isinstance(first, str)
        if not text and not isinstance(first, BytesLike):
            raise TypeError("iterable must contain bytes or str")

        sansio = self.sansio
        if sansio.state is not OPEN:
            await self._raise_not_open()
        self._fragmented_send = self.loop.create_future()
        try:
            if text:
                sansio.send_text(cast(str, first).encode(), fin=False)
            else:
                sansio.send_binary(bytes(cast(bytes, first)), fin=False)
            await self._flush_and_drain()
            while True:
                try:
                    if chunks is not None:
                        chunk = next(chunks)
                    else:
                        assert achunks is not None
                        chunk = await achunks.__anext__()
                except (StopIteration, StopAsyncIteration):
                    break
                if text and isinstance(chunk, str):
                    data = chunk.encode()
                elif not text and isinstance(chunk, BytesLike):
                    data = bytes(chunk)
                else:
                    raise TypeError("iterable must contain uniform types")
                # The peer may have closed the connection in the meantime.
                if sansio.state is not OPEN:
                    await self._raise_not_open()
                sansio.send_continuation(data, fin=False)
                await self._flush_and_drain()
            if sansio.state is not OPEN:
                await self._raise_not_open()
            sansio.send_continuation(b"", fin=True)
            await self._flush_and_drain()
        except BaseException:
            # A message cut in the middle cannot be completed: fail the
            # connection rather than leave the peer waiting for the rest.
            if self.sansio.state is OPEN:
                self.fail(1011, "error in fragmented message")
            raise
        finally:
            waiter, self._fragmented_send = self._fragmented_send, None
            waiter.set_result(None)

    async def _flush_and_drain(self) -> None:
        _MessagePath.flush(self)
        if self._writing_paused:
            await self._drain()

    async def _drain(self) -> None:
        if not self._lost:
            waiter: asyncio.Future[None] = self.loop.create_future()
            if self._drain_waiters is None:
                self._drain_waiters = [waiter]
            else:
                self._drain_waiters.append(waiter)
            await waiter
        if self._lost:
            raise self.sansio.close_exc

    async def _raise_not_open(self) -> None:
        if self.sansio.state is CONNECTING:
            raise InvalidState("the opening handshake isn't complete")
        # CLOSING or CLOSED: wait until the close code is known.
        await self._wait_lost()
        raise self.sansio.close_exc

    async def _wait_lost(self) -> None:
        # Wait until the TCP connection closes. Shielded: cancelling one
        # waiter doesn't cancel the others.
        waiter = self._connection_lost_waiter
        if waiter is None:
            waiter = self._connection_lost_waiter = self.loop.create_future()
            if self._lost:
                waiter.set_result(None)
        await asyncio.shield(waiter)


# The step of __anext__() goes to _steps() as a plain function, looked up
# once: a bound method would be one more object per message.
_anext_step = _MessagePath._anext_step


class WebSocketCommonProtocol(_MessagePath, asyncio.BufferedProtocol):
    """
    A WebSocket connection: the part shared by clients and servers.

    Don't create instances yourself: :func:`~websockets.client.connect` and
    :func:`~websockets.server.serve` create
    :class:`~websockets.client.WebSocketClientProtocol` and
    :class:`~websockets.server.WebSocketServerProtocol` instances, subclasses
    of this class.

    Iterate over a connection to receive its messages until it closes::

        async for message in websocket:
            ...

    The iteration ends quietly when the connection closes normally (close
    code 1000 or 1001) and raises :exc:`~websockets.exceptions.ConnectionClosedError`
    otherwise.

    Args:
        logger: Logger for this connection; defaults to
            ``logging.getLogger("websockets.protocol")``. Each record carries
            the connection in its ``websocket`` attribute.
        ping_interval: Send a keepalive ping every ``ping_interval`` seconds;
            :obj:`None` disables keepalive.
        ping_timeout: When the pong for a keepalive ping doesn't arrive
            within ``ping_timeout`` seconds, fail the connection with close
            code 1011; :obj:`None` disables the timeout.
        close_timeout: Once the connection is expected to close (a close
            frame was sent, or the opening handshake failed), abort the TCP
            connection when it isn't closed after ``close_timeout`` seconds;
            :obj:`None` waits forever.
        max_size: Largest incoming message, in bytes; a larger one fails the
            connection with close code 1009. :obj:`None` disables the limit.
        max_queue: Number of incoming messages that may wait for
            :meth:`recv`; when the queue holds that many, reading from the
            network pauses until it drains to a quarter of it. :obj:`None` or
            ``0`` disables the limit.
        read_limit: Accepted for compatibility with websockets 8.x. Incoming
            bytes are parsed as they arrive, so there is no read buffer to
            bound besides ``max_size``.
        write_limit: High-water mark of the transport's write buffer, in
            bytes: above it, :meth:`send` waits until the buffer drains below
            a quarter of it.
        host: Host of the connection, for information.
        port: Port of the connection, for information.
        secure: Whether the connection uses TLS, for information.
        loop: Ignored; accepted for compatibility with websockets 8.x.

    """

    __slots__ = slots(
        _MessagePath,
        "ping_interval",
        "ping_timeout",
        "max_size",
        "max_queue",
        "read_limit",
        "write_limit",
        "host",
        "port",
        "secure",
        "path",
        "request_headers",
        "response_headers",
        "subprotocol",
        "extensions",
        "_keepalive_timer",
    )

    #: ``True`` on the client side, ``False`` on the server side.
    is_client: bool
    #: ``"client"`` or ``"server"``.
    side: str = "undefined"

    def __init__(
        self,
        *,
        logger: Optional[LoggerLike] = None,
        ping_interval: Optional[float] = 20,
        ping_timeout: Optional[float] = 20,
        close_timeout: Optional[float] = 10,
        max_size: Optional[int] = 2**20,
        max_queue: Optional[int] = 2**5,
        read_limit: int = 2**16,
        write_limit: int = 2**16,
        host: Optional[str] = None,
        port: Optional[int] = None,
        secure: Optional[bool] = None,
        loop: Optional[asyncio.AbstractEventLoop] = None,
    ) -> None:
        del loop  # only the running loop is used
        if logger is None:
            logger = _logger
        super().__init__(logger, close_timeout, max_queue)

        self.ping_interval = ping_interval
        self.ping_timeout = ping_timeout
        self.max_size = max_size
        self.max_queue = max_queue
        self.read_limit = read_limit
        self.write_limit = write_limit
        self.host = host
        self.port = port
        self.secure = secure

        #: Path of the handshake request.
        self.path: str = ""
        #: Headers of the handshake request.
        self.request_headers: Headers = Headers()
        #: Headers of the handshake response.
        self.response_headers: Headers = Headers()
        #: Subprotocol selected during the opening handshake, if any.
        self.subprotocol: Optional[Subprotocol] = None
        #: Extensions negotiated during the opening handshake.
        self.extensions: list[Extension] = []

        self._keepalive_timer: Optional[asyncio.TimerHandle] = None

    # asyncio.Protocol callbacks.

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """
        Set up the connection: called by asyncio when the TCP connection opens.

        Args:
            transport: The connection's transport.

        """
        transport = cast(asyncio.Transport, transport)
        self.transport = transport
        transport.set_write_buffer_limits(self.write_limit)
        self._vectored = _writes_vectors(transport)

    def connection_lost(self, exc: Optional[Exception]) -> None:
        """
        Clean up when the TCP connection closes: called by asyncio.

        Every pending :meth:`recv`, :meth:`send` and ping waiter is resolved:
        they raise :exc:`~websockets.exceptions.ConnectionClosed`.

        Args:
            exc: The error that closed the connection, if any.

        """
        self._lost = True
        # Mark the transport closed: with TLS, before Python 3.11, asyncio
        # warns about an unclosed transport otherwise. It's a no-op else.
        self.transport.close()
        sansio = self.sansio
        if not self._eof_received:
            self._eof_received = True
            # The core moves to CLOSED and works out the close code.
            sansio.receive_eof()
            sansio.data_to_send()  # nowhere to write it now
            events = sansio.events_received()
            if events:
                self.process_events(events)
        if self.debug:
            self.logger.debug("x connection lost: %s", exc)

        # Cancelled timers still hold their callbacks, bound to this object:
        # dropping them lets the connection go as soon as nothing uses it.
        for timer in (self._close_timer, self._keepalive_timer):
            if timer is not None:
                timer.cancel()
        self._close_timer = self._keepalive_timer = None

        _MessagePath._wake_receiver(self)
        self._abort_pings()
        self._wake_writers()
        waiter = self._connection_lost_waiter
        if waiter is not None:
            waiter.set_result(None)

    def pause_writing(self) -> None:
        """Note that the write buffer is above ``write_limit``: called by asyncio."""
        self._writing_paused = True

    def resume_writing(self) -> None:
        """Wake coroutines waiting for the write buffer to drain: called by asyncio."""
        self._writing_paused = False
        self._wake_writers()

    def _abort_pings(self) -> None:
        if not self.pings:
            return
        exc = self.sansio.close_exc
        for waiter, _ in self.pings.values():
            if not waiter.done():
                waiter.set_exception(exc)
                # The future is done, so cancel() changes nothing but stops
                # asyncio from logging an exception that nobody retrieved.
                waiter.cancel()
        self.pings.clear()

    def _wake_writers(self) -> None:
        waiters, self._drain_waiters = self._drain_waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    # Opening and closing.

    def connection_open(self) -> None:
        """Start keepalive: called once the opening handshake succeeded."""
        if self.ping_interval is not None and not self._lost:
            self._keepalive_timer = self.loop.call_later(
                self.ping_interval, self._keepalive_ping
            )

    def _keepalive_ping(self) -> None:
        self._keepalive_timer = None
        if self.sansio.state is not OPEN or self._lost:
            return
        data = self._new_ping_payload()
        waiter: asyncio.Future[float] = self.loop.create_future()
        self.pings[data] = (waiter, time.perf_counter())
        if self.debug:
            self.logger.debug("sending keepalive ping")
        self.sansio.send_ping(data)
        self.flush()
        if self.ping_timeout is not None:
            timer = self.loop.call_later(self.ping_timeout, self._keepalive_timeout)
            waiter.add_done_callback(lambda _: timer.cancel())
        self._keepalive_timer = self.loop.call_later(
            self.ping_interval,  # type: ignore[arg-type]
            self._keepalive_ping,
        )

    def _keepalive_timeout(self) -> None:
        if self.sansio.state is OPEN and not self._lost:
            self.logger.info("keepalive ping timeout; closing connection")
            self.fail(1011, "keepalive ping timeout")

    def _new_ping_payload(self) -> bytes:
        while True:
            data = struct.pack("!I", random.getrandbits(32))
            if data not in self.pings:
                return data

    # Public API.

    @property
    def local_address(self) -> Any:
        """
        Local address of the connection.

        A ``(host, port)`` tuple for IPv4, a longer tuple for IPv6, a path
        for a unix socket; :obj:`None` before the connection is made.

        """
        transport = getattr(self, "transport", None)
        return None if transport is None else transport.get_extra_info("sockname")

    @property
    def remote_address(self) -> Any:
        """
        Remote address of the connection.

        Same format as :attr:`local_address`.

        """
        transport = getattr(self, "transport", None)
        return None if transport is None else transport.get_extra_info("peername")

    @property
    def state(self) -> State:
        """State of the WebSocket connection (RFC 6455, section 4 and 7)."""
        return self.sansio.state

    @property
    def open(self) -> bool:
        """``True`` when messages may be sent: the connection is ``OPEN``."""
        return self.sansio.state is OPEN and not self._lost

    @property
    def closed(self) -> bool:
        """``True`` once the TCP connection is closed."""
        return self._lost

    @property
    def close_code(self) -> Optional[int]:
        """
        Close code of the connection (RFC 6455, section 7.1.5).

        :obj:`None` until the connection is closed.

        """
        if not self._lost:
            return None
        return self.sansio.close_code

    @property
    def close_reason(self) -> Optional[str]:
        """
        Close reason of the connection (RFC 6455, section 7.1.6).

        :obj:`None` until the connection is closed.

        """
        if not self._lost:
            return None
        return self.sansio.close_reason

    def __aiter__(self) -> AsyncIterator[Data]:
        """
        Iterate over incoming messages.

        The connection is its own iterator: each step receives a message,
        as :meth:`recv` does, and the iteration stops when the connection
        closes normally. When a subclass overrides :meth:`recv`, each step
        calls it.

        Raises:
            ConnectionClosedError: When the connection closes with an error.

        """
        if type(self).recv is not _MessagePath.recv:
            return self._recv_each()
        # Not an async generator: that would cost three more objects per
        # connection, tracked by the garbage collector, and a weak reference
        # in the event loop.
        return self

    async def _recv_each(self) -> AsyncIterator[Data]:
        try:
            while True:
                yield await self.recv()
        except ConnectionClosedOK:
            return

    async def ping(self, data: Optional[Data] = None) -> Awaitable[float]:
        """
        Send a ping.

        Returns a future that resolves when the matching pong arrives, with
        the round-trip time in seconds. Wait for it with::

            pong_waiter = await websocket.ping()
            latency = await pong_waiter

        A pong also acknowledges every ping sent before its own.

        Args:
            data: Payload of the ping: a :class:`str` is encoded to UTF-8;
                by default, four random bytes.

        Returns:
            A future resolved with the latency when the pong arrives.

        Raises:
            ConnectionClosed: When the connection is closed.
            ConcurrencyError: If a ping with the same payload is waiting for
                its pong.

        """
        if data is not None:
            payload = _encode(data)
            if payload in self.pings:
                raise ConcurrencyError("already waiting for a pong with the same data")
        else:
            payload = self._new_ping_payload()
        if self.sansio.state is not OPEN:
            await self._raise_not_open()
        waiter: asyncio.Future[float] = self.loop.create_future()
        self.pings[payload] = (waiter, time.perf_counter())
        self.sansio.send_ping(payload)
        await self._flush_and_drain()
        return waiter

    async def pong(self, data: Data = b"") -> None:
        """
        Send a pong: an unsolicited one serves as a unidirectional heartbeat.

        Args:
            data: Payload of the pong: a :class:`str` is encoded to UTF-8.

        Raises:
            ConnectionClosed: When the connection is closed.

        """
        if self.sansio.state is not OPEN:
            await self._raise_not_open()
        self.sansio.send_pong(_encode(data))
        await self._flush_and_drain()

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """
        Perform the closing handshake and wait until the TCP connection closes.

        Waiting is bounded by ``close_timeout``: then the TCP connection is
        aborted. Calling :meth:`close` on a closed connection does nothing.

        Args:
            code: Close code.
            reason: Close reason.

        """
        if not self._lost:
            if self.sansio.state is CONNECTING:
                self.transport.close()
            else:
                self.start_closing(code, reason)
        await self._wait_lost()

    def start_closing(self, code: int = 1000, reason: str = "") -> None:
        """
        Send a close frame if the connection is open, without waiting.

        Reading resumes even if the queue of messages is full, so that the
        peer's close frame gets through.

        Args:
            code: Close code.
            reason: Close reason.

        Raises:
            ValueError: If ``code`` or ``reason`` may not be sent.

        """
        if self._lost:
            return
        if self.sansio.state is OPEN:
            self.sansio.send_close(code, reason)
            self.flush()
            self.start_close_timer()
        if self._reading_paused:
            self._reading_paused = False
            self.transport.resume_reading()

    async def wait_closed(self) -> None:
        """Wait until the TCP connection closes."""
        await self._wait_lost()


def _encode(data: Union[Data, bytearray, memoryview]) -> bytes:
    if isinstance(data, str):
        return data.encode()
    if isinstance(data, BytesLike):
        return bytes(data)
    raise TypeError("data must be str or bytes-like")


def broadcast(websockets: Iterable[WebSocketCommonProtocol], message: Data) -> None:
    """
    Send a message to many connections, without waiting.

    The message is encoded once. Connections that aren't open, that are in
    the middle of sending a fragmented message, or whose transport write
    buffer is above their ``write_limit`` (slow readers) are skipped, with a
    warning in their logger.

    Args:
        websockets: Connections to send to.
        message: A :class:`str` for a text message, a bytes-like object for
            a binary message.

    Raises:
        TypeError: If ``message`` is neither.

    """
    if isinstance(message, str):
        data = message.encode()
        text = True
    elif isinstance(message, BytesLike):
        data = bytes(message)
        text = False
    else:
        raise TypeError("data must be str or bytes-like")

    for websocket in websockets:
        sansio = websocket.sansio
        if sansio.state is not OPEN or websocket._lost:
            continue
        if websocket._fragmented_send is not None:
            websocket.logger.warning("skipped broadcast: sending a fragmented message")
            continue
        if websocket.transport.get_write_buffer_size() > websocket.write_limit:
            websocket.logger.warning("skipped broadcast: connection is slow")
            continue
        if text:
            sansio.send_text(data)
        else:
            sansio.send_binary(data)
        websocket.flush()

