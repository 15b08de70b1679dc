#!/usr/bin/env python
"""
A chat server: every message goes to every connected client.

A client sends its name first, then chat messages. The server relays each
message as ``name: message`` to all clients, the sender included, with
:func:`websockets.broadcast`, and announces who joins and leaves. Try it
with chat_client.py in two terminals::

    python example/chat.py
    python example/chat_client.py Alice
    python example/chat_client.py Bob

``--port 0`` picks a free port; the first line printed says which. The server
stops on Ctrl-C or SIGTERM.

"""

import argparse
import asyncio
import signal

import websockets


# Connections of the clients who sent their name.
CLIENTS = set()


def announce(message):
    print(message, flush=True)
    # broadcast() doesn't wait: it writes the message to each connection
    # and skips those that are closing or too slow to keep up.
    websockets.broadcast(CLIENTS, message)


async def chat(websocket):
    name = await websocket.recv()
    CLIENTS.add(websocket)
    announce(f"{name} joined")
    try:
        async for message in websocket:
            announce(f"{name}: {message}")
    finally:
        CLIENTS.discard(websocket)
        announce(f"{name} left")


async def main(host, port):
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    async with websockets.serve(chat, host, port) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"listening on ws://{host}:{port}", flush=True)
        await stop.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    asyncio.run(main(args.host, args.port))
