#!/usr/bin/env python
"""
Extra HTTP headers in the opening handshake, on both sides.

The client adds headers to its request with ``extra_headers`` and replaces
the ``User-Agent`` header; the server reads them in ``request_headers``. The
server adds headers to its response with ``extra_headers``, here a function
of the request, and replaces the ``Server`` header; the client reads them in
``response_headers``.

Header values can't contain CR or LF: such a value would end the header and
start another one. websockets refuses to send it.

The server and the client run in this process, on a free port::

    python example/extra_headers.py

"""

import asyncio
import itertools

import websockets


REQUEST_IDS = itertools.count(1)


def response_headers(path, request_headers):
    # Called for each handshake that succeeds, with the request's path and
    # headers; returns headers to add to the response.
    return {"X-Request-Id": str(next(REQUEST_IDS))}


async def handler(websocket):
    headers = websocket.request_headers
    print(f"server: User-Agent: {headers['User-Agent']}")
    print(f"server: X-Client-Version: {headers['X-Client-Version']}")
    await websocket.send("hello")


async def main():
    async with websockets.serve(
        handler,
        "127.0.0.1",
        0,
        extra_headers=response_headers,
        server_header="example-server/1.0",
    ) as server:
        port = server.sockets[0].getsockname()[1]
        uri = f"ws://127.0.0.1:{port}/"

        async with websockets.connect(
            uri,
            extra_headers={"X-Client-Version": "2.1"},
            user_agent_header="example-client/2.1",
        ) as websocket:
            headers = websocket.response_headers
            print(f"client: Server: {headers['Server']}")
            print(f"client: X-Request-Id: {headers['X-Request-Id']}")
            print(f"client: < {await websocket.recv()}")

        try:
            await websockets.connect(uri, extra_headers={"X-Name": "a\r\nX-Admin: 1"})
        except ValueError as exc:
            print(f"client: refused to send a header: {exc}")


if __name__ == "__main__":
    asyncio.run(asyncio.wait_for(main(), timeout=10))
