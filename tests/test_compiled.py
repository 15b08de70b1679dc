import importlib.machinery
import os
import shutil
import subprocess
import sys
import types
import weakref

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
    # In a source checkout, one stale twin turns them all off.
    off = compiled._CHECKOUT and compiled.stale(compiled._ROOT)
    expected = [str(built(name) is not None and not off) for name in COMPILED]
    assert imported_compiled(env) == expected


def test_no_speedups_environment_variable_imports_source():
    env = {**os.environ, "WEBSOCKETS_NO_SPEEDUPS": "1"}
    assert imported_compiled(env) == ["False"] * len(COMPILED)


def test_slots_add_what_the_base_lacks():
    class Plain:
        pass

    assert compiled.slots(Plain, "a") == ("a",)
    # Like an extension type, object has neither __dict__ nor __weakref__.
    names = compiled.slots(object, "a")
    assert names == ("a", "__dict__", "__weakref__")

    class Slotted:
        __slots__ = names

    instance = Slotted()
    instance.a = 1
    instance.b = 2  # goes to the __dict__
    assert weakref.ref(instance)() is instance
    assert instance.__dict__ == {"b": 2}


def test_is_compiled():
    assert not is_compiled(compiled)  # a source module
    assert not is_compiled(types.ModuleType("bare"))  # no spec
    speedups = pytest.importorskip("websockets.speedups")  # needs a C compiler
    assert is_compiled(speedups)


@pytest.fixture
def tree(tmp_path):
    """A package directory with framing.py, and a helper to add files."""
    package = tmp_path / "websockets"
    package.mkdir()

    def add(name, mtime):
        path = package / name
        path.write_text("")
        os.utime(path, (mtime, mtime))
        return path

    add("framing.py", 1000)
    return tmp_path, add


def test_stale_when_source_newer_than_twin(tree):
    root, add = tree
    add("framing" + EXT, 500)
    assert compiled.stale(str(root))


def test_stale_when_declarations_newer_than_twin(tree):
    root, add = tree
    add("framing" + EXT, 2000)
    add("framing.pxd", 3000)
    assert compiled.stale(str(root))


def test_not_stale(tree):
    root, add = tree
    assert not compiled.stale(str(root))  # no twin
    add("framing" + EXT, 2000)
    add("framing.pxd", 1500)
    assert not compiled.stale(str(root))


def test_source_fallback_picks_source_when_disabled(tree, tmp_path_factory):
    root, add = tree
    add("framing" + EXT, 2000)
    package = str(root / "websockets")
    elsewhere = tmp_path_factory.mktemp("empty")  # no framing.py: skipped
    spec = SourceFallback(True).find_spec("websockets.framing", [str(elsewhere), package])
    assert spec is not None and spec.origin == os.path.join(package, "framing.py")
    assert SourceFallback(False).find_spec("websockets.framing", [package]) is None


def test_source_fallback_ignores_other_modules(tree):
    root, _ = tree
    package = root / "websockets"
    finder = SourceFallback(True)
    assert finder.find_spec("websockets.headers", [str(package)]) is None
    assert finder.find_spec("websockets.framing", None) is None
    assert finder.find_spec("websockets.framing", [str(package / "missing")]) is None


def test_stale_checkout_imports_source(tmp_path):
    # A copy of the package where one twin is older than its source.
    source = os.path.dirname(websockets.__file__)
    framing = next(
        (name for name in os.listdir(source) if name.startswith("framing.") and name.endswith(EXT)),
        None,
    )
    if framing is None:  # pragma: no cover
        pytest.skip("compiled twins not built")
    copy = tmp_path / "src" / "websockets"
    shutil.copytree(source, copy)
    (tmp_path / "setup.py").write_text("")
    os.utime(copy / framing, (1000, 1000))
    env = {key: value for key, value in os.environ.items() if key != "WEBSOCKETS_NO_SPEEDUPS"}
    env["PYTHONPATH"] = str(tmp_path / "src")
    assert imported_compiled(env) == ["False"] * len(COMPILED)


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
