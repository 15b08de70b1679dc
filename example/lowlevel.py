#!/usr/bin/env python
"""
The callback API: a server and a client exchange frames, no coroutines.

Run it::

    python example/lowlevel.py

The server echoes every data frame as it arrives, fragments included. The
client sends a message in two fragments and a binary message, prints each
frame it gets back, sends a ping once the echoes are in, then closes the
connection when the pong arrives.

"""

import asyncio

from websockets.framing import OP_BINARY, OP_CONT, OP_PONG, OP_TEXT
from websockets.lowlevel import WebSocketListener, connect, serve


class Echo(WebSocketListener):
    def on_frame(self, transport, frame):
        if frame.opcode in (OP_TEXT, OP_BINARY, OP_CONT):
            transport.send(frame.opcode, frame.data, frame.fin)


class Client(WebSocketListener):
    def __init__(self):
        self.done = asyncio.get_running_loop().create_future()

    def on_connected(self, transport):
        print(f"client: connected, status {transport.response.status_code}")
        transport.send(OP_TEXT, "Hello ", fin=False)
        transport.send(OP_CONT, "world!", fin=True)
        transport.send(OP_BINARY, b"\x00\x01\x02")

    def on_frame(self, transport, frame):
        print(f"client: < {frame.opcode.name} {frame.data!r} fin={frame.fin}")
        if frame.opcode is OP_BINARY:
            transport.ping(b"are you there?")
        elif frame.opcode is OP_PONG:
            transport.close(1000, "bye")

    def on_closed(self, transport):
        print(f"client: closed with code {transport.close_code}")
        self.done.set_result(None)


async def main():
    server = await serve(lambda request: Echo(), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    transport = await connect(Client, f"ws://127.0.0.1:{port}")
    await transport.listener.done
    server.close()
    await server.wait_closed()


if __name__ == "__main__":
    asyncio.run(main())
