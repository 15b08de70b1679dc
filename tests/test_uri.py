"""Tests for websockets.uri."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from websockets.exceptions import InvalidURI
from websockets.uri import WebSocketURI, build_host, parse_uri


VALID_URIS = [
    ("ws://localhost/", WebSocketURI(False, "localhost", 80, "/", None)),
    ("wss://localhost/", WebSocketURI(True, "localhost", 443, "/", None)),
    ("ws://localhost", WebSocketURI(False, "localhost", 80, "/", None)),
    ("ws://localhost:", WebSocketURI(False, "localhost", 80, "/", None)),
    ("ws://localhost:/", WebSocketURI(False, "localhost", 80, "/", None)),
    ("ws://localhost:8080/", WebSocketURI(False, "localhost", 8080, "/", None)),
    ("wss://localhost:443/", WebSocketURI(True, "localhost", 443, "/", None)),
    ("ws://localhost:1/", WebSocketURI(False, "localhost", 1, "/", None)),
    ("ws://localhost:65535/", WebSocketURI(False, "localhost", 65535, "/", None)),
    ("ws://localhost:0080/", WebSocketURI(False, "localhost", 80, "/", None)),
    ("WS://LocalHost/Path", WebSocketURI(False, "localhost", 80, "/Path", None)),
    ("WsS://example.com/", WebSocketURI(True, "example.com", 443, "/", None)),
    ("ws://127.0.0.1/", WebSocketURI(False, "127.0.0.1", 80, "/", None)),
    ("ws://[::1]/", WebSocketURI(False, "::1", 80, "/", None)),
    ("ws://[::1]", WebSocketURI(False, "::1", 80, "/", None)),
    ("ws://[::1]:8080/", WebSocketURI(False, "::1", 8080, "/", None)),
    ("wss://[::1]:/", WebSocketURI(True, "::1", 443, "/", None)),
    ("ws://[2001:DB8::1]/", WebSocketURI(False, "2001:db8::1", 80, "/", None)),
    (
        "ws://[::ffff:192.0.2.1]/",
        WebSocketURI(False, "::ffff:192.0.2.1", 80, "/", None),
    ),
    ("ws://localhost/path", WebSocketURI(False, "localhost", 80, "/path", None)),
    ("ws://localhost/a/b/", WebSocketURI(False, "localhost", 80, "/a/b/", None)),
    ("ws://localhost?", WebSocketURI(False, "localhost", 80, "/", None)),
    ("ws://localhost/?", WebSocketURI(False, "localhost", 80, "/", None)),
    ("ws://localhost?q", WebSocketURI(False, "localhost", 80, "/?q", None)),
    (
        "ws://localhost/path?a=1&b=2",
        WebSocketURI(False, "localhost", 80, "/path?a=1&b=2", None),
    ),
    (
        "ws://localhost/p?a=b?c/d",
        WebSocketURI(False, "localhost", 80, "/p?a=b?c/d", None),
    ),
    (
        "ws://localhost/%20%2F?x=%23",
        WebSocketURI(False, "localhost", 80, "/%20%2F?x=%23", None),
    ),
    (
        "ws://localhost/a:b@c!$&'()*+,;=-._~",
        WebSocketURI(False, "localhost", 80, "/a:b@c!$&'()*+,;=-._~", None),
    ),
    # ASCII characters that aren't allowed in a path or a query are encoded.
    (
        'ws://localhost/"<>\\^`{|}[]?"',
        WebSocketURI(
            False, "localhost", 80, "/%22%3C%3E%5C%5E%60%7B%7C%7D%5B%5D?%22", None
        ),
    ),
    (
        "ws://user:pass@localhost/",
        WebSocketURI(False, "localhost", 80, "/", ("user", "pass")),
    ),
    ("ws://user:@localhost/", WebSocketURI(False, "localhost", 80, "/", ("user", ""))),
    ("ws://:pass@localhost/", WebSocketURI(False, "localhost", 80, "/", ("", "pass"))),
    (
        "ws://user:pa:ss@localhost/",
        WebSocketURI(False, "localhost", 80, "/", ("user", "pa:ss")),
    ),
    (
        "ws://us%40er:p%3Ass@host/",
        WebSocketURI(False, "host", 80, "/", ("us@er", "p:ss")),
    ),
    (
        "wss://u%C3%A9:%E2%82%AC@[::1]:9000/",
        WebSocketURI(True, "::1", 9000, "/", ("u\u00e9", "\u20ac")),
    ),
    (
        "ws://u\u00e9:\u20ac@host/",
        WebSocketURI(False, "host", 80, "/", ("u\u00e9", "\u20ac")),
    ),
    # IRIs are converted to URIs.
    (
        "ws://b\u00fccher.example/",
        WebSocketURI(False, "xn--bcher-kva.example", 80, "/", None),
    ),
    (
        "ws://B\u00dcCHER.example/",
        WebSocketURI(False, "xn--bcher-kva.example", 80, "/", None),
    ),
    (
        "ws://localhost/caf\u00e9?q=\u00e9t\u00e9",
        WebSocketURI(False, "localhost", 80, "/caf%C3%A9?q=%C3%A9t%C3%A9", None),
    ),
    (
        "ws://localhost/\u20ac%20\U0001f600",
        WebSocketURI(False, "localhost", 80, "/%E2%82%AC%20%F0%9F%98%80", None),
    ),
    (
        "ws://localhost/%e2%82%ac\u20ac",
        WebSocketURI(False, "localhost", 80, "/%e2%82%ac%E2%82%AC", None),
    ),
]


@pytest.mark.parametrize(("uri", "parsed"), VALID_URIS)
def test_parse_uri(uri: str, parsed: WebSocketURI) -> None:
    assert parse_uri(uri) == parsed


INVALID_URIS = [
    ("", "scheme isn't ws or wss"),
    ("localhost", "scheme isn't ws or wss"),
    ("http://localhost/", "scheme isn't ws or wss"),
    ("https://localhost/", "scheme isn't ws or wss"),
    ("wsx://localhost/", "scheme isn't ws or wss"),
    ("ws+unix://localhost/", "scheme isn't ws or wss"),
    ("ws:localhost", "expected // after ws:"),
    ("WSS:/localhost", "expected // after wss:"),
    ("ws://", "missing host"),
    ("ws:///", "missing host"),
    ("ws://:8080/", "missing host"),
    ("ws://user:pass@/", "missing host"),
    ("ws://?q", "missing host"),
    ("ws://localhost/#fragment", "fragment isn't allowed"),
    ("ws://localhost#", "fragment isn't allowed"),
    ("ws://localhost/?q#f", "fragment isn't allowed"),
    ("ws://localhost:x/", "invalid port: x"),
    ("ws://localhost:-1/", "invalid port: -1"),
    ("ws://localhost:+80/", "invalid port: +80"),
    ("ws://localhost:8080:90/", "invalid port: 8080:90"),
    ("ws://localhost:\uff18\uff10/", "invalid port: \uff18\uff10"),
    ("ws://localhost:0/", "port out of range: 0"),
    ("ws://localhost:65536/", "port out of range: 65536"),
    ("ws://localhost:99999999999999999999/", "port out of range: 99999999999999999999"),
    ("ws://::1/", "missing host"),
    ("ws://[::1/", "missing ] after IPv6 address"),
    ("ws://[::1]x/", "expected : or end of host after IPv6 address"),
    ("ws://[::1]:x/", "invalid port: x"),
    ("ws://[]/", "invalid IPv6 address: "),
    ("ws://[::g]/", "invalid IPv6 address: ::g"),
    ("ws://[127.0.0.1]/", "invalid IPv6 address: 127.0.0.1"),
    ("ws://[v1.fe]/", "invalid IPv6 address: v1.fe"),
    ("ws://[fe80::1%25eth0]/", "invalid IPv6 address: fe80::1%25eth0"),
    ("ws://local<host/", "invalid character in host: <"),
    ("ws://local%41host/", "invalid character in host: %"),
    ("ws://local\\host/", "invalid character in host: \\"),
    ("ws://[::1]@host/", "invalid character in user info: ["),
    ("ws://\u00e9" + "a" * 70 + ".com/", "invalid internationalized host: "),
    ("ws://user@localhost/", "user info without a password"),
    ("ws://@localhost/", "user info without a password"),
    ("ws://a@b:c@localhost/", "invalid character in user info: @"),
    ('ws://us"er:pass@localhost/', 'invalid character in user info: "'),
    ("ws://user:%zz@localhost/", "invalid percent-encoding in user info"),
    ("ws://user:%4@localhost/", "invalid percent-encoding in user info"),
    ("ws://user:%ff@localhost/", "user info isn't UTF-8 once percent-decoded"),
    ("ws://localhost/100%", "invalid percent-encoding in path or query"),
    ("ws://localhost/%zz", "invalid percent-encoding in path or query"),
    ("ws://localhost/?q=%4", "invalid percent-encoding in path or query"),
    ("ws://local host/", "whitespace or control character at position 10"),
    (" ws://localhost/", "whitespace or control character at position 0"),
    ("ws://localhost/ ", "whitespace or control character at position 15"),
    ("ws://localhost/\t", "whitespace or control character at position 15"),
    ("ws://localhost/\r\nX: y", "whitespace or control character at position 15"),
    ("ws://localhost/\x00", "whitespace or control character at position 15"),
    ("ws://localhost/\x7f", "whitespace or control character at position 15"),
    ("ws://localhost/\x85", "whitespace or control character at position 15"),
    ("ws://localhost/\x9f", "whitespace or control character at position 15"),
    ("ws://localhost/\u3000", "whitespace or control character at position 15"),
]


@pytest.mark.parametrize(("uri", "msg"), INVALID_URIS)
def test_parse_uri_invalid(uri: str, msg: str) -> None:
    with pytest.raises(InvalidURI) as raised:
        parse_uri(uri)
    assert raised.value.uri == uri
    # Messages about an IDNA failure end with the host: check the start.
    assert raised.value.msg.startswith(msg)
    if not msg.endswith(": "):
        assert raised.value.msg == msg
    assert str(raised.value) == f"{uri} isn't a valid URI: {raised.value.msg}"


def test_parse_uri_idna_message() -> None:
    host = "\u00e9" + "a" * 70 + ".com"
    with pytest.raises(InvalidURI) as raised:
        parse_uri(f"ws://{host}/")
    assert raised.value.msg == f"invalid internationalized host: {host}"


def test_user_info_properties() -> None:
    uri = parse_uri("wss://user:secret@example.com/")
    assert uri.username == "user"
    assert uri.password == "secret"


def test_user_info_properties_without_user_info() -> None:
    uri = parse_uri("wss://example.com/")
    assert uri.username is None
    assert uri.password is None


def test_websocket_uri_is_a_tuple() -> None:
    uri = parse_uri("wss://user:secret@example.com:8443/chat?room=1")
    secure, host, port, resource_name, user_info = uri
    assert (secure, host, port, resource_name, user_info) == (
        True,
        "example.com",
        8443,
        "/chat?room=1",
        ("user", "secret"),
    )
    assert WebSocketURI(True, "example.com", 443, "/").user_info is None


@pytest.mark.parametrize(
    ("host", "port", "secure", "expected"),
    [
        ("localhost", 80, False, "localhost"),
        ("localhost", 443, True, "localhost"),
        ("localhost", 443, False, "localhost:443"),
        ("localhost", 80, True, "localhost:80"),
        ("localhost", 8080, False, "localhost:8080"),
        ("localhost", 8443, True, "localhost:8443"),
        ("127.0.0.1", 80, False, "127.0.0.1"),
        ("127.0.0.1", 8080, False, "127.0.0.1:8080"),
        ("::1", 80, False, "[::1]"),
        ("::1", 443, True, "[::1]"),
        ("::1", 8080, False, "[::1]:8080"),
        ("2001:db8::1", 80, True, "[2001:db8::1]:80"),
    ],
)
def test_build_host(host: str, port: int, secure: bool, expected: str) -> None:
    assert build_host(host, port, secure) == expected


@pytest.mark.parametrize(
    "uri",
    [
        "ws://localhost/",
        "wss://example.com:8443/path?q",
        "ws://[::1]:8080/",
        "wss://[2001:db8::1]/",
    ],
)
def test_build_host_from_parsed_uri(uri: str) -> None:
    parsed = parse_uri(uri)
    host = build_host(parsed.host, parsed.port, parsed.secure)
    assert uri.split("//")[1].split("/")[0] == host


PATH_CHARS = st.characters(
    # No surrogates (they can't be encoded), no whitespace, no controls.
    blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc"),
    blacklist_characters="#%",
)


@given(path=st.text(PATH_CHARS), query=st.text(PATH_CHARS))
def test_resource_name_is_ascii_and_idempotent(path: str, query: str) -> None:
    uri = f"ws://localhost/{path}?{query}"
    resource_name = parse_uri(uri).resource_name
    assert resource_name.isascii()
    assert resource_name.startswith("/")
    # Encoding doesn't encode existing escapes a second time.
    assert parse_uri(f"ws://localhost{resource_name}").resource_name == resource_name
