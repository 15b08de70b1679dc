#!/usr/bin/env python3
"""A/B: client + server CPU time per operation of two builds of our library.

    python3 bench/ab.py --rev HEAD~1 --case echo-256k --loop uvloop
    python3 bench/ab.py --rev a963bf5 --case stream-64k --reps 8
    python3 bench/ab.py --base /some/checkout/src --case echo-64

Runs one case of ``bench/run.py`` (``--help`` lists them; not the connection
cases) with our server and client, once with the base build, once with this
work tree's ``src``, alternating for ``--reps`` pairs (the first of each pair
changes every time), and prints the median and min-max of client + server
CPU time per operation and of the case's throughput for both. CPU time is
the steadier measure on a shared machine; a difference smaller than the
spread of either side is noise.

``--rev`` checks the revision out into ``bench/.ab/<rev>`` (a git worktree)
and builds its compiled twins and C extension there, in a virtualenv of its
own, the first time; ``--base`` takes a ``src`` directory that is built
already. This work tree must be built too (``make``), or the source runs
instead of the compiled twins. Both run with the Python of
``bench/.venvs/ours``, which has uvloop (``bench/venvs.py`` creates it).
"""

from __future__ import annotations

import argparse
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


def describe(values: list[float], digits: int) -> str:
    low, mid, high = min(values), statistics.median(values), max(values)
    return f"{mid:,.{digits}f} ({low:,.{digits}f}-{high:,.{digits}f})"


def main() -> None:
    # The cases that one connection measures, with our client.
    cases = [key for key, case in run.CASES.items()
             if case.workload != "connections" and not case.picows_client]
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    base = parser.add_mutually_exclusive_group(required=True)
    base.add_argument("--rev", help="git revision to compare with")
    base.add_argument("--base", type=Path, help="built src directory to compare with")
    parser.add_argument("--case", choices=cases, default="echo-64")
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    parser.add_argument("--reps", type=int, default=6)
    parser.add_argument("--duration", type=float, default=2.0)
    parser.add_argument("--warmup", type=float, default=0.3)
    args = parser.parse_args()
    args.concurrency = 50  # for run.Runner; unused by these cases

    BUILDS.mkdir(exist_ok=True)
    sides = {"base": build(args.rev) if args.rev else args.base.resolve(), "this": ROOT / "src"}
    # run.Runner runs our library from its snapshot directory: here, each build's src.
    runners = {name: run.Runner(args, BUILDS, snapshot=src) for name, src in sides.items()}
    lib, case = run.LIB["ours"], run.CASES[args.case]
    started = time.monotonic()
    for rep in range(args.reps):
        for name in (["base", "this"] if rep % 2 == 0 else ["this", "base"]):
            runner = runners[name]
            server, port = runner.start_server(lib, args.loop, case.compression)
            try:
                runner.measure_stream(lib, case, args.loop, rep, server, port)
            finally:
                server.stop()
    print(f"{case.label}, {args.loop}, {args.reps} runs each "
          f"({time.monotonic() - started:.0f} s); median (min-max)")
    for name, src in sides.items():
        records = runners[name].records
        errors = [record["error"] for record in records if record.get("error")]
        if errors:
            print(f"  {name}: {len(errors)} failed runs, first: {errors[0]}")
            continue
        cpu = [record["total_cpu_us"] for record in records]
        value = [record["value"] for record in records]
        print(f"  {name}: {describe(cpu, 1)} µs client + server CPU per op, "
              f"{describe(value, 0)} {case.unit}  [{src}]")


if __name__ == "__main__":
    main()
