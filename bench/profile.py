#!/usr/bin/env python3
"""Profile one library's echo server under load: where does its time go?

    python bench/profile.py                        # ours, 64 B, asyncio, cProfile
    python bench/profile.py --lib ours --size 16384 --loop uvloop
    python bench/profile.py --client picows        # drive it with picows' client
    python bench/profile.py --workload stream
    python bench/profile.py --compression --text --size 16384   # the deflate case

The server (or, with ``--side client``, the client) runs under cProfile in
its own virtualenv (``bench/.venvs``) while a client process (the same
library unless ``--client`` says otherwise) runs the workload for
``--duration`` seconds; then the server stops and the profile is printed,
sorted by own time and by cumulative time, and saved to
bench/results/profile-<side>-<lib>-<workload>-<size>-<loop>.pstats.

cProfile slows Python code down several times, more so for many small
functions: read the ranking and the call counts, not the absolute times.
"""

from __future__ import annotations

import argparse
import json
import pstats
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import run  # noqa: E402
import venvs  # noqa: E402

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lib", default="ours", choices=list(run.LIB))
    parser.add_argument("--client", help="client library (default: the same)")
    parser.add_argument("--loop", default="asyncio", choices=["asyncio", "uvloop"])
    parser.add_argument("--workload", default="echo",
                        choices=["echo", "stream", "connections"])
    parser.add_argument("--count", type=int, default=2000, help="connections")
    parser.add_argument("--compression", action="store_true")
    parser.add_argument("--text", action="store_true",
                        help="JSON-like text messages, as in the deflate case")
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--side", choices=["server", "client"], default="server",
                        help="which process runs under cProfile")
    args = parser.parse_args()

    lib = run.LIB[args.lib]
    client = run.LIB[args.client or args.lib]
    venvs.ensure_all(sorted({lib.venv, client.venv}))
    run.RESULTS.mkdir(exist_ok=True)
    profiled = lib if args.side == "server" else client
    out = run.RESULTS / (f"profile-{args.side}-{profiled.key}-{args.workload}-{args.size}-"
                         f"{args.loop}.pstats")
    if out.exists():
        out.unlink()
    cprofile = ["-m", "cProfile", "-o", str(out)]
    log = run.RESULTS / "profile.log"

    # The server module runs under cProfile; SIGTERM makes it return from
    # main() normally, so cProfile writes its output file.
    server = run.Proc(
        [str(venvs.python(lib.venv)), *(cprofile if args.side == "server" else []),
         f"{lib.module}.py", "server", "--loop", args.loop,
         "--compression", "on" if args.compression else "off"],
        log,
    )
    port = int(server.expect("READY", 60).split()[1])
    case = run.Case("profile", "profile", args.workload, args.size,
                    batch=1000 if args.size < 1024 else 32, count=args.count,
                    compression=args.compression, text=args.text)
    ns = argparse.Namespace(warmup=0.5, duration=args.duration, concurrency=50)
    runner = run.Runner(ns, run.RESULTS)
    argv = runner.client_argv(client, case, args.loop, port)
    if args.side == "client":
        argv[1:1] = cprofile
    client_proc = run.Proc(argv, log)
    try:
        if args.workload == "connections":
            client_proc.expect("WARM", 60)
            client_proc.send("go")
        client_proc.expect("START", 60)
        result = json.loads(client_proc.expect("{", args.duration + 120))
        if args.workload == "connections":
            client_proc.send("done")
        client_proc.p.wait(30)
    finally:
        client_proc.kill()
        server.stop(grace=30)
    rate = result["ops"] / result["seconds"]
    print(f"{lib.title} server, {client.title} client, {args.workload} {args.size} B, "
          f"{args.loop}: {rate:,.0f} ops/s with the {args.side} under cProfile "
          f"({result['ops']} ops)\n")
    for _ in range(50):  # the profile file appears when the server exits
        if out.exists():
            break
        time.sleep(0.1)
    stats = pstats.Stats(str(out))
    stats.strip_dirs()
    print(f"== by own time (tottime), top {args.top}")
    stats.sort_stats("tottime").print_stats(args.top)
    print(f"== by cumulative time, top {args.top}")
    stats.sort_stats("cumulative").print_stats(args.top)
    print(f"saved {out}")


if __name__ == "__main__":
    main()
