"""Builds the optional compiled parts; the metadata lives in pyproject.toml."""

import importlib.util
import sys

from setuptools import Extension, setup


def compiled_twins() -> list[Extension]:
    # The hot modules of websockets.compiled.COMPILED, compiled by Cython
    # from their unchanged source, when Cython is available.
    try:
        from Cython.Build import cythonize
    except ImportError:
        return []
    spec = importlib.util.spec_from_file_location("compiled", "src/websockets/compiled.py")
    assert spec is not None and spec.loader is not None
    compiled = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(compiled)
    modules = [
        Extension(name, ["src/" + name.replace(".", "/") + ".py"])
        for name in compiled.COMPILED
    ]
    try:
        extensions = cythonize(
            modules,
            build_dir="build/cython",
            quiet=True,
            compiler_directives={
                "language_level": 3,
                # Plain Python semantics: annotations are for mypy only.
                "annotation_typing": False,
                # Functions that inspect and Sphinx can introspect.
                "binding": True,
                # An attribute typed in a .pxd may still be None, say the
                # core of a protocol that no subclass gave one: using it
                # raises AttributeError instead of crashing.
                "nonecheck": True,
            },
        )
    except Exception as exc:  # the pure Python modules work anyway
        print(f"warning: not compiling {compiled.COMPILED}: {exc}", file=sys.stderr)
        return []
    for extension in extensions:
        extension.optional = True
    return extensions


setup(
    ext_modules=[
        # optional: without a C compiler, the install succeeds and
        # websockets uses its pure Python implementation.
        Extension("websockets.speedups", ["src/websockets/speedups.c"], optional=True),
        *compiled_twins(),
    ]
)
