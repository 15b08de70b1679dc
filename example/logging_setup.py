#!/usr/bin/env python
"""
Logging: what websockets logs, and how to add the client's address to it.

websockets logs with the standard :mod:`logging` module, to the loggers
``websockets.server`` and ``websockets.client``. At INFO, servers log when
they start and stop and when they reject a connection; at ERROR, when a
connection handler raises an exception; at DEBUG, every frame sent and
received.

Each record about a connection carries the connection in its ``websocket``
attribute: a filter here uses it to add the remote address to the message.

The server's handler below fails on purpose on a message it doesn't
understand; the error is logged with its traceback and the client sees close
code 1011. The client's logger is at DEBUG to show the frames. The server
and the client run in this process, on a free port::

    python example/logging_setup.py

"""

import asyncio
import logging
import sys

import websockets


class AddRemoteAddress(logging.Filter):
    """Add the remote address of the connection to each record, if any."""

    def filter(self, record):
        websocket = getattr(record, "websocket", None)
        if websocket is None or websocket.remote_address is None:
            record.remote = "-"
        else:
            record.remote = "%s:%d" % websocket.remote_address[:2]
        return True


def setup_logging():
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(AddRemoteAddress())
    handler.setFormatter(
        logging.Formatter("%(levelname)s %(name)s [%(remote)s] %(message)s")
    )
    logging.basicConfig(handlers=[handler], level=logging.INFO)
    # Frames sent and received by the client.
    logging.getLogger("websockets.client").setLevel(logging.DEBUG)


async def handler(websocket):
    async for message in websocket:
        if message != "ping":
            raise ValueError(f"unexpected message: {message}")
        await websocket.send("pong")


async def main():
    async with websockets.serve(handler, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        async with websockets.connect(f"ws://127.0.0.1:{port}/") as websocket:
            await websocket.send("ping")
            await websocket.recv()
            await websocket.send("boom")
            await websocket.wait_closed()
        print(f"client: connection closed with code {websocket.close_code}")


if __name__ == "__main__":
    setup_logging()
    asyncio.run(asyncio.wait_for(main(), timeout=10))
