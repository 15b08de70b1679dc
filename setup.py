"""Builds the optional C extension; the metadata lives in pyproject.toml."""

from setuptools import Extension, setup


setup(
    ext_modules=[
        # optional: without a C compiler, the install succeeds and
        # websockets uses its pure Python implementation.
        Extension("websockets.speedups", ["src/websockets/speedups.c"], optional=True)
    ]
)
