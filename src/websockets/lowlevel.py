"""
A callback API for maximum speed: frames in, frames out, no coroutines.

Where :func:`~websockets.server.serve` and :func:`~websockets.client.connect`
hand the application whole messages through ``await recv()``, this module
calls a :class:`WebSocketListener` for each frame, synchronously, from the
event loop's callback that received it, and sends from there without
waiting. There is no future, no task switch and no queue between the network
and the application: the shortest path there is on top of asyncio.

::

    from websockets.framing import OP_BINARY, OP_CONT, OP_TEXT
    from websockets.lowlevel import WebSocketListener, serve

    class Echo(WebSocketListener):
        def on_frame(self, transport, frame):
            if frame.opcode in (OP_TEXT, OP_BINARY, OP_CONT):
                transport.send(frame.opcode, frame.data, frame.fin)

    server = await serve(lambda request: Echo(), "127.0.0.1", 8765)

The sans-I/O core does the protocol's chores as in the high-level API: it
checks frames (masking, reserved bits, UTF-8 of text, ``max_size`` over a
message), answers pings and close frames, and fails the connection with the
right close code when the peer breaks the protocol. What the application
gets is frames as received, fragments included, after extensions decoded
them; it assembles messages if it needs to. There is no keepalive: send
pings with :meth:`WebSocketTransport.ping` when needed.

"""

from __future__ import annotations

import asyncio
import functools
import http
import logging
from typing import Any, Callable, Optional, Sequence, Union, cast

from .compiled import slots
from .datastructures import HeadersLike
from .exceptions import AbortHandshake, ConnectionClosed
from .extensions.base import ClientExtensionFactory, ServerExtensionFactory
from .extensions.permessage_deflate import (
    _apply_compression,
    enable_client_permessage_deflate,
    enable_server_permessage_deflate,
)
from .framing import OP_BINARY, OP_CONT, OP_TEXT, Frame, Opcode
from .http import USER_AGENT, Request, Response
from .protocol import (
    _Deadlines,
    _check_ssl,
    _encode,
    _open_within,
    _scratch,
    _tls_defaults,
    _write_out,
    _writes_vectors,
)
from .sansio.client import ClientConnection
from .sansio.connection import CONNECTING, OPEN, Connection, State
from .sansio.server import ServerConnection
from .typing import LoggerLike, Origin, Subprotocol
from .uri import parse_uri


__all__ = [
    "WebSocketListener",
    "WebSocketTransport",
    "connect",
    "unix_connect",
    "serve",
    "unix_serve",
]

_logger = logging.getLogger("websockets.lowlevel")


class WebSocketListener:
    """
    What the application does with a connection: subclass it.

    Each method is called from the event loop, synchronously, and must not
    block. A method that raises fails the connection with close code 1011
    and logs the error, except for
    :exc:`~websockets.exceptions.ConnectionClosed`, which
    :meth:`WebSocketTransport.send` raises once the connection is closing:
    that one ends the call quietly.

    """

    def on_connected(self, transport: WebSocketTransport) -> None:
        """
        The opening handshake succeeded: frames may flow.

        Args:
            transport: The connection.

        """

    def on_frame(self, transport: WebSocketTransport, frame: Frame) -> None:
        """
        A frame arrived.

        Every frame comes here, in order: text, binary and continuation
        frames, and also pings, pongs and the close frame, which the
        connection answered already. A text message is valid UTF-8: in one
        frame, decode it with ``frame.data.decode()``; in fragments, which
        may split a character, join them or decode them with an incremental
        decoder. The frame and its payload belong to the application.

        The frames that one read brings are parsed, and pings and a close
        frame among them answered, before the first one comes here: if the
        peer's close frame came with data frames, the connection is closing
        already when they arrive, and :meth:`WebSocketTransport.send` raises
        :exc:`~websockets.exceptions.ConnectionClosed`, as it would in the
        high-level API once the close frame was received.

        Args:
            transport: The connection.
            frame: The frame, after extensions decoded it.

        """

    def on_closed(self, transport: WebSocketTransport) -> None:
        """
        The TCP connection closed, after :meth:`on_connected`.

        :attr:`~WebSocketTransport.close_code` and
        :attr:`~WebSocketTransport.close_reason` tell how.

        Args:
            transport: The connection.

        """

    def pause_writing(self) -> None:
        """
        The write buffer went above ``write_limit``: stop sending for now.

        Frames sent meanwhile are buffered, without limit.

        """

    def resume_writing(self) -> None:
        """The write buffer drained below a quarter of ``write_limit``."""


