"""
The asyncio server: :func:`serve`, :func:`unix_serve`,
:class:`WebSocketServer` and :class:`WebSocketServerProtocol`.

Each connection is a :class:`WebSocketServerProtocol` driving a sans-I/O
:class:`~websockets.sansio.server.ServerConnection`. When the handshake
request arrives, one task runs the handshake, then the connection handler,
then closes the connection.

"""

from __future__ import annotations

import asyncio
import functools
import http
import inspect
import logging
import socket
import weakref
from collections.abc import Awaitable, Generator, Iterable, Sequence
from types import TracebackType
from typing import Any, Callable, Optional, Tuple, Union, cast

from ._server_task import serve_connection
from .datastructures import Headers, HeadersLike
from .exceptions import AbortHandshake
from .extensions.base import ServerExtensionFactory
from .extensions.permessage_deflate import (
    _apply_compression,
    enable_server_permessage_deflate,
)
from .headers import validate_subprotocols
from .http import SERVER, Request, Response
from .protocol import WebSocketCommonProtocol, _Deadlines
from .sansio.connection import CONNECTING, OPEN
from .sansio.server import SelectSubprotocol, ServerConnection
from .typing import LoggerLike, Origin, Subprotocol


__all__ = [
    "serve",
    "unix_serve",
    "WebSocketServerProtocol",
    "WebSocketServer",
    "Serve",
    "Handler",
    "HTTPResponse",
    "HeadersLikeOrCallable",
    "ProcessRequest",
]


HTTPResponse = Tuple[Union[http.HTTPStatus, int], HeadersLike, bytes]
"""
What ``process_request`` returns to answer without upgrading: ``(status,
headers, body)``.
"""

HeadersLikeOrCallable = Union[HeadersLike, Callable[[str, Headers], HeadersLike]]
"""
``extra_headers``: headers, or a function of ``(path, request_headers)`` that
returns them.
"""

Handler = Callable[..., Awaitable[Any]]
"""
Type of connection handlers, coroutine functions of ``(websocket)`` or, in
the style of websockets 8.x, ``(websocket, path)``.
"""

ProcessRequest = Callable[
    [str, Headers],
    Union[Optional[HTTPResponse], Awaitable[Optional[HTTPResponse]]],
]
"""
Type of ``process_request``, a function or coroutine function of ``(path,
request_headers)``.
"""


# Looked up once: getLogger() takes the logging module's lock at each call.
_logger = logging.getLogger("websockets.server")

# Whether a handler takes the path, by handler; see _takes_path().
_handlers_taking_path: weakref.WeakKeyDictionary[Any, bool]
_handlers_taking_path = weakref.WeakKeyDictionary()


def _takes_path(ws_handler: Handler) -> bool:
    """
    Tell whether a connection handler takes the request path.

    websockets 8.x called ``ws_handler(websocket, path)``; later versions call
    ``ws_handler(websocket)``. Both kinds work: a handler that accepts two
    positional arguments gets the path as the second one. The answer is
    cached: inspecting a signature costs more than a handshake step.

    """
    try:
        return _handlers_taking_path[ws_handler]
    except (KeyError, TypeError):
        pass
    try:
        inspect.signature(ws_handler).bind(None, "")
    except TypeError:
        takes_path = False
    except ValueError:  # pragma: no cover
        takes_path = True  # no signature to inspect: call it as 8.x did
    else:
        takes_path = True
    try:
        _handlers_taking_path[ws_handler] = takes_path
    except TypeError:  # pragma: no cover
        pass  # can't be weakly referenced: inspect it again next time
    return takes_path


