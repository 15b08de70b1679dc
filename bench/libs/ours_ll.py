"""Our library, low-level callback API: ``websockets.lowlevel``.

The same client as ``picows_cb``: listeners that count echoes and resolve a
future at the end of a batch, with each library's own calls.
"""

from __future__ import annotations

import asyncio
from typing import Any, Optional

import common

from websockets.framing import OP_BINARY, OP_CLOSE, OP_CONT, OP_TEXT, Frame
from websockets.lowlevel import WebSocketListener, WebSocketTransport
from websockets.lowlevel import connect as ll_connect
from websockets.lowlevel import serve as ll_serve

MAX_SIZE = 2**24
DATA = (OP_TEXT, OP_BINARY, OP_CONT)


class ServerListener(WebSocketListener):
    def on_frame(self, transport: WebSocketTransport, frame: Frame) -> None:
        opcode = frame.opcode
        if opcode in DATA:
            transport.send(opcode, frame.data, frame.fin)


async def serve(host: str, port: int, compression: bool) -> tuple[int, Any]:
    server = await ll_serve(
        lambda request: ServerListener(),
        host,
        port,
        compression="deflate" if compression else None,
        max_size=MAX_SIZE,
        backlog=1024,
    )
    port = server.sockets[0].getsockname()[1]

    async def stop() -> None:
        server.close()

    return port, stop


class ClientListener(WebSocketListener):
    def __init__(self) -> None:
        self.waiter: Optional[asyncio.Future[Any]] = None
        self.remaining = 0
        self.opcode = OP_BINARY
        self.data: list[bytes] = []
        self.sent = 0
        self.resend = False
        self.keep = False

    def on_frame(self, transport: WebSocketTransport, frame: Frame) -> None:
        opcode = frame.opcode
        if opcode in DATA:
            if not frame.fin:
                return
            self.remaining -= 1
            if self.remaining > 0:
                if self.resend:
                    self.sent += 1
                    transport.send(self.opcode, self.data[self.sent % len(self.data)])
            elif self.waiter is not None and not self.waiter.done():
                reply = None
                if self.keep:
                    reply = frame.data.decode() if opcode is OP_TEXT else frame.data
                self.waiter.set_result(reply)
        elif opcode is OP_CLOSE:
            self.on_closed(transport)

    def on_closed(self, transport: WebSocketTransport) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("disconnected"))


async def connect(uri: str, compression: bool) -> WebSocketTransport:
    return await ll_connect(
        ClientListener,
        uri,
        compression="deflate" if compression else None,
        max_size=MAX_SIZE,
    )


def _prepare(conn: WebSocketTransport, payloads: list[Any], n: int, resend: bool) -> ClientListener:
    listener = conn.listener
    assert isinstance(listener, ClientListener)
    if isinstance(payloads[0], str):
        listener.opcode = OP_TEXT
        listener.data = [payload.encode() for payload in payloads]
    else:
        listener.opcode = OP_BINARY
        listener.data = list(payloads)
    listener.waiter = asyncio.get_running_loop().create_future()
    listener.remaining = n
    listener.sent = 0
    listener.resend = resend
    listener.keep = n == 1
    return listener


async def echo(conn: WebSocketTransport, payloads: list[Any], n: int) -> Any:
    listener = _prepare(conn, payloads, n, True)
    conn.send(listener.opcode, listener.data[0])
    return await listener.waiter


async def stream(conn: WebSocketTransport, payloads: list[Any], n: int) -> None:
    listener = _prepare(conn, payloads, n, False)
    send, opcode, data = conn.send, listener.opcode, listener.data
    k = len(data)
    # Yield now and then so that echoes are read while sending.
    for i in range(n):
        send(opcode, data[i % k])
        if i % 64 == 63:
            await asyncio.sleep(0)
    await listener.waiter


async def close(conn: WebSocketTransport) -> None:
    conn.close()
    await conn.wait_closed()


def abort(conn: WebSocketTransport) -> None:
    conn.abort()


if __name__ == "__main__":
    common.main(globals())