class _FramePath:
    """
    The part of :class:`WebSocketTransport` that frames go through.

    In the compiled twin of this module, it's an extension type
    (``lowlevel.pxd``): its attributes are C fields, and its methods call
    each other and the core directly. The transport must inherit
    :class:`asyncio.BufferedProtocol`, a Python class, so it stays one and
    inherits this too, as :class:`~websockets.protocol.WebSocketCommonProtocol`
    does.

    """

    #: The sans-I/O core of the connection.
    sansio: Union[ClientConnection, ServerConnection]
    #: The asyncio transport, set by :meth:`connection_made`.
    transport: asyncio.Transport

    def __init__(
        self,
        sansio: Union[ClientConnection, ServerConnection],
        close_timeout: Optional[float],
    ) -> None:
        self.sansio = sansio
        self.listener: Optional[WebSocketListener] = None
        self.logger = sansio.logger
        self.debug = sansio.debug
        self._close_timeout = close_timeout
        self._loop = asyncio.get_running_loop()
        self._vectored = False
        self._scratch = _scratch()
        self._receiving_direct = False
        self._lost = False
        self._close_timer: Optional[asyncio.TimerHandle] = None

    def send(
        self,
        opcode: Opcode,
        data: Union[str, bytes, bytearray, memoryview],
        fin: bool = True,
    ) -> None:
        """
        Send a data frame, now.

        The frame goes to the transport at once; what the network doesn't
        take waits in the transport's buffer, and the listener's
        :meth:`~WebSocketListener.pause_writing` says when that buffer is
        above ``write_limit``. Send a message in fragments with ``fin=False``
        on its first frames, then continuation frames, the last one with
        ``fin=True``.

        Args:
            opcode: ``OP_TEXT``, ``OP_BINARY`` or ``OP_CONT``, from
                :mod:`websockets.framing` (:class:`~websockets.framing.Opcode`).
            data: Payload: a :class:`str` is encoded to UTF-8; other
                bytes-like objects are copied to :class:`bytes`, which is
                sent as it is, and must hold valid UTF-8 in a text message.
            fin: Whether the frame ends its message.

        Raises:
            ConnectionClosed: If the connection is closing or closed.
            TypeError: If ``data`` isn't a :class:`str` or bytes-like.
            InvalidState: If the frame doesn't fit the message being sent:
                a continuation frame with no message in progress, or a new
                message while one is.
            ValueError: If the opcode isn't one of the above.

        """
        sansio = self.sansio
        if sansio._state is not OPEN:
            raise self.sansio.close_exc
        if type(data) is not bytes:
            data = _encode(data)
        # Connection.method(sansio, ...) and _FramePath.method(self): direct
        # C calls in the compiled build, as in websockets.protocol.
        if opcode == OP_BINARY:
            Connection.send_binary(sansio, data, fin)
        elif opcode == OP_TEXT:
            Connection.send_text(sansio, data, fin)
        elif opcode == OP_CONT:
            sansio.send_continuation(data, fin)
        else:
            raise ValueError(f"not a data frame opcode: {opcode!r}")
        _FramePath.flush(self)

    def get_buffer(self, sizehint: int) -> memoryview:
        """
        Provide a buffer to receive into: called by asyncio.

        Args:
            sizehint: Ignored: the buffer is as large as it is.

        """
        direct = Connection.get_buffer(self.sansio)
        self._receiving_direct = direct is not None
        return self._scratch if direct is None else direct

    def buffer_updated(self, nbytes: int) -> None:
        """
        Process bytes received into the buffer: called by asyncio.

        Args:
            nbytes: How many bytes were received.

        """
        sansio = self.sansio
        if self._receiving_direct:
            Connection.buffer_updated(sansio, nbytes)
        else:
            Connection.receive_data(sansio, self._scratch[:nbytes])
        _FramePath.flush(self)
        _FramePath._dispatch(self, Connection.events_received(sansio))

    def flush(self) -> None:
        """Write the bytes that the core queued for sending."""
        sansio = self.sansio
        # As in websockets.protocol: no new empty list for nothing to write.
        if sansio._state is OPEN and not sansio._writes:
            return
        chunks = Connection.data_to_send(sansio)
        if len(chunks) == 1 and chunks[0]:
            self.transport.write(chunks[0])  # the common case: one frame
        else:
            _write_out(self.transport, chunks, self._vectored)
        if sansio._state is not OPEN and not self._lost:
            if self._close_timer is None and sansio.close_expected():
                if self._close_timeout is not None:
                    self._close_timer = self._loop.call_later(
                        self._close_timeout, self.transport.abort
                    )

    def _dispatch(self, events: list[Any]) -> None:
        listener = self.listener
        if listener is None:
            self._handshake(events)
            return
        for event in events:
            try:
                # Only WebSocketTransport instances exist.
                listener.on_frame(self, event)  # type: ignore[arg-type]
            except ConnectionClosed:
                pass  # a send after the peer's close frame: nothing to report
            except Exception:
                # RFC 6455 §7.1.7: a failed connection processes no more data.
                self._listener_failed()
                return

    def _handshake(self, events: list[Any]) -> None:
        """Handle the events before the connection opened: the subclass does."""

    def _listener_failed(self) -> None:
        self.logger.error("listener failed", exc_info=True)
        if self.sansio._state is OPEN:
            self.sansio.fail(1011, "unexpected error")
            self.flush()


