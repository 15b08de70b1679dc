"""
The opening handshake's headers (RFC 6455, section 4.1 and 4.2).

A client calls :func:`build_request` to add the handshake headers to its
request and, when the response arrives, :func:`check_response` to validate
it. A server calls :func:`check_request` to validate a request and
:func:`build_response` to add the handshake headers to its response.

These functions only deal with the headers that prove both sides speak the
WebSocket protocol: ``Connection``, ``Upgrade``, ``Sec-WebSocket-Key``,
``Sec-WebSocket-Version`` and ``Sec-WebSocket-Accept``. The request line,
the status line, origins, extensions and subprotocols are handled elsewhere.

"""

from __future__ import annotations

import re

from .datastructures import Headers, MultipleValuesError
from .exceptions import InvalidHeader, InvalidHeaderValue, InvalidUpgrade
from .headers import parse_connection, parse_upgrade
from .utils import accept_key, generate_key


__all__ = ["build_request", "check_request", "build_response", "check_response"]

# 16 bytes in canonical base64: 21 digits of 6 bits, a 22nd with 2 bits of
# data and 4 zero bits (A, Q, g or w), and the padding. Canonical, so that a
# key has one spelling.
_KEY_RE = re.compile(r"[A-Za-z0-9+/]{21}[AQgw]==")


def build_request(headers: Headers) -> str:
    """
    Add the client's handshake headers to a request.

    RFC 6455, section 4.1: the request MUST contain ``Upgrade: websocket``,
    ``Connection: Upgrade``, a fresh random ``Sec-WebSocket-Key`` and
    ``Sec-WebSocket-Version: 13``.

    Args:
        headers: Request headers; they're updated in place.

    Returns:
        The ``Sec-WebSocket-Key``: pass it to :func:`check_response`.

    """
    key = generate_key()
    headers.update(
        [
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Key", key),
            ("Sec-WebSocket-Version", "13"),
        ]
    )
    return key


def check_request(headers: Headers) -> str:
    """
    Check the handshake headers of a request.

    RFC 6455, section 4.2.1: the request must contain an ``Upgrade`` header
    with ``websocket``, a ``Connection`` header with ``Upgrade`` (both
    case-insensitive), a ``Sec-WebSocket-Key`` that decodes to 16 bytes, and
    ``Sec-WebSocket-Version: 13``. On a version mismatch, the server should
    answer ``426 Upgrade Required`` with ``Sec-WebSocket-Version: 13``
    (section 4.4).

    Args:
        headers: Request headers.

    Returns:
        The ``Sec-WebSocket-Key``: pass it to :func:`build_response`.

    Raises:
        InvalidUpgrade: If the ``Connection`` or ``Upgrade`` header is
            missing or wrong.
        InvalidHeaderFormat: If the ``Connection`` or ``Upgrade`` header
            can't be parsed.
        InvalidHeaderValue: If ``Sec-WebSocket-Key`` or
            ``Sec-WebSocket-Version`` has a wrong value.
        InvalidHeader: If ``Sec-WebSocket-Key`` or ``Sec-WebSocket-Version``
            is missing or appears more than once.

    """
    _check_upgrade(headers)

    key = _get_single(headers, "Sec-WebSocket-Key")
    # RFC 6455, section 4.2.1: "A |Sec-WebSocket-Key| header field with a
    # base64-encoded value that, when decoded, is 16 bytes in length."
    if not _KEY_RE.fullmatch(key):
        raise InvalidHeaderValue("Sec-WebSocket-Key", key)

    # RFC 6455, section 4.2.1: "A |Sec-WebSocket-Version| header field, with
    # a value of 13."
    version = _get_single(headers, "Sec-WebSocket-Version")
    if version != "13":
        raise InvalidHeaderValue("Sec-WebSocket-Version", version)

    return key


