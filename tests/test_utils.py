import base64
import os
import subprocess
import sys

import pytest
from hypothesis import given, strategies as st

from websockets import utils
from websockets.utils import GUID, accept_key, apply_mask_python, generate_key


try:
    from websockets.speedups import apply_mask as apply_mask_c
except ImportError:  # pragma: no cover
    apply_mask_c = None

# Both implementations must pass the very same tests.
IMPLEMENTATIONS = [
    pytest.param(apply_mask_python, id="py"),
    pytest.param(
        apply_mask_c,
        id="c",
        marks=pytest.mark.skipif(apply_mask_c is None, reason="C extension not built"),
    ),
]


@pytest.fixture(params=IMPLEMENTATIONS)
def apply_mask(request):
    return request.param


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
def test_apply_mask(apply_mask, data, mask, result):
    assert apply_mask(data, mask) == result
    assert apply_mask(bytearray(data), mask) == result
    assert apply_mask(memoryview(data), mask) == result


@pytest.mark.parametrize("mask", [b"", b"abc", b"abcde"])
def test_apply_mask_invalid_mask(apply_mask, mask):
    with pytest.raises(ValueError, match="mask must contain 4 bytes"):
        apply_mask(b"hello", mask)


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@given(data=st.binary(max_size=1000), mask=st.binary(min_size=4, max_size=4))
def test_apply_mask_property(impl, data, mask):
    apply_mask = impl
    masked = apply_mask(data, mask)
    assert isinstance(masked, bytes)
    assert masked == bytes(b ^ mask[i % 4] for i, b in enumerate(data))
    assert apply_mask(masked, mask) == data


@pytest.mark.parametrize("size", [0, 1, 7, 8, 9, 15, 16, 17, 2**16 + 3])
def test_apply_mask_sizes_around_words(apply_mask, size):
    data = bytes(range(256)) * (size // 256 + 1)
    data = data[:size]
    mask = b"\x12\x34\x56\x78"
    assert apply_mask(data, mask) == apply_mask_python(data, mask)


def test_apply_mask_c_argument_errors():
    if apply_mask_c is None:  # pragma: no cover
        pytest.skip("C extension not built")
    with pytest.raises(TypeError, match="takes 2 arguments"):
        apply_mask_c(b"")
    with pytest.raises(TypeError):
        apply_mask_c("text", b"abcd")
    with pytest.raises(TypeError):
        apply_mask_c(b"data", "abcd")


def test_implementation_selection(monkeypatch):
    # Without WEBSOCKETS_NO_SPEEDUPS, the C extension wins when it's built.
    monkeypatch.delenv("WEBSOCKETS_NO_SPEEDUPS", raising=False)
    assert utils._speedup("apply_mask") is apply_mask_c
    monkeypatch.setenv("WEBSOCKETS_NO_SPEEDUPS", "1")
    assert utils._speedup("apply_mask") is None


def test_no_speedups_environment_variable():
    code = "import websockets.utils as u; print(u.apply_mask is u.apply_mask_python)"
    env = {**os.environ, "WEBSOCKETS_NO_SPEEDUPS": "1"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "True"
