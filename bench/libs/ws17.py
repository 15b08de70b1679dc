"""websockets 17.x, its own asyncio implementation (``websockets.asyncio``)."""

from __future__ import annotations

import await_api
import common

from websockets.asyncio.client import connect
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed

if __name__ == "__main__":
    common.main(
        await_api.functions(
            serve,
            connect,
            ConnectionClosed,
            connect_options=dict(proxy=None),
            abort=lambda ws: ws.transport.abort(),
        )
    )