def _no_listener(request: Request) -> None:
    return None


def _given(listener: WebSocketListener, request: Request) -> WebSocketListener:
    return listener


class WebSocketTransport(_FramePath, asyncio.BufferedProtocol):
    """
    One WebSocket connection: the object that listeners send through.

    It's the :class:`asyncio.BufferedProtocol` of the TCP connection, fed by
    asyncio, and it feeds the sans-I/O core. :func:`connect` and
    :func:`serve` create it; don't create instances yourself.

    Attributes:
        sansio: The sans-I/O core of the connection.
        listener: The listener, once the handshake succeeded.
        transport: The asyncio transport of the TCP connection.
        logger: Logger of the connection.

    """

    __slots__ = slots(
        _FramePath,
        "_listener_factory",
        "_open_deadlines",
        "_write_limit",
        "_eof_received",
        "_handshake_waiter",
        "_lost_waiter",
    )

    def __init__(
        self,
        sansio: Union[ClientConnection, ServerConnection],
        listener_factory: Callable[[Request], Optional[WebSocketListener]],
        *,
        open_deadlines: Optional[_Deadlines],
        close_timeout: Optional[float],
        write_limit: int,
    ) -> None:
        super().__init__(sansio, close_timeout)
        # Maps the handshake request to the listener: the server's factory;
        # for a client, the listener created before connecting.
        self._listener_factory = listener_factory
        # The server's timeout of opening handshakes, shared by its
        # connections; the client bounds its handshake in connect().
        self._open_deadlines = open_deadlines
        self._write_limit = write_limit
        self._eof_received = False
        # Created when something first waits: the client's handshake, and
        # wait_closed().
        self._handshake_waiter: Optional[asyncio.Future[None]] = None
        self._lost_waiter: Optional[asyncio.Future[None]] = None

    # What the application uses.

    @property
    def state(self) -> State:
        """State of the connection, from the core."""
        return self.sansio.state

    @property
    def request(self) -> Optional[Request]:
        """The opening handshake's request."""
        return self.sansio.request

    @property
    def response(self) -> Optional[Response]:
        """The opening handshake's response."""
        return self.sansio.response

    @property
    def subprotocol(self) -> Optional[Subprotocol]:
        """Subprotocol selected during the opening handshake, if any."""
        return self.sansio.subprotocol

    @property
    def close_code(self) -> Optional[int]:
        """
        Close code of the connection (RFC 6455, section 7.1.5).

        The code of the peer's close frame, 1005 if it had none, 1006 if the
        connection closed without one; :obj:`None` before either.

        """
        return self.sansio.close_code

    @property
    def close_reason(self) -> Optional[str]:
        """
        Close reason of the connection (RFC 6455, section 7.1.6).

        The reason in the peer's close frame, else ``""``; :obj:`None` when
        :attr:`close_code` is.

        """
        return self.sansio.close_reason

    @property
    def local_address(self) -> Any:
        """Local address of the TCP connection, as the socket gives it."""
        return self.transport.get_extra_info("sockname")

    @property
    def remote_address(self) -> Any:
        """Remote address of the TCP connection, as the socket gives it."""
        return self.transport.get_extra_info("peername")

    def ping(self, data: Union[str, bytes] = b"") -> None:
        """
        Send a ping; the pong reaches :meth:`~WebSocketListener.on_frame`.

        Args:
            data: Payload, up to 125 bytes; a :class:`str` is encoded to
                UTF-8.

        Raises:
            ConnectionClosed: If the connection is closing or closed.
            ValueError: If the payload is too long.

        """
        self._send_control(self.sansio.send_ping, data)

    def pong(self, data: Union[str, bytes] = b"") -> None:
        """
        Send an unsolicited pong, e.g. as a heartbeat that expects no answer.

        The connection answers pings by itself.

        Args:
            data: Payload, up to 125 bytes; a :class:`str` is encoded to
                UTF-8.

        Raises:
            ConnectionClosed: If the connection is closing or closed.
            ValueError: If the payload is too long.

        """
        self._send_control(self.sansio.send_pong, data)

    def _send_control(
        self, send: Callable[[bytes], None], data: Union[str, bytes]
    ) -> None:
        if self.sansio._state is not OPEN:
            raise self.sansio.close_exc
        send(_encode(data))
        self.flush()

    def close(self, code: int = 1000, reason: str = "") -> None:
        """
        Start the closing handshake; nothing happens if it started already.

        The TCP connection closes once the peer answers, or after
        ``close_timeout`` seconds; then
        :meth:`~WebSocketListener.on_closed` is called.

        Args:
            code: Close code.
            reason: Close reason, up to 123 bytes in UTF-8.

        Raises:
            ValueError: If the code or the reason is invalid.

        """
        if self.sansio._state is OPEN:
            self.sansio.send_close(code, reason)
            self.flush()

    def abort(self) -> None:
        """Close the TCP connection at once, without a closing handshake."""
        self.transport.abort()

    def pause_reading(self) -> None:
        """Stop reading from the network until :meth:`resume_reading`."""
        self.transport.pause_reading()

    def resume_reading(self) -> None:
        """Read from the network again."""
        self.transport.resume_reading()

    async def wait_closed(self) -> None:
        """Wait until the TCP connection is closed."""
        if not self._lost:
            if self._lost_waiter is None:
                self._lost_waiter = self._loop.create_future()
            await asyncio.shield(self._lost_waiter)

    # Called by asyncio.

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """
        Set up the connection: called by asyncio when the TCP connection opens.

        Args:
            transport: The connection's transport.

        """
        transport = cast(asyncio.Transport, transport)
        self.transport = transport
        transport.set_write_buffer_limits(self._write_limit)
        self._vectored = _writes_vectors(transport)
        if self._open_deadlines is not None:
            self._open_deadlines.add(self)

    def eof_received(self) -> None:
        """
        Process the end of the incoming stream: called by asyncio.

        Returning :obj:`None` lets asyncio close the transport.

        """
        self._eof_received = True
        self.sansio.receive_eof()
        self.flush()
        self._dispatch(self.sansio.events_received())

    def connection_lost(self, exc: Optional[Exception]) -> None:
        """
        Clean up when the TCP connection closes: called by asyncio.

        Args:
            exc: The error that closed the connection, if any.

        """
        self._lost = True
        self.transport.close()  # with TLS, no warning about an open transport
        sansio = self.sansio
        if not self._eof_received:
            self._eof_received = True
            sansio.receive_eof()
            sansio.data_to_send()  # nowhere to write it now
            self._dispatch(sansio.events_received())
        if self.debug:
            self.logger.debug("x connection lost: %s", exc)
        if self._open_deadlines is not None:
            self._open_deadlines.discard(self)
        if self._close_timer is not None:
            self._close_timer.cancel()
            self._close_timer = None
        if self.listener is not None:
            self._call(self.listener.on_closed, self)
        for waiter in (self._handshake_waiter, self._lost_waiter):
            if waiter is not None and not waiter.done():
                waiter.set_result(None)

    def pause_writing(self) -> None:
        """Tell the listener that the write buffer is full: called by asyncio."""
        if self.listener is not None:
            self._call(self.listener.pause_writing)

    def resume_writing(self) -> None:
        """Tell the listener that the write buffer drained: called by asyncio."""
        if self.listener is not None:
            self._call(self.listener.resume_writing)

    # Internals.

    def _handshake(self, events: list[Any]) -> None:
        # Events before the connection opened: the handshake's request or
        # response, then frames that came right after it, which may have
        # closed the connection already.
        sansio = self.sansio
        for index, event in enumerate(events):
            listener: Optional[WebSocketListener]
            if type(event) is Request:
                listener = self._answer(cast(ServerConnection, sansio), event)
                # Sending the response parsed the frames behind the request.
                rest = sansio.events_received()
            elif type(event) is Response and sansio.handshake_exc is None:
                assert sansio.request is not None, "the client sent a request"
                listener = self._listener_factory(sansio.request)
                rest = events[index + 1 :]
            else:
                continue
            # The factory served its turn: a client's would stay one object
            # more per connection for the garbage collector to walk.
            self._listener_factory = _no_listener
            if listener is not None and self._open(listener):
                self._dispatch(rest)
            break
        waiter = self._handshake_waiter
        if waiter is not None and not waiter.done():
            if self.listener is not None or sansio.handshake_exc is not None:
                waiter.set_result(None)

    def _answer(
        self, sansio: ServerConnection, request: Request
    ) -> Optional[WebSocketListener]:
        # The server's side of the handshake: the listener factory accepts
        # the request, or refuses it with AbortHandshake. Return the
        # listener if the connection opened.
        if self._open_deadlines is not None:
            self._open_deadlines.discard(self)
        response = sansio.accept(request)
        listener = None
        if sansio.handshake_exc is not None:
            self.logger.info("opening handshake failed: %s", sansio.handshake_exc)
        else:
            try:
                result: object = self._listener_factory(request)
            except AbortHandshake as exc:
                response = sansio.respond(exc.status, exc.headers, exc.body)
            except Exception:
                self.logger.error("listener factory failed", exc_info=True)
                response = sansio.reject(http.HTTPStatus.INTERNAL_SERVER_ERROR, "")
            else:
                if isinstance(result, WebSocketListener):
                    listener = result
                elif result is None:
                    response = sansio.reject(http.HTTPStatus.NOT_FOUND, "Not Found\n")
                else:
                    self.logger.error(
                        "listener factory returned %r, not a WebSocketListener", result
                    )
                    response = sansio.reject(http.HTTPStatus.INTERNAL_SERVER_ERROR, "")
        try:
            sansio.send_response(response)
        except ValueError:
            # A header that can't be sent, e.g. with CR/LF.
            self.logger.error("invalid HTTP response", exc_info=True)
            sansio.send_response(
                sansio.reject(http.HTTPStatus.INTERNAL_SERVER_ERROR, "")
            )
        self.flush()
        # The connection opened if the 101 response went out.
        return listener if sansio.state is not CONNECTING else None

    def _open(self, listener: WebSocketListener) -> bool:
        # Return whether on_connected() succeeded.
        if self.debug:
            self.logger.debug("connection open")
        self.listener = listener
        return self._call(listener.on_connected, self)

    def _call(self, callback: Callable[..., None], *args: Any) -> bool:
        # Return False if the callback failed the connection.
        try:
            callback(*args)
        except ConnectionClosed:
            pass
        except Exception:
            self._listener_failed()
            return False
        return True

    def _open_timeout_expired(self) -> None:
        if self.sansio.state is CONNECTING and not self._lost:
            self.logger.info("opening handshake timed out")
            self.transport.abort()


