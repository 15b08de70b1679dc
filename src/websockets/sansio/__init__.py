"""
The sans-I/O core of websockets: bytes in, events and bytes out.

:class:`~websockets.sansio.connection.Connection` implements the protocol
once the connection is open; the handshake roles subclass it for the client
and the server.

"""

from .connection import (
    CLIENT,
    CLOSED,
    CLOSING,
    CONNECTING,
    OPEN,
    SERVER,
    Connection,
    Event,
    Side,
    State,
)
from .client import ClientConnection
from .server import ServerConnection


__all__ = [
    "Side",
    "SERVER",
    "CLIENT",
    "State",
    "CONNECTING",
    "OPEN",
    "CLOSING",
    "CLOSED",
    "Event",
    "Connection",
    "ClientConnection",
    "ServerConnection",
]