def build_response(headers: Headers, key: str) -> None:
    """
    Add the server's handshake headers to a response.

    RFC 6455, section 4.2.2: the response has ``Upgrade: websocket``,
    ``Connection: Upgrade`` and the ``Sec-WebSocket-Accept`` derived from the
    client's key.

    Args:
        headers: Response headers; they're updated in place.
        key: The ``Sec-WebSocket-Key`` returned by :func:`check_request`.

    """
    headers.update(
        [
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Accept", accept_key(key)),
        ]
    )


def check_response(headers: Headers, key: str) -> None:
    """
    Check the handshake headers of a response.

    RFC 6455, section 4.1: the client MUST fail the connection unless the
    response has an ``Upgrade`` header with ``websocket``, a ``Connection``
    header with ``Upgrade`` (both case-insensitive), and a
    ``Sec-WebSocket-Accept`` matching the key the client sent.

    Args:
        headers: Response headers.
        key: The ``Sec-WebSocket-Key`` returned by :func:`build_request`.

    Raises:
        InvalidUpgrade: If the ``Connection`` or ``Upgrade`` header is
            missing or wrong.
        InvalidHeaderFormat: If the ``Connection`` or ``Upgrade`` header
            can't be parsed.
        InvalidHeaderValue: If ``Sec-WebSocket-Accept`` doesn't match.
        InvalidHeader: If ``Sec-WebSocket-Accept`` is missing or appears
            more than once.

    """
    _check_upgrade(headers)

    # RFC 6455, section 4.1: "If the response lacks a |Sec-WebSocket-Accept|
    # header field or the |Sec-WebSocket-Accept| contains a value other than
    # the base64-encoded SHA-1 of the concatenation of the
    # |Sec-WebSocket-Key| (as a string, not base64-decoded) with the string
    # "258EAFA5-E914-47DA-95CA-C5AB0DC85B11" [...] the client MUST _Fail the
    # WebSocket Connection_."
    accept = _get_single(headers, "Sec-WebSocket-Accept")
    if accept != accept_key(key):
        raise InvalidHeaderValue("Sec-WebSocket-Accept", accept)


def _check_upgrade(headers: Headers) -> None:
    """Check the ``Connection`` and ``Upgrade`` headers, in either direction."""
    # The options may be split over several Connection headers (RFC 7230,
    # section 3.2.2), so gather them all.
    # The usual headers, a single "Connection: Upgrade" and "Upgrade:
    # websocket", need no parsing.
    connection_headers = headers.get_all("Connection")
    if not (len(connection_headers) == 1 and connection_headers[0].lower() == "upgrade"):
        options = [
            option.lower() for value in connection_headers for option in parse_connection(value)
        ]
        # RFC 6455, section 4.1 and 4.2.1: the Connection header contains
        # the token "Upgrade", "treated as an ASCII case-insensitive value".
        if "upgrade" not in options:
            raise InvalidUpgrade(
                "Connection", ", ".join(connection_headers) if connection_headers else None
            )

    upgrade_headers = headers.get_all("Upgrade")
    if not (len(upgrade_headers) == 1 and upgrade_headers[0].lower() == "websocket"):
        upgrade = [
            protocol for value in upgrade_headers for protocol in parse_upgrade(value)
        ]
        # RFC 6455, section 4.1 and 4.2.1: the Upgrade header contains the
        # value "websocket", "treated as an ASCII case-insensitive value".
        # Anything more would ask to switch to another protocol as well,
        # which makes no sense.
        if not (len(upgrade) == 1 and upgrade[0].lower() == "websocket"):
            raise InvalidUpgrade(
                "Upgrade", ", ".join(upgrade_headers) if upgrade_headers else None
            )


def _get_single(headers: Headers, name: str) -> str:
    """Return the value of a header that must appear exactly once."""
    try:
        return headers[name]
    except KeyError:
        raise InvalidHeader(name) from None
    except MultipleValuesError:
        raise InvalidHeader(name, f"more than one {name} header found") from None
