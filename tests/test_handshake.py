"""Tests for websockets.handshake."""

from __future__ import annotations

import base64
import binascii
from typing import Callable, Optional
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from websockets.datastructures import Headers
from websockets.exceptions import (
    InvalidHeader,
    InvalidHeaderFormat,
    InvalidHeaderValue,
    InvalidUpgrade,
)
from websockets.handshake import (
    build_request,
    build_response,
    check_request,
    check_response,
)


# RFC 6455, section 1.3 and 4.2.2.
KEY = "dGhlIHNhbXBsZSBub25jZQ=="
ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def request_headers() -> Headers:
    """Return valid request headers, as built by build_request()."""
    return Headers(
        [
            ("Host", "server.example.com"),
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Key", KEY),
            ("Sec-WebSocket-Version", "13"),
        ]
    )


def response_headers() -> Headers:
    """Return valid response headers, as built by build_response()."""
    return Headers(
        [
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Accept", ACCEPT),
        ]
    )


def replace(headers: Headers, name: str, *values: str) -> Headers:
    """Return a copy of ``headers`` where ``name`` has ``values``."""
    headers = headers.copy()
    del headers[name]
    for value in values:
        headers[name] = value
    return headers


# Happy paths


def test_build_request() -> None:
    headers = Headers(Host="server.example.com")
    with mock.patch("websockets.handshake.generate_key", return_value=KEY):
        key = build_request(headers)
    assert key == KEY
    assert list(headers.raw_items()) == [
        ("Host", "server.example.com"),
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Key", KEY),
        ("Sec-WebSocket-Version", "13"),
    ]


def test_build_request_generates_fresh_keys() -> None:
    keys = {build_request(Headers()) for _ in range(10)}
    assert len(keys) == 10
    for key in keys:
        assert len(base64.b64decode(key, validate=True)) == 16


def test_build_then_check_request() -> None:
    headers = Headers()
    key = build_request(headers)
    assert check_request(headers) == key


def test_check_request_rfc_example() -> None:
    assert check_request(request_headers()) == KEY


def test_build_response_rfc_example() -> None:
    headers = Headers()
    build_response(headers, KEY)
    assert list(headers.raw_items()) == [
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Accept", ACCEPT),
    ]


def test_check_response_rfc_example() -> None:
    check_response(response_headers(), KEY)


def test_full_handshake() -> None:
    request = Headers()
    client_key = build_request(request)
    server_key = check_request(request)
    response = Headers()
    build_response(response, server_key)
    check_response(response, client_key)


@given(st.binary(min_size=16, max_size=16))
def test_handshake_with_any_key(nonce: bytes) -> None:
    key = base64.b64encode(nonce).decode()
    request = replace(request_headers(), "Sec-WebSocket-Key", key)
    assert check_request(request) == key
    response = Headers()
    build_response(response, key)
    check_response(response, key)


# Connection and Upgrade, checked identically on both sides.

def check_request_with(name: str, *values: str) -> None:
    check_request(replace(request_headers(), name, *values))


def check_response_with(name: str, *values: str) -> None:
    check_response(replace(response_headers(), name, *values), KEY)


SIDES = [
    pytest.param(check_request_with, id="request"),
    pytest.param(check_response_with, id="response"),
]


@pytest.mark.parametrize("check", SIDES)
@pytest.mark.parametrize(
    "values",
    [
        ["Upgrade"],
        ["upgrade"],
        ["UPGRADE"],
        ["keep-alive, Upgrade"],
        ["Upgrade, keep-alive"],
        ["keep-alive", "Upgrade"],
        ["Upgrade", "close"],
        [",Upgrade,"],
    ],
)
def test_connection_valid(check: Callable[..., None], values: list[str]) -> None:
    check("Connection", *values)


