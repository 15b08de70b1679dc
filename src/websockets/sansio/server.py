"""
The server side of the sans-I/O core: the opening handshake of a server.

A :class:`ServerConnection` starts in the ``CONNECTING`` state. The I/O layer
feeds it the bytes it receives; when the client's request is complete, a
:class:`~websockets.http.Request` appears in
:meth:`~websockets.sansio.connection.Connection.events_received`. The I/O
layer then builds a response with :meth:`~ServerConnection.accept` (which
checks the request and negotiates, or refuses it with the right status) or
:meth:`~ServerConnection.reject`, may add headers, and sends it with
:meth:`~ServerConnection.send_response`. A ``101`` response opens the
connection; any other closes it.

"""

from __future__ import annotations

import http
import math
import time
from collections.abc import Generator, Sequence
from typing import Callable, Optional

from ..compiled import slots
from ..datastructures import Headers, HeadersLike, MultipleValuesError
from ..exceptions import (
    InvalidHandshake,
    InvalidHeader,
    InvalidOrigin,
    InvalidUpgrade,
    NegotiationError,
)
from ..extensions.base import Extension, ServerExtensionFactory
from ..handshake import build_response, check_request
from ..headers import (
    build_extension,
    build_subprotocol,
    parse_extension,
    parse_subprotocol,
    validate_subprotocols,
)
from ..http import SERVER, Request, Response
from ..typing import ExtensionHeader, LoggerLike, Origin, Subprotocol
from .connection import CONNECTING, SERVER as SERVER_SIDE, Connection, State


__all__ = ["ServerConnection", "SelectSubprotocol", "http_date"]


# Signature of select_subprotocol(client_subprotocols, server_subprotocols).
SelectSubprotocol = Callable[
    [Sequence[Subprotocol], Sequence[Subprotocol]], Optional[Subprotocol]
]


