"""
WebSocket URIs (RFC 6455, section 3).

:func:`parse_uri` turns a ``ws://`` or ``wss://`` URI into a
:class:`WebSocketURI`, which holds what a client needs to open a connection:
whether to use TLS, the host and port to connect to, the resource name for
the request line, and optional credentials for HTTP Basic Auth.

:func:`build_host` does the reverse for the ``Host`` header.

"""

from __future__ import annotations

import ipaddress
import re
import urllib.parse
from typing import NamedTuple, Optional

from .exceptions import InvalidURI


__all__ = ["WebSocketURI", "parse_uri", "build_host"]


class WebSocketURI(NamedTuple):
    """
    A parsed WebSocket URI.

    Build it with :func:`parse_uri`.

    """

    #: ``True`` for ``wss``, ``False`` for ``ws``.
    secure: bool
    #: Host name, in ASCII (IDNA-encoded when the URI had a non-ASCII host),
    #: or IP address, without brackets for IPv6.
    host: str
    #: Port, the default for the scheme when the URI had none.
    port: int
    #: Path and query, percent-encoded, for the request line; ``"/"`` at
    #: least.
    resource_name: str
    #: ``(username, password)``, percent-decoded, when the URI had
    #: credentials, else :obj:`None`.
    user_info: Optional[tuple[str, str]] = None

    @property
    def username(self) -> Optional[str]:
        """Username from the user info, :obj:`None` when there is none."""
        return None if self.user_info is None else self.user_info[0]

    @property
    def password(self) -> Optional[str]:
        """Password from the user info, :obj:`None` when there is none."""
        return None if self.user_info is None else self.user_info[1]


# RFC 6455, section 3: "The port component is OPTIONAL; the default for "ws"
# is port 80, while the default for "wss" is port 443."
DEFAULT_PORTS = {False: 80, True: 443}

# Characters that may appear in a URI as they are (RFC 3986, section 2), and
# the subsets allowed in a host (reg-name) and in a path or query.
UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
SUB_DELIMS = "!$&'()*+,;="
HOST_CHARS = frozenset(UNRESERVED + SUB_DELIMS)
# RFC 3986: pchar = unreserved / pct-encoded / sub-delims / ":" / "@", and a
# query adds "/" and "?". "%" is kept because existing %XX escapes are valid.
RESOURCE_SAFE = UNRESERVED + SUB_DELIMS + ":@/?%"
# RFC 3986: userinfo = *( unreserved / pct-encoded / sub-delims / ":" ).
USER_INFO_CHARS = frozenset(UNRESERVED + SUB_DELIMS + ":%")

# A "%" must start a %XX escape (RFC 3986, section 2.1).
BAD_PERCENT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")

# Whitespace (as str.isspace() says: \s in a str pattern) and C0 and C1
# control characters.
BAD_CHAR_RE = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")

# A path or a query that needs no percent-encoding, the usual case.
SAFE_RESOURCE_RE = re.compile("[" + re.escape(RESOURCE_SAFE) + "]*")


def parse_uri(uri: str) -> WebSocketURI:
    """
    Parse and validate a WebSocket URI.

    The URI may be an IRI, with non-ASCII characters: they are converted as
    RFC 3987, section 3.1, says, the host with IDNA, the path and the query
    percent-encoded in UTF-8. Existing ``%XX`` escapes are kept as they are.

    Args:
        uri: WebSocket URI, such as ``"wss://example.com/chat?room=1"``.

    Returns:
        The parsed URI.

    Raises:
        InvalidURI: If ``uri`` isn't a valid WebSocket URI: a scheme other
            than ``ws`` or ``wss``, no host, a bad port, a fragment, user
            info without a password, whitespace or control characters, etc.

    """
    # Refuse rather than strip or encode: a stray space or newline is a
    # mistake or an attempt to inject headers via the request line.
    match = BAD_CHAR_RE.search(uri)
    if match is not None:
        raise InvalidURI(
            uri, f"whitespace or control character at position {match.start()}"
        )

    scheme, colon, rest = uri.partition(":")
    # RFC 3986, section 3.1: schemes are case-insensitive.
    scheme = scheme.lower()
    if not colon or scheme not in ("ws", "wss"):
        raise InvalidURI(uri, "scheme isn't ws or wss")
    secure = scheme == "wss"

    if not rest.startswith("//"):
        raise InvalidURI(uri, f"expected // after {scheme}:")
    rest = rest[2:]

    # The authority ends at the first "/", "?" or "#" (RFC 3986, section 3.2).
    end = len(rest)
    for delimiter in "/?#":
        index = rest.find(delimiter)
        if index != -1 and index < end:
            end = index
    authority, rest = rest[:end], rest[end:]

    # RFC 6455, section 3: "Fragment identifiers are meaningless in the
    # context of WebSocket URIs and MUST NOT be used on these URIs."
    if "#" in rest:
        raise InvalidURI(uri, "fragment isn't allowed")

    user_info: Optional[tuple[str, str]] = None
    if "@" in authority:
        raw_user_info, _, authority = authority.rpartition("@")
        user_info = _parse_user_info(uri, raw_user_info)

    host, port = _parse_host_port(uri, authority, secure)

    path, _, query = rest.partition("?")
    resource_name = _encode_resource(uri, path or "/")
    if query:
        resource_name += "?" + _encode_resource(uri, query)

    return WebSocketURI(secure, host, port, resource_name, user_info)


