__all__ = [
    "apply_mask",
    "payload_buffer",
    "mask_in_place",
    "parse_frame",
    "serialize_frame",
    "new_frame",
    "split_head",
    "steps",
]

from collections.abc import Callable, Coroutine
from typing import Any, Optional, Union

from .framing import Frame

def apply_mask(data: Union[bytes, bytearray, memoryview], mask: bytes) -> bytes: ...
def payload_buffer(size: int) -> tuple[bytes, memoryview]: ...
def mask_in_place(buffer: Union[bytearray, memoryview], mask: bytes) -> None: ...
def parse_frame(
    frame_type: type[Frame],
    opcodes: tuple[Any, ...],
    buffer: Union[bytes, bytearray, memoryview],
    offset: int,
    limit: int,
    mask: bool,
    max_size: Optional[int],
) -> Optional[tuple[Frame, int]]: ...
def serialize_frame(frame: Frame, key: Optional[bytes]) -> bytes: ...
def new_frame(frame_type: type[Frame], items: tuple[Any, ...]) -> Frame: ...
def split_head(head: bytes, max_headers: int) -> Optional[tuple[bytes, list[tuple[str, str]]]]: ...
def steps(step: Callable[[Any], Any], arg: Any) -> Coroutine[Any, Any, Any]: ...
