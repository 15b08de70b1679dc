#!/usr/bin/env python
"""
A client that authenticates with HTTP Basic Authentication.

The credentials go in the URI, as in ``ws://alice:wonderland@host:port/``;
the client sends them in an ``Authorization`` header. Run
basic_auth_server.py first, then::

    python example/basic_auth_client.py --user alice --password wonderland

With wrong credentials, the server refuses the handshake with HTTP 401: the
client prints it and exits with status 1.

"""

import argparse
import asyncio
import sys
import urllib.parse

import websockets


async def hello(uri):
    try:
        async with websockets.connect(uri) as websocket:
            print(f"< {await websocket.recv()}")
    except websockets.InvalidStatusCode as exc:
        print(f"rejected with HTTP {exc.status_code}")
        return 1
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--user", default="alice")
    parser.add_argument("--password", default="wonderland")
    args = parser.parse_args()
    # Characters such as @ or : must be percent-encoded in a URI.
    user = urllib.parse.quote(args.user, safe="")
    password = urllib.parse.quote(args.password, safe="")
    uri = f"ws://{user}:{password}@{args.host}:{args.port}/"
    sys.exit(asyncio.run(hello(uri)))
