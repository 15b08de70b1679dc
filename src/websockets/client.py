"""
The asyncio client: :func:`connect`, :func:`unix_connect` and
:class:`WebSocketClientProtocol`.

The opening handshake is performed by a sans-I/O
:class:`~websockets.sansio.client.ClientConnection`; this module opens the
TCP (or unix) connection, follows redirects, and bounds the whole with
``open_timeout``.

"""

from __future__ import annotations

import asyncio
import functools
import logging
import urllib.parse
from collections.abc import Generator, Sequence
from types import TracebackType
from typing import Any, Callable, Optional

from .datastructures import HeadersLike
from .exceptions import (
    InvalidHandshake,
    InvalidHeader,
    InvalidMessage,
    InvalidStatusCode,
    RedirectHandshake,
    SecurityError,
)
from .extensions.base import ClientExtensionFactory
from .extensions.permessage_deflate import (
    _apply_compression,
    enable_client_permessage_deflate,
)
from .headers import validate_subprotocols
from .http import USER_AGENT, Response
from .protocol import (
    WebSocketCommonProtocol,
    _check_ssl,
    _open_within,
    _tls_defaults,
)
from .sansio.client import ClientConnection
from .typing import LoggerLike, Origin, Subprotocol
from .uri import WebSocketURI, parse_uri


__all__ = ["connect", "unix_connect", "WebSocketClientProtocol", "Connect"]


# Status codes of redirects that the client follows (RFC 7231, section 6.4).
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

# Looked up once: getLogger() takes the logging module's lock at each call.
_logger = logging.getLogger("websockets.client")

# Stands in for the URI until handshake() knows it.
_PLACEHOLDER_URI = WebSocketURI(False, "localhost", 80, "/")


class WebSocketClientProtocol(WebSocketCommonProtocol):
    """
    WebSocket client connection.

    :func:`connect` creates instances; pass a subclass as its
    ``create_protocol`` argument to customize them. Besides the methods of
    :class:`~websockets.protocol.WebSocketCommonProtocol`, it provides
    :meth:`handshake`.

    Args:
        logger: Logger for this connection; defaults to
            ``logging.getLogger("websockets.client")``.
        origin: Value of the ``Origin`` header.
        extensions: Extensions to offer, in order of preference.
        subprotocols: Subprotocols to offer, in order of preference.
        extra_headers: Headers to add to the handshake request.
        user_agent_header: Value of the ``User-Agent`` header; :obj:`None`
            leaves it out.
        **kwargs: Arguments of
            :class:`~websockets.protocol.WebSocketCommonProtocol`.

    """

    __slots__ = (
        "origin",
        "available_extensions",
        "available_subprotocols",
        "extra_headers",
        "user_agent_header",
        "_handshake_waiter",
    )

    is_client = True
    side = "client"

    def __init__(
        self,
        *,
        logger: Optional[LoggerLike] = None,
        origin: Optional[Origin] = None,
        extensions: Optional[Sequence[ClientExtensionFactory]] = None,
        subprotocols: Optional[Sequence[Subprotocol]] = None,
        extra_headers: Optional[HeadersLike] = None,
        user_agent_header: Optional[str] = USER_AGENT,
        **kwargs: Any,
    ) -> None:
        if logger is None:
            logger = _logger
        super().__init__(logger=logger, **kwargs)
        self.origin = origin
        self.available_extensions = extensions
        self.available_subprotocols = subprotocols
        self.extra_headers = extra_headers
        self.user_agent_header = user_agent_header
        # Replaced by handshake(), which knows the URI.
        self.sansio = ClientConnection(
            _PLACEHOLDER_URI, max_size=self.max_size, logger=self.logger
        )
        self._handshake_waiter: Optional[asyncio.Future[None]] = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """
        Set up the connection: called by asyncio when the TCP connection opens.

        Reading waits for :meth:`handshake`: a server doesn't speak first.

        Args:
            transport: The connection's transport.

        """
        super().connection_made(transport)
        self.transport.pause_reading()

    def connection_lost(self, exc: Optional[Exception]) -> None:
        """
        Clean up when the TCP connection closes: called by asyncio.

        Args:
            exc: The error that closed the connection, if any.

        """
        super().connection_lost(exc)
        self._handshake_done()

    def process_handshake_event(self, event: Any) -> None:
        """
        Wake :meth:`handshake` when the response arrives.

        Args:
            event: The handshake :class:`~websockets.http.Response`.

        """
        if isinstance(event, Response):
            self._handshake_done()

    def _handshake_done(self) -> None:
        waiter = self._handshake_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def handshake(
        self,
        wsuri: WebSocketURI,
        origin: Optional[Origin] = None,
        available_extensions: Optional[Sequence[ClientExtensionFactory]] = None,
        available_subprotocols: Optional[Sequence[Subprotocol]] = None,
        extra_headers: Optional[HeadersLike] = None,
    ) -> None:
        """
        Perform the client side of the opening handshake.

        Args:
            wsuri: URI of the server.
            origin: Value of the ``Origin`` header.
            available_extensions: Extensions to offer.
            available_subprotocols: Subprotocols to offer.
            extra_headers: Headers to add to the request.

        Raises:
            InvalidStatusCode: If the server answers with a status other than
                101 (and other than a redirect).
            RedirectHandshake: If the server answers with a redirect.
            InvalidHandshake: If the handshake fails for another reason; a
                subclass says why.

        """
        sansio = ClientConnection(
            wsuri,
            origin=origin,
            extensions=available_extensions,
            subprotocols=available_subprotocols,
            max_size=self.max_size,
            logger=self.logger,
        )
        self.sansio = sansio
        request = sansio.connect(extra_headers, user_agent=self.user_agent_header)
        self.path = request.path
        self.request_headers = request.headers
        sansio.send_request(request)
        if self._lost:
            sansio.receive_eof()
        else:
            self._handshake_waiter = self.loop.create_future()
            self.flush()
            self.transport.resume_reading()
            try:
                await self._handshake_waiter
            finally:
                self._handshake_waiter = None

        exc = sansio.handshake_exc
        if exc is not None:
            if (
                isinstance(exc, InvalidStatusCode)
                and exc.status_code in REDIRECT_STATUSES
            ):
                try:
                    location = exc.headers["Location"]
                except KeyError:
                    raise InvalidHeader("Location") from exc
                raise RedirectHandshake(location) from exc
            raise exc
        response = sansio.response
        if response is None:  # pragma: no cover
            raise InvalidMessage("connection closed during the opening handshake")
        self.response_headers = response.headers
        self.subprotocol = sansio.subprotocol
        self.extensions = sansio.extensions
        self.connection_open()


