"""
Small helpers of the WebSocket protocol: handshake keys and masking.

"""

from __future__ import annotations

import base64
import hashlib
import os
from typing import Any, Callable, Optional, Union


__all__ = ["accept_key", "generate_key", "apply_mask", "apply_mask_python", "GUID"]


#: The GUID that RFC 6455, section 1.3, appends to the key before hashing.
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def generate_key() -> str:
    """
    Generate a random value for the ``Sec-WebSocket-Key`` header.

    RFC 6455, section 4.1: "a randomly selected 16-byte value that has been
    base64-encoded".

    """
    return base64.b64encode(os.urandom(16)).decode()


def accept_key(key: str) -> str:
    """
    Compute the ``Sec-WebSocket-Accept`` value for a ``Sec-WebSocket-Key``.

    Args:
        key: Value of the ``Sec-WebSocket-Key`` header.

    """
    sha1 = hashlib.sha1((key + GUID).encode()).digest()
    return base64.b64encode(sha1).decode()


def apply_mask_python(data: bytes | bytearray | memoryview, mask: bytes) -> bytes:
    """
    Mask or unmask a payload with a 4-byte masking key (RFC 6455, section 5.3).

    This is the pure Python implementation. :func:`apply_mask` is the C one
    from the optional ``websockets.speedups`` extension when it is built,
    unless the ``WEBSOCKETS_NO_SPEEDUPS`` environment variable is set; else
    it is this function.

    Args:
        data: Payload to (un)mask.
        mask: Masking key.

    Raises:
        ValueError: If ``mask`` isn't 4 bytes long.

    """
    if len(mask) != 4:
        raise ValueError("mask must contain 4 bytes")
    size = len(data)
    if size == 0:
        return b""
    # XOR as one big integer: linear in time, and far faster in CPython than
    # a loop over bytes.
    repeated = (mask * (size // 4 + 1))[:size]
    value = int.from_bytes(data, "big") ^ int.from_bytes(repeated, "big")
    return value.to_bytes(size, "big")


def _speedup(name: str) -> Optional[Callable[..., Any]]:
    # The C implementation of `name` in websockets.speedups, unless it is
    # turned off or wasn't built.
    if os.environ.get("WEBSOCKETS_NO_SPEEDUPS"):
        return None
    try:
        from . import speedups
    except ImportError:  # pragma: no cover - built wherever tests run
        return None
    function: Callable[..., Any] = getattr(speedups, name)
    return function


apply_mask: Callable[[Union[bytes, bytearray, memoryview], bytes], bytes] = (
    _speedup("apply_mask") or apply_mask_python
)
