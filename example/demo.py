#!/usr/bin/env python
"""
The main demo: a server and a client talk over loopback, then exit.

The server greets each client and echoes what it says; the client sends a few
messages (text, binary, and a fragmented one), pings the server, and closes.
Both sides print what they exchange.

"""

import asyncio

import websockets


async def handler(websocket, path):
    name = await websocket.recv()
    print(f"server < {name!r}")
    greeting = f"Hello {name}!"
    await websocket.send(greeting)
    print(f"server > {greeting!r}")
    async for message in websocket:
        print(f"server < {message!r}")
        await websocket.send(message)
        print(f"server > {message!r}")
    print(f"server: connection closed with code {websocket.close_code}")


async def client(uri):
    async with websockets.connect(uri) as websocket:
        extensions = [extension.name for extension in websocket.extensions]
        print(f"client: connected to {uri}, extensions: {extensions}")
        for message in ["world", "text message", b"\x00\x01binary\xfe\xff"]:
            await websocket.send(message)
            print(f"client > {message!r}")
            answer = await websocket.recv()
            print(f"client < {answer!r}")
        await websocket.send(["frag", "mented ", "message"])
        print("client > 'fragmented message' in 3 frames")
        print(f"client < {await websocket.recv()!r}")
        latency = await asyncio.wait_for(await websocket.ping(), timeout=5)
        print(f"client: ping answered in {latency * 1000:.3f} ms")
    print(f"client: closed with code {websocket.close_code}")


async def main():
    async with websockets.serve(handler, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"server: listening on 127.0.0.1:{port}")
        await asyncio.wait_for(client(f"ws://127.0.0.1:{port}/demo"), timeout=10)
    print("server: shut down")


if __name__ == "__main__":
    asyncio.run(main())
