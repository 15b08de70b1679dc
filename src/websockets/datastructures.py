"""
:class:`Headers`, the case-insensitive multi-dict of HTTP headers.

It is also importable as ``websockets.http.Headers``, its classic location.

"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
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
        # Every (name, value) pair in order, and the values by lower-case
        # name: a string, or a tuple of them for a repeated header. Strings
        # and tuples of strings, unlike lists, leave the dict and the pairs
        # out of the garbage collector's work, which servers with many
        # connections feel. Adding headers builds a new tuple of pairs, but
        # there are few, and mostly added at once.
        self._dict: dict[str, Union[str, tuple[str, ...]]] = {}
        self._list: tuple[tuple[str, str], ...] = ()
        if args or kwargs:
            self.update(*args, **kwargs)

    def __str__(self) -> str:
        """Serialize as an HTTP header block, with a blank line at the end."""
        return "".join(f"{key}: {value}\r\n" for key, value in self._list) + "\r\n"

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({list(self._list)!r})"

    def copy(self) -> Headers:
        """Return a copy, with every value."""
        copy = self.__class__()
        copy._dict = self._dict.copy()
        copy._list = self._list
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
        if isinstance(value, tuple):
            raise MultipleValuesError(key)
        return value

    def __setitem__(self, key: str, value: str) -> None:
        self._extend(((key, value),))

    def __delitem__(self, key: str) -> None:
        key_lower = key.lower()
        del self._dict[key_lower]
        self._list = tuple([(k, v) for k, v in self._list if k.lower() != key_lower])

    def __eq__(self, other: Any) -> bool:
        if not isinstance(other, Headers):
            return NotImplemented
        return self._dict == other._dict

    def clear(self) -> None:
        """Remove every header."""
        self._dict = {}
        self._list = ()

    def update(self, *args: HeadersLike, **kwargs: str) -> None:
        """Add headers from a mapping, pairs, or keyword arguments."""
        if len(args) > 1:
            raise TypeError(f"update expected at most 1 argument, got {len(args)}")
        pairs: Sequence[tuple[str, str]] = ()
        if args:
            other = args[0]
            # Pairs, the usual argument, are told apart without isinstance()
            # against Headers, which is slow for an ABC.
            if not hasattr(other, "keys"):
                pairs = [(key, value) for key, value in other]
            elif isinstance(other, Headers):
                # Every value, repeated headers included.
                pairs = other._list
            else:
                # A mapping, or any object with keys() and [], as for dict().
                mapping = cast(SupportsKeysAndGetItem, other)
                pairs = [(key, mapping[key]) for key in mapping.keys()]
        if kwargs:
            pairs = [*pairs, *kwargs.items()]
        self._extend(pairs)

    def _extend(self, pairs: Sequence[tuple[str, str]]) -> None:
        # Where every header is added: update() and the handshake parsers
        # add a block at once, without a method call per header.
        values = self._dict
        for key, value in pairs:
            key_lower = key.lower()
            if key_lower not in values:
                values[key_lower] = value
            else:
                previous = values[key_lower]
                if isinstance(previous, tuple):
                    values[key_lower] = previous + (value,)
                else:
                    values[key_lower] = (previous, value)
        self._list += tuple(pairs)

    # Multi-dict methods.

    def get_all(self, key: str) -> list[str]:
        """
        Return every value of a header, ``[]`` when it is missing.

        Args:
            key: Header name, in any case.

        """
        value = self._dict.get(key.lower())
        if value is None:
            return []
        if isinstance(value, tuple):
            return list(value)
        return [value]

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
