#!/usr/bin/env python
"""
Echo server for Autobahn|Testsuite's fuzzingclient mode.

It echoes every message it receives on every connection, with
permessage-deflate enabled unless ``--no-compression`` is given, and no limit
on the size of messages (cases 9.* send messages up to 16 MiB).

    python compliance/server.py --port 9002 [--no-compression]

It prints ``listening on HOST:PORT`` once it accepts connections, and stops
on SIGINT or SIGTERM.

"""

import argparse
import asyncio
import signal

import websockets


async def echo(websocket):
    try:
        async for message in websocket:
            await websocket.send(message)
    except websockets.ConnectionClosed:
        # Many cases end with a protocol error on purpose: nothing to log.
        pass


async def main(host, port, compression):
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set_result, None)

    async with websockets.serve(
        echo,
        host,
        port,
        compression=compression,
        max_size=None,
    ) as server:
        host, port = server.sockets[0].getsockname()[:2]
        print(f"listening on {host}:{port}", flush=True)
        await stop


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[1])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9002)
    parser.add_argument("--no-compression", action="store_true")
    args = parser.parse_args()
    compression = None if args.no_compression else "deflate"
    asyncio.run(main(args.host, args.port, compression))
