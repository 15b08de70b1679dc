"""
HTTP Basic Authentication (RFC 7617) for the asyncio server.

Pass :func:`basic_auth_protocol_factory` as the ``create_protocol`` argument
of :func:`~websockets.server.serve`::

    serve(
        handler, "localhost", 8765,
        create_protocol=basic_auth_protocol_factory(
            realm="my dev server",
            credentials=("hello", "iloveyou"),
        ),
    )

"""

from __future__ import annotations

import functools
import hmac
import http
import inspect
from collections.abc import Awaitable, Iterable
from typing import Any, Callable, Optional, Union, cast

from .datastructures import Headers
from .exceptions import InvalidHeader
from .headers import build_www_authenticate_basic, parse_authorization_basic
from .server import HTTPResponse, WebSocketServerProtocol


__all__ = ["BasicAuthWebSocketServerProtocol", "basic_auth_protocol_factory"]

Credentials = tuple[str, str]


def is_credentials(value: Any) -> bool:
    """Tell whether ``value`` is a ``(username, password)`` pair of strings."""
    try:
        username, password = value
    except (TypeError, ValueError):
        return False
    return isinstance(username, str) and isinstance(password, str)


class BasicAuthWebSocketServerProtocol(WebSocketServerProtocol):
    """
    WebSocket server connection that requires HTTP Basic Authentication.

    A request without valid credentials gets a ``401 Unauthorized`` answer
    with a ``WWW-Authenticate: Basic realm="..."`` header. Once the client
    is authenticated, :attr:`username` holds its username.

    Args:
        *args: Arguments of
            :class:`~websockets.server.WebSocketServerProtocol`.
        realm: Scope of protection, shown by browsers; it overrides the
            :attr:`realm` class attribute.
        check_credentials: Coroutine function of ``(username, password)``
            returning whether the credentials are valid; it replaces the
            default :meth:`check_credentials`.
        **kwargs: Arguments of
            :class:`~websockets.server.WebSocketServerProtocol`.

    """

    #: Scope of protection. It may be set in a subclass or with ``realm=``.
    realm: str = ""
    #: Username of the authenticated client, :obj:`None` until then.
    username: Optional[str] = None

    def __init__(
        self,
        *args: Any,
        realm: Optional[str] = None,
        check_credentials: Optional[Callable[[str, str], Awaitable[bool]]] = None,
        **kwargs: Any,
    ) -> None:
        if realm is not None:
            self.realm = realm
        self._check_credentials = check_credentials
        super().__init__(*args, **kwargs)

    async def check_credentials(self, username: str, password: str) -> bool:
        """
        Tell whether credentials are valid.

        The default implementation calls the ``check_credentials`` argument;
        without one, it refuses everything. Override it in a subclass to
        check credentials another way.

        Args:
            username: Username from the ``Authorization`` header.
            password: Password from the ``Authorization`` header.

        Returns:
            Whether the credentials are valid.

        """
        if self._check_credentials is None:
            return False
        return await self._check_credentials(username, password)

    async def process_request(
        self, path: str, request_headers: Headers
    ) -> Optional[HTTPResponse]:
        """
        Check the ``Authorization`` header before the handshake.

        A response from the parent class, for instance from the
        ``process_request`` argument of :func:`~websockets.server.serve`,
        takes precedence.

        Args:
            path: Path of the request.
            request_headers: Headers of the request.

        Returns:
            :obj:`None` when the client is authenticated, else a 401
            response.

        """
        response: Any = super().process_request(path, request_headers)
        if inspect.isawaitable(response):
            response = await response
        if response is not None:
            return cast(HTTPResponse, response)

        try:
            authorization = request_headers["Authorization"]
        except KeyError:
            return self._unauthorized(b"Missing credentials\n")
        except LookupError:  # several Authorization headers
            return self._unauthorized(b"Unsupported credentials\n")
        try:
            username, password = parse_authorization_basic(authorization)
        except InvalidHeader:
            return self._unauthorized(b"Unsupported credentials\n")
        if not await self.check_credentials(username, password):
            return self._unauthorized(b"Invalid credentials\n")
        self.username = username
        return None

    def _unauthorized(self, body: bytes) -> HTTPResponse:
        return (
            http.HTTPStatus.UNAUTHORIZED,
            [("WWW-Authenticate", build_www_authenticate_basic(self.realm))],
            body,
        )


def basic_auth_protocol_factory(
    realm: Optional[str] = None,
    credentials: Optional[Union[Credentials, Iterable[Credentials]]] = None,
    check_credentials: Optional[Callable[[str, str], Awaitable[bool]]] = None,
    create_protocol: Optional[Callable[..., BasicAuthWebSocketServerProtocol]] = None,
) -> Callable[..., BasicAuthWebSocketServerProtocol]:
    """
    Protocol factory that enforces HTTP Basic Authentication.

    Pass its result as the ``create_protocol`` argument of
    :func:`~websockets.server.serve`. Give either ``credentials`` or
    ``check_credentials``.

    Args:
        realm: Scope of protection, shown by browsers.
        credentials: A ``(username, password)`` pair, or an iterable of
            them. Passwords are compared in constant time.
        check_credentials: Coroutine function of ``(username, password)``
            returning whether the credentials are valid.
        create_protocol: Factory of connections; defaults to
            :class:`BasicAuthWebSocketServerProtocol`. A subclass of it
            customizes them further.

    Returns:
        A factory for :func:`~websockets.server.serve`.

    Raises:
        TypeError: If ``credentials`` has a wrong format, or if neither or
            both of ``credentials`` and ``check_credentials`` are given.

    """
    if (credentials is None) == (check_credentials is None):
        raise TypeError("provide either credentials or check_credentials")

    if credentials is not None:
        if is_credentials(credentials):
            credentials_list = [cast(Credentials, credentials)]
        elif isinstance(credentials, Iterable):
            credentials_list = list(cast(Iterable[Credentials], credentials))
            if not all(is_credentials(item) for item in credentials_list):
                raise TypeError(f"invalid credentials argument: {credentials}")
        else:
            raise TypeError(f"invalid credentials argument: {credentials}")

        # Bytes, so that compare_digest accepts non-ASCII passwords.
        expected = {
            username: password.encode() for username, password in credentials_list
        }

        async def check_credentials(username: str, password: str) -> bool:
            try:
                expected_password = expected[username]
            except KeyError:
                return False
            return hmac.compare_digest(expected_password, password.encode())

    if create_protocol is None:
        create_protocol = BasicAuthWebSocketServerProtocol

    return functools.partial(
        create_protocol, realm=realm, check_credentials=check_credentials
    )
