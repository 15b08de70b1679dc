import importlib.machinery
import os
import subprocess
import sys
import types

import pytest

import websockets
from websockets import compiled
from websockets.compiled import COMPILED, SourceFallback, is_compiled


EXT = importlib.machinery.EXTENSION_SUFFIXES[0]


def package_dir(name):
    return os.path.dirname(websockets.__file__) + name.removeprefix("websockets").rpartition(
        "."
    )[0].replace(".", os.sep)


def built(name):
    """Path of the compiled twin of a module, if it was built."""
    path = os.path.join(package_dir(name), name.rpartition(".")[2] + EXT)
    return path if os.path.exists(path) else None


def imported_compiled(env):
    code = (
        "import importlib, sys; from websockets.compiled import COMPILED, is_compiled; "
        "print(*[is_compiled(importlib.import_module(name)) for name in COMPILED])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.split()


def test_compiled_twins_used_when_built_and_fresh():
    env = {key: value for key, value in os.environ.items() if key != "WEBSOCKETS_NO_SPEEDUPS"}
    expected = []
    for name in COMPILED:
        path = built(name)
        source = os.path.join(package_dir(name), name.rpartition(".")[2] + ".py")
        # Install times only count in a source checkout, as for the finder.
        fresh = path is not None and (
            not compiled._CHECKOUT or os.path.getmtime(path) >= os.path.getmtime(source)
        )
        expected.append(str(fresh))
    assert imported_compiled(env) == expected


def test_no_speedups_environment_variable_imports_source():
    env = {**os.environ, "WEBSOCKETS_NO_SPEEDUPS": "1"}
    assert imported_compiled(env) == ["False"] * len(COMPILED)


def test_is_compiled():
    assert not is_compiled(compiled)  # a source module
    assert not is_compiled(types.ModuleType("bare"))  # no spec
    speedups = pytest.importorskip("websockets.speedups")  # needs a C compiler
    assert is_compiled(speedups)


@pytest.fixture
def tree(tmp_path):
    """A package directory with framing.py, and a helper to add a twin."""
    source = tmp_path / "framing.py"
    source.write_text("")
    os.utime(source, (1000, 1000))

    def add(kind, mtime):
        path = tmp_path / ("framing" + kind)
        path.write_text("")
        os.utime(path, (mtime, mtime))

    return tmp_path, add


def test_source_fallback_leaves_fresh_twin(tree, monkeypatch):
    path, add = tree
    add(EXT, 2000)
    monkeypatch.setattr(compiled, "_CHECKOUT", True)
    assert SourceFallback(False).find_spec("websockets.framing", [str(path)]) is None


def test_source_fallback_picks_source_newer_than_twin(tree, monkeypatch):
    path, add = tree
    add(EXT, 500)
    monkeypatch.setattr(compiled, "_CHECKOUT", True)
    spec = SourceFallback(False).find_spec("websockets.framing", [str(path)])
    assert spec is not None and spec.origin == str(path / "framing.py")
    # Outside a source checkout, install times say nothing: the twin wins.
    monkeypatch.setattr(compiled, "_CHECKOUT", False)
    assert SourceFallback(False).find_spec("websockets.framing", [str(path)]) is None


def test_source_fallback_picks_source_when_declarations_changed(tree, monkeypatch):
    path, add = tree
    add(EXT, 2000)
    add(".pxd", 3000)
    monkeypatch.setattr(compiled, "_CHECKOUT", True)
    spec = SourceFallback(False).find_spec("websockets.framing", [str(path)])
    assert spec is not None and spec.origin == str(path / "framing.py")


def test_source_fallback_without_twin(tree, monkeypatch):
    path, _ = tree
    monkeypatch.setattr(compiled, "_CHECKOUT", True)
    assert SourceFallback(False).find_spec("websockets.framing", [str(path)]) is None


def test_source_fallback_disabled_picks_source(tree, tmp_path_factory):
    path, add = tree
    add(EXT, 2000)
    elsewhere = tmp_path_factory.mktemp("empty")  # no framing.py: skipped
    spec = SourceFallback(True).find_spec("websockets.framing", [str(elsewhere), str(path)])
    assert spec is not None and spec.origin == str(path / "framing.py")


def test_source_fallback_ignores_other_modules(tree):
    path, _ = tree
    finder = SourceFallback(True)
    assert finder.find_spec("websockets.headers", [str(path)]) is None
    assert finder.find_spec("websockets.framing", None) is None
    assert finder.find_spec("websockets.framing", [str(path / "missing")]) is None


def test_install_once(monkeypatch):
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    before = sum(isinstance(finder, SourceFallback) for finder in sys.meta_path)
    assert before == 1  # websockets/__init__.py installed it
    compiled.install()
    assert sum(isinstance(finder, SourceFallback) for finder in sys.meta_path) == 1
    monkeypatch.setattr(
        sys, "meta_path", [f for f in sys.meta_path if not isinstance(f, SourceFallback)]
    )
    compiled.install()
    assert isinstance(sys.meta_path[0], SourceFallback)
