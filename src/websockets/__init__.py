"""
websockets: WebSocket servers and clients for Python.

The public names are imported lazily, on first use, so that importing a
wire-format or sans-I/O module (for instance ``websockets.framing``) never
imports :mod:`asyncio`.

"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import compiled
from .version import version as __version__


# Before any compiled module is imported: see websockets.compiled.
compiled.install()


# Public name -> module that defines it, relative to this package.
_LAZY: dict[str, str] = {
    # exceptions
    **{
        name: ".exceptions"
        for name in [
            "WebSocketException",
            "ConnectionClosed",
            "ConnectionClosedOK",
            "ConnectionClosedError",
            "InvalidHandshake",
            "SecurityError",
            "InvalidMessage",
            "InvalidHeader",
            "InvalidHeaderFormat",
            "InvalidHeaderValue",
            "InvalidOrigin",
            "InvalidUpgrade",
            "InvalidStatusCode",
            "NegotiationError",
            "DuplicateParameter",
            "InvalidParameterName",
            "InvalidParameterValue",
            "AbortHandshake",
            "RedirectHandshake",
            "InvalidState",
            "InvalidURI",
            "PayloadTooBig",
            "ProtocolError",
            "WebSocketProtocolError",
            "ConcurrencyError",
        ]
    },
    # data structures and types
    "Headers": ".datastructures",
    "MultipleValuesError": ".datastructures",
    "Data": ".typing",
    "Origin": ".typing",
    "Subprotocol": ".typing",
    "ExtensionName": ".typing",
    "ExtensionParameter": ".typing",
    "ExtensionHeader": ".typing",
    # asyncio client and server
    "connect": ".client",
    "unix_connect": ".client",
    "WebSocketClientProtocol": ".client",
    "serve": ".server",
    "unix_serve": ".server",
    "WebSocketServer": ".server",
    "WebSocketServerProtocol": ".server",
    "WebSocketCommonProtocol": ".protocol",
    "broadcast": ".protocol",
    "basic_auth_protocol_factory": ".auth",
    "BasicAuthWebSocketServerProtocol": ".auth",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    try:
        module = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # next lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # pragma: no cover
    from .auth import BasicAuthWebSocketServerProtocol, basic_auth_protocol_factory
    from .client import WebSocketClientProtocol, connect, unix_connect
    from .datastructures import Headers, MultipleValuesError
    from .exceptions import (
        AbortHandshake,
        ConcurrencyError,
        ConnectionClosed,
        ConnectionClosedError,
        ConnectionClosedOK,
        DuplicateParameter,
        InvalidHandshake,
        InvalidHeader,
        InvalidHeaderFormat,
        InvalidHeaderValue,
        InvalidMessage,
        InvalidOrigin,
        InvalidParameterName,
        InvalidParameterValue,
        InvalidState,
        InvalidStatusCode,
        InvalidUpgrade,
        InvalidURI,
        NegotiationError,
        PayloadTooBig,
        ProtocolError,
        RedirectHandshake,
        SecurityError,
        WebSocketException,
        WebSocketProtocolError,
    )
    from .protocol import WebSocketCommonProtocol, broadcast
    from .server import WebSocketServer, WebSocketServerProtocol, serve, unix_serve
    from .typing import (
        Data,
        ExtensionHeader,
        ExtensionName,
        ExtensionParameter,
        Origin,
        Subprotocol,
    )
