"""Our library, classic asyncio API: ``websockets.serve`` / ``websockets.connect``."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import common

import websockets

MAX_SIZE = 2**24
OPTIONS: dict[str, Any] = dict(ping_interval=None, max_size=MAX_SIZE)


async def handler(ws: Any) -> None:
    try:
        async for message in ws:
            await ws.send(message)
    except websockets.ConnectionClosed:
        pass


async def serve(host: str, port: int, compression: bool) -> tuple[int, Any]:
    server = await websockets.serve(
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
    return await websockets.connect(
        uri, compression="deflate" if compression else None, **OPTIONS
    )


async def echo(ws: Any, payloads: list[Any], n: int) -> Any:
    send, recv = ws.send, ws.recv
    k = len(payloads)
    reply = None
    for i in range(n):
        await send(payloads[i % k])
        reply = await recv()
    return reply


async def stream(ws: Any, payloads: list[Any], n: int) -> None:
    async def sender() -> None:
        send = ws.send
        k = len(payloads)
        for i in range(n):
            await send(payloads[i % k])

    task = asyncio.ensure_future(sender())
    recv = ws.recv
    for _ in range(n):
        await recv()
    await task


async def close(ws: Any) -> None:
    await ws.close()


def abort(ws: Any) -> None:
    ws.transport.abort()


if __name__ == "__main__":
    common.main(globals())
