#!/usr/bin/env python
"""
A first client: it sends a name to hello_server.py and prints the greeting.

Run hello_server.py first, then::

    python example/hello_client.py Alice
    python example/hello_client.py --port 8765 Bob

"""

import argparse
import asyncio

import websockets


async def hello(uri, name):
    async with websockets.connect(uri) as websocket:
        await websocket.send(name)
        print(f"> {name}")
        greeting = await websocket.recv()
        print(f"< {greeting}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("name", nargs="?", default="world")
    args = parser.parse_args()
    asyncio.run(hello(f"ws://{args.host}:{args.port}", args.name))
