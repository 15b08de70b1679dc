"""picows 2.x, its websockets-compatible await API (``picows.websockets``)."""

from __future__ import annotations

import await_api
import common

from picows.websockets.asyncio.client import connect
from picows.websockets.asyncio.server import serve
from picows.websockets.exceptions import ConnectionClosed


def abort(ws: object) -> None:
    # No public access to the transport; only used when a clean close fails,
    # just before the process exits.
    pass


if __name__ == "__main__":
    common.main(await_api.functions(serve, connect, ConnectionClosed, abort=abort))
