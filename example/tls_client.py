#!/usr/bin/env python
"""
A secure client (wss://) that trusts the certificate of tls_server.py.

Run tls_server.py first; it prints the path of its certificate. Then::

    python example/tls_client.py --cafile /tmp/example-tls/cert.pem Alice

A ``wss://`` URI enables TLS. The SSL context trusts the server's
self-signed certificate and, as usual, checks that it matches the host in
the URI. Against a server with a certificate from a public authority, leave
out ``ssl``: the default context trusts the system's authorities.

"""

import argparse
import asyncio
import ssl

import websockets


async def hello(uri, cafile, name):
    ssl_context = ssl.create_default_context(cafile=cafile)
    async with websockets.connect(uri, ssl=ssl_context) as websocket:
        await websocket.send(name)
        print(f"> {name}")
        greeting = await websocket.recv()
        print(f"< {greeting}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--cafile", required=True, help="certificate to trust")
    parser.add_argument("name", nargs="?", default="world")
    args = parser.parse_args()
    asyncio.run(hello(f"wss://{args.host}:{args.port}", args.cafile, args.name))
