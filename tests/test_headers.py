"""Tests for websockets.headers."""

from __future__ import annotations

import base64
from typing import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from websockets.exceptions import InvalidHeaderFormat, InvalidHeaderValue
from websockets.headers import (
    build_authorization_basic,
    build_extension,
    build_extension_list,
    build_subprotocol,
    build_subprotocol_list,
    build_www_authenticate_basic,
    parse_authorization_basic,
    parse_connection,
    parse_extension,
    parse_extension_list,
    parse_subprotocol,
    parse_subprotocol_list,
    parse_upgrade,
    validate_subprotocols,
)
from websockets.typing import ExtensionHeader, ExtensionName, Subprotocol


def check_format_error(
    parse: Callable[[str], object],
    header: str,
    name: str,
    error: str,
    pos: int,
) -> None:
    """Check that ``parse(header)`` raises the expected InvalidHeaderFormat."""
    with pytest.raises(InvalidHeaderFormat) as raised:
        parse(header)
    exc = raised.value
    assert (exc.name, exc.error, exc.header, exc.pos) == (name, error, header, pos)
    assert exc.value == f"{error} at {pos} in {header}"
    assert str(exc) == f"invalid {name} header: {error} at {pos} in {header}"


# Connection


@pytest.mark.parametrize(
    ("header", "parsed"),
    [
        ("Upgrade", ["Upgrade"]),
        ("upgrade", ["upgrade"]),
        ("keep-alive, Upgrade", ["keep-alive", "Upgrade"]),
        ("keep-alive,Upgrade", ["keep-alive", "Upgrade"]),
        ("keep-alive \t,\t Upgrade", ["keep-alive", "Upgrade"]),
        # RFC 7230, section 7: empty list elements are accepted.
        (",Upgrade", ["Upgrade"]),
        (", ,Upgrade", ["Upgrade"]),
        ("Upgrade,", ["Upgrade"]),
        ("Upgrade, ,", ["Upgrade"]),
        ("Upgrade,,, close", ["Upgrade", "close"]),
        ("  Upgrade  ", ["Upgrade"]),
        ("a!#$%&'*+-.^_`|~9", ["a!#$%&'*+-.^_`|~9"]),
    ],
)
def test_parse_connection(header: str, parsed: list[str]) -> None:
    assert parse_connection(header) == parsed


@pytest.mark.parametrize(
    ("header", "error", "pos"),
    [
        ("", "expected token", 0),
        (" ", "expected token", 1),
        (",", "expected token", 1),
        (", ,", "expected token", 3),
        ('"Upgrade"', "expected token", 0),
        ("keep-alive Upgrade", "expected comma", 11),
        ("Upgrade;", "expected comma", 7),
        ("keep-alive, @", "expected token", 12),
        ("keep-alive,, @", "expected token", 13),
    ],
)
def test_parse_connection_invalid(header: str, error: str, pos: int) -> None:
    check_format_error(parse_connection, header, "Connection", error, pos)


# Upgrade


@pytest.mark.parametrize(
    ("header", "parsed"),
    [
        ("websocket", ["websocket"]),
        ("WebSocket", ["WebSocket"]),
        ("HTTP/2.0, websocket", ["HTTP/2.0", "websocket"]),
        ("websocket/13", ["websocket/13"]),
        ("SHTTP/1.3, IRC/6.9, RTA/x11", ["SHTTP/1.3", "IRC/6.9", "RTA/x11"]),
        (",websocket,", ["websocket"]),
    ],
)
def test_parse_upgrade(header: str, parsed: list[str]) -> None:
    assert parse_upgrade(header) == parsed


@pytest.mark.parametrize(
    ("header", "error", "pos"),
    [
        ("", "expected protocol", 0),
        (",", "expected protocol", 1),
        ("/13", "expected protocol", 0),
        ("websocket/", "expected comma", 9),
        ("websocket/13/1", "expected comma", 12),
        ("websocket websocket", "expected comma", 10),
        ("http/2.0, (x)", "expected protocol", 10),
    ],
)
def test_parse_upgrade_invalid(header: str, error: str, pos: int) -> None:
    check_format_error(parse_upgrade, header, "Upgrade", error, pos)


