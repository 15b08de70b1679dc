#!/usr/bin/env python
"""
Run Autobahn|Testsuite against websockets, as a server and as a client.

Server side: compliance/server.py echoes, and ``wstest -m fuzzingclient``
drives it. Client side: ``wstest -m fuzzingserver`` waits, and
compliance/client.py fetches and runs every case. Each run happens with
compression on (the testee negotiates permessage-deflate), then off.

After each run, the report's index.json is read, and the counts of each
result printed, with every failing case. A case passes when its behavior and
behaviorClose are both OK, NON-STRICT or INFORMATIONAL (or UNIMPLEMENTED,
when compression is off); anything else fails: FAILED, WRONG CODE, UNCLEAN,
UNIMPLEMENTED with compression on, or a case missing from the report. The exit status is 1 if any case failed.

    python compliance/run.py                 # everything: 517 cases x 4 runs
    python compliance/run.py --quick         # no 9.*, 12.*, 13.*; compression on
    python compliance/run.py --side server --compression off --cases 5.* 6.*

wstest is installed first by compliance/install.sh (idempotent) into
.autobahn/, where the reports also go (``--reports`` changes that).

"""

import argparse
import collections
import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
LOOPBACK = "127.0.0.1"
AGENT = "websockets"

# The slow cases (9.* limits and performance) and the compression cases
# (12.*, 13.*) are left out of the quick subset: 247 cases of 517.
QUICK_EXCLUDE = ["9.*", "12.*", "13.*"]

# Results that pass, in behavior and behaviorClose alike; UNIMPLEMENTED
# passes too when compression is off.
PASSING = {"OK", "NON-STRICT", "INFORMATIONAL"}
RESULTS = ["OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED"]

# Asks wstest's own code which cases a spec selects, in order.
SELECTED_CASES = """
import json, sys
from autobahntestsuite.case import Cases, CaseCategories, CaseSubCategories
from autobahntestsuite.case import CaseSetname, CaseBasename
from autobahntestsuite.caseset import CaseSet
spec = json.load(open(sys.argv[1]))
cases = CaseSet(CaseSetname, CaseBasename, Cases, CaseCategories, CaseSubCategories)
print(json.dumps(cases.parseSpecCases(spec)))
"""


def log(message):
    print(message, flush=True)