async def serve(
    listener_factory: Callable[[Request], Optional[WebSocketListener]],
    host: Optional[str] = None,
    port: Optional[int] = None,
    *,
    origins: Optional[Sequence[Optional[Origin]]] = None,
    extensions: Optional[Sequence[ServerExtensionFactory]] = None,
    subprotocols: Optional[Sequence[Subprotocol]] = None,
    compression: Optional[str] = None,
    max_size: Optional[int] = 2**20,
    open_timeout: Optional[float] = 10,
    close_timeout: Optional[float] = 10,
    write_limit: int = 2**16,
    logger: Optional[LoggerLike] = None,
    **kwargs: Any,
) -> asyncio.Server:
    """
    Start a WebSocket server whose connections call listeners.

    For each handshake request, ``listener_factory(request)`` returns the
    listener of the connection; the handshake then succeeds, unless the
    request isn't an acceptable WebSocket handshake, which gets an error
    response. To refuse a request, return :obj:`None`, which answers
    ``404 Not Found``, or raise :exc:`~websockets.exceptions.AbortHandshake`
    with the response to send (for instance a ``401``).

    Closing the returned server stops accepting connections; the connections
    themselves stay open until the application closes them.

    Args:
        listener_factory: Called with the handshake's
            :class:`~websockets.http.Request`; returns a
            :class:`WebSocketListener`, or :obj:`None` to refuse the request.
        host: Network interfaces to listen on, as in
            :meth:`~asyncio.loop.create_server`.
        port: TCP port to listen on.
        origins: Acceptable ``Origin`` values; include :obj:`None` to accept
            requests without one. :obj:`None`, the default, accepts all.
        extensions: Extensions the server supports.
        subprotocols: Subprotocols the server supports, in order of
            preference.
        compression: ``"deflate"`` enables permessage-deflate. Off by default
            here: this API is for speed, and each compressed connection
            costs memory and CPU.
        max_size: Largest incoming message, in bytes; a larger one fails the
            connection with close code 1009. :obj:`None` disables the limit.
        open_timeout: Abort a connection whose handshake request doesn't
            arrive within ``open_timeout`` seconds; :obj:`None` waits forever.
        close_timeout: Abort a connection that isn't closed ``close_timeout``
            seconds after a close frame was sent; :obj:`None` waits forever.
        write_limit: High-water mark of each connection's write buffer, in
            bytes; see :meth:`WebSocketListener.pause_writing`.
        logger: Logger for connections; defaults to
            ``logging.getLogger("websockets.lowlevel")``.
        **kwargs: Passed to :meth:`~asyncio.loop.create_server`, e.g. ``ssl``.

    Returns:
        The :class:`asyncio.Server`.

    Raises:
        ValueError: If ``compression`` isn't supported.

    """
    server_extensions = _apply_compression(
        compression, extensions, enable_server_permessage_deflate
    )
    server_logger = _logger if logger is None else logger
    open_deadlines = None
    if open_timeout is not None:
        open_deadlines = _Deadlines(
            open_timeout, WebSocketTransport._open_timeout_expired
        )

    def factory() -> WebSocketTransport:
        sansio = ServerConnection(
            origins=origins,
            extensions=server_extensions,
            subprotocols=subprotocols,
            max_size=max_size,
            logger=server_logger,
        )
        return WebSocketTransport(
            sansio,
            listener_factory,
            open_deadlines=open_deadlines,
            close_timeout=close_timeout,
            write_limit=write_limit,
        )

    loop = asyncio.get_running_loop()
    if kwargs.pop("unix", False):
        return await loop.create_unix_server(factory, **kwargs)
    return await loop.create_server(factory, host, port, **kwargs)