# Sec-WebSocket-Extensions


@pytest.mark.parametrize(
    ("header", "parsed"),
    [
        ("foo", [("foo", [])]),
        ("foo, bar", [("foo", []), ("bar", [])]),
        ("foo; bar", [("foo", [("bar", None)])]),
        ("foo;bar", [("foo", [("bar", None)])]),
        ("foo ; bar ;baz", [("foo", [("bar", None), ("baz", None)])]),
        ("foo; bar=1", [("foo", [("bar", "1")])]),
        ("foo; bar = 1", [("foo", [("bar", "1")])]),
        ("foo;bar=\t1\t;baz", [("foo", [("bar", "1"), ("baz", None)])]),
        ('foo; bar="1"', [("foo", [("bar", "1")])]),
        ('foo; bar="b\\az"', [("foo", [("bar", "baz")])]),
        ('foo; bar = "baz"', [("foo", [("bar", "baz")])]),
        (
            "permessage-deflate; client_max_window_bits, "
            "permessage-deflate; server_no_context_takeover",
            [
                ("permessage-deflate", [("client_max_window_bits", None)]),
                ("permessage-deflate", [("server_no_context_takeover", None)]),
            ],
        ),
        (
            "permessage-deflate; client_max_window_bits=10; "
            'server_max_window_bits="12"',
            [
                (
                    "permessage-deflate",
                    [
                        ("client_max_window_bits", "10"),
                        ("server_max_window_bits", "12"),
                    ],
                )
            ],
        ),
        (",  foo ;bar=baz ,, qux", [("foo", [("bar", "baz")]), ("qux", [])]),
    ],
)
def test_parse_extension(header: str, parsed: list[ExtensionHeader]) -> None:
    assert parse_extension(header) == parsed
    assert parse_extension_list(header) == parsed


@pytest.mark.parametrize(
    ("header", "error", "pos"),
    [
        ("", "expected token", 0),
        (",", "expected token", 1),
        (";bar", "expected token", 0),
        ("foo;", "expected token", 4),
        ("foo; ", "expected token", 5),
        ("foo;;bar", "expected token", 4),
        ("foo; =1", "expected token", 5),
        ("foo; bar=", "expected token", 9),
        ("foo; bar= ", "expected token", 10),
        ("foo; bar=1=2", "expected comma", 10),
        ("foo; bar baz", "expected comma", 9),
        ("foo bar", "expected comma", 4),
        ('foo; bar="baz', "expected quoted string", 9),
        ('foo; bar="b"az"', "expected comma", 12),
        ('foo; bar="\x00"', "expected quoted string", 9),
        ('foo; bar="b\\\naz"', "expected quoted string", 9),
        # RFC 6455, section 9.1: a quoted value must be a token once unquoted.
        ('foo; bar=""', "invalid quoted header content", 9),
        ('foo; bar="b z"', "invalid quoted header content", 9),
        ('foo; bar="b,z"', "invalid quoted header content", 9),
        ('foo; bar="\\""', "invalid quoted header content", 9),
        ('foo; bar="\u00e9"', "invalid quoted header content", 9),
        ('"foo"', "expected token", 0),
        ('foo; "bar"', "expected token", 5),
    ],
)
def test_parse_extension_invalid(header: str, error: str, pos: int) -> None:
    check_format_error(parse_extension, header, "Sec-WebSocket-Extensions", error, pos)


@pytest.mark.parametrize(
    ("extensions", "header"),
    [
        ([], ""),
        ([(ExtensionName("foo"), [])], "foo"),
        ([(ExtensionName("foo"), []), (ExtensionName("bar"), [])], "foo, bar"),
        ([(ExtensionName("foo"), [("bar", None)])], "foo; bar"),
        ([(ExtensionName("foo"), [("bar", "1"), ("baz", None)])], "foo; bar=1; baz"),
        (
            [
                (
                    ExtensionName("permessage-deflate"),
                    [("server_no_context_takeover", None)],
                ),
                (ExtensionName("permessage-deflate"), []),
            ],
            "permessage-deflate; server_no_context_takeover, permessage-deflate",
        ),
    ],
)
def test_build_extension(extensions: list[ExtensionHeader], header: str) -> None:
    assert build_extension(extensions) == header
    assert build_extension_list(extensions) == header


