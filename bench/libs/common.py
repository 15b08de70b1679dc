"""Harness shared by the per-library benchmark modules (standard library only).

Every module in this folder (one per library) runs in that library's own
virtualenv and defines:

``async def serve(host, port, compression) -> (port, stop)``
    Start an echo server; ``stop`` is an async callable.

``async def connect(uri, compression) -> conn``
    Open one connection; ``abort(conn)`` drops it without a closing handshake
    and ``async close(conn)`` closes it cleanly.

``async def echo(conn, payloads, n) -> last_reply``
    ``n`` round trips, one message at a time: send, wait for the echo; the
    messages are taken from the list ``payloads`` in turn.

``async def stream(conn, payloads, n) -> None``
    Send ``n`` messages without waiting, while receiving the ``n`` echoes.

then calls :func:`main`. The orchestrator (``bench/run.py``) starts a server
process and a client process and talks to them over pipes:

- the server prints ``READY <port>`` and serves until SIGTERM (or a safety
  limit on its lifetime);
- the client prints ``START`` when the measured phase begins (so that the
  orchestrator can read the server's CPU time then) and one JSON line at the
  end.

For the connections workload the client prints ``WARM`` after one connection,
waits for a line on stdin (the orchestrator reads the server's baseline RSS
meanwhile), opens the connections, prints its JSON line, waits for another
line on stdin (the orchestrator reads the RSS again) and exits.

Every loop here is bounded in count and in time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import signal
import socket
import struct
import sys
import time
import types
from typing import Any, Awaitable, Callable, Optional

# A server lives at most this long, even if nobody stops it.
SERVER_LIFETIME = 3600.0
# Hard cap on the messages of one measurement, whatever the duration.
MAX_OPS = 50_000_000


def json_text(size: int, seed: int = 42) -> str:
    """Deterministic JSON-like text of exactly ``size`` bytes (ASCII)."""
    rng = random.Random(seed)
    words = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf",
        "hotel", "india", "juliet", "kilo", "lima", "mike", "november",
    ]
    items = []
    length = 2
    i = 0
    while length < size:
        item = json.dumps(
            {
                "id": i,
                "user": f"{rng.choice(words)}_{rng.randrange(10_000)}",
                "price": round(rng.uniform(1, 1000), 2),
                "qty": rng.randrange(1, 500),
                "side": rng.choice(["buy", "sell"]),
                "tags": rng.sample(words, 3),
                "ts": 1_700_000_000_000 + rng.randrange(10**9),
            },
            separators=(",", ":"),
        )
        items.append(item)
        length += len(item) + 1
        i += 1
    text = "[" + ",".join(items) + "]"
    if len(text) > size:
        # Cut inside the last item and pad with spaces, keeping the brackets.
        text = text[: size - 1] + "]"
    return text.ljust(size)


def payloads_for(size: int, text: bool) -> list[Any]:
    """Messages that the client sends in turn.

    Text: 8 different JSON-like documents, so that compression with context
    takeover cannot just point back at the previous, identical message.
    Binary: one message of random (incompressible), deterministic bytes.
    """
    if text:
        return [json_text(size, seed) for seed in range(8)]
    return [random.Random(size).randbytes(size)]


def raise_nofile() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def cpu_seconds() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def emit(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def read_stdin_line(timeout: float) -> str:
    loop = asyncio.get_running_loop()
    return await asyncio.wait_for(
        loop.run_in_executor(None, sys.stdin.readline), timeout
    )


def find_socket(port: int) -> Optional[socket.socket]:
    """A duplicate of this process's TCP socket connected to ``port``.

    Found among the file descriptors, so that it works whatever the library
    keeps private; the duplicate shares the kernel socket.
    """
    for name in os.listdir("/proc/self/fd"):
        try:
            fd = os.dup(int(name))
        except (OSError, ValueError):
            continue
        try:
            sock = socket.socket(fileno=fd)
        except OSError:
            os.close(fd)
            continue
        try:
            if sock.type == socket.SOCK_STREAM and sock.getpeername()[1] == port:
                return sock
        except (OSError, IndexError, TypeError):
            pass
        sock.close()
    return None


def tcp_bytes(sock: Optional[socket.socket]) -> tuple[int, int]:
    """(bytes sent and acknowledged, bytes received) of a TCP socket, from
    TCP_INFO: tcpi_bytes_acked and tcpi_bytes_received (Linux >= 4.1)."""
    if sock is None or not hasattr(socket, "TCP_INFO"):
        return 0, 0
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
        return struct.unpack_from("<QQ", info, 120)
    except (OSError, struct.error):
        return 0, 0


async def timed_batches(
    fn: Callable[[int], Awaitable[Any]],
    warmup: float,
    duration: float,
    on_start: Callable[[], None] = lambda: None,
) -> tuple[int, float, float]:
    """Run ``fn(n)`` in batches: warm up and pick ``n``, then measure.

    Returns (operations, seconds, client CPU seconds) of the measured phase.
    """
    n = 1
    clock = time.perf_counter
    deadline = clock() + warmup
    for _ in range(64):  # bounded: n doubles at most ~25 times
        t0 = clock()
        await fn(n)
        t1 = clock()
        if t1 - t0 < 0.02 and n < 1 << 24:
            n *= 2
        if t1 >= deadline:
            break
    on_start()
    emit("START")
    total = 0
    c0 = cpu_seconds()
    t0 = clock()
    end = t0 + duration
    while total < MAX_OPS:
        await fn(n)
        total += n
        if clock() >= end:
            break
    elapsed = clock() - t0
    return total, elapsed, cpu_seconds() - c0


async def echo_loop(
    send: Callable[[Any], Awaitable[Any]],
    receive: Callable[[], Awaitable[Any]],
    payloads: list[Any],
    n: int,
) -> Any:
    """Send a message and await its echo, ``n`` times; return the last echo.

    The loop of every library with an await API, given its own calls.
    """
    k = len(payloads)
    reply = None
    for i in range(n):
        await send(payloads[i % k])
        reply = await receive()
    return reply


async def stream_loop(
    send: Callable[[Any], Awaitable[Any]],
    receive: Callable[[], Awaitable[Any]],
    payloads: list[Any],
    n: int,
) -> None:
    """Send ``n`` messages from a task while awaiting their ``n`` echoes."""

    async def sender() -> None:
        k = len(payloads)
        for i in range(n):
            await send(payloads[i % k])

    task = asyncio.ensure_future(sender())
    for _ in range(n):
        await receive()
    await task


async def run_client(lib: Any, args: argparse.Namespace) -> dict[str, Any]:
    compression = args.compression == "on"
    if args.workload == "connections":
        return await run_connections(lib, args, compression)
    payloads = payloads_for(args.size, args.text)
    payload = payloads[0]
    conn = await asyncio.wait_for(lib.connect(args.uri, compression), 30)
    reply = await asyncio.wait_for(lib.echo(conn, payloads, 1), 30)
    if reply != payload:
        raise SystemExit(
            f"bad echo: sent {len(payload)} {type(payload).__name__}, "
            f"got {len(reply)} {type(reply).__name__}"
        )
    if args.workload == "echo":

        async def fn(n: int) -> None:
            await lib.echo(conn, payloads, n)

    elif args.workload == "stream":

        async def fn(n: int) -> None:
            await lib.stream(conn, payloads, n * args.batch)

    else:
        raise SystemExit(f"unknown workload {args.workload}")
    sock = find_socket(split_uri(args.uri)[1])
    wire0: list[tuple[int, int]] = []
    ops, seconds, cpu = await asyncio.wait_for(
        timed_batches(
            fn, args.warmup, args.duration, lambda: wire0.append(tcp_bytes(sock))
        ),
        args.warmup + args.duration + 60,
    )
    tx, rx = (b - a for a, b in zip(wire0[0], tcp_bytes(sock)))
    if sock is not None:
        sock.close()
    if args.workload == "stream":
        ops *= args.batch
    try:
        await asyncio.wait_for(lib.close(conn), 5)
    except Exception:  # closing is not measured
        lib.abort(conn)
    return {
        "ops": ops,
        "seconds": seconds,
        "client_cpu": cpu,
        # Bytes on the wire per message, each way, TCP payload (WebSocket
        # framing and compression included).
        "wire_tx": tx / ops,
        "wire_rx": rx / ops,
    }


async def run_connections(
    lib: Any, args: argparse.Namespace, compression: bool
) -> dict[str, Any]:
    conns: list[Any] = []
    conns.append(await asyncio.wait_for(lib.connect(args.uri, compression), 30))
    emit("WARM")
    await read_stdin_line(60)
    sem = asyncio.Semaphore(args.concurrency)
    failures = 0

    async def one() -> None:
        nonlocal failures
        async with sem:
            try:
                conns.append(
                    await asyncio.wait_for(lib.connect(args.uri, compression), 30)
                )
            except Exception as exc:
                failures += 1
                if failures <= 3:
                    print(f"connect failed: {exc!r}", file=sys.stderr)

    emit("START")
    c0 = cpu_seconds()
    t0 = time.perf_counter()
    await asyncio.wait_for(
        asyncio.gather(*(one() for _ in range(args.count))), 600
    )
    elapsed = time.perf_counter() - t0
    cpu = cpu_seconds() - c0
    if args.touch:
        # One message each way on every connection, so that what a library
        # allocates lazily (buffers, compression contexts) is counted too.
        payloads = payloads_for(1024, True)[:1]

        async def touch(conn: Any) -> None:
            async with sem:
                await lib.echo(conn, payloads, 1)

        await asyncio.wait_for(asyncio.gather(*(touch(c) for c in conns)), 600)
    emit(
        json.dumps(
            {
                "ops": args.count - failures,
                "seconds": elapsed,
                "client_cpu": cpu,
                "failures": failures,
            }
        )
    )
    # Keep the connections open until the orchestrator has read the RSS;
    # then main() exits without closing them.
    await read_stdin_line(120)
    return {}


async def run_server(lib: Any, args: argparse.Namespace) -> None:
    port, stop = await lib.serve(args.host, args.port, args.compression == "on")
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, done.set)
    emit(f"READY {port}")
    try:
        await asyncio.wait_for(done.wait(), SERVER_LIFETIME)
    except asyncio.TimeoutError:
        pass
    try:
        await asyncio.wait_for(stop(), 5)
    except Exception:
        pass


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["server", "client"])
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    parser.add_argument("--compression", choices=["on", "off"], default="off")
    # server
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    # client
    parser.add_argument("--uri", default="ws://127.0.0.1:8765/")
    parser.add_argument(
        "--workload", choices=["echo", "stream", "connections"], default="echo"
    )
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--text", action="store_true")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--touch", action="store_true")
    parser.add_argument("--warmup", type=float, default=0.3)
    parser.add_argument("--duration", type=float, default=1.0)
    return parser.parse_args(argv)


def main(namespace: dict[str, Any], argv: list[str] | None = None) -> None:
    """Entry point of a library module: ``common.main(globals())``."""
    lib = types.SimpleNamespace(**namespace)
    args = parse_args(argv)
    raise_nofile()
    factory = None
    if args.loop == "uvloop":
        import uvloop

        factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        if args.role == "server":
            runner.run(run_server(lib, args))
        else:
            result = runner.run(run_client(lib, args))
            if result:
                emit(json.dumps(result))
    sys.stdout.flush()
    if args.role == "client" and args.workload == "connections" and sys.getprofile() is None:
        # Thousands of aborted connections: skip the slow teardown (unless
        # bench/profile.py runs this under cProfile, which writes at exit).
        os._exit(0)


def split_uri(uri: str) -> tuple[str, int]:
    rest = uri.split("://", 1)[-1].split("/", 1)[0]
    host, _, port = rest.rpartition(":")
    return host.strip("[]"), int(port)