class ServerConnection(Connection):
    """
    Sans-I/O implementation of a WebSocket server connection.

    Args:
        origins: Acceptable values of the ``Origin`` header; include
            :obj:`None` to accept requests without one. :obj:`None` (the
            default) accepts any request.
        extensions: Extensions the server supports, in order of preference.
        subprotocols: Subprotocols the server supports, in order of
            preference.
        select_subprotocol: Replaces :meth:`select_subprotocol`, to choose
            the subprotocol another way.
        state: Initial state; ``OPEN`` skips the handshake.
        max_size: Largest incoming message, in bytes; :obj:`None` for no
            limit.
        logger: Logger for this connection.

    """

    __slots__ = slots(
        Connection,
        "origins",
        "available_extensions",
        "available_subprotocols",
        "custom_select_subprotocol",
        "subprotocol",
        "request",
        "response",
    )

    def __init__(
        self,
        *,
        origins: Optional[Sequence[Optional[Origin]]] = None,
        extensions: Optional[Sequence[ServerExtensionFactory]] = None,
        subprotocols: Optional[Sequence[Subprotocol]] = None,
        select_subprotocol: Optional[SelectSubprotocol] = None,
        state: State = CONNECTING,
        max_size: Optional[int] = 2**20,
        logger: Optional[LoggerLike] = None,
    ) -> None:
        super().__init__(SERVER_SIDE, state=state, max_size=max_size, logger=logger)
        if subprotocols is not None:
            validate_subprotocols(subprotocols)
        self.origins = origins
        # Tuples: when empty, the shared empty tuple, which costs nothing
        # per connection.
        self.available_extensions = tuple(extensions or ())
        self.available_subprotocols = tuple(subprotocols or ())
        self.custom_select_subprotocol = select_subprotocol
        #: Subprotocol selected by :meth:`accept`, if any.
        self.subprotocol: Optional[Subprotocol] = None
        #: Handshake request, once it is received.
        self.request: Optional[Request] = None
        #: Handshake response, once :meth:`send_response` sent it.
        self.response: Optional[Response] = None
        self.start_handshake(self.parse_request())

    def parse_request(self) -> Generator[None, None, None]:
        """Read the request, then wait for the I/O layer to answer it."""
        yield  # start_handshake() runs the parser up to here
        try:
            request = yield from Request.parse(self.reader.read_line)
        except InvalidHandshake as exc:
            # A malformed request gets a 400 saying why, for whoever debugs
            # the client; a peer that vanished gets no answer.
            response = self.refuse(exc, http.HTTPStatus.BAD_REQUEST)
            if isinstance(exc.__cause__, EOFError):
                self.send_eof()
            else:
                self.send_response(response)
            return
        self.log_handshake("<", f"GET {request.path} HTTP/1.1", request.headers)
        self.request = request
        self.events.append(request)

    # Answering the request.

    def accept(self, request: Request) -> Response:
        """
        Check a handshake request and build the response.

        When the request is acceptable, the response is a ``101`` with the
        negotiated extensions and subprotocol. Otherwise it refuses the
        request with the matching status: ``403`` for a forbidden origin,
        ``426`` for a request that isn't a WebSocket upgrade, ``400`` for
        any other error, and :attr:`~websockets.sansio.connection.Connection.handshake_exc`
        records why.

        Args:
            request: The request received.

        Returns:
            The response, to send with :meth:`send_response`. Its headers may
            be changed before that.

        """
        try:
            key, extensions_header, protocol_header = self.process_request(request)
        except InvalidOrigin as exc:
            return self.refuse(exc, http.HTTPStatus.FORBIDDEN)
        except InvalidUpgrade as exc:
            response = self.refuse(exc, http.HTTPStatus.UPGRADE_REQUIRED)
            response.headers["Upgrade"] = "websocket"
            return response
        except InvalidHandshake as exc:
            return self.refuse(exc, http.HTTPStatus.BAD_REQUEST)

        headers = Headers([("Date", http_date())])
        build_response(headers, key)
        if extensions_header is not None:
            headers["Sec-WebSocket-Extensions"] = extensions_header
        if protocol_header is not None:
            headers["Sec-WebSocket-Protocol"] = protocol_header
        headers["Server"] = SERVER
        return Response(101, "Switching Protocols", headers)

    def refuse(self, exc: InvalidHandshake, status: http.HTTPStatus) -> Response:
        self.handshake_exc = exc
        if self.debug:
            self.logger.debug("! invalid handshake request: %s", exc)
        return self.reject(status, f"Failed to open a WebSocket connection: {exc}.\n")

    def process_request(
        self, request: Request
    ) -> tuple[str, Optional[str], Optional[str]]:
        """
        Check a handshake request and negotiate extensions and subprotocol.

        Args:
            request: The request received.

        Returns:
            The ``Sec-WebSocket-Key`` and the values of the
            ``Sec-WebSocket-Extensions`` and ``Sec-WebSocket-Protocol``
            response headers (:obj:`None` to leave one out).

        Raises:
            InvalidHandshake: If the request is unacceptable; a subclass
                says why.

        """
        headers = request.headers
        key = check_request(headers)
        self.check_origin(headers)
        extensions_header = self.negotiate_extensions(headers)
        protocol_header = self.negotiate_subprotocol(headers)
        return key, extensions_header, protocol_header

    def check_origin(self, headers: Headers) -> None:
        if self.origins is None:
            return
        try:
            origin = headers.get("Origin")
        except MultipleValuesError:
            raise InvalidHeader("Origin", "more than one Origin header") from None
        if origin not in self.origins:
            raise InvalidOrigin(origin)

    def negotiate_extensions(self, headers: Headers) -> Optional[str]:
        # RFC 6455 §9.1: the server accepts offers in the client's order of
        # preference, and may decline any of them.
        accepted: list[Extension] = []
        response_params: list[ExtensionHeader] = []
        if self.available_extensions:
            for value in headers.get_all("Sec-WebSocket-Extensions"):
                for name, params in parse_extension(value):
                    for factory in self.available_extensions:
                        if factory.name != name:
                            continue
                        try:
                            params_out, extension = factory.process_request_params(
                                params, accepted
                            )
                        except NegotiationError:
                            continue
                        accepted.append(extension)
                        response_params.append((name, params_out))
                        break
        self.extensions = accepted
        return build_extension(response_params) if response_params else None

    def negotiate_subprotocol(self, headers: Headers) -> Optional[str]:
        self.subprotocol = None
        values = headers.get_all("Sec-WebSocket-Protocol")
        if values and self.available_subprotocols:
            client_subprotocols = [
                subprotocol for value in values for subprotocol in parse_subprotocol(value)
            ]
            select = self.custom_select_subprotocol or self.select_subprotocol
            self.subprotocol = select(client_subprotocols, self.available_subprotocols)
        return self.subprotocol

    def select_subprotocol(
        self,
        client_subprotocols: Sequence[Subprotocol],
        server_subprotocols: Sequence[Subprotocol],
    ) -> Optional[Subprotocol]:
        """
        Choose a subprotocol among those both sides support.

        The default picks the subprotocol with the best sum of ranks in the
        two lists of preferences; ties go to the client's preference.

        Args:
            client_subprotocols: Subprotocols the client offered.
            server_subprotocols: Subprotocols the server supports.

        Returns:
            The subprotocol, or :obj:`None` when there is none in common.

        """
        common = [s for s in client_subprotocols if s in server_subprotocols]
        if not common:
            return None
        return min(
            common,
            key=lambda s: client_subprotocols.index(s) + server_subprotocols.index(s),
        )

    def reject(self, status: http.HTTPStatus | int, text: str) -> Response:
        """
        Build an HTTP response refusing the handshake.

        Args:
            status: HTTP status code.
            text: Body of the response, sent as UTF-8 plain text.

        Returns:
            The response, to send with :meth:`send_response`.

        """
        status = http.HTTPStatus(status)
        body = text.encode()
        headers = Headers(
            [
                ("Date", http_date()),
                ("Connection", "close"),
                ("Content-Length", str(len(body))),
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Server", SERVER),
            ]
        )
        return Response(status.value, status.phrase, headers, body)

    def respond(
        self,
        status: http.HTTPStatus | int,
        headers: HeadersLike,
        body: bytes | str,
        server_header: Optional[str] = SERVER,
    ) -> Response:
        """
        Build an HTTP response of the application's own, e.g. a health check.

        The headers given replace the defaults: ``Date``, ``Server``,
        ``Content-Length``, ``Content-Type: text/plain`` and
        ``Connection: close``.

        Args:
            status: HTTP status code; codes that :class:`http.HTTPStatus`
                doesn't know get the reason phrase "Unknown".
            headers: Headers of the response.
            body: Body of the response; a :class:`str` is encoded to UTF-8.
            server_header: Default value of the ``Server`` header;
                :obj:`None` leaves it out.

        Returns:
            The response, to send with :meth:`send_response`.

        """
        try:
            reason_phrase = http.HTTPStatus(status).phrase
        except ValueError:
            reason_phrase = "Unknown"
        if isinstance(body, str):
            body = body.encode()
        response_headers = Headers(headers)
        response_headers.setdefault("Date", http_date())
        if server_header is not None:
            response_headers.setdefault("Server", server_header)
        response_headers.setdefault("Content-Length", str(len(body)))
        response_headers.setdefault("Content-Type", "text/plain")
        response_headers.setdefault("Connection", "close")
        return Response(int(status), reason_phrase, response_headers, body)

    def send_response(self, response: Response) -> None:
        """
        Send the handshake response.

        A ``101`` response opens the connection. Any other closes it: the
        server half-closes the TCP connection after the response.

        Args:
            response: The response from :meth:`accept` or :meth:`reject`.

        """
        status_line = f"HTTP/1.1 {response.status_code} {response.reason_phrase}"
        self.log_handshake(">", status_line, response.headers)
        self.response = response
        self.send_data(response.serialize())
        if response.status_code == 101:
            self.open(self.reader.take_buffer())
        else:
            # A deliberate answer (say, a health check) isn't a failure:
            # handshake_exc stays as accept() left it.
            self.send_eof()


_WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_MONTHS = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
]  # fmt: skip


# The last date formatted, with its second: the responses of a second share
# their Date header, whose formatting costs as much as the rest of a response.
_last_date: tuple[Optional[int], str] = (None, "")


def http_date(timestamp: Optional[float] = None) -> str:
    """
    Format a time as an HTTP ``Date`` header value (RFC 7231, section 7.1.1.1).

    The names are spelled out rather than taken from :func:`time.strftime`,
    which depends on the locale.

    Args:
        timestamp: Seconds since the epoch; :obj:`None` for now.

    """
    global _last_date
    # gmtime() rounds down to the second, too.
    second = math.floor(time.time() if timestamp is None else timestamp)
    # One read of the global: another thread may replace it meanwhile.
    last = _last_date
    if second != last[0]:
        t = time.gmtime(second)
        last = _last_date = second, (
            f"{_WEEKDAYS[t.tm_wday]}, {t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} "
            f"{t.tm_year} {t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} GMT"
        )
    return last[1]
