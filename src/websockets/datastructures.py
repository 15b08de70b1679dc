"""
:class:`Headers`, the case-insensitive multi-dict of HTTP headers.

It is also importable as ``websockets.http.Headers``, its classic location.

"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import Any, Protocol, Union, cast


__all__ = ["Headers", "HeadersLike", "MultipleValuesError"]


class MultipleValuesError(LookupError):
    """
    Raised by ``headers[name]`` when the header appears several times.

    Use :meth:`Headers.get_all` to read every value.

    """

    def __str__(self) -> str:
        # Like KeyError, show the key with repr() rather than as text.
        if len(self.args) == 1:
            return repr(self.args[0])
        return super().__str__()


class Headers(MutableMapping[str, str]):
    """
    Case-insensitive multi-dict of HTTP headers.

    Most headers appear once: ``headers[name]`` returns the value of the
    header ``name``, whatever its case, and raises :exc:`KeyError` when it is
    missing. When it appears several times, ``headers[name]`` raises
    :exc:`MultipleValuesError`; :meth:`get_all` returns every value.

    ``headers[name] = value`` *adds* a header, it doesn't replace one: this is
    what HTTP needs for headers such as ``Set-Cookie``. ``del headers[name]``
    removes every header called ``name``.

    Iterating gives each header name once, in lower case. :meth:`raw_items`
    gives the ``(name, value)`` pairs as they were added, names in their
    original case.

    Build it like a :class:`dict`: from a mapping, from an iterable of
    ``(name, value)`` pairs, from keyword arguments, or from another
    :class:`Headers` (which copies every value).

    """

    __slots__ = ["_dict", "_list"]

    def __init__(self, *args: HeadersLike, **kwargs: str) -> None:
        # Values by lower-case name, and every (name, value) pair in order.
        self._dict: dict[str, list[str]] = {}
        self._list: list[tuple[str, str]] = []
        if args or kwargs:
            self.update(*args, **kwargs)

    def __str__(self) -> str:
        """Serialize as an HTTP header block, with a blank line at the end."""
        return "".join(f"{key}: {value}\r\n" for key, value in self._list) + "\r\n"

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self._list!r})"

    def copy(self) -> Headers:
        """Return a copy, with every value."""
        copy = self.__class__()
        copy._dict = {key: list(values) for key, values in self._dict.items()}
        copy._list = list(self._list)
        return copy

    def serialize(self) -> bytes:
        """Serialize as an HTTP header block, encoded in UTF-8."""
        return str(self).encode()

    # Mapping methods.

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._dict

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict)

    def __len__(self) -> int:
        return len(self._dict)

    def __getitem__(self, key: str) -> str:
        value = self._dict[key.lower()]
        if len(value) == 1:
            return value[0]
        raise MultipleValuesError(key)

    def __setitem__(self, key: str, value: str) -> None:
        self._dict.setdefault(key.lower(), []).append(value)
        self._list.append((key, value))

    def __delitem__(self, key: str) -> None:
        key_lower = key.lower()
        del self._dict[key_lower]
        self._list = [(k, v) for k, v in self._list if k.lower() != key_lower]

    def __eq__(self, other: Any) -> bool:
        if not isinstance(other, Headers):
            return NotImplemented
        return self._dict == other._dict

    def clear(self) -> None:
        """Remove every header."""
        self._dict = {}
        self._list = []

    def update(self, *args: HeadersLike, **kwargs: str) -> None:
        """Add headers from a mapping, pairs, or keyword arguments."""
        if len(args) > 1:
            raise TypeError(f"update expected at most 1 argument, got {len(args)}")
        if args:
            other = args[0]
            if isinstance(other, Headers):
                other = other.raw_items()
            elif hasattr(other, "keys"):
                # A mapping, or any object with keys() and [], as for dict().
                mapping = cast(SupportsKeysAndGetItem, other)
                other = [(key, mapping[key]) for key in mapping.keys()]
            for key, value in other:
                self[key] = value
        for key, value in kwargs.items():
            self[key] = value

    # Multi-dict methods.

    def get_all(self, key: str) -> list[str]:
        """
        Return every value of a header, ``[]`` when it is missing.

        Args:
            key: Header name, in any case.

        """
        return list(self._dict.get(key.lower(), []))

    def raw_items(self) -> Iterator[tuple[str, str]]:
        """Return every ``(name, value)`` pair, in order, names as added."""
        return iter(self._list)


class SupportsKeysAndGetItem(Protocol):  # pragma: no cover
    """Mapping-like object: what :class:`dict` accepts besides pairs."""

    def keys(self) -> Iterable[str]: ...

    def __getitem__(self, key: str) -> str: ...


HeadersLike = Union[
    Headers,
    Mapping[str, str],
    Iterable[tuple[str, str]],
    SupportsKeysAndGetItem,
]
"""Types accepted where :class:`Headers` is expected."""
