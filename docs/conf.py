"""Sphinx configuration."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from websockets.version import version as release  # noqa: E402

project = "websockets"
author = "The websockets team"
copyright = "2026, The websockets team"
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
]

# Every cross-reference must resolve.
nitpicky = True
nitpick_ignore = [
    ("py:class", "websockets.datastructures.SupportsKeysAndGetItem"),
    # Imported under TYPE_CHECKING in exceptions.py to avoid an import cycle.
    ("py:class", "Close"),
    # The type variable of StreamReader.read_parsed().
    ("py:class", "websockets.streams._T"),
    # Internal argument of WebSocketTransport, which users don't create.
    ("py:class", "_Deadlines"),
]
# No network on the build machines, so no intersphinx inventory for the
# standard library: its names render as plain text instead of links.
STDLIB = "_frozen_importlib|importlib|asyncio|socket|ssl|logging|http|zlib|typing|collections|enum|os|codecs|concurrent|types|functools|builtins|time|hmac|inspect|signal|json|io|hashlib|base64|dataclasses|urllib|contextlib|sys|re|uvloop"
nitpick_ignore_regex = [
    (r"py:(class|mod|func|meth|exc|obj|data|attr)", rf"({STDLIB})(\..*)?"),
    (r"py:class", r"(Generator|Callable|Awaitable|Iterable|Iterator|AsyncIterable|AsyncIterator|Sequence|Mapping|MutableMapping|Coroutine|Any|Union|Optional|NoneType|TypeVar|Literal|Protocol|NamedTuple|T|Self)"),
]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
napoleon_google_docstring = True
napoleon_numpy_docstring = False

# No network on the build machines: intersphinx inventories are not fetched,
# so references to the standard library render as plain text.
intersphinx_mapping: dict = {}

html_theme = "alabaster"
html_title = f"websockets {release}"
exclude_patterns = ["_build"]