class WebSocketServerProtocol(WebSocketCommonProtocol):
    """
    WebSocket server connection.

    :func:`serve` creates instances; pass a subclass as its
    ``create_protocol`` argument to customize them, for instance by
    overriding :meth:`process_request` or :meth:`select_subprotocol`.

    Args:
        ws_handler: Connection handler: a coroutine function that takes the
            connection, and optionally the request path as a second
            argument.
        ws_server: The server that the connection belongs to.
        logger: Logger for this connection; defaults to
            ``logging.getLogger("websockets.server")``.
        origins: Acceptable values of the ``Origin`` header; include
            :obj:`None` to accept requests without one. :obj:`None` accepts
            any request.
        extensions: Extensions the server supports, in order of preference.
        subprotocols: Subprotocols the server supports, in order of
            preference.
        extra_headers: Headers to add to a successful handshake response: a
            mapping, an iterable of ``(name, value)`` pairs, or a function
            of ``(path, request_headers)`` that returns either.
        server_header: Value of the ``Server`` header; :obj:`None` leaves it
            out.
        process_request: Called as :meth:`process_request` is; see there.
        select_subprotocol: Called as :meth:`select_subprotocol` is; see
            there.
        open_timeout: Close the connection if the opening handshake isn't
            complete after ``open_timeout`` seconds; :obj:`None` disables the
            timeout.
        **kwargs: Arguments of
            :class:`~websockets.protocol.WebSocketCommonProtocol`.

    """

    __slots__ = (
        "ws_handler",
        "ws_server",
        "origins",
        "available_extensions",
        "available_subprotocols",
        "extra_headers",
        "server_header",
        "_process_request",
        "_select_subprotocol",
        "open_timeout",
        "handler_task",
        "_open_deadlines",
    )

    is_client = False
    side = "server"

    def __init__(
        self,
        ws_handler: Handler,
        ws_server: WebSocketServer,
        *,
        logger: Optional[LoggerLike] = None,
        origins: Optional[Sequence[Optional[Origin]]] = None,
        extensions: Optional[Sequence[ServerExtensionFactory]] = None,
        subprotocols: Optional[Sequence[Subprotocol]] = None,
        extra_headers: Optional[HeadersLikeOrCallable] = None,
        server_header: Optional[str] = SERVER,
        process_request: Optional[ProcessRequest] = None,
        select_subprotocol: Optional[SelectSubprotocol] = None,
        open_timeout: Optional[float] = 10,
        **kwargs: Any,
    ) -> None:
        if logger is None:
            logger = _logger
        super().__init__(logger=logger, **kwargs)
        self.ws_handler = ws_handler
        self.ws_server = ws_server
        self.origins = origins
        self.available_extensions = extensions
        self.available_subprotocols = subprotocols
        self.extra_headers = extra_headers
        self.server_header = server_header
        self._process_request = process_request
        self._select_subprotocol = select_subprotocol
        self.open_timeout = open_timeout
        # The core calls the method only if a subclass overrides it; else the
        # argument, or its own default, which the method would call: a bound
        # method would tie the core and this object in a reference cycle.
        select: Optional[SelectSubprotocol] = select_subprotocol
        if type(self).select_subprotocol is not WebSocketServerProtocol.select_subprotocol:
            select = self.select_subprotocol
        self.sansio: ServerConnection = ServerConnection(
            origins=origins,
            extensions=extensions,
            subprotocols=subprotocols,
            select_subprotocol=select,
            max_size=self.max_size,
            logger=self.logger,
        )
        #: Task running the handshake and the handler, once the request
        #: arrived.
        self.handler_task: Optional[asyncio.Task[None]] = None
        self._open_deadlines: Optional[_Deadlines] = None

    # asyncio.Protocol callbacks.

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """
        Register the connection with its server: called by asyncio.

        Args:
            transport: The connection's transport.

        """
        super().connection_made(transport)
        self.ws_server.register(self)
        if self.open_timeout is not None:
            self._open_deadlines = self.ws_server._deadlines(self.open_timeout)
            self._open_deadlines.add(self)

    def connection_lost(self, exc: Optional[Exception]) -> None:
        """
        Clean up when the TCP connection closes: called by asyncio.

        Args:
            exc: The error that closed the connection, if any.

        """
        super().connection_lost(exc)
        self._stop_open_timeout()
        if self.handler_task is None:
            # The request never arrived, or was malformed: the core answered
            # it already. One line is enough, port scanners are common.
            handshake_exc = self.sansio.handshake_exc
            if handshake_exc is not None:
                self.logger.info("opening handshake failed: %s", handshake_exc)
            self.ws_server.unregister(self)

    def process_handshake_event(self, event: Any) -> None:
        """
        Start the task that answers the handshake request.

        Args:
            event: The handshake :class:`~websockets.http.Request`.

        """
        if isinstance(event, Request) and self.handler_task is None:
            self.handler_task = self.loop.create_task(
                serve_connection(self, event, _takes_path(self.ws_handler))
            )

    def _open_timeout_expired(self) -> None:
        self._open_deadlines = None
        if self.sansio.state is CONNECTING and not self._lost:
            self.logger.info("opening handshake timed out")
            self.transport.abort()

    def _stop_open_timeout(self) -> None:
        if self._open_deadlines is not None:
            self._open_deadlines.discard(self)
            self._open_deadlines = None

    # The life of a connection after its request arrived: see _server_task.

    async def _handshake(self, request: Request) -> bool:
        """Answer the request; return whether the connection is open."""
        path = request.path
        self.path = path
        self.request_headers = request.headers

        early_response: Optional[HTTPResponse]
        try:
            # Subclasses may override process_request with a plain method.
            result: Any = self.process_request(path, request.headers)
            if inspect.isawaitable(result):
                result = await result
            early_response = cast(Optional[HTTPResponse], result)
        except AbortHandshake as exc:
            early_response = (exc.status, exc.headers, exc.body)
        except Exception:
            self.logger.error("opening handshake failed", exc_info=True)
            early_response = (
                http.HTTPStatus.INTERNAL_SERVER_ERROR,
                [],
                b"Failed to open a WebSocket connection.\n"
                b"See server log for more information.\n",
            )
        if early_response is None and self.ws_server.closing:
            early_response = (
                http.HTTPStatus.SERVICE_UNAVAILABLE,
                [],
                b"Server is shutting down.\n",
            )
        if self._lost:
            return False
        if early_response is not None:
            status, headers, body = early_response
            self._send_http_response(status, headers, body)
            return False

        sansio = self.sansio
        response = sansio.accept(request)
        if sansio.handshake_exc is not None:
            self.logger.info("opening handshake failed: %s", sansio.handshake_exc)
            self._send_response(response)
            return False

        try:
            self._add_headers(response, path, request.headers)
        except Exception:
            self.logger.error("opening handshake failed", exc_info=True)
            self._send_http_response(http.HTTPStatus.INTERNAL_SERVER_ERROR, [], b"")
            return False
        if not self._send_response(response):
            return False
        if self.debug:
            self.logger.debug("connection open")
        self.subprotocol = sansio.subprotocol
        self.extensions = sansio.extensions
        self.connection_open()
        # Frames that the client sent right after its request.
        events = sansio.events_received()
        if events:
            self.process_events(events)
        return True

    def _add_headers(
        self, response: Response, path: str, request_headers: Headers
    ) -> None:
        headers = response.headers
        extra_headers = self.extra_headers
        if callable(extra_headers):
            extra_headers = extra_headers(path, request_headers)
        if extra_headers is not None:
            extra = Headers(extra_headers)
            # Extra headers replace the defaults rather than duplicate them.
            for name in ("Date", "Server"):
                if name in extra and name in headers:
                    del headers[name]
            headers.update(extra)
        if self.server_header != SERVER and "Server" in headers:
            del headers["Server"]
            if self.server_header is not None:
                headers["Server"] = self.server_header

    def _send_http_response(
        self,
        status: Union[http.HTTPStatus, int],
        headers: HeadersLike,
        body: Union[bytes, str],
    ) -> None:
        response = self.sansio.respond(status, headers, body, self.server_header)
        if self._send_response(response):
            self.logger.info(
                "connection rejected (%d %s)", response.status_code, response.reason_phrase
            )

    def _send_response(self, response: Response) -> bool:
        """Send a response; return whether it went out as it is."""
        self._stop_open_timeout()
        try:
            self.sansio.send_response(response)
        except ValueError:
            # A header or the reason phrase can't be sent, e.g. with CR/LF.
            self.logger.error("invalid HTTP response", exc_info=True)
            self.sansio.send_response(
                self.sansio.reject(http.HTTPStatus.INTERNAL_SERVER_ERROR, "")
            )
            self.flush()
            return False
        self.response_headers = response.headers
        self.flush()
        return True

    # Hooks.

    async def process_request(
        self, path: str, request_headers: Headers
    ) -> Optional[HTTPResponse]:
        """
        Intercept the handshake request before it is checked.

        Return :obj:`None` to go on with the handshake, or an HTTP response
        ``(status, headers, body)`` to answer the request without upgrading
        the connection: a health check, a redirect, a refusal. Raising
        :exc:`~websockets.exceptions.AbortHandshake` does the same.

        The default implementation calls the ``process_request`` argument of
        :func:`serve`, a function or a coroutine function, if there is one.
        Override it in a subclass, as a coroutine or a plain method, for the
        same effect.

        Args:
            path: Path of the request.
            request_headers: Headers of the request.

        Returns:
            :obj:`None`, or ``(status, headers, body)``.

        """
        if self._process_request is None:
            return None
        response: Any = self._process_request(path, request_headers)
        if inspect.isawaitable(response):
            response = await response
        return cast(Optional[HTTPResponse], response)

    def select_subprotocol(
        self,
        client_subprotocols: Sequence[Subprotocol],
        server_subprotocols: Sequence[Subprotocol],
    ) -> Optional[Subprotocol]:
        """
        Choose a subprotocol among those that both sides support.

        The default implementation calls the ``select_subprotocol``
        argument of :func:`serve` if there is one; otherwise it picks the
        subprotocol with the best sum of ranks in both lists of preferences.
        Override it in a subclass to choose another way.

        It is called only when both sides offer subprotocols.

        Args:
            client_subprotocols: Subprotocols offered by the client.
            server_subprotocols: Subprotocols supported by the server.

        Returns:
            The subprotocol, or :obj:`None` to use none.

        """
        if self._select_subprotocol is not None:
            return self._select_subprotocol(client_subprotocols, server_subprotocols)
        # The core's default, bypassing this override of it.
        return ServerConnection.select_subprotocol(
            self.sansio, client_subprotocols, server_subprotocols
        )

    def close_going_away(self) -> None:
        """Start closing with code 1001, or drop a connection still in its handshake."""
        if self._lost:
            return
        if self.sansio.state is OPEN:
            self.start_closing(1001)
        elif self.sansio.state is CONNECTING and self.handler_task is None:
            # No request yet: nobody is waiting for an answer.
            self.transport.close()


