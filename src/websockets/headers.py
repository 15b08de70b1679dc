"""
Parse and build the values of the HTTP headers of the WebSocket handshake.

The parsers follow the grammar of RFC 7230 (tokens, quoted strings,
comma-separated lists) and of RFC 6455, section 4 and 9.1 (extensions and
subprotocols), and RFC 7617 (Basic authentication). They descend recursively
over the header value, keeping a position, so an error says where it
happened: every parse error raises
:exc:`~websockets.exceptions.InvalidHeaderFormat` with that position.

The builders refuse values that the parsers wouldn't accept, so that no
user-supplied value can inject a CR or LF into the headers.

"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from typing import Callable, NewType, Optional, TypeVar

from .exceptions import InvalidHeaderFormat, InvalidHeaderValue
from .typing import (
    ExtensionHeader,
    ExtensionName,
    ExtensionParameter,
    Subprotocol,
)


__all__ = [
    "ConnectionOption",
    "UpgradeProtocol",
    "parse_connection",
    "parse_upgrade",
    "parse_extension",
    "build_extension",
    "parse_extension_list",
    "build_extension_list",
    "parse_subprotocol",
    "build_subprotocol",
    "parse_subprotocol_list",
    "build_subprotocol_list",
    "validate_subprotocols",
    "build_authorization_basic",
    "parse_authorization_basic",
    "build_www_authenticate_basic",
]


#: Option in a ``Connection`` header, such as ``Upgrade`` (a ``NewType`` of
#: :class:`str`).
ConnectionOption = NewType("ConnectionOption", str)

#: Protocol in an ``Upgrade`` header, such as ``websocket`` or ``HTTP/2.0``
#: (a ``NewType`` of :class:`str`).
UpgradeProtocol = NewType("UpgradeProtocol", str)


T = TypeVar("T")


# The grammar, from RFC 7230, section 3.2.3 and 3.2.6:
#
#   OWS            = *( SP / HTAB )
#   token          = 1*tchar
#   tchar          = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "."
#                  / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
#   quoted-string  = DQUOTE *( qdtext / quoted-pair ) DQUOTE
#   qdtext         = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
#   quoted-pair    = "\" ( HTAB / SP / VCHAR / obs-text )
#   obs-text       = %x80-FF
#
# Header values may have been decoded from bytes in any way, so any character
# above U+007F counts as obs-text.

_OWS_RE = re.compile(r"[\t ]*")

# tchar as a character class: the one spelling of it, which http.py uses too.
_TCHAR = r"[-!#$%&'*+.^_`|~0-9a-zA-Z]"

_TOKEN_RE = re.compile(_TCHAR + "+")

_QUOTED_STRING_RE = re.compile(
    r'"(?:[\t !#-\[\]-~\x80-\U0010ffff]|\\[\t -~\x80-\U0010ffff])*"'
)

_QUOTED_PAIR_RE = re.compile(r"\\(.)", re.DOTALL)

# What a quoted string may contain, before quoting: anything but controls.
_QUOTABLE_RE = re.compile(r"[\t -~\x80-\U0010ffff]*")

# RFC 7235, section 2.1: token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~"
# / "+" / "/" ) *"="
_TOKEN68_RE = re.compile(r"[A-Za-z0-9\-._~+/]+=*")

# RFC 7230, section 6.7: protocol = protocol-name ["/" protocol-version],
# where both are tokens.
_PROTOCOL_RE = re.compile(rf"{_TCHAR}+(?:/{_TCHAR}+)?")


def _peek_ahead(header: str, pos: int) -> Optional[str]:
    """Return the character at ``pos``, or :obj:`None` at the end."""
    return None if pos == len(header) else header[pos]


def _parse_ows(header: str, pos: int) -> int:
    """Skip optional whitespace; return the position after it."""
    # The pattern matches the empty string, so there is always a match.
    match = _OWS_RE.match(header, pos)
    assert match is not None
    return match.end()


def _parse_token(header: str, pos: int, header_name: str) -> tuple[str, int]:
    """Parse a token; return it and the position after it."""
    match = _TOKEN_RE.match(header, pos)
    if match is None:
        raise InvalidHeaderFormat(header_name, "expected token", header, pos)
    return match.group(), match.end()


def _parse_quoted_string(
    header: str, pos: int, header_name: str
) -> tuple[str, int]:
    """Parse a quoted string; return it unquoted and the position after it."""
    match = _QUOTED_STRING_RE.match(header, pos)
    if match is None:
        raise InvalidHeaderFormat(header_name, "expected quoted string", header, pos)
    return _QUOTED_PAIR_RE.sub(r"\1", match.group()[1:-1]), match.end()


def _build_quoted_string(value: str) -> str:
    """
    Quote a string for use as a quoted-string.

    Raises:
        ValueError: If ``value`` contains a control character, which a
            quoted-string can't carry (RFC 7230, section 3.2.6).

    """
    if _QUOTABLE_RE.fullmatch(value) is None:
        raise ValueError(f"invalid character in quoted string: {value!r}")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _parse_list(
    parse_item: Callable[[str, int, str], tuple[T, int]],
    header: str,
    pos: int,
    header_name: str,
) -> list[T]:
    """
    Parse a comma-separated list with at least one item.

    RFC 7230, section 7: ``1#element => *( "," OWS ) element *( OWS "," [ OWS
    element ] )``. A recipient MUST accept empty list elements, so commas in
    excess, at the start, middle or end, are skipped.

    """
    # The HTTP parser strips whitespace around header values; be tolerant
    # when the caller didn't.
    pos = _parse_ows(header, pos)

    # Empty elements before the first one.
    while _peek_ahead(header, pos) == ",":
        pos = _parse_ows(header, pos + 1)

    items = []
    while True:
        item, pos = parse_item(header, pos, header_name)
        items.append(item)
        pos = _parse_ows(header, pos)

        if pos == len(header):
            return items

        if header[pos] != ",":
            raise InvalidHeaderFormat(header_name, "expected comma", header, pos)
        pos = _parse_ows(header, pos + 1)

        # Empty elements between two items or at the end.
        while _peek_ahead(header, pos) == ",":
            pos = _parse_ows(header, pos + 1)
        if pos == len(header):
            return items


def _parse_connection_option(
    header: str, pos: int, header_name: str
) -> tuple[ConnectionOption, int]:
    """Parse one option of a ``Connection`` header."""
    item, pos = _parse_token(header, pos, header_name)
    return ConnectionOption(item), pos


def parse_connection(header: str) -> list[ConnectionOption]:
    """
    Parse a ``Connection`` header.

    RFC 7230, section 6.1: ``Connection = 1#connection-option``, where each
    option is a token. Options are returned as they are written; compare
    them case-insensitively.

    Args:
        header: Value of the ``Connection`` header.

    Returns:
        The options, in order.

    Raises:
        InvalidHeaderFormat: If ``header`` can't be parsed.

    """
    if _TOKEN_RE.fullmatch(header):  # the usual value: one option
        return [ConnectionOption(header)]
    return _parse_list(_parse_connection_option, header, 0, "Connection")


def _parse_upgrade_protocol(
    header: str, pos: int, header_name: str
) -> tuple[UpgradeProtocol, int]:
    """Parse one protocol of an ``Upgrade`` header."""
    match = _PROTOCOL_RE.match(header, pos)
    if match is None:
        raise InvalidHeaderFormat(header_name, "expected protocol", header, pos)
    return UpgradeProtocol(match.group()), match.end()


def parse_upgrade(header: str) -> list[UpgradeProtocol]:
    """
    Parse an ``Upgrade`` header.

    RFC 7230, section 6.7: ``Upgrade = 1#protocol``, where ``protocol =
    protocol-name ["/" protocol-version]``. Protocols are returned as they
    are written, such as ``"websocket"`` or ``"HTTP/2.0"``.

    Args:
        header: Value of the ``Upgrade`` header.

    Returns:
        The protocols, in order.

    Raises:
        InvalidHeaderFormat: If ``header`` can't be parsed.

    """
    if _PROTOCOL_RE.fullmatch(header):  # the usual value: one protocol
        return [UpgradeProtocol(header)]
    return _parse_list(_parse_upgrade_protocol, header, 0, "Upgrade")


def _parse_extension_param(
    header: str, pos: int, header_name: str
) -> tuple[ExtensionParameter, int]:
    """Parse ``token [ "=" ( token / quoted-string ) ]``."""
    name, pos = _parse_token(header, pos, header_name)
    pos = _parse_ows(header, pos)
    value: Optional[str] = None
    if _peek_ahead(header, pos) == "=":
        pos = _parse_ows(header, pos + 1)
        if _peek_ahead(header, pos) == '"':
            start = pos
            value, pos = _parse_quoted_string(header, pos, header_name)
            # RFC 6455, section 9.1: "When using the quoted-string syntax
            # variant, the value after quoted-string unescaping MUST conform
            # to the 'token' ABNF."
            if _TOKEN_RE.fullmatch(value) is None:
                raise InvalidHeaderFormat(
                    header_name, "invalid quoted header content", header, start
                )
        else:
            value, pos = _parse_token(header, pos, header_name)
    return (name, value), pos


def _parse_extension_item(
    header: str, pos: int, header_name: str
) -> tuple[ExtensionHeader, int]:
    """Parse ``extension-token *( ";" extension-param )``."""
    name, pos = _parse_token(header, pos, header_name)
    pos = _parse_ows(header, pos)
    parameters = []
    while _peek_ahead(header, pos) == ";":
        pos = _parse_ows(header, pos + 1)
        parameter, pos = _parse_extension_param(header, pos, header_name)
        parameters.append(parameter)
        pos = _parse_ows(header, pos)
    return (ExtensionName(name), parameters), pos


def parse_extension(header: str) -> list[ExtensionHeader]:
    """
    Parse a ``Sec-WebSocket-Extensions`` header.

    RFC 6455, section 9.1::

        Sec-WebSocket-Extensions = extension-list
        extension-list = 1#extension
        extension = extension-token *( ";" extension-param )
        extension-token = registered-token
        registered-token = token
        extension-param = token [ "=" (token | quoted-string) ]

    A quoted-string value is returned unquoted.

    Args:
        header: Value of the ``Sec-WebSocket-Extensions`` header.

    Returns:
        The extensions, in order, each as ``(name, [(parameter name,
        parameter value or None), ...])``.

    Raises:
        InvalidHeaderFormat: If ``header`` can't be parsed.

    """
    return _parse_list(_parse_extension_item, header, 0, "Sec-WebSocket-Extensions")


def _check_token(value: str, what: str) -> None:
    """Raise :exc:`ValueError` if ``value`` isn't a token."""
    if _TOKEN_RE.fullmatch(value) is None:
        raise ValueError(f"invalid {what}: {value!r}")


