#!/usr/bin/env python3
"""Benchmark our library against its peers, side by side, in one run.

    python bench/run.py --quick          # a subset in a few minutes
    python bench/run.py                  # everything (about half an hour)
    python bench/run.py --loops uvloop --cases echo-64,stream-64 --reps 3

Every library runs from a virtualenv of its own (see ``bench/venvs.py``), as
separate server and client processes over loopback; both ends of a
connection are the same library, except in the cases marked "picows client",
where the picows callback client measures every server. Compression and
keepalive are off except in the compression cases.

Measurements are interleaved: for each repetition, every case runs every
library in turn (the order rotates from one repetition to the next), so that
drift of a shared, noisy machine hits all libraries alike. The report gives
medians with min-max over repetitions, and ratios (ours / peer) computed
within each repetition, then summarized the same way.

Server CPU time per operation is read from /proc/<pid>/task/*/schedstat (or
/proc/<pid>/stat) of the server process, between the client's START line and
its result; server RSS from /proc/<pid>/statm.

Output: a markdown report on stdout and in bench/results/<timestamp>.md, the
raw measurements in bench/results/<timestamp>.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import platform
import queue
import shutil
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Optional

BENCH = Path(__file__).resolve().parent
LIBS_DIR = BENCH / "libs"
RESULTS = BENCH / "results"

sys.path.insert(0, str(BENCH))
import venvs  # noqa: E402

KiB = 1024
MiB = 1024 * 1024


@dataclasses.dataclass(frozen=True)
class Lib:
    key: str
    title: str
    venv: str
    module: str
    websocket: bool = True
    compression: bool = True


LIBS: list[Lib] = [
    Lib("raw", "raw asyncio TCP (ceiling)", "raw", "raw_tcp", websocket=False, compression=False),
    Lib("ours", "ours (classic API)", "ours", "ours"),
    Lib("ours-ll", "ours (low-level callbacks)", "ours", "ours_ll"),
    Lib("ws17", "websockets 17.4", "websockets17", "ws17"),
    Lib("picows", "picows 2.3.1 (callbacks)", "picows", "picows_cb", compression=False),
    Lib("picows-ws", "picows 2.3.1 (await API)", "picows", "picows_ws"),
    Lib("aiohttp", "aiohttp 3.14.5", "aiohttp", "aiohttp_ws"),
]
LIB = {lib.key: lib for lib in LIBS}
PEERS = [lib.key for lib in LIBS if lib.key != "ours"]


def size_label(size: int) -> str:
    if size >= MiB:
        return f"{size // MiB} MiB"
    if size >= KiB:
        return f"{size // KiB} KiB"
    return f"{size} B"


@dataclasses.dataclass(frozen=True)
class Case:
    key: str
    label: str
    workload: str  # echo, stream, connections
    size: int = 64
    text: bool = False
    compression: bool = False
    count: int = 1000  # connections
    batch: int = 1000  # stream: messages per batch
    picows_client: bool = False  # every server measured with the picows client
    touch: bool = False  # connections: one message each way on each, after opening
    unit: str = "rt/s"

    def applies(self, lib: Lib) -> bool:
        if self.compression and not lib.compression:
            return False
        if self.picows_client and not lib.websocket:
            return False
        return True

    def value(self, ops: int, seconds: float) -> float:
        if self.unit == "MB/s":
            return ops * self.size / seconds / 1e6
        return ops / seconds


def tag(size: int) -> str:
    """64 -> "64", 16384 -> "16k", 1048576 -> "1m"."""
    if size >= MiB:
        return f"{size // MiB}m"
    if size >= KiB:
        return f"{size // KiB}k"
    return str(size)


def all_cases() -> list[Case]:
    cases = []
    for size in (64, 1 * KiB, 16 * KiB, 256 * KiB, 1 * MiB):
        cases.append(Case(f"echo-{tag(size)}", f"echo {size_label(size)}", "echo", size))
    cases.append(Case("stream-64", "stream 64 B", "stream", 64, batch=1000, unit="MB/s"))
    cases.append(Case("stream-64k", "stream 64 KiB", "stream", 64 * KiB, batch=32,
                      unit="MB/s"))
    cases.append(Case("deflate-16k", "deflate 16 KiB JSON", "echo", 16 * KiB, text=True,
                      compression=True, unit="msg/s"))
    for size in (64, 16 * KiB):
        cases.append(Case(f"picows-client-echo-{tag(size)}",
                          f"echo {size_label(size)}, picows client", "echo", size,
                          picows_client=True))
    for count in (1000, 10000):
        for comp in (False, True):
            cases.append(Case(f"conn-{count}" + ("-deflate" if comp else ""),
                              f"{count:,} connections" + (", deflate" if comp else ""),
                              "connections", count=count, compression=comp, unit="hs/s"))
    # Idle after one 1 KiB text message each way: lazily allocated buffers
    # and compression contexts count too.
    for comp in (False, True):
        cases.append(Case("conn-1000-used" + ("-deflate" if comp else ""),
                          "1,000 connections after 1 message" + (", deflate" if comp else ""),
                          "connections", count=1000, compression=comp, touch=True,
                          unit="hs/s"))
    return cases


CASES = {case.key: case for case in all_cases()}
QUICK = ["echo-64", "echo-16k", "stream-64", "deflate-16k", "picows-client-echo-64",
         "conn-1000", "conn-1000-deflate"]


# Processes ------------------------------------------------------------------


CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def proc_cpu(pid: int) -> float:
    """CPU seconds of a process, all threads, nanosecond precision if possible."""
    try:
        total = 0
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
        return total / 1e9
    except (OSError, ValueError, IndexError):
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_rss(pid: int) -> int:
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * PAGE


class Proc:
    """A child process whose stdout lines arrive on a queue."""

    def __init__(self, argv: list[str], log: Path, env: Optional[dict[str, str]] = None) -> None:
        self.log = open(log, "ab")
        self.p = subprocess.Popen(
            argv,
            cwd=LIBS_DIR,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            start_new_session=True,
        )
        self.lines: queue.Queue[Optional[str]] = queue.Queue()
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self) -> None:
        assert self.p.stdout is not None
        for raw in self.p.stdout:
            self.lines.put(raw.decode(errors="replace").rstrip("\n"))
        self.lines.put(None)

    @property
    def pid(self) -> int:
        return self.p.pid

    def expect(self, prefix: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {prefix!r} line within {timeout:.0f}s")
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                raise RuntimeError(f"process exited (rc={self.p.wait()}) before {prefix!r}")
            if line.startswith(prefix):
                return line

    def send(self, line: str) -> None:
        assert self.p.stdin is not None
        try:
            self.p.stdin.write(line.encode() + b"\n")
            self.p.stdin.flush()
        except BrokenPipeError:
            pass

    def stop(self, grace: float = 5.0) -> None:
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(grace)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.log.close()

    def kill(self) -> None:
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        self.log.close()


def git_describe() -> str:
    """The commit of the work tree, with "+dirty" if src/ has changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=BENCH.parent,
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src", "setup.py"],
                               cwd=BENCH.parent, capture_output=True, text=True,
                               timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (head or "unknown") + ("+dirty" if dirty else "")


