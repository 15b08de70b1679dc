import base64

import pytest
from hypothesis import given, strategies as st

from websockets.utils import GUID, accept_key, apply_mask, generate_key


def test_accept_key_rfc_example():
    # RFC 6455, section 1.3.
    assert accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def test_guid():
    assert GUID == "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def test_generate_key():
    key = generate_key()
    assert len(base64.b64decode(key, validate=True)) == 16
    assert generate_key() != key


@pytest.mark.parametrize(
    "data, mask, result",
    [
        (b"", b"\x01\x02\x03\x04", b""),
        (b"Hello", b"\x37\xfa\x21\x3d", b"\x7f\x9f\x4d\x51\x58"),
        (b"\x00" * 9, b"\x01\x02\x03\x04", b"\x01\x02\x03\x04\x01\x02\x03\x04\x01"),
        (b"\xff\xff", b"\x00\x00\x00\x00", b"\xff\xff"),
        (b"\x00\x00\x00\x00", b"\x00\x00\x00\x80", b"\x00\x00\x00\x80"),
    ],
)
def test_apply_mask(data, mask, result):
    assert apply_mask(data, mask) == result
    assert apply_mask(bytearray(data), mask) == result
    assert apply_mask(memoryview(data), mask) == result


@pytest.mark.parametrize("mask", [b"", b"abc", b"abcde"])
def test_apply_mask_invalid_mask(mask):
    with pytest.raises(ValueError, match="mask must contain 4 bytes"):
        apply_mask(b"hello", mask)


@given(data=st.binary(max_size=1000), mask=st.binary(min_size=4, max_size=4))
def test_apply_mask_property(data, mask):
    masked = apply_mask(data, mask)
    assert isinstance(masked, bytes)
    assert masked == bytes(b ^ mask[i % 4] for i, b in enumerate(data))
    assert apply_mask(masked, mask) == data
