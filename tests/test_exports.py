"""Every public name is importable from where the docs say it is."""

import importlib
import pkgutil

import pytest

import websockets


def all_modules():
    names = ["websockets"]
    for info in pkgutil.walk_packages(websockets.__path__, "websockets."):
        names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("name", all_modules())
def test_module_all_resolves(name):
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    missing = [attr for attr in exported if not hasattr(module, attr)]
    assert missing == []


def test_top_level_names_are_lazy_and_cached():
    assert "ConnectionClosed" in dir(websockets)
    exc = websockets.ConnectionClosed
    assert exc is importlib.import_module("websockets.exceptions").ConnectionClosed
    assert websockets.__dict__["ConnectionClosed"] is exc


def test_unknown_top_level_name():
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        websockets.nope