@pytest.mark.parametrize(
    ("extensions", "message"),
    [
        ([(ExtensionName(""), [])], "invalid extension name: ''"),
        ([(ExtensionName("foo bar"), [])], "invalid extension name: 'foo bar'"),
        ([(ExtensionName("foo\r\nX"), [])], "invalid extension name: 'foo\\r\\nX'"),
        (
            [(ExtensionName("foo"), [("b;r", None)])],
            "invalid extension parameter name: 'b;r'",
        ),
        (
            [(ExtensionName("foo"), [("bar", "")])],
            "invalid extension parameter value: ''",
        ),
        (
            [(ExtensionName("foo"), [("bar", '"1"')])],
            "invalid extension parameter value: '\"1\"'",
        ),
    ],
)
def test_build_extension_invalid(
    extensions: list[ExtensionHeader], message: str
) -> None:
    with pytest.raises(ValueError) as raised:
        build_extension(extensions)
    assert str(raised.value) == message


TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
tokens = st.text(st.sampled_from(TCHARS), min_size=1, max_size=10)
extension_parameters = st.tuples(tokens, st.one_of(st.none(), tokens))
extension_headers = st.tuples(
    tokens.map(ExtensionName), st.lists(extension_parameters, max_size=4)
)


@given(st.lists(extension_headers, min_size=1, max_size=4))
def test_extension_round_trip(extensions: list[ExtensionHeader]) -> None:
    assert parse_extension(build_extension(extensions)) == extensions


@given(
    name=tokens,
    value=tokens,
    ows1=st.sampled_from(["", " ", "\t", " \t "]),
    ows2=st.sampled_from(["", " ", "\t", " \t "]),
)
def test_extension_quoted_value_is_unquoted(
    name: str, value: str, ows1: str, ows2: str
) -> None:
    # Escape every character, which quoted-pair allows.
    quoted = '"' + "".join("\\" + char for char in value) + '"'
    header = f"ext{ows1};{ows2}{name}{ows1}={ows2}{quoted}{ows1}"
    assert parse_extension(header) == [("ext", [(name, value)])]


# Sec-WebSocket-Protocol


@pytest.mark.parametrize(
    ("header", "parsed"),
    [
        ("chat", ["chat"]),
        ("chat, superchat", ["chat", "superchat"]),
        ("chat,superchat", ["chat", "superchat"]),
        (" chat ,, superchat ,", ["chat", "superchat"]),
        ("v1.json.api", ["v1.json.api"]),
    ],
)
def test_parse_subprotocol(header: str, parsed: list[Subprotocol]) -> None:
    assert parse_subprotocol(header) == parsed
    assert parse_subprotocol_list(header) == parsed


@pytest.mark.parametrize(
    ("header", "error", "pos"),
    [
        ("", "expected token", 0),
        (",", "expected token", 1),
        ("chat superchat", "expected comma", 5),
        ("chat, super/chat", "expected comma", 11),
        ('"chat"', "expected token", 0),
    ],
)
def test_parse_subprotocol_invalid(header: str, error: str, pos: int) -> None:
    check_format_error(parse_subprotocol, header, "Sec-WebSocket-Protocol", error, pos)


@pytest.mark.parametrize(
    ("subprotocols", "header"),
    [
        ([], ""),
        ([Subprotocol("chat")], "chat"),
        ([Subprotocol("chat"), Subprotocol("superchat")], "chat, superchat"),
        ((Subprotocol("chat"), Subprotocol("superchat")), "chat, superchat"),
    ],
)
def test_build_subprotocol(subprotocols: list[Subprotocol], header: str) -> None:
    assert build_subprotocol(subprotocols) == header
    assert build_subprotocol_list(subprotocols) == header