def install_wstest():
    """Run install.sh; return the interpreter of the wstest environment."""
    result = subprocess.run(
        ["bash", str(HERE / "install.sh")],
        stdout=subprocess.PIPE,
        text=True,
        timeout=1800,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def free_port():
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def wait_for_port(port, process, timeout):
    """Wait until something accepts connections on port, or fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with code {process.returncode}")
        try:
            with socket.create_connection((LOOPBACK, port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listening on port {port} after {timeout}s")


def stop(process, timeout=10):
    """Stop a child process: SIGTERM first, SIGKILL if it lingers."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)


class Run:
    """One side, one compression setting: set up, run, read the report."""

    def __init__(self, args, python27, side, compression):
        self.args = args
        self.python27 = python27
        self.side = side
        self.compression = compression
        name = f"{side}-{'deflate' if compression else 'plain'}"
        if args.quick:
            name += "-quick"
        self.name = name
        self.workdir = pathlib.Path(args.reports).resolve() / name
        self.outdir = self.workdir / "report"
        self.duration = 0.0
        self.error = None
        self.expected = []

    def spec(self, template, port):
        with open(HERE / template) as file:
            spec = json.load(file)
        spec["outdir"] = str(self.outdir)
        if self.args.cases:
            spec["cases"] = self.args.cases
        exclude = list(self.args.exclude)
        if self.args.quick:
            exclude += QUICK_EXCLUDE
        spec["exclude-cases"] = exclude
        if self.side == "server":
            spec["servers"] = [{"agent": AGENT, "url": f"ws://{LOOPBACK}:{port}"}]
        else:
            spec["url"] = f"ws://{LOOPBACK}:{port}"
        path = self.workdir / template
        with open(path, "w") as file:
            json.dump(spec, file, indent=3)
        return path

    def wstest(self, mode, spec, output):
        command = [self.python27, str(HERE / "wstest_loopback.py"), "-m", mode]
        command += ["-s", str(spec)]
        if mode == "fuzzingserver":
            command += ["--webport", "0"]
        return subprocess.Popen(
            command, cwd=self.workdir, stdout=output, stderr=subprocess.STDOUT
        )

    def testee(self, script, options, output):
        command = [sys.executable, str(HERE / script)] + options
        if not self.compression:
            command.append("--no-compression")
        return subprocess.Popen(
            command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT
        )

    def execute(self):
        shutil.rmtree(self.workdir, ignore_errors=True)
        self.workdir.mkdir(parents=True)
        port = free_port()
        start = time.monotonic()
        with open(self.workdir / "wstest.log", "w") as wstest_log, open(
            self.workdir / "testee.log", "w"
        ) as testee_log:
            try:
                if self.side == "server":
                    self.run_server(port, wstest_log, testee_log)
                else:
                    self.run_client(port, wstest_log, testee_log)
            except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                self.error = f"{type(exc).__name__}: {exc}"
        self.duration = time.monotonic() - start

    def run_server(self, port, wstest_log, testee_log):
        spec = self.spec("fuzzingclient.json", port)
        self.expected = self.selected_cases(spec)
        server = self.testee("server.py", ["--port", str(port)], testee_log)
        try:
            wait_for_port(port, server, 30)
            wstest = self.wstest("fuzzingclient", spec, wstest_log)
            try:
                wstest.wait(self.args.timeout)
            except subprocess.TimeoutExpired:
                self.error = f"wstest still running after {self.args.timeout}s"
            finally:
                stop(wstest)
        finally:
            stop(server)

    def run_client(self, port, wstest_log, testee_log):
        spec = self.spec("fuzzingserver.json", port)
        self.expected = self.selected_cases(spec)
        wstest = self.wstest("fuzzingserver", spec, wstest_log)
        try:
            wait_for_port(port, wstest, 60)
            uri = f"ws://{LOOPBACK}:{port}"
            client = self.testee("client.py", ["--uri", uri], testee_log)
            try:
                client.wait(self.args.timeout)
            except subprocess.TimeoutExpired:
                self.error = f"client still running after {self.args.timeout}s"
            finally:
                stop(client)
            if client.returncode != 0 and self.error is None:
                self.error = f"client exited with code {client.returncode}"
        finally:
            stop(wstest)

    def selected_cases(self, spec):
        result = subprocess.run(
            [self.python27, "-c", SELECTED_CASES, str(spec)],
            stdout=subprocess.PIPE,
            text=True,
            timeout=120,
            check=True,
        )
        return json.loads(result.stdout)

    def read_report(self):
        """Return {case id: result dict} for every expected case."""
        try:
            with open(self.outdir / "index.json") as file:
                index = json.load(file)
        except FileNotFoundError:
            index = {}
        reported = index.get(AGENT, {})
        results = {}
        for case in self.expected:
            if case in reported:
                results[case] = reported[case]
            else:
                results[case] = {"behavior": "MISSING", "behaviorClose": "MISSING"}
        return results

    def failed(self, result):
        # Stricter than FAILED alone: WRONG CODE, UNCLEAN, FAILED BY CLIENT
        # and MISSING (not in the report) fail too.
        allowed = PASSING if self.compression else PASSING | {"UNIMPLEMENTED"}
        return result["behavior"] not in allowed or (
            result["behaviorClose"] not in allowed
        )

    def case_detail(self, case, result):
        """A line about a failing case, from its own report file."""
        detail = ""
        reportfile = result.get("reportfile")
        if reportfile:
            try:
                with open(self.outdir / reportfile) as file:
                    report = json.load(file)
                detail = f" -- {report.get('result', '')}"
                if result["behaviorClose"] not in PASSING:
                    detail += f" / {report.get('resultClose', '')}"
            except (OSError, ValueError):
                pass
        return (
            f"    {case}: behavior={result['behavior']}"
            f" behaviorClose={result['behaviorClose']}"
            f" remoteCloseCode={result.get('remoteCloseCode')}{detail}"
        )

    def summarize(self):
        """Print this run's counts and failures; return the number failed."""
        results = self.read_report()
        counts = collections.Counter(r["behavior"] for r in results.values())
        failing = [case for case, r in results.items() if self.failed(r)]
        names = RESULTS + sorted(set(counts) - set(RESULTS))
        shown = ", ".join(f"{n} {counts[n]}" for n in names if counts[n])
        log(
            f"{self.name}: {len(results)} cases in {self.duration:.1f}s: {shown}; "
            f"{len(failing)} failing"
        )
        if self.error:
            log(f"    error: {self.error} (logs in {self.workdir})")
        for case in failing:
            log(self.case_detail(case, results[case]))
        self.counts = counts
        self.failing = failing
        return len(failing) + (1 if self.error else 0)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0].strip(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--side", choices=["server", "client", "both"], default="both"
    )
    parser.add_argument(
        "--compression",
        choices=["on", "off", "both"],
        default=None,
        help="default: both, or on with --quick",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"leave out {', '.join(QUICK_EXCLUDE)}",
    )
    parser.add_argument("--cases", nargs="+", help="case patterns, e.g. 1.* 5.2")
    parser.add_argument(
        "--exclude", nargs="+", default=[], help="case patterns to leave out"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="seconds allowed for one side's run (default: 3600, 300 with --quick)",
    )
    parser.add_argument(
        "--reports",
        default=str(ROOT / ".autobahn" / "reports"),
        help="where reports and logs go",
    )
    args = parser.parse_args()
    if args.compression is None:
        args.compression = "on" if args.quick else "both"
    if args.timeout is None:
        args.timeout = 300 if args.quick else 3600

    python27 = install_wstest()
    sides = ["server", "client"] if args.side == "both" else [args.side]
    settings = {"on": [True], "off": [False], "both": [True, False]}
    failures = 0
    runs = []
    for compression in settings[args.compression]:
        for side in sides:
            run = Run(args, python27, side, compression)
            log(f"{run.name}: running (reports in {run.outdir})")
            run.execute()
            failures += run.summarize()
            runs.append(run)

    log("")
    log("summary:")
    for run in runs:
        counts = [run.counts[n] for n in RESULTS]
        counts.append(sum(run.counts.values()) - sum(counts))
        shown = " ".join(f"{n:>4}" for n in counts)
        log(f"  {run.name:<22} {shown}  {run.duration:7.1f}s")
    log(f"  {'(columns)':<22} {' '.join(RESULTS)} other")
    if failures:
        log(f"FAILED: {failures} failing case(s) or errors")
        return 1
    log("all cases OK, NON-STRICT or INFORMATIONAL")
    return 0


if __name__ == "__main__":
    sys.exit(main())
