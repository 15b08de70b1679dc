"""The pure layers never import an I/O library."""

import subprocess
import sys

import pytest


PURE_MODULES = [
    "websockets",
    "websockets.datastructures",
    "websockets.exceptions",
    "websockets.extensions",
    "websockets.extensions.base",
    "websockets.extensions.permessage_deflate",
    "websockets.framing",
    "websockets.handshake",
    "websockets.headers",
    "websockets.http",
    "websockets.sansio",
    "websockets.sansio.client",
    "websockets.sansio.connection",
    "websockets.sansio.server",
    "websockets.streams",
    "websockets.typing",
    "websockets.uri",
    "websockets.utils",
    "websockets.version",
]

IO_MODULES = ["asyncio", "socket", "ssl", "trio"]


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_module_imports_no_io(module):
    # A fresh interpreter: this one has imported asyncio already.
    code = (
        f"import sys, {module}\n"
        f"print(' '.join(m for m in {IO_MODULES!r} if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