def snapshot_source(dest: Path) -> Path:
    """Copy src/websockets (with built C extensions) so that the whole run
    measures one version of our library, even if the work tree changes."""
    src = BENCH.parent / "src" / "websockets"
    shutil.copytree(src, dest / "websockets",
                    ignore=shutil.ignore_patterns("__pycache__", "*.c"))
    return dest


class Runner:
    def __init__(self, args: argparse.Namespace, logdir: Path,
                 snapshot: Optional[Path] = None) -> None:
        self.args = args
        self.logdir = logdir
        self.snapshot = snapshot
        self.records: list[dict[str, Any]] = []

    def python(self, lib: Lib) -> str:
        return str(venvs.python(lib.venv))

    def env(self, lib: Lib) -> Optional[dict[str, str]]:
        if lib.venv != "ours" or self.snapshot is None:
            return None
        # PYTHONPATH comes before the editable install on sys.path.
        return dict(os.environ, PYTHONPATH=str(self.snapshot))

    def start_server(self, lib: Lib, loop: str, compression: bool) -> tuple[Proc, int]:
        argv = [self.python(lib), f"{lib.module}.py", "server", "--loop", loop,
                "--compression", "on" if compression else "off"]
        proc = Proc(argv, self.logdir / f"server-{lib.key}.log", self.env(lib))
        try:
            port = int(proc.expect("READY", 60).split()[1])
        except Exception:
            proc.kill()
            raise
        return proc, port

    def client_argv(self, client: Lib, case: Case, loop: str, port: int) -> list[str]:
        scheme = "ws" if client.websocket else "tcp"
        argv = [self.python(client), f"{client.module}.py", "client", "--loop", loop,
                "--uri", f"{scheme}://127.0.0.1:{port}/",
                "--workload", case.workload, "--size", str(case.size),
                "--compression", "on" if case.compression else "off",
                "--warmup", str(self.args.warmup), "--duration", str(self.args.duration),
                "--batch", str(case.batch), "--count", str(case.count),
                "--concurrency", str(self.args.concurrency)]
        if case.text:
            argv.append("--text")
        if case.touch:
            argv.append("--touch")
        return argv

    def record(self, **fields: Any) -> None:
        self.records.append(fields)
        if fields.get("error"):
            msg = f"ERROR {fields['error']}"
        else:
            case = CASES[fields["case"]]
            msg = f"{fields['value']:12.1f} {case.unit}"
            if fields.get("server_cpu_us") is not None:
                msg += f"  server {fields['server_cpu_us']:8.2f} us/op"
            if fields.get("wire_tx") is not None:
                msg += f"  wire {fields['wire_tx']:9.1f} B/msg"
            if fields.get("rss_per_conn") is not None:
                msg += f"  {fields['rss_per_conn'] / KiB:7.1f} KiB/conn"
        print(f"  [{fields['loop']:7}] rep {fields['rep']} {fields['case']:24} "
              f"{fields['lib']:10} {msg}", file=sys.stderr, flush=True)

    def measure_stream(self, lib: Lib, case: Case, loop: str, rep: int,
                       server: Proc, port: int) -> None:
        client = LIB["picows"] if case.picows_client else lib
        timeout = self.args.warmup + self.args.duration + 90
        proc = Proc(self.client_argv(client, case, loop, port),
                    self.logdir / f"client-{client.key}.log", self.env(client))
        base = dict(loop=loop, rep=rep, case=case.key, lib=lib.key)
        try:
            proc.expect("START", timeout)
            cpu0 = proc_cpu(server.pid)
            result = json.loads(proc.expect("{", timeout))
            cpu1 = proc_cpu(server.pid)
            proc.p.wait(30)
        except Exception as exc:
            proc.kill()
            self.record(**base, error=str(exc))
            return
        proc.stop()
        ops, seconds = result["ops"], result["seconds"]
        self.record(**base, value=case.value(ops, seconds), ops=ops, seconds=seconds,
                    server_cpu_us=(cpu1 - cpu0) / ops * 1e6,
                    client_cpu_us=result["client_cpu"] / ops * 1e6,
                    total_cpu_us=(cpu1 - cpu0 + result["client_cpu"]) / ops * 1e6,
                    wire_tx=result.get("wire_tx"), wire_rx=result.get("wire_rx"))

    def measure_connections(self, lib: Lib, case: Case, loop: str, rep: int) -> None:
        base = dict(loop=loop, rep=rep, case=case.key, lib=lib.key)
        try:
            server, port = self.start_server(lib, loop, case.compression)
        except Exception as exc:
            self.record(**base, error=f"server: {exc}")
            return
        proc = Proc(self.client_argv(lib, case, loop, port),
                    self.logdir / f"client-{lib.key}.log", self.env(lib))
        try:
            proc.expect("WARM", 60)
            time.sleep(0.2)
            rss0 = proc_rss(server.pid)
            proc.send("go")
            proc.expect("START", 30)
            cpu0 = proc_cpu(server.pid)
            result = json.loads(proc.expect("{", 600))
            cpu1 = proc_cpu(server.pid)
            # Let the server finish what the last handshakes started.
            time.sleep(0.5)
            rss1 = proc_rss(server.pid)
            proc.send("done")
            proc.p.wait(30)
        except Exception as exc:
            self.record(**base, error=str(exc))
            return
        finally:
            proc.kill()
            server.kill()
        ops, seconds = result["ops"], result["seconds"]
        if result.get("failures"):
            self.record(**base, error=f"{result['failures']} handshakes failed")
            return
        self.record(**base, value=case.value(ops, seconds), ops=ops, seconds=seconds,
                    server_cpu_us=(cpu1 - cpu0) / ops * 1e6,
                    client_cpu_us=result["client_cpu"] / ops * 1e6,
                    rss_per_conn=(rss1 - rss0) / ops, rss_base=rss0)

    def run(self, loops: list[str], cases: list[Case], libs: list[Lib], reps: int) -> None:
        stream_cases = [c for c in cases if c.workload != "connections"]
        conn_cases = [c for c in cases if c.workload == "connections"]
        for loop in loops:
            for rep in range(reps):
                print(f"== {loop}, repetition {rep + 1}/{reps}", file=sys.stderr, flush=True)
                if stream_cases:
                    self.run_stream_cases(loop, rep, stream_cases, libs)
                for case in conn_cases:
                    for lib in rotate([lb for lb in libs if case.applies(lb)], rep):
                        self.measure_connections(lib, case, loop, rep)

    def run_stream_cases(self, loop: str, rep: int, cases: list[Case], libs: list[Lib]) -> None:
        # One server per library and compression setting for the whole
        # repetition; fresh processes at each repetition.
        servers: dict[tuple[str, bool], tuple[Proc, int]] = {}
        try:
            for case in cases:
                for lib in libs:
                    key = (lib.key, case.compression)
                    if case.applies(lib) and key not in servers:
                        try:
                            servers[key] = self.start_server(lib, loop, case.compression)
                        except Exception as exc:
                            print(f"  server {key} failed: {exc}", file=sys.stderr)
            for case in cases:
                for lib in rotate([lb for lb in libs if case.applies(lb)], rep):
                    entry = servers.get((lib.key, case.compression))
                    if entry is None:
                        self.record(loop=loop, rep=rep, case=case.key, lib=lib.key,
                                    error="no server")
                        continue
                    self.measure_stream(lib, case, loop, rep, *entry)
        finally:
            for proc, _ in servers.values():
                proc.stop()


