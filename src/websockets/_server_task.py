"""
The task of each server connection: opening handshake, handler, closing
handshake.

It stays out of the compiled modules (see :mod:`websockets.compiled`) on
purpose. Compiled, this coroutine would be three objects that the garbage
collector tracks for as long as the connection lasts: the coroutine, its
closure, and a wrapper around the handler's coroutine, which it awaits. In
Python, it's one. Its own code runs once per connection.

"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .exceptions import ConnectionClosed


if TYPE_CHECKING:  # pragma: no cover
    from .http import Request
    from .server import WebSocketServerProtocol


__all__ = ["serve_connection"]


async def serve_connection(
    protocol: WebSocketServerProtocol, request: Request, takes_path: bool
) -> None:
    """
    Answer ``request`` and, once the connection is open, run the handler.

    Args:
        protocol: The server connection.
        request: Its handshake request.
        takes_path: Whether the handler takes the path, as in websockets 8.x.

    """
    try:
        if not await protocol._handshake(request):
            return
        try:
            if takes_path:
                await protocol.ws_handler(protocol, protocol.path)
            else:
                await protocol.ws_handler(protocol)
        except ConnectionClosed:
            pass  # the connection ended first; nothing to report
        except Exception:
            protocol.logger.error("connection handler failed", exc_info=True)
            await protocol.close(1011)
            return
        await protocol.close()
    except Exception:  # pragma: no cover
        protocol.logger.error("unexpected internal error", exc_info=True)
        if not protocol._lost:
            protocol.transport.abort()
    finally:
        protocol.ws_server.unregister(protocol)
