#!/usr/bin/env python3
"""Count the instructions that our library spends per operation, with callgrind.

    python3 bench/instructions.py                  # echo 64 B and handshakes
    python3 bench/instructions.py --size 16384 --workloads echo
    python3 bench/instructions.py --source         # the pure Python modules
    python3 bench/instructions.py --loop uvloop --workloads echo,picows-echo

Client and server run in one process on the stock asyncio loop, over
loopback. Each workload runs twice under ``valgrind --tool=callgrind``: with
no operation, then with ``--count`` operations; the difference divided by
the count is the cost of one operation, both ends included, start-up and
imports excluded. Instruction counts don't depend on what else the machine
is doing, unlike times: on a shared machine, they tell whether a change to
the hot path helps. ``PYTHONHASHSEED`` is fixed, so that two runs of the
same build agree.

``raw`` is the ceiling of ``bench/libs/raw_tcp.py`` in the same shape: a
callback echo on the server, a future per round trip on the client.
``picows-echo`` and ``picows-handshake`` run the same code as ``echo`` and
``handshake`` with picows' websockets-style await API, from its benchmark
virtualenv (``bench/venvs.py`` creates it). ``lowlevel-echo`` and
``picows-callbacks`` are ``raw`` with our low-level callback API and with
picows' callbacks.

Our library runs from ``.venv`` (``make`` builds it); ``--source`` sets
``WEBSOCKETS_NO_SPEEDUPS=1``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRELUDE = """
import asyncio, sys
N, SIZE, LOOP = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
if LOOP == "uvloop":
    import uvloop
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
"""

ECHO = PRELUDE + """
import websockets

async def handler(ws):
    async for message in ws:
        await ws.send(message)

async def main():
    options = dict(compression=None, ping_interval=None)
    async with websockets.serve(handler, "127.0.0.1", 0, **options) as server:
        port = server.sockets[0].getsockname()[1]
        async with websockets.connect(f"ws://127.0.0.1:{port}", **options) as ws:
            message = b"x" * SIZE
            for _ in range(200 + N):  # 200 to warm up, in both runs
                await ws.send(message)
                await ws.recv()

asyncio.run(main())
"""

HANDSHAKE = PRELUDE + """
import websockets

async def handler(ws):
    await ws.wait_closed()

async def main():
    options = dict(compression=None, ping_interval=None)
    async with websockets.serve(handler, "127.0.0.1", 0, **options) as server:
        uri = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        for _ in range(20 + N):
            ws = await websockets.connect(uri, **options)
            await ws.close()

asyncio.run(main())
"""

# Connections that stay open, as in run.py's connections workload: what a
# connection costs includes the garbage collector's work over the objects
# that every open connection keeps.
CONNECTIONS = PRELUDE + """
import websockets

async def handler(ws):
    async for message in ws:
        await ws.send(message)

async def main():
    options = dict(compression=None, ping_interval=None)
    async with websockets.serve(handler, "127.0.0.1", 0, backlog=1024, **options) as server:
        uri = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        connections = [await websockets.connect(uri, **options) for _ in range(20)]
        sem = asyncio.Semaphore(50)

        async def one():
            async with sem:
                connections.append(await websockets.connect(uri, **options))

        await asyncio.gather(*(one() for _ in range(N)))
        for ws in connections:
            ws.transport.abort()
        await asyncio.sleep(0)

asyncio.run(main())
"""

RAW = PRELUDE + """
class Server(asyncio.BufferedProtocol):
    def connection_made(self, transport):
        self.transport = transport
        self.buffer = memoryview(bytearray(262144))

    def get_buffer(self, sizehint):
        return self.buffer

    def buffer_updated(self, nbytes):
        self.transport.write(bytes(self.buffer[:nbytes]))

class Client(Server):
    waiter = None
    received = 0

    def buffer_updated(self, nbytes):
        self.received += nbytes
        if self.received >= SIZE:
            self.received = 0
            self.waiter.set_result(None)

async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Server, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    transport, client = await loop.create_connection(Client, "127.0.0.1", port)
    message = b"x" * SIZE
    for _ in range(200 + N):
        client.waiter = loop.create_future()
        transport.write(message)
        await client.waiter

asyncio.run(main())
"""

# The low-level callback API, in the shape of RAW.
LOWLEVEL = PRELUDE + """
from websockets.framing import OP_BINARY
from websockets.lowlevel import WebSocketListener, connect, serve

class Server(WebSocketListener):
    def on_frame(self, transport, frame):
        if frame.opcode is OP_BINARY:
            transport.send(OP_BINARY, frame.data)

class Client(WebSocketListener):
    waiter = None

    def on_frame(self, transport, frame):
        self.waiter.set_result(None)

