#!/usr/bin/env python
"""
Limits: the largest message a connection accepts, ``max_size``.

A server accepts messages up to ``max_size`` bytes (1 MiB by default). A
larger message makes it close the connection with code 1009 (message too
big) before reading the whole message into memory. Here the limit is 1 KiB.

``max_queue`` (how many received messages may wait for ``recv()``) and
``write_limit`` (how many bytes may wait for the network before ``send()``
waits) bound memory too; see the documentation on limits and backpressure.

The server and the client run in this process, on a free port::

    python example/limits.py

"""

import asyncio

import websockets


async def handler(websocket):
    async for message in websocket:
        await websocket.send(f"got {len(message)} bytes")


async def main():
    async with websockets.serve(
        handler, "127.0.0.1", 0, max_size=1024, max_queue=16
    ) as server:
        port = server.sockets[0].getsockname()[1]
        async with websockets.connect(f"ws://127.0.0.1:{port}/") as websocket:
            await websocket.send(b"x" * 1024)
            print(await websocket.recv())
            await websocket.send(b"x" * 1025)
            try:
                await websocket.recv()
            except websockets.ConnectionClosedError:
                print(
                    f"connection closed with code {websocket.close_code}: "
                    f"{websocket.close_reason}"
                )


if __name__ == "__main__":
    asyncio.run(asyncio.wait_for(main(), timeout=10))