def _parse_user_info(uri: str, user_info: str) -> tuple[str, str]:
    """Split and percent-decode ``username:password``."""
    username, colon, password = user_info.partition(":")
    # Credentials are for HTTP Basic Auth, which needs both parts.
    if not colon:
        raise InvalidURI(uri, "user info without a password")
    invalid = {char for char in user_info if char.isascii()} - USER_INFO_CHARS
    if invalid:
        raise InvalidURI(uri, f"invalid character in user info: {min(invalid)}")
    if BAD_PERCENT_RE.search(user_info):
        raise InvalidURI(uri, "invalid percent-encoding in user info")
    try:
        return (
            urllib.parse.unquote(username, errors="strict"),
            urllib.parse.unquote(password, errors="strict"),
        )
    except UnicodeDecodeError:
        raise InvalidURI(uri, "user info isn't UTF-8 once percent-decoded") from None


def _parse_host_port(uri: str, authority: str, secure: bool) -> tuple[str, int]:
    """Split and validate ``host[:port]``; IPv6 literals are bracketed."""
    if authority.startswith("["):
        literal, bracket, port_part = authority[1:].partition("]")
        if not bracket:
            raise InvalidURI(uri, "missing ] after IPv6 address")
        # Zone identifiers (RFC 6874) and IPvFuture aren't supported.
        try:
            if "%" in literal:
                raise ValueError
            ipaddress.IPv6Address(literal)
        except ValueError:
            raise InvalidURI(uri, f"invalid IPv6 address: {literal}") from None
        host = literal.lower()
        if port_part and not port_part.startswith(":"):
            raise InvalidURI(uri, "expected : or end of host after IPv6 address")
        port_text = port_part[1:]
    else:
        host, _, port_text = authority.partition(":")
        if not host:
            raise InvalidURI(uri, "missing host")
        if not host.isascii():
            # RFC 3987, section 3.1: the host of an IRI is converted with IDNA.
            try:
                host = host.encode("idna").decode("ascii")
            except UnicodeError:
                raise InvalidURI(
                    uri, f"invalid internationalized host: {host}"
                ) from None
        invalid = set(host) - HOST_CHARS
        if invalid:
            raise InvalidURI(uri, f"invalid character in host: {min(invalid)}")
        # RFC 3986, section 3.2.2: "The host subcomponent is case-insensitive."
        host = host.lower()

    # RFC 3986, section 3.2.3: an empty port means the default port.
    if not port_text:
        return host, DEFAULT_PORTS[secure]
    if not (port_text.isascii() and port_text.isdigit()):
        raise InvalidURI(uri, f"invalid port: {port_text}")
    port = int(port_text)
    if not 0 < port < 65536:
        raise InvalidURI(uri, f"port out of range: {port}")
    return host, port


def _encode_resource(uri: str, text: str) -> str:
    """Percent-encode what isn't allowed in a path or a query, in UTF-8."""
    if BAD_PERCENT_RE.search(text):
        raise InvalidURI(uri, "invalid percent-encoding in path or query")
    if SAFE_RESOURCE_RE.fullmatch(text):
        return text
    # "%" is safe, so existing escapes aren't encoded a second time.
    return urllib.parse.quote(text, safe=RESOURCE_SAFE, encoding="utf-8")


def build_host(host: str, port: int, secure: bool) -> str:
    """
    Build the value of the ``Host`` header.

    RFC 7230, section 5.4: the ``Host`` header holds the host and, when it
    isn't the default for the scheme, the port.

    Args:
        host: Host name or IP address, e.g. :attr:`WebSocketURI.host`.
        port: Port.
        secure: Whether the connection uses TLS (``wss``).

    Returns:
        ``host`` or ``host:port``; an IPv6 address is put in brackets.

    """
    # Only an IPv6 address contains colons: host names and IPv4 can't.
    if ":" in host:
        host = f"[{host}]"
    if port != DEFAULT_PORTS[secure]:
        host = f"{host}:{port}"
    return host
