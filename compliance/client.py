#!/usr/bin/env python
"""
Echo client for Autobahn|Testsuite's fuzzingserver mode.

It asks the fuzzing server how many cases there are, runs each case by
echoing every message it receives until the server closes the connection,
then asks the server to write its reports.

    python compliance/client.py --uri ws://127.0.0.1:9001 [--no-compression]

Each case is bounded in time (``--case-timeout``); a case that overruns is
abandoned, and the server reports what it saw.

"""

import argparse
import asyncio
import sys
import time

import websockets

AGENT = "websockets"


async def get_case_count(server, options):
    async with websockets.connect(f"{server}/getCaseCount", **options) as ws:
        return int(await ws.recv())


async def run_case(server, case, options):
    uri = f"{server}/runCase?case={case}&agent={AGENT}"
    async with websockets.connect(uri, **options) as ws:
        async for message in ws:
            await ws.send(message)


async def update_reports(server, options):
    uri = f"{server}/updateReports?agent={AGENT}"
    async with websockets.connect(uri, **options) as ws:
        # The server closes the connection once the reports are written.
        async for _ in ws:
            pass


async def main(server, compression, case_timeout):
    options = dict(compression=compression, max_size=None)
    count = await asyncio.wait_for(get_case_count(server, options), 30)
    print(f"cases: {count}", flush=True)
    for case in range(1, count + 1):
        start = time.monotonic()
        try:
            await asyncio.wait_for(run_case(server, case, options), case_timeout)
        except websockets.ConnectionClosed:
            # Many cases end with a protocol error on purpose.
            outcome = "closed"
        except asyncio.TimeoutError:
            outcome = "timeout"
        except Exception as exc:
            outcome = f"error: {exc!r}"
        else:
            outcome = "ok"
        duration = time.monotonic() - start
        print(f"case {case}/{count}: {outcome} ({duration:.3f}s)", flush=True)
    await asyncio.wait_for(update_reports(server, options), 60)
    print("reports updated", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[1])
    parser.add_argument("--uri", default="ws://127.0.0.1:9001")
    parser.add_argument("--no-compression", action="store_true")
    parser.add_argument("--case-timeout", type=float, default=120)
    args = parser.parse_args()
    compression = None if args.no_compression else "deflate"
    try:
        asyncio.run(main(args.uri.rstrip("/"), compression, args.case_timeout))
    except KeyboardInterrupt:
        sys.exit(130)
