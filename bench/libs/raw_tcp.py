"""The ceiling: a raw asyncio TCP echo with trivial framing.

Each message is a 4-byte big-endian length then the payload. Both ends are
``asyncio.BufferedProtocol`` objects that receive into one reused buffer and
parse it with an offset: no WebSocket handshake, no masking, no UTF-8, no
per-message future. Any asyncio WebSocket library does at least this work.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any, Optional

import common

INITIAL = 16 * 1024


class Buffer:
    """A growable receive buffer, parsed in place with an offset."""

    def __init__(self) -> None:
        self.buf = bytearray(INITIAL)
        self.view = memoryview(self.buf)
        self.start = 0
        self.end = 0

    def get_buffer(self, sizehint: int) -> memoryview:
        if self.start == self.end:
            self.start = self.end = 0
        if self.end == len(self.buf):
            if self.start > 0:
                # Move the partial message to the front.
                size = self.end - self.start
                self.buf[:size] = self.view[self.start : self.end]
                self.start, self.end = 0, size
            else:
                self.view.release()
                self.buf.extend(bytes(len(self.buf)))
                self.view = memoryview(self.buf)
        return self.view[self.end :]

    def frames(self, nbytes: int) -> list[memoryview]:
        """Complete messages (header included) since the last call."""
        self.end += nbytes
        out = []
        buf, start, end = self.buf, self.start, self.end
        while end - start >= 4:
            size = int.from_bytes(buf[start : start + 4], "big")
            if end - start - 4 < size:
                break
            out.append(self.view[start : start + 4 + size])
            start += 4 + size
        self.start = start
        return out


class ServerProtocol(asyncio.BufferedProtocol):
    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        self.rbuf = Buffer()

    def get_buffer(self, sizehint: int) -> memoryview:
        return self.rbuf.get_buffer(sizehint)

    def buffer_updated(self, nbytes: int) -> None:
        frames = self.rbuf.frames(nbytes)
        if frames:
            # One write per read; bytes() because the buffer is reused.
            self.transport.write(b"".join(frames))

    def eof_received(self) -> None:
        self.transport.close()


async def serve(host: str, port: int, compression: bool) -> tuple[int, Any]:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(ServerProtocol, host, port, backlog=1024)
    port = server.sockets[0].getsockname()[1]

    async def stop() -> None:
        server.close()

    return port, stop


class ClientProtocol(asyncio.BufferedProtocol):
    def __init__(self) -> None:
        self.rbuf = Buffer()
        self.waiter: Optional[asyncio.Future[bytes]] = None
        self.remaining = 0
        self.frames: list[bytes] = []
        self.sent = 0
        self.resend = False

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def get_buffer(self, sizehint: int) -> memoryview:
        return self.rbuf.get_buffer(sizehint)

    def buffer_updated(self, nbytes: int) -> None:
        frames = self.rbuf.frames(nbytes)
        if not frames:
            return
        self.remaining -= len(frames)
        if self.remaining > 0:
            if self.resend:
                self.sent += 1
                self.transport.write(self.frames[self.sent % len(self.frames)])
        elif self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(bytes(frames[-1][4:]))

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("connection lost"))


async def connect(uri: str, compression: bool) -> ClientProtocol:
    host, port = common.split_uri(uri)
    loop = asyncio.get_running_loop()
    _, protocol = await loop.create_connection(ClientProtocol, host, port)
    return protocol


def _frame(payload: Any) -> bytes:
    if isinstance(payload, str):
        payload = payload.encode()
    return len(payload).to_bytes(4, "big") + payload


def _prepare(conn: ClientProtocol, payloads: list[Any], n: int, resend: bool) -> None:
    conn.frames = [_frame(payload) for payload in payloads]
    conn.waiter = asyncio.get_running_loop().create_future()
    conn.remaining = n
    conn.sent = 0
    conn.resend = resend


async def echo(conn: ClientProtocol, payloads: list[Any], n: int) -> Any:
    _prepare(conn, payloads, n, True)
    conn.transport.write(conn.frames[0])
    reply = await conn.waiter
    return reply.decode() if isinstance(payloads[0], str) else reply


async def stream(conn: ClientProtocol, payloads: list[Any], n: int) -> None:
    _prepare(conn, payloads, n, False)
    frames = conn.frames
    k = len(frames)
    write = conn.transport.write
    # One write per message, yielding now and then so that echoes are read
    # while sending.
    for i in range(n):
        write(frames[i % k])
        if i % 64 == 63:
            await asyncio.sleep(0)
    await conn.waiter


async def close(conn: ClientProtocol) -> None:
    conn.transport.close()


def abort(conn: ClientProtocol) -> None:
    conn.transport.abort()


if __name__ == "__main__":
    common.main(globals())
