__all__ = ["apply_mask", "parse_frame", "serialize_frame", "new_frame"]

from typing import Any, Optional, Union

from .framing import Frame

def apply_mask(data: Union[bytes, bytearray, memoryview], mask: bytes) -> bytes: ...
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
