"""
Client and server of the libraries with a websockets-style await API.

Ours (classic API), websockets 17 and picows' ``picows.websockets`` share the
same calls: ``serve(handler, host, port, ...)``, ``connect(uri, ...)``, and
``send``/``recv``/``close`` on a connection. Each library's module passes its
own functions to :func:`functions`.
"""

from __future__ import annotations

from typing import Any, Callable

import common

MAX_SIZE = 2**24
OPTIONS: dict[str, Any] = dict(ping_interval=None, max_size=MAX_SIZE)


def functions(
    ws_serve: Callable[..., Any],
    ws_connect: Callable[..., Any],
    connection_closed: type[Exception],
    *,
    connect_options: dict[str, Any] | None = None,
    abort: Callable[[Any], None],
) -> dict[str, Any]:
    """The functions that ``common.main`` expects of a library module."""

    async def handler(ws: Any) -> None:
        try:
            async for message in ws:
                await ws.send(message)
        except connection_closed:
            pass

    async def serve(host: str, port: int, compression: bool) -> tuple[int, Any]:
        server = await ws_serve(
            handler,
            host,
            port,
            compression="deflate" if compression else None,
            backlog=1024,
            **OPTIONS,
        )
        port = server.sockets[0].getsockname()[1]

        async def stop() -> None:
            server.close()
            await server.wait_closed()

        return port, stop

    async def connect(uri: str, compression: bool) -> Any:
        return await ws_connect(
            uri,
            compression="deflate" if compression else None,
            **(connect_options or {}),
            **OPTIONS,
        )

    async def echo(ws: Any, payloads: list[Any], n: int) -> Any:
        return await common.echo_loop(ws.send, ws.recv, payloads, n)

    async def stream(ws: Any, payloads: list[Any], n: int) -> None:
        await common.stream_loop(ws.send, ws.recv, payloads, n)

    async def close(ws: Any) -> None:
        await ws.close()

    return dict(
        serve=serve, connect=connect, echo=echo, stream=stream, close=close, abort=abort
    )
