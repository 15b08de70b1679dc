#!/usr/bin/env python
"""
Graceful shutdown: on SIGTERM, close every connection cleanly, then exit.

Process managers (systemd, Kubernetes, supervisord) stop a server with
SIGTERM. On SIGTERM or Ctrl-C, this echo server:

1. stops accepting connections;
2. closes each open connection with close code 1001 (going away), so that
   clients know they may reconnect elsewhere, and lets connection handlers
   finish;
3. exits with status 0.

Run it, connect a client that stays connected, such as chat_client.py (the
server echoes what it sends), then stop the server::

    python example/shutdown.py
    python example/chat_client.py Alice
    kill -TERM <pid printed by the server>

The client sees the connection close with code 1001 and exits.

``--port 0`` picks a free port; the first line printed says which.

"""

import argparse
import asyncio
import os
import signal

import websockets


async def echo(websocket):
    async for message in websocket:
        await websocket.send(message)
    # The iteration ends quietly when the connection closes with 1000 or 1001.
    print(f"connection closed with code {websocket.close_code}", flush=True)


async def main(host, port):
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    server = await websockets.serve(echo, host, port)
    port = server.sockets[0].getsockname()[1]
    print(f"listening on ws://{host}:{port} (pid {os.getpid()})", flush=True)

    await stop.wait()
    print("shutting down", flush=True)
    # close() stops listening and sends a close frame with code 1001 on each
    # connection; wait_closed() returns when every connection is closed and
    # every handler has returned. Each connection's close_timeout (10 seconds
    # by default) bounds the wait for clients that don't answer.
    server.close()
    await server.wait_closed()
    print("server closed", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    asyncio.run(main(args.host, args.port))

