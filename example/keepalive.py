#!/usr/bin/env python
"""
Keepalive: pings that detect broken connections and measure latency.

Every ``ping_interval`` seconds, each side sends a ping; when the pong
doesn't come back within ``ping_timeout`` seconds, it closes the connection
with code 1011. Pongs are sent by the library as soon as a ping arrives,
even while the application is busy elsewhere, as the client below is while
it sleeps.

Here the server pings every half second (the default is 20 seconds) and the
client disables its own keepalive. After a while, the client asks the server
for the latency it measured, then measures it itself with an explicit ping.
The server and the client run in this process, on a free port::

    python example/keepalive.py

"""

import asyncio

import websockets


async def handler(websocket):
    async for message in websocket:
        # latency is the round-trip time of the last ping acknowledged.
        await websocket.send(f"{websocket.latency * 1000:.3f}")


async def main():
    async with websockets.serve(
        handler, "127.0.0.1", 0, ping_interval=0.5, ping_timeout=0.5
    ) as server:
        port = server.sockets[0].getsockname()[1]
        async with websockets.connect(
            f"ws://127.0.0.1:{port}/", ping_interval=None
        ) as websocket:
            # Stay idle while the server sends a few keepalive pings.
            await asyncio.sleep(1.2)
            await websocket.send("latency?")
            print(f"latency measured by the server: {await websocket.recv()} ms")

            # An explicit ping returns a future resolved by the pong.
            pong_waiter = await websocket.ping()
            latency = await asyncio.wait_for(pong_waiter, timeout=5)
            print(f"latency measured by the client: {latency * 1000:.3f} ms")


if __name__ == "__main__":
    asyncio.run(asyncio.wait_for(main(), timeout=10))
