"""
WebSocket frames (RFC 6455, section 5).

"""

from __future__ import annotations

import enum
from typing import NamedTuple


__all__ = [
    "Opcode",
    "OP_CONT",
    "OP_TEXT",
    "OP_BINARY",
    "OP_CLOSE",
    "OP_PING",
    "OP_PONG",
    "DATA_OPCODES",
    "CTRL_OPCODES",
    "Frame",
    "Close",
]


class Opcode(enum.IntEnum):
    """Opcode of a frame (RFC 6455, section 5.2)."""

    CONT = 0x0
    TEXT = 0x1
    BINARY = 0x2
    CLOSE = 0x8
    PING = 0x9
    PONG = 0xA


OP_CONT = Opcode.CONT
OP_TEXT = Opcode.TEXT
OP_BINARY = Opcode.BINARY
OP_CLOSE = Opcode.CLOSE
OP_PING = Opcode.PING
OP_PONG = Opcode.PONG

DATA_OPCODES = frozenset({OP_CONT, OP_TEXT, OP_BINARY})
CTRL_OPCODES = frozenset({OP_CLOSE, OP_PING, OP_PONG})


class Frame(NamedTuple):
    """
    A WebSocket frame.

    Attributes:
        fin: Whether this is the last frame of a message.
        opcode: Opcode.
        data: Payload, unmasked.
        rsv1: RSV1 bit, set by permessage-deflate on compressed messages.
        rsv2: RSV2 bit.
        rsv3: RSV3 bit.

    """

    fin: bool
    opcode: Opcode
    data: bytes
    rsv1: bool = False
    rsv2: bool = False
    rsv3: bool = False


class Close(NamedTuple):
    """
    Payload of a close frame.

    Attributes:
        code: Close code.
        reason: Close reason.

    """

    code: int
    reason: str
