#!/usr/bin/env python
"""
A client connecting to unix_server.py over a unix socket.

Run unix_server.py first, then::

    python example/unix_client.py --path /tmp/hello.sock Alice

The URI still sets the ``Host`` header and the path of the request; the
socket's path says where to connect.

"""

import argparse
import asyncio
import os
import tempfile

import websockets


async def hello(path, name):
    async with websockets.unix_connect(path, "ws://localhost/") as websocket:
        await websocket.send(name)
        print(f"> {name}")
        greeting = await websocket.recv()
        print(f"< {greeting}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument(
        "--path", default=os.path.join(tempfile.gettempdir(), "hello.sock")
    )
    parser.add_argument("name", nargs="?", default="world")
    args = parser.parse_args()
    asyncio.run(hello(args.path, args.name))