class WebSocketServer:
    """
    A WebSocket server: the listening sockets and the connections.

    :func:`serve` creates it. Close it with :meth:`close`, then wait with
    :meth:`wait_closed`.

    Args:
        logger: Logger for the server; defaults to
            ``logging.getLogger("websockets.server")``.

    """

    def __init__(self, logger: Optional[LoggerLike] = None) -> None:
        if logger is None:
            logger = _logger
        self.logger = logger
        #: Set of the server's connections, open ones and those in their
        #: opening handshake or whose handler is still running.
        self.websockets: set[WebSocketServerProtocol] = set()
        #: The underlying :class:`asyncio.Server`, once listening.
        self.server: Optional[asyncio.base_events.Server] = None
        #: ``True`` once :meth:`close` was called.
        self.closing = False
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._close_task: Optional[asyncio.Task[None]] = None
        self._closed_waiter: Optional[asyncio.Future[None]] = None
        # The timeouts of opening handshakes, by duration: all connections
        # share one, unless a subclass of the protocol sets its own.
        self._open_timeouts: dict[float, _Deadlines] = {}

    def wrap(self, server: asyncio.base_events.Server) -> None:
        """
        Attach the :class:`asyncio.Server` that listens for connections.

        Args:
            server: The server returned by :meth:`~asyncio.loop.create_server`.

        """
        self.server = server
        self._loop = server.get_loop()
        self._closed_waiter = self._loop.create_future()
        for sock in server.sockets:
            if sock.family == socket.AF_UNIX:
                self.logger.info("server listening on %s", sock.getsockname())
            else:
                self.logger.info("server listening on %s:%d", *sock.getsockname()[:2])

    def register(self, protocol: WebSocketServerProtocol) -> None:
        """Add a connection: called when it opens."""
        self.websockets.add(protocol)

    def unregister(self, protocol: WebSocketServerProtocol) -> None:
        """Remove a connection: called when its handler ends or it closes early."""
        self.websockets.discard(protocol)

    def _deadlines(self, timeout: float) -> _Deadlines:
        # The deadlines of opening handshakes that last at most timeout.
        deadlines = self._open_timeouts.get(timeout)
        if deadlines is None:
            deadlines = _Deadlines(
                timeout, WebSocketServerProtocol._open_timeout_expired
            )
            self._open_timeouts[timeout] = deadlines
        return deadlines

    def is_serving(self) -> bool:
        """Tell whether the server accepts connections."""
        return self.server is not None and self.server.is_serving()

    def close(self) -> None:
        """
        Close the server.

        Stop listening, then close each open connection with code 1001
        (going away) and answer handshakes in progress with HTTP 503. This
        method returns at once; :meth:`wait_closed` waits until all this is
        done and every connection handler has returned. Calling it again
        does nothing.

        """
        if self._close_task is None:
            self.closing = True
            assert self._loop is not None, "the server isn't listening yet"
            self._close_task = self._loop.create_task(self._close())

    async def _close(self) -> None:
        assert self.server is not None and self._closed_waiter is not None
        self.logger.info("server closing")
        self.server.close()
        # Let connections accepted just before run connection_made().
        await asyncio.sleep(0)
        websockets = list(self.websockets)
        for websocket in websockets:
            websocket.close_going_away()
        for websocket in websockets:
            await websocket.wait_closed()
            if websocket.handler_task is not None:
                await asyncio.wait([websocket.handler_task])
        await self.server.wait_closed()
        self.logger.info("server closed")
        self._closed_waiter.set_result(None)

    async def wait_closed(self) -> None:
        """
        Wait until the server is closed.

        This returns once :meth:`close` was called and completed, so it also
        serves to run a server until someone closes it.

        """
        assert self._closed_waiter is not None, "the server isn't listening yet"
        await asyncio.shield(self._closed_waiter)

    @property
    def sockets(self) -> Iterable[socket.socket]:
        """Listening sockets; empty once the server is closed."""
        if self.server is None:
            return ()
        return self.server.sockets

    def get_loop(self) -> asyncio.AbstractEventLoop:
        """Return the event loop of the server."""
        assert self._loop is not None, "the server isn't listening yet"
        return self._loop

    async def start_serving(self) -> None:
        """Accept connections, after :func:`serve` got ``start_serving=False``."""
        assert self.server is not None
        await self.server.start_serving()

    async def serve_forever(self) -> None:
        """
        Accept connections until the coroutine is cancelled.

        Then close the server, like :meth:`close` and :meth:`wait_closed`.

        """
        try:
            await self.wait_closed()
        finally:
            self.close()
            await asyncio.shield(cast(asyncio.Task[None], self._close_task))

    async def __aenter__(self) -> WebSocketServer:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc_value: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.close()
        await self.wait_closed()


