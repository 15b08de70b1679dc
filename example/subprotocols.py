#!/usr/bin/env python
"""
Subprotocols and origins: what the server accepts during the handshake.

The server speaks two versions of an application protocol, ``chat.v2`` and
``chat.v1``, preferring the first, and accepts connections only from pages
served by ``https://chat.example.com``, or from clients that send no
``Origin`` header (browsers always send one; other clients usually don't).

Clients with different offers connect in turn and print what they get. The
server and the clients run in this process, on a free port::

    python example/subprotocols.py

"""

import asyncio

import websockets


async def handler(websocket):
    # The subprotocol chosen during the handshake decides how to talk.
    if websocket.subprotocol == "chat.v2":
        await websocket.send("welcome to chat v2")
    elif websocket.subprotocol == "chat.v1":
        await websocket.send("welcome to chat v1")
    else:
        # The client offered no subprotocol that the server supports: the
        # handshake succeeded without one. Refuse with code 1002.
        await websocket.close(1002, "unsupported subprotocol")


async def client(uri, subprotocols=None, origin=None):
    try:
        async with websockets.connect(
            uri, subprotocols=subprotocols, origin=origin
        ) as websocket:
            try:
                message = await websocket.recv()
            except websockets.ConnectionClosedError:
                message = f"closed with code {websocket.close_code}"
            print(f"{subprotocols} from {origin}: {websocket.subprotocol}, {message}")
    except websockets.InvalidStatusCode as exc:
        print(f"{subprotocols} from {origin}: rejected with HTTP {exc.status_code}")


async def main():
    async with websockets.serve(
        handler,
        "127.0.0.1",
        0,
        subprotocols=["chat.v2", "chat.v1"],
        origins=["https://chat.example.com", None],
    ) as server:
        port = server.sockets[0].getsockname()[1]
        uri = f"ws://127.0.0.1:{port}/"
        await client(uri, ["chat.v2", "chat.v1"])
        await client(uri, ["chat.v1"], "https://chat.example.com")
        await client(uri, ["chat.v3"])
        await client(uri, ["chat.v2"], "https://evil.example.com")


if __name__ == "__main__":
    asyncio.run(asyncio.wait_for(main(), timeout=10))