@given(st.lists(tokens, min_size=1, max_size=6, unique=True))
def test_subprotocol_round_trip(subprotocols: list[Subprotocol]) -> None:
    assert parse_subprotocol(build_subprotocol(subprotocols)) == subprotocols


@pytest.mark.parametrize(
    "subprotocols",
    [[], [Subprotocol("chat")], (Subprotocol("a"), Subprotocol("b"))],
)
def test_validate_subprotocols(subprotocols: list[Subprotocol]) -> None:
    validate_subprotocols(subprotocols)


@pytest.mark.parametrize(
    ("subprotocols", "exc_type", "message"),
    [
        ("chat", TypeError, "subprotocols must be a list, not str"),
        (b"chat", TypeError, "subprotocols must be a list, not bytes"),
        ([b"chat"], TypeError, "subprotocol must be a str, not bytes"),
        (["chat", None], TypeError, "subprotocol must be a str, not NoneType"),
        ([""], ValueError, "invalid subprotocol: ''"),
        (["chat room"], ValueError, "invalid subprotocol: 'chat room'"),
        (["chat,room"], ValueError, "invalid subprotocol: 'chat,room'"),
        (["chat\r\nX: y"], ValueError, "invalid subprotocol: 'chat\\r\\nX: y'"),
        (["chat", "chat"], ValueError, "duplicate subprotocol: chat"),
    ],
)
def test_validate_subprotocols_invalid(
    subprotocols: object, exc_type: type[Exception], message: str
) -> None:
    with pytest.raises(exc_type) as raised:
        validate_subprotocols(subprotocols)  # type: ignore[arg-type]
    assert str(raised.value) == message
    with pytest.raises(exc_type):
        build_subprotocol(subprotocols)  # type: ignore[arg-type]


# WWW-Authenticate


@pytest.mark.parametrize(
    ("realm", "header"),
    [
        ("", 'Basic realm="", charset="UTF-8"'),
        ("Protected", 'Basic realm="Protected", charset="UTF-8"'),
        ("my realm", 'Basic realm="my realm", charset="UTF-8"'),
        ('say "hi"', 'Basic realm="say \\"hi\\"", charset="UTF-8"'),
        ("back\\slash", 'Basic realm="back\\\\slash", charset="UTF-8"'),
        ("tab\there", 'Basic realm="tab\there", charset="UTF-8"'),
        ("caf\u00e9", 'Basic realm="caf\u00e9", charset="UTF-8"'),
    ],
)
def test_build_www_authenticate_basic(realm: str, header: str) -> None:
    assert build_www_authenticate_basic(realm) == header


@pytest.mark.parametrize(
    "realm", ["a\r\nSet-Cookie: x", "a\nb", "a\x00b", "a\x7fb", "a\x1bb"]
)
def test_build_www_authenticate_basic_invalid(realm: str) -> None:
    with pytest.raises(ValueError) as raised:
        build_www_authenticate_basic(realm)
    assert str(raised.value) == f"invalid character in quoted string: {realm!r}"


# Authorization