class Serve:
    """
    Start a WebSocket server listening on ``host`` and ``port``.

    Each connection runs ``ws_handler``: a coroutine function that takes the
    connection (a :class:`WebSocketServerProtocol`) and, in the style of
    websockets 8.x, optionally the request path::

        async def handler(websocket):
            async for message in websocket:
                await websocket.send(message)

    Await it to get the :class:`WebSocketServer`, or use it as an
    asynchronous context manager, which closes the server on exit::

        async with serve(handler, "localhost", 8765):
            await asyncio.Future()  # run forever

    When the handler returns, the connection closes with code 1000; when it
    raises, the error is logged and the connection closes with code 1011.

    Args:
        ws_handler: Connection handler.
        host: Network interfaces to listen on; see
            :meth:`~asyncio.loop.create_server`.
        port: TCP port to listen on.
        create_protocol: Factory of connections; defaults to
            :class:`WebSocketServerProtocol`. A subclass customizes them.
        logger: Logger for the server and its connections; defaults to
            ``logging.getLogger("websockets.server")``.
        compression: ``"deflate"`` enables the permessage-deflate extension;
            :obj:`None` disables compression.
        origins: Acceptable values of the ``Origin`` header.
        extensions: Extensions the server supports.
        subprotocols: Subprotocols the server supports.
        extra_headers: Headers to add to successful handshake responses;
            see :class:`WebSocketServerProtocol`.
        server_header: Value of the ``Server`` header; :obj:`None` leaves it
            out.
        process_request: Function or coroutine function of ``(path,
            request_headers)``; see
            :meth:`WebSocketServerProtocol.process_request`.
        select_subprotocol: Function of ``(client_subprotocols,
            server_subprotocols)``; see
            :meth:`WebSocketServerProtocol.select_subprotocol`.
        open_timeout: Timeout of the opening handshake, in seconds.
        ping_interval: See
            :class:`~websockets.protocol.WebSocketCommonProtocol`.
        ping_timeout: Idem.
        close_timeout: Idem.
        max_size: Idem.
        max_queue: Idem.
        read_limit: Idem.
        write_limit: Idem.
        loop: Ignored; accepted for compatibility with websockets 8.x.
        **kwargs: Passed to :meth:`~asyncio.loop.create_server`, e.g.
            ``ssl`` for a TLS context, ``sock`` to use a listening socket,
            ``reuse_port``.

    Raises:
        ValueError: If ``compression`` isn't supported.

    """

    def __init__(
        self,
        ws_handler: Handler,
        host: Optional[Union[str, Sequence[str]]] = None,
        port: Optional[int] = None,
        *,
        create_protocol: Optional[Callable[..., WebSocketServerProtocol]] = None,
        logger: Optional[LoggerLike] = None,
        compression: Optional[str] = "deflate",
        origins: Optional[Sequence[Optional[Origin]]] = None,
        extensions: Optional[Sequence[ServerExtensionFactory]] = None,
        subprotocols: Optional[Sequence[Subprotocol]] = None,
        extra_headers: Optional[HeadersLikeOrCallable] = None,
        server_header: Optional[str] = SERVER,
        process_request: Optional[Callable[..., Any]] = None,
        select_subprotocol: Optional[Callable[..., Optional[Subprotocol]]] = None,
        open_timeout: Optional[float] = 10,
        ping_interval: Optional[float] = 20,
        ping_timeout: Optional[float] = 20,
        close_timeout: Optional[float] = 10,
        max_size: Optional[int] = 2**20,
        max_queue: Optional[int] = 2**5,
        read_limit: int = 2**16,
        write_limit: int = 2**16,
        loop: Optional[asyncio.AbstractEventLoop] = None,
        **kwargs: Any,
    ) -> None:
        del loop  # only the running loop is used
        extensions = _apply_compression(
            compression, extensions, enable_server_permessage_deflate
        )
        if subprotocols is not None:
            validate_subprotocols(subprotocols)
        if create_protocol is None:
            create_protocol = WebSocketServerProtocol

        self.ws_server = WebSocketServer(logger=logger)
        self._unix = bool(kwargs.pop("unix", False))
        self._path: Optional[str] = kwargs.pop("path", None)
        self._host = host
        self._port = port
        self._kwargs = kwargs
        secure = kwargs.get("ssl") is not None
        self._factory = functools.partial(
            create_protocol,
            ws_handler,
            self.ws_server,
            host=host,
            port=port,
            secure=secure,
            logger=logger,
            origins=origins,
            extensions=extensions,
            subprotocols=subprotocols,
            extra_headers=extra_headers,
            server_header=server_header,
            process_request=process_request,
            select_subprotocol=select_subprotocol,
            open_timeout=open_timeout,
            ping_interval=ping_interval,
            ping_timeout=ping_timeout,
            close_timeout=close_timeout,
            max_size=max_size,
            max_queue=max_queue,
            read_limit=read_limit,
            write_limit=write_limit,
        )

    # await serve(...)

    def __await__(self) -> Generator[Any, None, WebSocketServer]:
        return self._await().__await__()

    async def _await(self) -> WebSocketServer:
        loop = asyncio.get_running_loop()
        server: asyncio.base_events.Server
        if self._unix:
            server = await loop.create_unix_server(
                self._factory, self._path, **self._kwargs
            )
        else:
            server = await loop.create_server(
                self._factory, self._host, self._port, **self._kwargs
            )
        self.ws_server.wrap(server)
        return self.ws_server

    # async with serve(...) as server:

    async def __aenter__(self) -> WebSocketServer:
        return await self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc_value: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.ws_server.close()
        await self.ws_server.wait_closed()


serve = Serve


def unix_serve(
    ws_handler: Handler,
    path: Optional[str] = None,
    **kwargs: Any,
) -> Serve:
    """
    Start a WebSocket server listening on a unix socket.

    Like :func:`serve`, with the socket's ``path`` in place of a host and
    port.

    Args:
        ws_handler: Connection handler.
        path: Path of the unix socket; leave it out when passing ``sock``.
        **kwargs: Arguments of :func:`serve`.

    Returns:
        A :class:`Serve`: await it, or use it with ``async with``.

    """
    return serve(ws_handler, path=path, unix=True, **kwargs)
