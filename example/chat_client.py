#!/usr/bin/env python
"""
A chat client for chat.py: it sends what you type and prints what others say.

Run chat.py first, then::

    python example/chat_client.py Alice

Type a line and press Enter to send it; end with Ctrl-D (end of input).

Reading the keyboard blocks, so a thread reads it and hands each line to the
event loop, while the loop prints incoming messages as they arrive.

"""

import argparse
import asyncio
import sys
import threading

import websockets


def read_lines(loop, lines):
    """Read lines from stdin in a thread; put them in an asyncio queue."""
    try:
        for line in sys.stdin:
            loop.call_soon_threadsafe(lines.put_nowait, line.rstrip("\n"))
        loop.call_soon_threadsafe(lines.put_nowait, None)  # end of input
    except RuntimeError:
        pass  # the event loop is closed: the client is exiting


async def send_lines(websocket, lines):
    while True:
        line = await lines.get()
        if line is None:
            break
        await websocket.send(line)


async def print_messages(websocket):
    async for message in websocket:
        print(message, flush=True)


async def chat(uri, name):
    async with websockets.connect(uri) as websocket:
        await websocket.send(name)

        lines = asyncio.Queue()
        loop = asyncio.get_running_loop()
        # A daemon thread doesn't keep the process alive when main() returns.
        threading.Thread(target=read_lines, args=(loop, lines), daemon=True).start()

        sender = asyncio.create_task(send_lines(websocket, lines))
        receiver = asyncio.create_task(print_messages(websocket))
        # Stop at the end of input, or when the server closes the connection.
        done, pending = await asyncio.wait(
            [sender, receiver], return_when=asyncio.FIRST_COMPLETED
        )
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for task in done:
            task.result()  # raise an error, if any
    # Leaving "async with" closed the connection.


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("name")
    args = parser.parse_args()
    asyncio.run(chat(f"ws://{args.host}:{args.port}", args.name))