class Connect:
    """
    Connect to the WebSocket server at ``uri``.

    Await it to get a connection::

        websocket = await connect("ws://localhost:8765/")

    or use it as an asynchronous context manager, which closes the connection
    on exit::

        async with connect("ws://localhost:8765/") as websocket:
            ...

    Args:
        uri: URI of the server, ``ws://`` or ``wss://``.
        create_protocol: Factory of the connection; defaults to
            :class:`WebSocketClientProtocol`. A subclass customizes it.
        logger: Logger for the connection; defaults to
            ``logging.getLogger("websockets.client")``.
        compression: ``"deflate"`` offers the permessage-deflate extension;
            :obj:`None` offers no compression.
        origin: Value of the ``Origin`` header.
        extensions: Extensions to offer, in order of preference.
        subprotocols: Subprotocols to offer, in order of preference.
        extra_headers: Headers to add to the handshake request: a mapping,
            an iterable of ``(name, value)`` pairs or a
            :class:`~websockets.datastructures.Headers`.
        user_agent_header: Value of the ``User-Agent`` header; :obj:`None`
            leaves it out.
        open_timeout: Timeout for opening the connection, TLS and handshake
            included, and following redirects, in seconds; :obj:`None`
            disables it.
        ping_interval: See
            :class:`~websockets.protocol.WebSocketCommonProtocol`.
        ping_timeout: Idem.
        close_timeout: Idem.
        max_size: Idem.
        max_queue: Idem.
        read_limit: Idem.
        write_limit: Idem.
        loop: Ignored; accepted for compatibility with websockets 8.x.
        **kwargs: Passed to :meth:`~asyncio.loop.create_connection`, e.g.
            ``ssl`` for a TLS context, ``host`` and ``port`` to connect
            elsewhere than the URI says, ``sock`` to use a connected socket.

    Raises:
        InvalidURI: If ``uri`` isn't a valid WebSocket URI.
        ValueError: If ``ssl`` is given with a ``ws://`` URI, or
            ``compression`` isn't supported.

    When awaited, it raises:

    * :exc:`~websockets.exceptions.InvalidStatusCode` when the server answers
      the handshake with a status other than 101;
    * :exc:`~websockets.exceptions.InvalidHandshake` (a subclass) when the
      handshake fails otherwise, :exc:`~websockets.exceptions.SecurityError`
      after more than 10 redirects or a redirect from ``wss://`` to
      ``ws://``;
    * :exc:`OSError` when the TCP connection fails;
    * :exc:`asyncio.TimeoutError` after ``open_timeout``.

    """

    #: Redirects followed before giving up.
    MAX_REDIRECTS_ALLOWED = 10

    def __init__(
        self,
        uri: str,
        *,
        create_protocol: Optional[Callable[..., WebSocketClientProtocol]] = None,
        logger: Optional[LoggerLike] = None,
        compression: Optional[str] = "deflate",
        origin: Optional[Origin] = None,
        extensions: Optional[Sequence[ClientExtensionFactory]] = None,
        subprotocols: Optional[Sequence[Subprotocol]] = None,
        extra_headers: Optional[HeadersLike] = None,
        user_agent_header: Optional[str] = USER_AGENT,
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
        wsuri = parse_uri(uri)
        _check_ssl(wsuri, kwargs)
        extensions = _apply_compression(
            compression, extensions, enable_client_permessage_deflate
        )
        if subprotocols is not None:
            validate_subprotocols(subprotocols)

        self._uri = uri
        self._wsuri = wsuri
        self._create_protocol = (
            WebSocketClientProtocol if create_protocol is None else create_protocol
        )
        self._protocol_kwargs: dict[str, Any] = dict(
            logger=logger,
            origin=origin,
            extensions=extensions,
            subprotocols=subprotocols,
            extra_headers=extra_headers,
            user_agent_header=user_agent_header,
            ping_interval=ping_interval,
            ping_timeout=ping_timeout,
            close_timeout=close_timeout,
            max_size=max_size,
            max_queue=max_queue,
            read_limit=read_limit,
            write_limit=write_limit,
        )
        self._open_timeout = open_timeout
        self._unix = bool(kwargs.pop("unix", False))
        self._path: Optional[str] = kwargs.pop("path", None)
        self._host: Optional[str] = kwargs.pop("host", None)
        self._port: Optional[int] = kwargs.pop("port", None)
        self._kwargs = kwargs
        #: The connection, once open.
        self.protocol: Optional[WebSocketClientProtocol] = None

    # await connect(...)

    def __await__(self) -> Generator[Any, None, WebSocketClientProtocol]:
        return self._await().__await__()

    async def _await(self) -> WebSocketClientProtocol:
        protocol = await _open_within(
            self._open_timeout, self._connect_following_redirects()
        )
        self.protocol = protocol
        return protocol

    # async with connect(...) as websocket:

    async def __aenter__(self) -> WebSocketClientProtocol:
        return await self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc_value: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        assert self.protocol is not None
        await self.protocol.close()

    async def _connect_following_redirects(self) -> WebSocketClientProtocol:
        uri, wsuri = self._uri, self._wsuri
        host = wsuri.host if self._host is None else self._host
        port = wsuri.port if self._port is None else self._port
        kwargs = self._kwargs
        for _ in range(self.MAX_REDIRECTS_ALLOWED + 1):
            try:
                return await self._connect_once(wsuri, host, port, kwargs)
            except RedirectHandshake as exc:
                new_uri = urllib.parse.urljoin(uri, exc.uri)
                new_wsuri = parse_uri(new_uri)
                if wsuri.secure and not new_wsuri.secure:
                    raise SecurityError("redirect from WSS to WS") from exc
                same_origin = (
                    wsuri.host == new_wsuri.host and wsuri.port == new_wsuri.port
                )
                if not same_origin:
                    # Overrides of the destination apply to the original
                    # origin only.
                    host, port = new_wsuri.host, new_wsuri.port
                    kwargs = dict(kwargs)
                    kwargs.pop("sock", None)
                    kwargs.pop("server_hostname", None)
                    self._unix = False
                logger = self._protocol_kwargs["logger"] or _logger
                logger.info("redirected to %s", new_uri)
                uri, wsuri = new_uri, new_wsuri
        raise SecurityError("too many redirects")

    async def _connect_once(
        self,
        wsuri: WebSocketURI,
        host: str,
        port: int,
        kwargs: dict[str, Any],
    ) -> WebSocketClientProtocol:
        loop = asyncio.get_running_loop()
        factory = functools.partial(
            self._create_protocol,
            host=wsuri.host,
            port=wsuri.port,
            secure=wsuri.secure,
            **self._protocol_kwargs,
        )
        kwargs = dict(kwargs)
        _tls_defaults(wsuri, kwargs)
        if self._unix:
            _, protocol = await loop.create_unix_connection(
                factory, self._path, **kwargs
            )
        elif kwargs.get("sock") is not None:
            _, protocol = await loop.create_connection(factory, **kwargs)
        else:
            _, protocol = await loop.create_connection(factory, host, port, **kwargs)
        try:
            await protocol.handshake(
                wsuri,
                origin=protocol.origin,
                available_extensions=protocol.available_extensions,
                available_subprotocols=protocol.available_subprotocols,
                extra_headers=protocol.extra_headers,
            )
        except InvalidHandshake:
            protocol.transport.close()
            raise
        except BaseException:
            # Timeout, cancellation, or a bug: don't wait for anything.
            protocol.transport.abort()
            raise
        return protocol


connect = Connect


def unix_connect(
    path: Optional[str] = None,
    uri: str = "ws://localhost/",
    **kwargs: Any,
) -> Connect:
    """
    Connect to a WebSocket server listening on a unix socket.

    Like :func:`connect`, with the socket's ``path`` in place of a host and
    port; ``uri`` still gives the ``Host`` header and the path of the
    request.

    Args:
        path: Path of the unix socket; leave it out when passing ``sock``.
        uri: URI of the WebSocket server.
        **kwargs: Arguments of :func:`connect`.

    Returns:
        A :class:`Connect`: await it, or use it with ``async with``.

    """
    return connect(uri=uri, path=path, unix=True, **kwargs)
