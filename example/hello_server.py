#!/usr/bin/env python
"""
A first server: it reads a name and answers with a greeting.

Run it, then hello_client.py in another terminal::

    python example/hello_server.py
    python example/hello_client.py Alice

``--port 0`` picks a free port; the first line printed says which. The server
stops on Ctrl-C or SIGTERM.

"""

import argparse
import asyncio
import signal

import websockets


async def hello(websocket):
    name = await websocket.recv()
    print(f"< {name}", flush=True)
    greeting = f"Hello {name}!"
    await websocket.send(greeting)
    print(f"> {greeting}", flush=True)


async def main(host, port):
    # Stop cleanly on Ctrl-C (SIGINT) or SIGTERM.
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    async with websockets.serve(hello, host, port) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"listening on ws://{host}:{port}", flush=True)
        await stop.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    asyncio.run(main(args.host, args.port))