def rotate(items: list[Any], n: int) -> list[Any]:
    if not items:
        return items
    n %= len(items)
    return items[n:] + items[:n]


# Report ---------------------------------------------------------------------


def fmt(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def summary(values: list[float]) -> str:
    if not values:
        return "–"
    return f"{fmt(statistics.median(values))} ({fmt(min(values))}–{fmt(max(values))})"


def ratio_summary(values: list[float]) -> str:
    if not values:
        return "–"
    med = statistics.median(values)
    return f"**{med:.2f}** ({min(values):.2f}–{max(values):.2f})"


Block = tuple  # ("heading", level, text) | ("bullets", [text]) | ("table", title, header, rows)


class Report:
    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.ok = [r for r in records if not r.get("error")]
        self.errors = [r for r in records if r.get("error")]
        self.loops = sorted({r["loop"] for r in records}, key=["asyncio", "uvloop"].index)
        self.cases = [c for c in CASES.values() if any(r["case"] == c.key for r in records)]
        present = {r["lib"] for r in records}
        self.libs = [lib for lib in LIBS if lib.key in present]

    def values(self, loop: str, case: str, lib: str, field: str = "value") -> list[float]:
        return [r[field] for r in self.ok
                if r["loop"] == loop and r["case"] == case and r["lib"] == lib
                and r.get(field) is not None]

    def ratios(self, loop: str, case: str, lib: str, peer: str, field: str = "value",
               invert: bool = False) -> list[float]:
        mine = {r["rep"]: r[field] for r in self.ok if r["loop"] == loop
                and r["case"] == case and r["lib"] == lib and r.get(field) is not None}
        theirs = {r["rep"]: r[field] for r in self.ok if r["loop"] == loop
                  and r["case"] == case and r["lib"] == peer and r.get(field) is not None}
        out = []
        for rep in sorted(mine.keys() & theirs.keys()):
            a, b = mine[rep], theirs[rep]
            if invert:
                a, b = b, a
            if b > 0:
                out.append(a / b)
        return out

    def table(self, loop: str, field: str, cases: list[Case],
              fmt_cell: Callable[[list[float]], str], title: str) -> list[Block]:
        if not cases:
            return []
        header = ["case", "unit"] + [lib.key for lib in self.libs]
        rows = []
        for case in cases:
            unit = {"value": case.unit, "server_cpu_us": "µs/op", "total_cpu_us": "µs/op",
                    "rss_per_conn": "KiB/conn", "wire_tx": "B/msg"}[field]
            cells = [fmt_cell(self.values(loop, case.key, lib.key, field)) for lib in self.libs]
            rows.append([case.label, unit] + cells)
        return [("table", title, header, rows)]

    def ratio_table(self, loop: str, field: str, cases: list[Case], title: str,
                    invert: bool = False) -> list[Block]:
        peers = [lib for lib in self.libs if lib.key != "ours"]
        if not cases or not peers or "ours" not in {lib.key for lib in self.libs}:
            return []
        header = ["case"] + [f"ours / {p.key}" for p in peers]
        rows = []
        for case in cases:
            cells = [ratio_summary(self.ratios(loop, case.key, "ours", p.key, field, invert))
                     for p in peers]
            rows.append([case.label] + cells)
        return [("table", title, header, rows)]

    def blocks(self, meta: dict[str, Any]) -> list[Block]:
        out: list[Block] = [("heading", 1, f"Benchmark {meta['date']}")]
        out.append(("bullets", [
            f"machine: {meta['nproc']} cores, {meta['cpu']}, Linux {meta['kernel']}",
            f"our library: commit {meta.get('commit', '?')}, C speedups: "
            f"{meta.get('speedups', '?')}",
            f"Python {meta['python']}; load average at start {meta['load_start']}, "
            f"at end {meta.get('load_end', '?')}; {meta.get('elapsed', '?')} s in all",
            f"command: ``{meta['command']}``",
            f"repetitions: {meta['reps']}, {meta['duration']} s measured after "
            f"{meta['warmup']} s warm-up per measurement; handshake concurrency "
            f"{meta['concurrency']}",
            "cells: median (min–max) over repetitions; ratios are computed "
            "within each repetition, then summarized the same way (ours / peer; "
            "for CPU, peer / ours, so that >1 is always better for us)",
            "libraries: " + "; ".join(f"``{lib.key}`` = {lib.title}" for lib in self.libs),
        ]))
        main_cases = [c for c in self.cases if c.workload != "connections"]
        conn_cases = [c for c in self.cases if c.workload == "connections"]
        for loop in self.loops:
            out.append(("heading", 2, loop))
            out += self.table(loop, "value", main_cases, summary,
                              f"Throughput, {loop} (higher is better)")
            out += self.ratio_table(loop, "value", main_cases,
                                    f"Throughput ratios, ours / peer, {loop}")
            out += self.table(loop, "server_cpu_us", main_cases, summary,
                              f"Server CPU time per operation, µs, {loop} (lower is better)")
            out += self.ratio_table(loop, "server_cpu_us", main_cases,
                                    f"Server CPU ratios, peer / ours, {loop} (>1: ours cheaper)",
                                    invert=True)
            out += self.table(loop, "total_cpu_us", main_cases, summary,
                              f"Client + server CPU time per operation, µs, {loop} (lower is "
                              "better; less sensitive than throughput to other load)")
            out += self.ratio_table(loop, "total_cpu_us", main_cases,
                                    f"Client + server CPU ratios, peer / ours, {loop} "
                                    "(>1: ours cheaper)", invert=True)
            out += self.table(loop, "wire_tx", [c for c in main_cases if c.compression],
                              summary, f"Bytes on the wire per message, client to server, {loop}")
            out += self.table(loop, "value", conn_cases, summary,
                              f"Handshakes per second, {loop} (higher is better)")
            out += self.ratio_table(loop, "value", conn_cases,
                                    f"Handshake ratios, ours / peer, {loop}")
            out += self.table(loop, "server_cpu_us", conn_cases, summary,
                              f"Server CPU time per handshake, µs, {loop} (lower is better)")
            out += self.table(loop, "rss_per_conn", conn_cases,
                              lambda v: summary([x / KiB for x in v]),
                              f"Server RSS per connection, KiB, {loop} (lower is better)")
        out += self.targets()
        if self.errors:
            out.append(("heading", 2, "Errors"))
            out.append(("bullets", [f"{r['loop']} rep {r['rep']} {r['case']} {r['lib']}: "
                                    f"{r['error']}" for r in self.errors]))
        return out

    def target_rows(self, subject: str, desc: str, cases: list[str], peer: str,
                    threshold: float) -> list[list[str]]:
        rows = []
        for loop in self.loops:
            for case in cases:
                r = self.ratios(loop, case, subject, peer)
                if r:
                    med = statistics.median(r)
                    rows.append([desc, loop, CASES[case].label, ratio_summary(r),
                                 "yes" if med >= threshold else "**no**"])
        return rows

    def targets(self) -> list[Block]:
        """The targets of issue 4, checked on the medians of this run."""
        checks: list[tuple[str, list[str], str, float]] = [
            # (description, cases, peer, threshold): ours / peer
            ("echo 64 B-16 KiB >= 2.0x websockets 17", ["echo-64", "echo-1k", "echo-16k"],
             "ws17", 2.0),
            ("echo 64 B-16 KiB >= 1.1x aiohttp", ["echo-64", "echo-1k", "echo-16k"],
             "aiohttp", 1.1),
            ("echo 64 B-16 KiB >= 1.0x picows await API", ["echo-64", "echo-1k", "echo-16k"],
             "picows-ws", 1.0),
            ("echo 256 KiB, 1 MiB >= picows (callbacks)", ["echo-256k", "echo-1m"],
             "picows", 1.0),
            ("echo 256 KiB, 1 MiB >= picows (await API)", ["echo-256k", "echo-1m"],
             "picows-ws", 1.0),
            ("stream 64 B >= 3x websockets 17", ["stream-64"], "ws17", 3.0),
            ("handshakes/s >= picows", ["conn-1000", "conn-10000"], "picows", 1.0),
            ("deflate 16 KiB >= aiohttp", ["deflate-16k"], "aiohttp", 1.0),
        ]
        # The design's target for the low-level API: ours-ll / picows.
        low_level = [("low-level API: echo 64 B-1 MiB >= picows (callbacks)",
                      ["echo-64", "echo-1k", "echo-16k", "echo-256k", "echo-1m"],
                      "picows", 1.0),
                     ("low-level API: stream >= picows (callbacks)",
                      ["stream-64", "stream-64k"], "picows", 1.0)]
        rows = []
        for subject, group in (("ours", checks), ("ours-ll", low_level)):
            for desc, cases, peer, threshold in group:
                rows += self.target_rows(subject, desc, cases, peer, threshold)
        for loop in self.loops:
            for case in ("conn-1000", "conn-10000", "conn-1000-used"):
                ours = self.values(loop, case, "ours", "rss_per_conn")
                theirs = self.values(loop, case, "ws17", "rss_per_conn")
                if ours and theirs:
                    a, b = statistics.median(ours), statistics.median(theirs)
                    rows.append(["memory/conn below websockets 17, no compression", loop,
                                 CASES[case].label, f"{a / KiB:.1f} vs {b / KiB:.1f} KiB",
                                 "yes" if a < b else "**no**"])
            for case in ("conn-1000-deflate", "conn-10000-deflate", "conn-1000-used-deflate"):
                ours = self.values(loop, case, "ours", "rss_per_conn")
                if ours:
                    a = statistics.median(ours)
                    rows.append(["memory/conn <= 64 KiB, default compression", loop,
                                 CASES[case].label, f"{a / KiB:.1f} KiB",
                                 "yes" if a <= 64 * KiB else "**no**"])
        if not rows:
            return []
        return [("heading", 2, "Targets (issue 4)"),
                ("table", "Targets, checked on this run's median ratios",
                 ["target", "loop", "case", "ours / peer, median (min–max)", "met"], rows)]

    def render(self, meta: dict[str, Any], fmt: str = "md") -> str:
        out: list[str] = []
        for block in self.blocks(meta):
            if block[0] == "heading":
                _, level, text = block
                if fmt == "md":
                    out += ["#" * level + " " + text, ""]
                else:
                    out += [text, "=-~"[level - 1] * len(text), ""]
            elif block[0] == "bullets":
                items = block[1]
                if fmt == "md":
                    items = [item.replace("``", "`") for item in items]
                out += [f"- {item}" for item in items] + [""]
            else:
                _, title, header, rows = block
                if fmt == "md":
                    out += [f"**{title}**", "",
                            "| " + " | ".join(header) + " |",
                            "|" + "---|" * len(header)]
                    out += ["| " + " | ".join(row) + " |" for row in rows]
                    out.append("")
                else:
                    out += [f".. list-table:: {title}", "   :header-rows: 1", ""]
                    for row in [header] + rows:
                        out.append(f"   * - {row[0]}")
                        out += [f"     - {cell}" for cell in row[1:]]
                    out.append("")
        return "\n".join(out)


# Main -----------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "kernel": platform.release(),
            "python": platform.python_version()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a subset, fewer repetitions")
    parser.add_argument("--loops", default="asyncio,uvloop")
    parser.add_argument("--cases", help="comma-separated: " + ",".join(CASES))
    parser.add_argument("--libs", help="comma-separated: " + ",".join(LIB))
    parser.add_argument("--reps", type=int)
    parser.add_argument("--duration", type=float)
    parser.add_argument("--warmup", type=float)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--no-save", action="store_true")
    parser.add_argument("--no-snapshot", action="store_true",
                        help="run our library from the live work tree, not a copy taken at start")
    parser.add_argument("--report", metavar="JSON",
                        help="render the report of a saved run instead of running")
    parser.add_argument("--format", choices=["md", "rst"], default="md",
                        help="with --report: markdown or reStructuredText")
    args = parser.parse_args()

    if args.report:
        saved = json.loads(Path(args.report).read_text())
        print(Report(saved["records"]).render(saved["meta"], args.format))
        return

    if args.cases:
        case_keys = args.cases.split(",")
    elif args.quick:
        case_keys = QUICK
    else:
        case_keys = list(CASES)
    unknown = [k for k in case_keys if k not in CASES]
    if unknown:
        parser.error(f"unknown cases: {unknown}")
    cases = [CASES[k] for k in case_keys]
    lib_keys = args.libs.split(",") if args.libs else list(LIB)
    libs = [LIB[k] for k in lib_keys]
    if "ours" not in lib_keys:
        print("note: 'ours' not selected: no ratios", file=sys.stderr)
    args.reps = args.reps or (3 if args.quick else 5)
    args.duration = args.duration or (0.5 if args.quick else 1.0)
    args.warmup = args.warmup or (0.2 if args.quick else 0.3)
    loops = args.loops.split(",")

    # 10,000 connections need file descriptors (children inherit the limit).
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if any(c.count > hard - 100 and c.workload == "connections" for c in cases):
        print(f"warning: RLIMIT_NOFILE hard limit {hard} is too low", file=sys.stderr)

    venvs.ensure_all(sorted({lib.venv for lib in libs} | ({"picows"} if any(
        c.picows_client for c in cases) else set())))

    stamp = datetime.datetime.now().strftime("%Y-%m-%d-%H%M%S")
    RESULTS.mkdir(exist_ok=True)
    logdir = RESULTS / f"{stamp}-logs"
    logdir.mkdir()
    meta = dict(machine(), date=stamp, reps=args.reps, duration=args.duration,
                warmup=args.warmup, concurrency=args.concurrency, loops=loops,
                command=("python3 bench/run.py " + " ".join(sys.argv[1:])).strip(),
                commit=git_describe(),
                load_start=" ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"bench: {len(cases)} cases x {len(libs)} libraries x {args.reps} reps x "
          f"{len(loops)} loops; logs in {logdir}", file=sys.stderr, flush=True)
    snapshot = None if args.no_snapshot else snapshot_source(logdir / "snapshot")
    runner = Runner(args, logdir, snapshot)
    if "ours" in lib_keys:
        check = subprocess.run(
            [runner.python(LIB["ours"]), "-c",
             "import websockets, websockets.speedups as s; print(s.__file__)"],
            env=runner.env(LIB["ours"]), capture_output=True, text=True, cwd=LIBS_DIR)
        meta["speedups"] = "yes" if check.returncode == 0 else "no (pure Python fallback)"
        if check.returncode != 0:
            print("warning: our C speedups are not importable", file=sys.stderr)
    t0 = time.monotonic()
    try:
        runner.run(loops, cases, libs, args.reps)
    except KeyboardInterrupt:
        print("interrupted: reporting what was measured", file=sys.stderr)
    meta["elapsed"] = round(time.monotonic() - t0)
    meta["load_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    text = Report(runner.records).render(meta)
    print(text)
    if not args.no_save:
        (RESULTS / f"{stamp}.md").write_text(text + "\n")
        (RESULTS / f"{stamp}.json").write_text(
            json.dumps({"meta": meta, "records": runner.records}, indent=1) + "\n")
        print(f"saved bench/results/{stamp}.md ({meta['elapsed']} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