def _build_extension_item(
    name: ExtensionName, parameters: list[ExtensionParameter]
) -> str:
    """Build ``extension-token *( ";" extension-param )``."""
    _check_token(name, "extension name")
    parts: list[str] = [name]
    for param_name, param_value in parameters:
        _check_token(param_name, "extension parameter name")
        if param_value is None:
            parts.append(param_name)
        else:
            # Values are always tokens (RFC 6455, section 9.1), so they never
            # need quoting.
            _check_token(param_value, "extension parameter value")
            parts.append(f"{param_name}={param_value}")
    return "; ".join(parts)


def build_extension(extensions: Sequence[ExtensionHeader]) -> str:
    """
    Build a ``Sec-WebSocket-Extensions`` header.

    This is the reverse of :func:`parse_extension`.

    Args:
        extensions: Extensions, each as ``(name, [(parameter name,
            parameter value or None), ...])``.

    Returns:
        The header value; ``""`` when ``extensions`` is empty, in which case
        don't send the header.

    Raises:
        ValueError: If a name or a value isn't a token.

    """
    return ", ".join(
        _build_extension_item(name, parameters) for name, parameters in extensions
    )


def _parse_subprotocol_item(
    header: str, pos: int, header_name: str
) -> tuple[Subprotocol, int]:
    """Parse one subprotocol of a ``Sec-WebSocket-Protocol`` header."""
    item, pos = _parse_token(header, pos, header_name)
    return Subprotocol(item), pos


