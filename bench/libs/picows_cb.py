"""picows 2.x, its callback API (``WSListener``, ``WSTransport``).

No compression: picows' callback API has no permessage-deflate.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any, Optional

import common

from picows import WSFrame, WSListener, WSMsgType, WSTransport, ws_connect, ws_create_server

MAX_FRAME = 2**24
DATA = (WSMsgType.TEXT, WSMsgType.BINARY, WSMsgType.CONTINUATION)


class ServerListener(WSListener):
    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        msg_type = frame.msg_type
        if msg_type in DATA:
            transport.send(msg_type, frame.get_payload_as_memoryview(), frame.fin)
        elif msg_type == WSMsgType.CLOSE:
            transport.send_close(frame.get_close_code(), frame.get_close_message())
            transport.disconnect()


async def serve(host: str, port: int, compression: bool) -> tuple[int, Any]:
    if compression:
        raise SystemExit("picows callbacks: no compression")
    server = await ws_create_server(
        lambda request: ServerListener(),
        host,
        port,
        max_frame_size=MAX_FRAME,
        backlog=1024,
    )
    port = server.sockets[0].getsockname()[1]

    async def stop() -> None:
        server.close()

    return port, stop


class ClientListener(WSListener):
    def __init__(self) -> None:
        self.transport: Optional[WSTransport] = None
        self.waiter: Optional[asyncio.Future[Any]] = None
        self.remaining = 0
        self.msg_type = WSMsgType.BINARY
        self.data: list[bytes] = []
        self.sent = 0
        self.resend = False
        self.keep = False

    def on_ws_connected(self, transport: WSTransport) -> None:
        self.transport = transport

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        msg_type = frame.msg_type
        if msg_type in DATA:
            if not frame.fin:
                return
            self.remaining -= 1
            if self.remaining > 0:
                if self.resend:
                    self.sent += 1
                    transport.send(self.msg_type, self.data[self.sent % len(self.data)])
            elif self.waiter is not None and not self.waiter.done():
                reply = None
                if self.keep:
                    if msg_type == WSMsgType.TEXT:
                        reply = frame.get_payload_as_utf8_text()
                    else:
                        reply = frame.get_payload_as_bytes()
                self.waiter.set_result(reply)

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("disconnected"))


async def connect(uri: str, compression: bool) -> ClientListener:
    if compression:
        raise SystemExit("picows callbacks: no compression")
    _, listener = await ws_connect(ClientListener, uri, max_frame_size=MAX_FRAME)
    return listener


def _prepare(conn: ClientListener, payloads: list[Any], n: int, resend: bool) -> None:
    if isinstance(payloads[0], str):
        conn.msg_type = WSMsgType.TEXT
        conn.data = [payload.encode() for payload in payloads]
    else:
        conn.msg_type = WSMsgType.BINARY
        conn.data = list(payloads)
    conn.waiter = asyncio.get_running_loop().create_future()
    conn.remaining = n
    conn.sent = 0
    conn.resend = resend
    conn.keep = n == 1


async def echo(conn: ClientListener, payloads: list[Any], n: int) -> Any:
    _prepare(conn, payloads, n, True)
    conn.transport.send(conn.msg_type, conn.data[0])
    return await conn.waiter


async def stream(conn: ClientListener, payloads: list[Any], n: int) -> None:
    _prepare(conn, payloads, n, False)
    send, msg_type, data = conn.transport.send, conn.msg_type, conn.data
    k = len(data)
    # Yield now and then so that echoes are read while sending.
    for i in range(n):
        send(msg_type, data[i % k])
        if i % 64 == 63:
            await asyncio.sleep(0)
    await conn.waiter


async def close(conn: ClientListener) -> None:
    conn.transport.send_close()
    conn.transport.disconnect()
    await conn.transport.wait_disconnected()


def abort(conn: ClientListener) -> None:
    conn.transport.disconnect(graceful=False)


if __name__ == "__main__":
    common.main(globals())