@pytest.mark.parametrize(
    ("username", "password", "header"),
    [
        ("Aladdin", "open sesame", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="),
        ("user", "", "Basic dXNlcjo="),
        ("", "", "Basic Og=="),
        ("user", "pa:ss", "Basic dXNlcjpwYTpzcw=="),
        # RFC 7617, section 2.1: the example with charset="UTF-8".
        ("test", "123\u00a3", "Basic dGVzdDoxMjPCow=="),
    ],
)
def test_authorization_basic(username: str, password: str, header: str) -> None:
    assert build_authorization_basic(username, password) == header
    assert parse_authorization_basic(header) == (username, password)


@pytest.mark.parametrize(
    ("header", "parsed"),
    [
        ("basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", ("Aladdin", "open sesame")),
        ("BASIC QWxhZGRpbjpvcGVuIHNlc2FtZQ==", ("Aladdin", "open sesame")),
        ("Basic   QWxhZGRpbjpvcGVuIHNlc2FtZQ==", ("Aladdin", "open sesame")),
    ],
)
def test_parse_authorization_basic(header: str, parsed: tuple[str, str]) -> None:
    assert parse_authorization_basic(header) == parsed


@pytest.mark.parametrize(
    ("header", "error", "pos"),
    [
        ("", "expected token", 0),
        (" Basic dXNlcjpwYXNz", "expected token", 0),
        ("Basic", "expected space after scheme", 5),
        ("Basic\tdXNlcjpwYXNz", "expected space after scheme", 5),
        ("Basic ", "expected token68", 6),
        ("Basic =", "expected token68", 6),
        ("Basic dXNlcjpwYXNz ", "expected end of string", 18),
        ("Basic dXNlcjpwYXNz x", "expected end of string", 18),
        ("Basic dXNlcjpw=YXNz", "expected end of string", 15),
        ("Basic dXNl,cjpwYXNz", "expected end of string", 10),
    ],
)
def test_parse_authorization_basic_invalid_format(
    header: str, error: str, pos: int
) -> None:
    check_format_error(parse_authorization_basic, header, "Authorization", error, pos)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Bearer dXNlcjpwYXNz", "unsupported scheme: Bearer"),
        ("Digest username=x", "unsupported scheme: Digest"),
        # Characters of token68 that aren't in the base64 alphabet.
        ("Basic dXNl-jpwYXNz", "expected base64-encoded credentials"),
        ("Basic dXNl.jpwYXNz", "expected base64-encoded credentials"),
        # Missing or excess padding.
        ("Basic dXNlcjpwYXM", "expected base64-encoded credentials"),
        ("Basic dXNlcjpwYXM===", "expected base64-encoded credentials"),
        ("Basic dXNlcjpwYXNz==", "expected base64-encoded credentials"),
        # Non-canonical: bits set after the last encoded byte.
        ("Basic dXNlcjpwYXN=", "expected base64-encoded credentials"),
        ("Basic dXNlcjpwYXR=", "expected base64-encoded credentials"),
        ("Basic /w==", "expected UTF-8-encoded credentials"),
        ("Basic dXNlcnBhc3M=", "expected username:password credentials"),
    ],
)
def test_parse_authorization_basic_invalid_value(header: str, message: str) -> None:
    with pytest.raises(InvalidHeaderValue) as raised:
        parse_authorization_basic(header)
    assert raised.value.name == "Authorization"
    assert raised.value.value == message
    assert str(raised.value) == f"invalid Authorization header: {message}"


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("us:er", "pass", "username can't contain a colon"),
        ("user\n", "pass", "credentials can't contain control characters"),
        ("user", "pa\x00ss", "credentials can't contain control characters"),
        ("user", "pass\x7f", "credentials can't contain control characters"),
        ("user", "pass\x85", "credentials can't contain control characters"),
    ],
)
def test_build_authorization_basic_invalid(
    username: str, password: str, message: str
) -> None:
    with pytest.raises(ValueError) as raised:
        build_authorization_basic(username, password)
    assert str(raised.value) == message


credentials = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")), max_size=20
)


@given(username=credentials.filter(lambda s: ":" not in s), password=credentials)
def test_authorization_basic_round_trip(username: str, password: str) -> None:
    header = build_authorization_basic(username, password)
    assert parse_authorization_basic(header) == (username, password)


@given(st.text(max_size=30))
def test_parse_authorization_basic_fuzz(header: str) -> None:
    # Any input is parsed or raises a documented exception.
    try:
        username, password = parse_authorization_basic("Basic " + header)
    except (InvalidHeaderFormat, InvalidHeaderValue):
        return
    encoded = header.lstrip(" ")
    assert base64.b64decode(encoded) == f"{username}:{password}".encode()


@given(st.text(max_size=30))
def test_parse_extension_fuzz(header: str) -> None:
    # Any input is parsed or raises InvalidHeaderFormat; what parses builds
    # back into a header that parses the same.
    try:
        extensions = parse_extension(header)
    except InvalidHeaderFormat:
        return
    assert parse_extension(build_extension(extensions)) == extensions
