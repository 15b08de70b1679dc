"""aiohttp 3.x: ``web.WebSocketResponse`` server, ``ClientSession.ws_connect`` client."""

from __future__ import annotations

import sys
from typing import Any

import common

import aiohttp
from aiohttp import WSMsgType, web

_session: Any = None


async def handler(request: web.Request) -> web.WebSocketResponse:
    compress = request.app["compress"]
    ws = web.WebSocketResponse(compress=compress, heartbeat=None, max_msg_size=0)
    await ws.prepare(request)
    async for msg in ws:
        if msg.type == WSMsgType.BINARY:
            await ws.send_bytes(msg.data)
        elif msg.type == WSMsgType.TEXT:
            await ws.send_str(msg.data)
    return ws


async def serve(host: str, port: int, compression: bool) -> tuple[int, Any]:
    app = web.Application()
    app["compress"] = compression
    app.router.add_get("/", handler)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port, backlog=1024)
    await site.start()
    port = runner.addresses[0][1]

    async def stop() -> None:
        await runner.cleanup()

    return port, stop


async def connect(uri: str, compression: bool) -> Any:
    global _session
    if _session is None:
        _session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    return await _session.ws_connect(
        uri,
        compress=15 if compression else 0,
        heartbeat=None,
        max_msg_size=0,
        autoping=True,
    )


def _send(ws: Any, payloads: list[Any]) -> Any:
    return ws.send_str if isinstance(payloads[0], str) else ws.send_bytes


async def echo(ws: Any, payloads: list[Any], n: int) -> Any:
    message = await common.echo_loop(_send(ws, payloads), ws.receive, payloads, n)
    return message.data


async def stream(ws: Any, payloads: list[Any], n: int) -> None:
    await common.stream_loop(_send(ws, payloads), ws.receive, payloads, n)


async def close(ws: Any) -> None:
    await ws.close()
    if _session is not None:
        await _session.close()


def abort(ws: Any) -> None:
    # ClientWebSocketResponse has no public abort: drop the transport.
    conn = ws._response.connection
    if conn is not None and conn.transport is not None:
        conn.transport.abort()


if __name__ == "__main__":
    common.main(globals())
