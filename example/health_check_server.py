#!/usr/bin/env python
"""
A server that answers health checks over plain HTTP.

Load balancers and orchestrators probe servers with plain HTTP requests.
``process_request`` sees every request before the WebSocket handshake: it
answers ``GET /healthz`` with ``200 OK`` without upgrading the connection,
and lets other requests go on to the handshake. Run it, then probe it and
connect to it::

    python example/health_check_server.py
    curl http://127.0.0.1:8765/healthz
    python example/hello_client.py Alice

``--port 0`` picks a free port; the first line printed says which. The server
stops on Ctrl-C or SIGTERM.

"""

import argparse
import asyncio
import http
import signal

import websockets


async def health_check(path, request_headers):
    if path == "/healthz":
        return http.HTTPStatus.OK, [("Content-Type", "text/plain")], b"OK\n"
    # Returning None goes on with the WebSocket handshake.
    return None


async def hello(websocket):
    name = await websocket.recv()
    await websocket.send(f"Hello {name}!")


async def main(host, port):
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    async with websockets.serve(
        hello, host, port, process_request=health_check
    ) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"listening on ws://{host}:{port}", flush=True)
        await stop.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    asyncio.run(main(args.host, args.port))
