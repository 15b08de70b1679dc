#!/usr/bin/env python
"""
A server listening on a unix socket instead of a TCP port.

A reverse proxy on the same machine can reach it without a TCP port, and
file permissions control who may connect. Run it, then unix_client.py with
the same path::

    python example/unix_server.py --path /tmp/hello.sock
    python example/unix_client.py --path /tmp/hello.sock Alice

The server removes the socket file when it stops, on Ctrl-C or SIGTERM.

"""

import argparse
import asyncio
import os
import signal
import tempfile

import websockets


async def hello(websocket):
    name = await websocket.recv()
    print(f"< {name}", flush=True)
    greeting = f"Hello {name}!"
    await websocket.send(greeting)
    print(f"> {greeting}", flush=True)


async def main(path):
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    try:
        async with websockets.unix_serve(hello, path):
            print(f"listening on {path}", flush=True)
            await stop.wait()
    finally:
        if os.path.exists(path):
            os.unlink(path)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument(
        "--path", default=os.path.join(tempfile.gettempdir(), "hello.sock")
    )
    args = parser.parse_args()
    asyncio.run(main(args.path))
