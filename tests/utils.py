"""
Helpers shared by the tests of the I/O layers.

Every wait is bounded. Timeouts are multiples of ``MS``, which the
``WEBSOCKETS_TESTS_TIMEOUT_FACTOR`` environment variable scales for slow
machines.
"""

import asyncio
import contextlib
import gc
import os
import shutil
import ssl
import subprocess
import tempfile

import pytest

from websockets.server import serve
from websockets.utils import accept_key


try:
    import uvloop
except ImportError:  # pragma: no cover
    uvloop = None


#: One millisecond, scaled by WEBSOCKETS_TESTS_TIMEOUT_FACTOR.
MS = float(os.environ.get("WEBSOCKETS_TESTS_TIMEOUT_FACTOR", 1)) * 0.001

#: Timeout of a whole async test.
TEST_TIMEOUT = 10_000 * MS

#: Event loop factories: every async test runs on each.
LOOP_FACTORIES = [pytest.param(asyncio.new_event_loop, id="asyncio")]
if uvloop is not None:  # pragma: no branch
    LOOP_FACTORIES.append(pytest.param(uvloop.new_event_loop, id="uvloop"))


def attribute_dicts(obj):
    """
    Non-empty dicts that ``obj`` refers to, besides its ``pings``: in the
    compiled build, the instance dict of an attribute missing from its slots.

    """
    # Not dir(obj): it would build the instance dict. An extension type with
    # a __dict__ starts with an empty one, which the collector ignores.
    pings = getattr(obj, "pings", None)
    return [ref for ref in gc.get_referents(obj) if type(ref) is dict and ref and ref is not pings]


def run(coro, loop_factory, timeout=TEST_TIMEOUT):
    """
    Run a coroutine in a new event loop, bounded by ``timeout``.

    Errors that asyncio reports through the loop's exception handler (a task
    exception never retrieved, a protocol callback that raised) fail the
    test, since they would otherwise go unnoticed.

    """
    loop = loop_factory()
    errors = []

    def exception_handler(loop, context):
        errors.append(context)

    loop.set_exception_handler(exception_handler)
    try:
        result = loop.run_until_complete(asyncio.wait_for(coro, timeout))
        # Let callbacks scheduled by the last operations run.
        loop.run_until_complete(asyncio.sleep(0))
    finally:
        try:
            tasks = [task for task in asyncio.all_tasks(loop) if not task.done()]
            for task in tasks:
                task.cancel()
            if tasks:
                loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()
    assert not errors, errors
    return result


async def wait_for_condition(predicate, timeout=1_000 * MS):
    """Wait until ``predicate()`` is true, looking at each loop iteration."""

    async def poll():
        while not predicate():
            await asyncio.sleep(0)

    await asyncio.wait_for(poll(), timeout)


def get_port(server):
    """Port of the first listening socket of a server."""
    return list(server.sockets)[0].getsockname()[1]


def get_uri(server, path="/", secure=False):
    """URI of a server listening on 127.0.0.1."""
    scheme = "wss" if secure else "ws"
    return f"{scheme}://127.0.0.1:{get_port(server)}{path}"


async def echo(websocket):
    """Connection handler that sends back every message."""
    async for message in websocket:
        await websocket.send(message)


@contextlib.asynccontextmanager
async def echo_server(handler=echo, **kwargs):
    """Run a server on 127.0.0.1 with a random port."""
    async with serve(handler, "127.0.0.1", 0, **kwargs) as server:
        yield server


# Raw peers: they speak just enough of the protocol to misbehave.


def handshake_response(request_bytes):
    """Build a 101 response to a raw handshake request."""
    headers = {}
    for line in request_bytes.decode().split("\r\n")[1:]:
        if ": " in line:
            name, value = line.split(": ", 1)
            headers[name.lower()] = value
    return (
        "HTTP/1.1 101 Switching Protocols\r\n"
        "Upgrade: websocket\r\n"
        "Connection: Upgrade\r\n"
        f"Sec-WebSocket-Accept: {accept_key(headers['sec-websocket-key'])}\r\n"
        "\r\n"
    ).encode()


@contextlib.asynccontextmanager
async def raw_server(handler):
    """
    Run a TCP server whose ``handler(reader, writer)`` speaks raw bytes.

    Connections still open on exit are aborted and their handlers cancelled.
    """
    writers = []
    tasks = []

    async def wrapper(reader, writer):
        writers.append(writer)
        tasks.append(asyncio.current_task())
        try:
            await handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            # Returning normally keeps asyncio from logging the cancellation.
            pass

    server = await asyncio.start_server(wrapper, "127.0.0.1", 0)
    try:
        yield server
    finally:
        server.close()
        for writer in writers:
            writer.transport.abort()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()


async def accept_then(reader, writer, action):
    """Complete a handshake as a raw server, then run ``action``."""
    request = await reader.readuntil(b"\r\n\r\n")
    writer.write(handshake_response(request))
    await action(reader, writer)


def make_request(path="/", **headers):
    """Build the bytes of a valid handshake request."""
    lines = [
        f"GET {path} HTTP/1.1",
        "Host: localhost",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
        *(f"{name.replace('_', '-')}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


# TLS with a certificate made for the test run.


class Certificate:
    """A self-signed certificate for ``localhost`` and ``127.0.0.1``."""

    def __init__(self, directory):
        self.certfile = os.path.join(directory, "cert.pem")
        self.keyfile = os.path.join(directory, "key.pem")
        subprocess.run(
            [
                "openssl", "req", "-x509", "-nodes", "-days", "2",
                "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-keyout", self.keyfile, "-out", self.certfile,
                "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip

    def server_context(self):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.certfile, self.keyfile)
        return context

    def client_context(self):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.load_verify_locations(self.certfile)
        return context


def make_certificate(directory):
    """Generate a certificate with the openssl command, or skip the test."""
    if shutil.which("openssl") is None:  # pragma: no cover
        pytest.skip("openssl isn't available")
    try:
        return Certificate(directory)
    except subprocess.CalledProcessError as exc:  # pragma: no cover
        pytest.skip(f"openssl failed: {exc.stderr!r}")


def short_tmp_dir():
    """A temporary directory with a short path, for unix sockets."""
    return tempfile.mkdtemp(prefix="ws-", dir="/tmp" if os.path.isdir("/tmp") else None)