def parse_subprotocol(header: str) -> list[Subprotocol]:
    """
    Parse a ``Sec-WebSocket-Protocol`` header.

    RFC 6455, section 4.3: ``Sec-WebSocket-Protocol-Client = 1#token`` in a
    request; a response contains a single token.

    Args:
        header: Value of the ``Sec-WebSocket-Protocol`` header.

    Returns:
        The subprotocols, in order.

    Raises:
        InvalidHeaderFormat: If ``header`` can't be parsed.

    """
    return _parse_list(_parse_subprotocol_item, header, 0, "Sec-WebSocket-Protocol")


def validate_subprotocols(subprotocols: Sequence[Subprotocol]) -> None:
    """
    Check that ``subprotocols`` is a list of valid subprotocols.

    RFC 6455, section 4.1: the elements "MUST all be unique strings" that
    "MUST all be tokens". Call it on what the user passes, to fail early.

    Args:
        subprotocols: Subprotocols, in order of preference.

    Raises:
        TypeError: If ``subprotocols`` is a :class:`str` rather than a list,
            or if it contains something else than strings.
        ValueError: If a subprotocol isn't a token or appears twice.

    """
    # Callers may not be type-checked: check types at runtime too.
    items: Sequence[object] = subprotocols
    # A str is a sequence of strings, so this mistake would pass unnoticed.
    if isinstance(items, (str, bytes)):
        raise TypeError(f"subprotocols must be a list, not {type(items).__name__}")
    seen = set()
    for subprotocol in items:
        if not isinstance(subprotocol, str):
            raise TypeError(
                f"subprotocol must be a str, not {type(subprotocol).__name__}"
            )
        _check_token(subprotocol, "subprotocol")
        if subprotocol in seen:
            raise ValueError(f"duplicate subprotocol: {subprotocol}")
        seen.add(subprotocol)


