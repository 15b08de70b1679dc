#!/usr/bin/env python3
"""A/B: client + server CPU time per operation of two builds of our library.

    python3 bench/ab.py --rev HEAD~1 --size 262144 --loop uvloop
    python3 bench/ab.py --rev a963bf5 --workload stream --size 65536 --reps 8
    python3 bench/ab.py --base /some/checkout/src --size 64

Runs ``bench/libs/ours.py`` as server and client, once with the base build,
once with this work tree's ``src``, alternating for ``--reps`` pairs (the
first of each pair changes every time), and prints the median and min-max of
client + server CPU time per operation and of operations per second for
both. CPU time is the steadier measure on a shared machine; a difference
smaller than the spread of either side is noise.

``--rev`` checks the revision out into ``bench/.ab/<rev>`` (a git worktree)
and builds its compiled twins and C extension there, in a virtualenv of its
own, the first time; ``--base`` takes a ``src`` directory that is built
already. This work tree must be built too (``make``), or the source runs
instead of the compiled twins. Both run with the Python of
``bench/.venvs/ours``, which has uvloop (``bench/venvs.py`` creates it).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import run  # noqa: E402

ROOT = BENCH.parent
BUILDS = BENCH / ".ab"
PYTHON = BENCH / ".venvs" / "ours" / "bin" / "python"


def build(rev: str) -> Path:
    """Check out and build `rev` once; return its src directory."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    tree = BUILDS / commit
    stamp = tree / ".ab-built"
    if not stamp.exists():
        print(f"[ab] building {rev} ({commit}) in {tree}", flush=True)
        if not tree.exists():
            subprocess.run(["git", "worktree", "add", "--detach", "--force", str(tree), commit],
                           cwd=ROOT, check=True, capture_output=True)
        venv = tree / ".venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        # An editable install compiles the twins and the C extension in src.
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
                        "--no-deps", "-e", str(tree)], check=True)
        stamp.touch()
    return tree / "src"


def measure(src: Path, args: argparse.Namespace) -> tuple[float, float]:
    """One server and one client run: (CPU µs per op, ops per second)."""
    env = dict(os.environ, PYTHONPATH=str(src))
    log = BUILDS / "ab.log"
    options = ["--loop", args.loop, "--compression", "on" if args.compression else "off"]
    server = run.Proc([str(PYTHON), "ours.py", "server", *options, "--port", "0"], log, env)
    try:
        port = server.expect("READY", 30).split()[-1]
        client_argv = [
            str(PYTHON), "ours.py", "client", *options, "--uri", f"ws://127.0.0.1:{port}/",
            "--workload", args.workload, "--size", str(args.size), "--batch", str(args.batch),
            "--duration", str(args.duration), "--warmup", "0.3",
        ]
        if args.text:
            client_argv.append("--text")
        client = run.Proc(client_argv, log, env)
        try:
            client.expect("START", 60)
            cpu0 = run.proc_cpu(server.pid)
            result = json.loads(client.expect("{", args.duration + 60))
            cpu1 = run.proc_cpu(server.pid)
        finally:
            client.stop()
    finally:
        server.stop()
    ops = result["ops"]
    return (cpu1 - cpu0 + result["client_cpu"]) / ops * 1e6, ops / result["seconds"]


def describe(values: list[float], digits: int) -> str:
    low, mid, high = min(values), statistics.median(values), max(values)
    return f"{mid:,.{digits}f} ({low:,.{digits}f}-{high:,.{digits}f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    base = parser.add_mutually_exclusive_group(required=True)
    base.add_argument("--rev", help="git revision to compare with")
    base.add_argument("--base", type=Path, help="built src directory to compare with")
    parser.add_argument("--workload", choices=["echo", "stream"], default="echo")
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--batch", type=int, default=100, help="messages per stream batch")
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    parser.add_argument("--compression", action="store_true")
    parser.add_argument("--text", action="store_true")
    parser.add_argument("--reps", type=int, default=6)
    parser.add_argument("--duration", type=float, default=2.0)
    args = parser.parse_args()

    BUILDS.mkdir(exist_ok=True)
    sides = {"base": build(args.rev) if args.rev else args.base.resolve(), "this": ROOT / "src"}
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
    started = time.monotonic()
    for rep in range(args.reps):
        for name in (["base", "this"] if rep % 2 == 0 else ["this", "base"]):
            results[name].append(measure(sides[name], args))
    print(f"{args.workload} {args.size} B, {args.loop}, {args.reps} runs each "
          f"({time.monotonic() - started:.0f} s); median (min-max)")
    for name, src in sides.items():
        cpu = [cpu for cpu, _ in results[name]]
        rate = [rate for _, rate in results[name]]
        print(f"  {name}: {describe(cpu, 1)} µs client + server CPU per op, "
              f"{describe(rate, 0)} ops/s  [{src}]")


if __name__ == "__main__":
    main()