@pytest.mark.parametrize("check", SIDES)
@pytest.mark.parametrize(
    ("values", "value"),
    [
        ([], None),
        (["keep-alive"], "keep-alive"),
        (["keep-alive", "close"], "keep-alive, close"),
        (["Upgrade2"], "Upgrade2"),
        (["websocket"], "websocket"),
    ],
)
def test_connection_invalid(
    check: Callable[..., None], values: list[str], value: Optional[str]
) -> None:
    with pytest.raises(InvalidUpgrade) as raised:
        check("Connection", *values)
    assert raised.value.name == "Connection"
    assert raised.value.value == value
    if value is None:
        assert str(raised.value) == "missing Connection header"
    else:
        assert str(raised.value) == f"invalid Connection header: {value}"


@pytest.mark.parametrize("check", SIDES)
@pytest.mark.parametrize(
    ("name", "value", "pos"),
    [
        ("Connection", "", 0),
        ("Connection", "Upgrade;", 7),
        ("Upgrade", "websocket/", 9),
    ],
)
def test_connection_upgrade_unparsable(
    check: Callable[..., None], name: str, value: str, pos: int
) -> None:
    with pytest.raises(InvalidHeaderFormat) as raised:
        check(name, value)
    assert raised.value.name == name
    assert raised.value.pos == pos


@pytest.mark.parametrize("check", SIDES)
@pytest.mark.parametrize(
    "values", [["websocket"], ["WebSocket"], ["WEBSOCKET"], ["websocket,"]]
)
def test_upgrade_valid(check: Callable[..., None], values: list[str]) -> None:
    check("Upgrade", *values)


@pytest.mark.parametrize("check", SIDES)
@pytest.mark.parametrize(
    ("values", "value"),
    [
        ([], None),
        (["h2c"], "h2c"),
        (["websocket/13"], "websocket/13"),
        (["websocket, h2c"], "websocket, h2c"),
        (["h2c, websocket"], "h2c, websocket"),
        (["websocket", "websocket"], "websocket, websocket"),
        (["websocket", "h2c"], "websocket, h2c"),
    ],
)
def test_upgrade_invalid(
    check: Callable[..., None], values: list[str], value: Optional[str]
) -> None:
    with pytest.raises(InvalidUpgrade) as raised:
        check("Upgrade", *values)
    assert raised.value.name == "Upgrade"
    assert raised.value.value == value


# Sec-WebSocket-Key


def test_check_request_missing_key() -> None:
    with pytest.raises(InvalidHeader) as raised:
        check_request_with("Sec-WebSocket-Key")
    assert type(raised.value) is InvalidHeader
    assert str(raised.value) == "missing Sec-WebSocket-Key header"


def test_check_request_duplicate_key() -> None:
    with pytest.raises(InvalidHeader) as raised:
        check_request_with("Sec-WebSocket-Key", KEY, KEY)
    assert type(raised.value) is InvalidHeader
    assert str(raised.value) == (
        "invalid Sec-WebSocket-Key header: "
        "more than one Sec-WebSocket-Key header found"
    )


@pytest.mark.parametrize(
    "key",
    [
        "",
        "not base64",
        "dGhlIHNhbXBsZSBub25jZQ",  # padding missing
        "dGhlIHNhbXBsZSBub25jZQ===",  # padding in excess
        "dGhlIHNhbXBsZSBub25jZR==",  # non-canonical last character
        "dGhlIHNhbXBsZSBub25j",  # 15 bytes
        "dGhlIHNhbXBsZSBub25jZSE=",  # 17 bytes
        "dGhlIHNhbXBs ZSBub25jZQ==",
        "dGhlIHNhbXBsZSBub25jZQ==\n",
        "dGhlIHNhbXBsZSBub25jZQ-_",
        "dGhlIHNhbXBsZSBub25jZ\u00e9==",
    ],
)
def test_check_request_invalid_key(key: str) -> None:
    with pytest.raises(InvalidHeaderValue) as raised:
        check_request_with("Sec-WebSocket-Key", key)
    assert raised.value.name == "Sec-WebSocket-Key"
    assert raised.value.value == key