def build_subprotocol(subprotocols: Sequence[Subprotocol]) -> str:
    """
    Build a ``Sec-WebSocket-Protocol`` header.

    This is the reverse of :func:`parse_subprotocol`.

    Args:
        subprotocols: Subprotocols, in order of preference.

    Returns:
        The header value; ``""`` when ``subprotocols`` is empty, in which
        case don't send the header.

    Raises:
        TypeError: As :func:`validate_subprotocols`.
        ValueError: As :func:`validate_subprotocols`.

    """
    validate_subprotocols(subprotocols)
    return ", ".join(subprotocols)


# Names of earlier versions.
parse_extension_list = parse_extension
build_extension_list = build_extension
parse_subprotocol_list = parse_subprotocol
build_subprotocol_list = build_subprotocol


def build_www_authenticate_basic(realm: str) -> str:
    """
    Build a ``WWW-Authenticate`` header for HTTP Basic Auth.

    RFC 7617, section 2 and 2.1: the challenge has a ``realm`` and says that
    credentials are encoded in UTF-8.

    Args:
        realm: Protection space, shown to users by browsers.

    Returns:
        ``Basic realm="...", charset="UTF-8"``.

    Raises:
        ValueError: If ``realm`` contains a control character.

    """
    return f'Basic realm={_build_quoted_string(realm)}, charset="UTF-8"'