async def main():
    loop = asyncio.get_running_loop()
    server = await serve(lambda request: Server(), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    transport = await connect(Client, f"ws://127.0.0.1:{port}")
    client = transport.listener
    message = b"x" * SIZE
    for _ in range(200 + N):
        client.waiter = loop.create_future()
        transport.send(OP_BINARY, message)
        await client.waiter

asyncio.run(main())
"""

# picows' callback API, in the same shape.
PICOWS_CALLBACKS = PRELUDE + """
from picows import WSListener, WSMsgType, ws_connect, ws_create_server

class Server(WSListener):
    def on_ws_frame(self, transport, frame):
        if frame.msg_type == WSMsgType.BINARY:
            transport.send(WSMsgType.BINARY, frame.get_payload_as_memoryview())

class Client(WSListener):
    waiter = None

    def on_ws_frame(self, transport, frame):
        self.waiter.set_result(None)

async def main():
    loop = asyncio.get_running_loop()
    server = await ws_create_server(lambda request: Server(), "127.0.0.1", 0)
    port = list(server.sockets)[0].getsockname()[1]
    transport, client = await ws_connect(Client, f"ws://127.0.0.1:{port}")
    message = b"x" * SIZE
    for _ in range(200 + N):
        client.waiter = loop.create_future()
        transport.send(WSMsgType.BINARY, message)
        await client.waiter

asyncio.run(main())
"""

# picows.websockets mirrors the websockets API; its server's sockets attribute
# isn't a list.
PICOWS = """
from picows.websockets.asyncio.client import connect
from picows.websockets.asyncio.server import serve
class websockets:
    connect, serve = connect, serve
"""


def picows(code: str) -> str:
    code = code.replace("import websockets\n", PICOWS)
    return code.replace("server.sockets[0]", "list(server.sockets)[0]")


WORKLOADS = {
    "echo": (ECHO, 2000),
    "handshake": (HANDSHAKE, 300),
    "connections": (CONNECTIONS, 1000),
    "raw": (RAW, 2000),
    "lowlevel-echo": (LOWLEVEL, 2000),
    "picows-callbacks": (PICOWS_CALLBACKS, 2000),
    "picows-echo": (picows(ECHO), 2000),
    "picows-handshake": (picows(HANDSHAKE), 300),
    "picows-connections": (picows(CONNECTIONS), 1000),
}
PICOWS_PYTHON = ROOT / "bench" / ".venvs" / "picows" / "bin" / "python"


def instructions(
    python: str, script: Path, count: int, size: int, loop: str, env: dict[str, str]
) -> int:
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         python, str(script), str(count), str(size), loop],
        capture_output=True, text=True, env=env, timeout=3600,
    )
    match = re.search(r"Collected : (\d+)", out.stderr)
    if out.returncode != 0 or match is None:
        sys.exit(f"{script.name} failed under valgrind:\n{out.stderr[-2000:]}")
    return int(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workloads", default="echo,handshake,raw",
                        help="comma-separated: " + ", ".join(WORKLOADS))
    parser.add_argument("--size", type=int, default=64, help="message size for echo and raw")
    parser.add_argument("--count", type=int, help="operations (default: 2,000; 300 handshakes)")
    parser.add_argument("--source", action="store_true",
                        help="run the pure Python modules (WEBSOCKETS_NO_SPEEDUPS=1)")
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    parser.add_argument("--python", default=str(ROOT / ".venv" / "bin" / "python"))
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind isn't installed")

    env = dict(os.environ, PYTHONHASHSEED="0")
    if args.source:
        env["WEBSOCKETS_NO_SPEEDUPS"] = "1"
    build = "source" if args.source else "compiled"
    check = "import websockets.framing as m, websockets.compiled as c; print(c.is_compiled(m))"
    out = subprocess.run([args.python, "-c", check], capture_output=True, text=True, env=env)
    if not args.source and out.stdout.strip() != "True":
        sys.exit("the compiled twins are missing or older than their source: "
                 "`make bench-instructions` rebuilds them")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.workloads.split(","):
            code, default = WORKLOADS[name]
            count = args.count or default
            script = Path(tmp) / f"{name}.py"
            script.write_text(code)
            python = str(PICOWS_PYTHON) if name.startswith("picows") else args.python
            base = instructions(python, script, 0, args.size, args.loop, env)
            total = instructions(python, script, count, args.size, args.loop, env)
            unit = f"round trip of {args.size} B"
            if "handshake" in name:
                unit = "connection (handshake and close)"
            elif "connections" in name:
                unit = f"connection (handshake, {count:,} kept open)"
            label = name if name == "raw" or name.startswith("picows") else f"{name}, {build}"
            label += f", {args.loop}"
            print(f"{label}: {(total - base) // count:,} instructions per {unit}, both ends",
                  flush=True)


if __name__ == "__main__":
    main()