def is_key(key: str) -> bool:
    # RFC 6455's definition, spelled with base64: 16 bytes, canonical.
    try:
        raw = base64.b64decode(key.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        return False
    return len(raw) == 16 and base64.b64encode(raw).decode() == key


@given(
    st.one_of(
        st.text(st.sampled_from("AQgwZz09+/=-_ \n\u00e9"), max_size=26),
        st.builds(
            lambda nonce, cut, extra: base64.b64encode(nonce).decode()[:cut] + extra,
            st.binary(min_size=15, max_size=17),
            st.integers(18, 26),
            st.sampled_from(["", "=", "A", "\n"]),
        ),
    )
)
def test_check_request_key_as_defined(key: str) -> None:
    try:
        check_request_with("Sec-WebSocket-Key", key)
    except InvalidHeaderValue:
        assert not is_key(key)
    else:
        assert is_key(key)


# Sec-WebSocket-Version


def test_check_request_missing_version() -> None:
    with pytest.raises(InvalidHeader) as raised:
        check_request_with("Sec-WebSocket-Version")
    assert type(raised.value) is InvalidHeader
    assert str(raised.value) == "missing Sec-WebSocket-Version header"


def test_check_request_duplicate_version() -> None:
    with pytest.raises(InvalidHeader) as raised:
        check_request_with("Sec-WebSocket-Version", "13", "13")
    assert type(raised.value) is InvalidHeader
    assert str(raised.value) == (
        "invalid Sec-WebSocket-Version header: "
        "more than one Sec-WebSocket-Version header found"
    )


@pytest.mark.parametrize("version", ["", "8", "12", "14", "13, 8", " 13", "013"])
def test_check_request_invalid_version(version: str) -> None:
    with pytest.raises(InvalidHeaderValue) as raised:
        check_request_with("Sec-WebSocket-Version", version)
    assert raised.value.name == "Sec-WebSocket-Version"
    assert raised.value.value == version


# Sec-WebSocket-Accept


def test_check_response_missing_accept() -> None:
    with pytest.raises(InvalidHeader) as raised:
        check_response_with("Sec-WebSocket-Accept")
    assert type(raised.value) is InvalidHeader
    assert str(raised.value) == "missing Sec-WebSocket-Accept header"


def test_check_response_duplicate_accept() -> None:
    with pytest.raises(InvalidHeader) as raised:
        check_response_with("Sec-WebSocket-Accept", ACCEPT, ACCEPT)
    assert type(raised.value) is InvalidHeader
    assert str(raised.value) == (
        "invalid Sec-WebSocket-Accept header: "
        "more than one Sec-WebSocket-Accept header found"
    )


@pytest.mark.parametrize(
    "accept",
    [
        "",
        KEY,
        ACCEPT.lower(),
        ACCEPT + " ",
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo",
    ],
)
def test_check_response_invalid_accept(accept: str) -> None:
    with pytest.raises(InvalidHeaderValue) as raised:
        check_response_with("Sec-WebSocket-Accept", accept)
    assert raised.value.name == "Sec-WebSocket-Accept"
    assert raised.value.value == accept


def test_check_response_with_another_key() -> None:
    other_key = base64.b64encode(b"another 16 bytes").decode()
    with pytest.raises(InvalidHeaderValue) as raised:
        check_response(response_headers(), other_key)
    assert raised.value.name == "Sec-WebSocket-Accept"
    assert raised.value.value == ACCEPT


# Order of checks: Connection, Upgrade, then the rest.


def test_check_request_checks_connection_first() -> None:
    with pytest.raises(InvalidUpgrade) as raised:
        check_request(Headers())
    assert raised.value.name == "Connection"


def test_check_request_checks_upgrade_before_key() -> None:
    with pytest.raises(InvalidUpgrade) as raised:
        check_request(Headers(Connection="Upgrade"))
    assert raised.value.name == "Upgrade"


def test_check_request_checks_key_before_version() -> None:
    headers = Headers(Connection="Upgrade", Upgrade="websocket")
    with pytest.raises(InvalidHeader) as raised:
        check_request(headers)
    assert raised.value.name == "Sec-WebSocket-Key"
