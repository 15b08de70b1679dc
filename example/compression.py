#!/usr/bin/env python
"""
Compression: the permessage-deflate extension and how to tune it.

Compression is on by default on both sides (``compression="deflate"``):
when both the client and the server support it, messages are compressed.
``compression=None`` turns it off.

To tune it, pass a factory with your settings in ``extensions`` instead: here
the server uses smaller windows than the default (1 KiB instead of 4 KiB),
which saves memory per connection at some cost in compression ratio, and
the fastest compression level.

The example counts the bytes that the server receives for the same message,
with and without compression. The server and the clients run in this
process, on a free port::

    python example/compression.py

"""

import asyncio
import json

import websockets
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory


# Repetitive data, like most JSON, compresses well.
MESSAGE = json.dumps(
    [{"id": i, "name": f"item {i}", "tags": ["red", "green"]} for i in range(100)]
)


class CountingProtocol(websockets.WebSocketServerProtocol):
    """Server connection that counts the bytes it receives."""

    received = 0

    def buffer_updated(self, nbytes):
        self.received += nbytes
        super().buffer_updated(nbytes)


async def handler(websocket):
    before = websocket.received
    message = await websocket.recv()
    size = websocket.received - before
    print(f"server: received a message of {len(message)} bytes in {size} bytes")


async def main():
    async with websockets.serve(
        handler,
        "127.0.0.1",
        0,
        create_protocol=CountingProtocol,
        compression=None,  # don't add the default settings...
        extensions=[  # ...since this gives custom ones
            ServerPerMessageDeflateFactory(
                server_max_window_bits=10,
                client_max_window_bits=10,
                compress_settings={"level": 1, "memLevel": 4},
            ),
        ],
    ) as server:
        port = server.sockets[0].getsockname()[1]
        uri = f"ws://127.0.0.1:{port}/"
        for compression in ["deflate", None]:
            async with websockets.connect(uri, compression=compression) as websocket:
                # The extensions negotiated for this connection.
                for extension in websocket.extensions:
                    window = 2**extension.local_max_window_bits
                    print(f"client: {extension.name}, window of {window} bytes")
                if not websocket.extensions:
                    print("client: no compression")
                await websocket.send(MESSAGE)
                await websocket.wait_closed()


if __name__ == "__main__":
    asyncio.run(asyncio.wait_for(main(), timeout=10))
