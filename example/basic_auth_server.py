#!/usr/bin/env python
"""
A server protected by HTTP Basic Authentication.

Clients must send a username and a password in the handshake request; the
server answers others with ``401 Unauthorized`` and never upgrades their
connection. The handler greets the authenticated user by name. Run it, then
basic_auth_client.py::

    python example/basic_auth_server.py
    python example/basic_auth_client.py --user alice --password wonderland

``--port 0`` picks a free port; the first line printed says which. The server
stops on Ctrl-C or SIGTERM.

"""

import argparse
import asyncio
import signal

import websockets


# In a real application, load credentials from a safe place, not the source.
USERS = [("alice", "wonderland"), ("bob", "builder")]


async def hello(websocket):
    # BasicAuthWebSocketServerProtocol sets username once the client is in.
    greeting = f"Hello {websocket.username}!"
    await websocket.send(greeting)
    print(f"> {greeting}", flush=True)


async def main(host, port):
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    async with websockets.serve(
        hello,
        host,
        port,
        create_protocol=websockets.basic_auth_protocol_factory(
            realm="example", credentials=USERS
        ),
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