async def unix_serve(
    listener_factory: Callable[[Request], Optional[WebSocketListener]],
    path: Optional[str] = None,
    **kwargs: Any,
) -> asyncio.Server:
    """
    Start a WebSocket server on a Unix socket.

    Args:
        listener_factory: As in :func:`serve`.
        path: File system path of the socket.
        **kwargs: As in :func:`serve`.

    """
    return await serve(listener_factory, path=path, unix=True, **kwargs)


async def connect(
    listener_factory: Callable[[], WebSocketListener],
    uri: str,
    *,
    origin: Optional[Origin] = None,
    extensions: Optional[Sequence[ClientExtensionFactory]] = None,
    subprotocols: Optional[Sequence[Subprotocol]] = None,
    extra_headers: Optional[HeadersLike] = None,
    user_agent_header: Optional[str] = USER_AGENT,
    compression: Optional[str] = None,
    max_size: Optional[int] = 2**20,
    open_timeout: Optional[float] = 10,
    close_timeout: Optional[float] = 10,
    write_limit: int = 2**16,
    logger: Optional[LoggerLike] = None,
    **kwargs: Any,
) -> WebSocketTransport:
    """
    Open a WebSocket connection whose frames go to a listener.

    ``listener_factory()`` creates the listener first; once the handshake
    succeeds, its :meth:`~WebSocketListener.on_connected` runs, then this
    coroutine returns.

    Args:
        listener_factory: Returns a :class:`WebSocketListener`.
        uri: URI of the server, ``ws://`` or ``wss://``.
        origin: Value of the ``Origin`` header.
        extensions: Extensions to offer.
        subprotocols: Subprotocols to offer, in order of preference.
        extra_headers: Headers to add to the handshake request.
        user_agent_header: Value of the ``User-Agent`` header; :obj:`None`
            leaves it out.
        compression: ``"deflate"`` offers permessage-deflate; off by default,
            as in :func:`serve`.
        max_size: As in :func:`serve`.
        open_timeout: Give up the connection and its handshake after
            ``open_timeout`` seconds with :exc:`TimeoutError`; :obj:`None`
            waits forever.
        close_timeout: As in :func:`serve`.
        write_limit: As in :func:`serve`.
        logger: As in :func:`serve`.
        **kwargs: Passed to :meth:`~asyncio.loop.create_connection`, e.g.
            ``ssl``, or ``sock`` to use a connected socket.

    Returns:
        The connection; its :attr:`~WebSocketTransport.listener` is the
        listener.

    Raises:
        InvalidURI: If ``uri`` isn't a valid WebSocket URI.
        ValueError: If ``ssl`` is given with a ``ws://`` URI.
        TypeError: If ``listener_factory`` doesn't return a
            :class:`WebSocketListener`.
        InvalidHandshake: If the handshake fails; a subclass says why, e.g.
            :exc:`~websockets.exceptions.InvalidStatusCode` for a response
            other than ``101``.
        OSError: If the TCP connection fails.
        TimeoutError: If ``open_timeout`` expires.

    """
    wsuri = parse_uri(uri)
    _check_ssl(wsuri, kwargs)
    sansio = ClientConnection(
        wsuri,
        origin=origin,
        extensions=_apply_compression(
            compression, extensions, enable_client_permessage_deflate
        ),
        subprotocols=subprotocols,
        max_size=max_size,
        logger=_logger if logger is None else logger,
    )
    request = sansio.connect(extra_headers, user_agent=user_agent_header)
    listener: object = listener_factory()
    if not isinstance(listener, WebSocketListener):
        raise TypeError(f"listener_factory returned {listener!r}, not a WebSocketListener")

    # Partials rather than closures: compiled, closures hold this
    # coroutine's scope, which holds them, a reference cycle that only the
    # garbage collector frees.
    factory = functools.partial(
        WebSocketTransport,
        sansio,
        functools.partial(_given, listener),
        open_deadlines=None,
        close_timeout=close_timeout,
        write_limit=write_limit,
    )

    loop = asyncio.get_running_loop()
    path = kwargs.pop("unix_path", None)
    _tls_defaults(wsuri, kwargs)
    return await _open_within(
        open_timeout,
        _open(loop, factory, request, wsuri.host, wsuri.port, path, kwargs),
    )


