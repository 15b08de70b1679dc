"""Our library, classic asyncio API: ``websockets.serve`` / ``websockets.connect``."""

from __future__ import annotations

import await_api
import common

import websockets

if __name__ == "__main__":
    common.main(
        await_api.functions(
            websockets.serve,
            websockets.connect,
            websockets.ConnectionClosed,
            abort=lambda ws: ws.transport.abort(),
        )
    )
