"""Fixtures shared by every test module."""

import shutil

import pytest

from .utils import LOOP_FACTORIES, make_certificate, short_tmp_dir


@pytest.fixture(params=LOOP_FACTORIES)
def loop_factory(request):
    """Event loop factory: tests that take it run on asyncio and on uvloop."""
    return request.param


@pytest.fixture(scope="session")
def certificate(tmp_path_factory):
    """A self-signed certificate for localhost, made once per session."""
    return make_certificate(str(tmp_path_factory.mktemp("tls")))


@pytest.fixture
def unix_dir():
    """A directory with a short path for unix sockets."""
    directory = short_tmp_dir()
    yield directory
    shutil.rmtree(directory, ignore_errors=True)
