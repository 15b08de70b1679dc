"""
Compiled twins of the hot modules, and the switch back to their source.

At install, when Cython and a C compiler are available, ``setup.py`` compiles
the modules listed in :data:`COMPILED` from their unchanged Python source,
with plain Python semantics (annotations are for type checkers only). Three
classes get declarations, in ``framing.pxd``, ``sansio/connection.pxd`` and
``protocol.pxd``: :class:`~websockets.framing.FrameParser`,
:class:`~websockets.sansio.connection.Connection` and the base class of
:class:`~websockets.protocol.WebSocketCommonProtocol` that messages go
through become extension types whose attributes are C fields and whose hot
methods call each other directly, so their methods can't be patched on the
class, and a subclass's override applies only to calls from Python.
Python imports an extension module before a source module of the same
name, so the compiled twins are used by default.

The source wins when:

* the ``WEBSOCKETS_NO_SPEEDUPS`` environment variable is set to a non-empty
  value, read when ``websockets`` is imported; this also turns off the C
  functions of ``websockets.speedups`` (masking, and the fast paths of
  :mod:`websockets.framing`);
* in a source checkout, a compiled twin is older than its source or its
  declarations: an edit takes effect without rebuilding. Then every module
  uses its source, since the twins share declarations (``connection.pxd``
  relies on ``framing.pxd``, ``protocol.pxd`` on ``connection.pxd``):
  mixing a stale twin with a fresh one is unsafe.

Both run the very same tests.

"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Sequence
from typing import Optional


__all__ = ["COMPILED", "SourceFallback", "install", "is_compiled", "slots", "stale"]

#: Modules compiled at install when possible, by their import names.
COMPILED = (
    # Each message goes through these.
    "websockets.framing",
    "websockets.sansio.connection",
    "websockets.protocol",
    "websockets.lowlevel",
    # Each handshake goes through these.
    "websockets.datastructures",
    "websockets.streams",
    "websockets.http",
    "websockets.headers",
    "websockets.handshake",
    "websockets.sansio.server",
    "websockets.sansio.client",
    "websockets.server",
    "websockets.client",
)

# The directory that holds the websockets package.
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# A source checkout: src/websockets/ next to setup.py.
_CHECKOUT = os.path.exists(os.path.join(_ROOT, os.pardir, "setup.py"))


class SourceFallback(importlib.abc.MetaPathFinder):
    """
    Import finder that picks the source of the compiled modules when asked.

    Args:
        disabled: Whether compiled modules are turned off.

    """

    def __init__(self, disabled: bool) -> None:
        self.disabled = disabled

    def find_spec(
        self,
        fullname: str,
        path: Optional[Sequence[str]],
        target: object = None,
    ) -> Optional[importlib.machinery.ModuleSpec]:
        """
        Return a spec for the source of ``fullname`` if compiled modules are off.

        Returning :obj:`None` lets the next finders import the module as
        usual: the compiled twin if there is one.

        """
        if not self.disabled or fullname not in COMPILED or path is None:
            return None
        name = fullname.rpartition(".")[2]
        for entry in path:
            source = os.path.join(entry, name + ".py")
            if os.path.exists(source):
                return importlib.util.spec_from_file_location(fullname, source)
        return None


def stale(root: str) -> bool:
    """
    Tell whether a compiled twin is older than its source or declarations.

    Args:
        root: Directory that holds the ``websockets`` package.

    """
    for fullname in COMPILED:
        base = os.path.join(root, *fullname.split("."))
        inputs = [path for path in (base + ".py", base + ".pxd") if os.path.exists(path)]
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            if os.path.exists(base + suffix):
                twin = os.path.getmtime(base + suffix)
                if any(os.path.getmtime(path) > twin for path in inputs):
                    return True
                break
    return False


def is_compiled(module: object) -> bool:
    """
    Tell whether a module is a compiled twin.

    Args:
        module: A module object, e.g. :mod:`websockets.framing`.

    """
    loader = getattr(getattr(module, "__spec__", None), "loader", None)
    return isinstance(loader, importlib.machinery.ExtensionFileLoader)


def slots(base: type, *names: str) -> tuple[str, ...]:
    """
    Return the ``__slots__`` of a Python subclass of a class that may be compiled.

    An extension type creates its instances without the compact attribute
    storage of Python objects: the first attribute that a Python subclass
    sets builds a :class:`dict` for them all, one more object for the
    garbage collector to walk, and filling it costs more than setting
    slots, which hold the subclass's attributes instead. ``__dict__`` and
    ``__weakref__`` are added when ``base`` lacks them, as an extension type
    may: instances still take other attributes, in a dict built on first
    use, and weak references.

    Args:
        base: The class being subclassed.
        names: The attributes of the subclass.

    """
    for name, offset in [
        ("__dict__", base.__dictoffset__),
        ("__weakref__", base.__weakrefoffset__),
    ]:
        if not offset:
            names += (name,)
    return names


def install() -> None:
    """Put :class:`SourceFallback` first among the import finders, once."""
    if not any(isinstance(finder, SourceFallback) for finder in sys.meta_path):
        disabled = bool(os.environ.get("WEBSOCKETS_NO_SPEEDUPS")) or (
            _CHECKOUT and stale(_ROOT)
        )
        sys.meta_path.insert(0, SourceFallback(disabled))