def _parse_token68(header: str, pos: int, header_name: str) -> tuple[str, int]:
    """Parse a token68; return it and the position after it."""
    match = _TOKEN68_RE.match(header, pos)
    if match is None:
        raise InvalidHeaderFormat(header_name, "expected token68", header, pos)
    return match.group(), match.end()


def _parse_end(header: str, pos: int, header_name: str) -> None:
    """Check that parsing reached the end of the header."""
    if pos < len(header):
        raise InvalidHeaderFormat(header_name, "expected end of string", header, pos)


def parse_authorization_basic(header: str) -> tuple[str, str]:
    """
    Parse an ``Authorization`` header for HTTP Basic Auth.

    RFC 7617, section 2: ``credentials = "Basic" 1*SP token68``, where the
    token68 is ``user-id ":" password`` encoded in base64. The scheme is
    case-insensitive; the base64 encoding must be strict (padded, canonical);
    the decoded credentials must be UTF-8, as the challenge built by
    :func:`build_www_authenticate_basic` asks.

    Args:
        header: Value of the ``Authorization`` header.

    Returns:
        ``(username, password)``, split on the first colon.

    Raises:
        InvalidHeaderFormat: If ``header`` can't be parsed.
        InvalidHeaderValue: If the scheme isn't ``Basic`` or the credentials
            aren't valid.

    """
    scheme, pos = _parse_token(header, 0, "Authorization")
    # RFC 7235, section 2.1: the scheme is a case-insensitive token.
    if scheme.lower() != "basic":
        raise InvalidHeaderValue("Authorization", f"unsupported scheme: {scheme}")
    if _peek_ahead(header, pos) != " ":
        raise InvalidHeaderFormat(
            "Authorization", "expected space after scheme", header, pos
        )
    while _peek_ahead(header, pos) == " ":
        pos += 1
    basic_credentials, pos = _parse_token68(header, pos, "Authorization")
    _parse_end(header, pos, "Authorization")

    try:
        user_pass_bytes = base64.b64decode(basic_credentials, validate=True)
    except binascii.Error:
        raise InvalidHeaderValue(
            "Authorization", "expected base64-encoded credentials"
        ) from None
    # b64decode accepts a few non-canonical encodings; refuse them too.
    if base64.b64encode(user_pass_bytes).decode() != basic_credentials:
        raise InvalidHeaderValue("Authorization", "expected base64-encoded credentials")
    try:
        user_pass = user_pass_bytes.decode()
    except UnicodeDecodeError:
        raise InvalidHeaderValue(
            "Authorization", "expected UTF-8-encoded credentials"
        ) from None

    # RFC 7617, section 2: "a user-id containing a colon character is
    # invalid", so the first colon separates user-id and password.
    username, colon, password = user_pass.partition(":")
    if not colon:
        raise InvalidHeaderValue(
            "Authorization", "expected username:password credentials"
        )
    return username, password


def build_authorization_basic(username: str, password: str) -> str:
    """
    Build an ``Authorization`` header for HTTP Basic Auth.

    This is the reverse of :func:`parse_authorization_basic`.

    Args:
        username: User name; it can't contain a colon.
        password: Password.

    Returns:
        ``Basic`` followed by the credentials, encoded in UTF-8 and base64.

    Raises:
        ValueError: If ``username`` contains a colon, or if either contains
            a control character.

    """
    # RFC 7617, section 2: "a user-id containing a colon character is
    # invalid" and "The user-id and password MUST NOT contain any control
    # characters".
    if ":" in username:
        raise ValueError("username can't contain a colon")
    for value in (username, password):
        if any(ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 for char in value):
            raise ValueError("credentials can't contain control characters")
    user_pass = f"{username}:{password}"
    return "Basic " + base64.b64encode(user_pass.encode()).decode()
