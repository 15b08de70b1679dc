"""Types shared by the modules of websockets."""

from __future__ import annotations

import logging
from typing import List, NewType, Optional, Tuple, Union


__all__ = [
    "Data",
    "LoggerLike",
    "Origin",
    "Subprotocol",
    "ExtensionName",
    "ExtensionParameter",
    "ExtensionHeader",
]

Data = Union[str, bytes]

LoggerLike = Union[logging.Logger, logging.LoggerAdapter]  # type: ignore[type-arg]

Origin = NewType("Origin", str)

Subprotocol = NewType("Subprotocol", str)

ExtensionName = NewType("ExtensionName", str)

ExtensionParameter = Tuple[str, Optional[str]]

ExtensionHeader = Tuple[ExtensionName, List[ExtensionParameter]]