async def _open(
    loop: asyncio.AbstractEventLoop,
    factory: Callable[[], WebSocketTransport],
    request: Request,
    host: str,
    port: int,
    path: Optional[str],
    kwargs: dict[str, Any],
) -> WebSocketTransport:
    if path is not None:
        _, protocol = await loop.create_unix_connection(factory, path, **kwargs)
    elif kwargs.get("sock") is not None:
        _, protocol = await loop.create_connection(factory, **kwargs)
    else:
        _, protocol = await loop.create_connection(factory, host, port, **kwargs)
    sansio = cast(ClientConnection, protocol.sansio)
    try:
        sansio.send_request(request)
        protocol._handshake_waiter = loop.create_future()
        protocol.flush()
        await protocol._handshake_waiter
        protocol._handshake_waiter = None
    except BaseException:
        # Timeout or cancellation: don't wait for anything.
        protocol.transport.abort()
        raise
    if sansio.handshake_exc is not None:
        protocol.transport.close()
        raise sansio.handshake_exc
    assert protocol.listener is not None, "the handshake failed or succeeded"
    return protocol


async def unix_connect(
    listener_factory: Callable[[], WebSocketListener],
    path: str,
    uri: str = "ws://localhost/",
    **kwargs: Any,
) -> WebSocketTransport:
    """
    Open a WebSocket connection over a Unix socket.

    Args:
        listener_factory: As in :func:`connect`.
        path: File system path of the socket.
        uri: URI of the handshake request; only its path matters.
        **kwargs: As in :func:`connect`.

    """
    return await connect(listener_factory, uri, unix_path=path, **kwargs)
