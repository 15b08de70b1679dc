"""
Tests of the examples in ``example/``: each runs as a subprocess.

Servers listen on loopback with ``--port 0`` and print the port they got;
clients are other subprocesses or run in the test. Every wait is bounded, and
every example must run without writing anything to stderr (no traceback, no
warning: they run with ``-W error``).
"""

import ast
import asyncio
import glob
import http.client
import os
import queue
import re
import shutil
import signal
import ssl
import subprocess
import sys
import textwrap
import threading

import pytest

import websockets

from .utils import MS


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "example")
DOCS = os.path.join(ROOT, "docs")

#: Bound of every wait for a process: a line of output, an exit.
TIMEOUT = 10_000 * MS

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="examples use unix signals"
)


class Example:
    """
    An example running in a subprocess, its output read by threads.

    Use it as a context manager: on exit, the process is killed if it's still
    running, and it must not have written anything to stderr.
    """

    def __init__(self, name, *args, stdin=False):
        self.name = name
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-W", "error", os.path.join(EXAMPLES, name), *args],
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        self.lines = queue.Queue()
        self.output = []
        self.errors = []
        self.threads = [
            threading.Thread(target=self._read_stdout, daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
        ]
        for thread in self.threads:
            thread.start()

    def _read_stdout(self):
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def _read_stderr(self):
        for line in self.process.stderr:
            self.errors.append(line)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(TIMEOUT)
        for thread in self.threads:
            thread.join(TIMEOUT)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        if exc_type is None:
            assert not self.errors, f"{self.name} wrote to stderr:\n{self.stderr}"

    @property
    def stderr(self):
        return "".join(self.errors)

    def expect(self, pattern):
        """Read lines until one matches ``pattern``; return the match."""
        while True:
            try:
                line = self.lines.get(timeout=TIMEOUT)
            except queue.Empty:
                pytest.fail(
                    f"{self.name}: timed out waiting for {pattern!r}; "
                    f"output: {self.output}; stderr: {self.stderr}"
                )
            if line is None:
                pytest.fail(
                    f"{self.name}: output ended before {pattern!r}; "
                    f"output: {self.output}; stderr: {self.stderr}"
                )
            self.output.append(line)
            match = re.fullmatch(pattern, line)
            if match is not None:
                return match

    def port(self):
        """Read the line announcing the port; return the port."""
        return int(self.expect(r"listening on wss?://127\.0\.0\.1:(\d+).*").group(1))

    def send(self, line):
        """Write a line to stdin."""
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def wait(self):
        """Wait until the process exits; return its exit status."""
        return self.process.wait(TIMEOUT)

    def stop(self):
        """Stop a server with SIGTERM; return its exit status."""
        self.process.send_signal(signal.SIGTERM)
        return self.wait()

    def remaining_output(self):
        """Wait until stdout ends; return the lines not read yet."""
        lines = []
        while True:
            line = self.lines.get(timeout=TIMEOUT)
            if line is None:
                return lines
            self.output.append(line)
            lines.append(line)


def run_example(name, *args):
    """Run an example to completion; return its exit status and output lines."""
    with Example(name, *args) as example:
        status = example.wait()
        return status, example.remaining_output()


def run_async(coro):
    """Run a coroutine in the test, bounded by ``TIMEOUT``."""
    return asyncio.run(asyncio.wait_for(coro, TIMEOUT))


# Examples that run a server and a client in one process.


def test_demo():
    status, output = run_example("demo.py")
    assert status == 0
    assert "client < 'Hello world!'" in output
    assert output[-1] == "server: shut down"


def test_lowlevel():
    status, output = run_example("lowlevel.py")
    assert status == 0
    assert output == [
        "client: connected, status 101",
        "client: < TEXT b'Hello ' fin=False",
        "client: < CONT b'world!' fin=True",
        "client: < BINARY b'\\x00\\x01\\x02' fin=True",
        "client: < PONG b'are you there?' fin=True",
        "client: < CLOSE b'\\x03\\xe8' fin=True",
        "client: closed with code 1000",
    ]


def test_subprotocols():
    status, output = run_example("subprotocols.py")
    assert status == 0
    assert output == [
        "['chat.v2', 'chat.v1'] from None: chat.v2, welcome to chat v2",
        "['chat.v1'] from https://chat.example.com: chat.v1, welcome to chat v1",
        "['chat.v3'] from None: None, closed with code 1002",
        "['chat.v2'] from https://evil.example.com: rejected with HTTP 403",
    ]


def test_extra_headers():
    status, output = run_example("extra_headers.py")
    assert status == 0
    assert output == [
        "server: User-Agent: example-client/2.1",
        "server: X-Client-Version: 2.1",
        "client: Server: example-server/1.0",
        "client: X-Request-Id: 1",
        "client: < hello",
        "client: refused to send a header: "
        "invalid value for header X-Name: 'a\\r\\nX-Admin: 1'",
    ]


def test_keepalive():
    status, output = run_example("keepalive.py")
    assert status == 0
    assert len(output) == 2
    # The server sent keepalive pings: it measured a latency.
    server_latency = re.fullmatch(r"latency measured by the server: (.*) ms", output[0])
    assert float(server_latency.group(1)) > 0
    client_latency = re.fullmatch(r"latency measured by the client: (.*) ms", output[1])
    assert float(client_latency.group(1)) > 0


def test_limits():
    status, output = run_example("limits.py")
    assert status == 0
    assert output[0] == "got 1024 bytes"
    assert output[1].startswith("connection closed with code 1009: ")
    assert len(output) == 2


def test_compression():
    status, output = run_example("compression.py")
    assert status == 0
    assert output[0] == "client: permessage-deflate, window of 1024 bytes"
    compressed = re.fullmatch(
        r"server: received a message of (\d+) bytes in (\d+) bytes", output[1]
    )
    assert int(compressed.group(2)) < int(compressed.group(1)) // 4
    assert output[2] == "client: no compression"
    uncompressed = re.fullmatch(
        r"server: received a message of (\d+) bytes in (\d+) bytes", output[3]
    )
    assert int(uncompressed.group(2)) > int(uncompressed.group(1))
    assert len(output) == 4


def test_logging_setup():
    status, output = run_example("logging_setup.py")
    assert status == 0
    assert re.fullmatch(
        r"INFO websockets.server \[-\] server listening on 127.0.0.1:\d+", output[0]
    )
    # Records about a connection carry its remote address.
    assert re.fullmatch(
        r"DEBUG websockets.client \[127.0.0.1:\d+\] > GET / HTTP/1.1", output[1]
    )
    assert any(
        re.fullmatch(r"DEBUG websockets.client \[127.0.0.1:\d+\] > TEXT 'ping'.*", line)
        for line in output
    )
    error = output.index(
        next(line for line in output if line.startswith("ERROR websockets.server"))
    )
    assert re.fullmatch(
        r"ERROR websockets.server \[127.0.0.1:\d+\] connection handler failed",
        output[error],
    )
    assert output[error + 1] == "Traceback (most recent call last):"
    assert "ValueError: unexpected message: boom" in output
    assert output[-3:] == [
        "client: connection closed with code 1011",
        "INFO websockets.server [-] server closing",
        "INFO websockets.server [-] server closed",
    ]


# Hello world.


def test_hello():
    with Example("hello_server.py", "--port", "0") as server:
        port = server.port()
        status, output = run_example("hello_client.py", "--port", str(port), "Alice")
        assert status == 0
        assert output == ["> Alice", "< Hello Alice!"]
        server.expect(r"< Alice")
        server.expect(r"> Hello Alice!")
        # A second client gets the default name.
        status, output = run_example("hello_client.py", "--port", str(port))
        assert output == ["> world", "< Hello world!"]
        assert server.stop() == 0


def test_hello_server_stops_on_sigint():
    with Example("hello_server.py", "--port", "0") as server:
        server.port()
        server.process.send_signal(signal.SIGINT)
        assert server.wait() == 0


# Broadcast.


def test_chat():
    with Example("chat.py", "--port", "0") as server:
        port = str(server.port())
        with Example("chat_client.py", "--port", port, "Alice", stdin=True) as alice:
            alice.expect("Alice joined")
            with Example("chat_client.py", "--port", port, "Bob", stdin=True) as bob:
                bob.expect("Bob joined")
                alice.expect("Bob joined")

                alice.send("Hi Bob!")
                for client in (alice, bob):
                    client.expect("Alice: Hi Bob!")
                bob.send("Hi Alice!")
                for client in (alice, bob):
                    client.expect("Bob: Hi Alice!")

                # End of input disconnects a client; the others hear of it.
                bob.process.stdin.close()
                assert bob.wait() == 0
                alice.expect("Bob left")

            # When the server stops, the client exits too.
            assert server.stop() == 0
            assert alice.wait() == 0

        server.expect("Alice joined")
        server.expect("Bob joined")
        server.expect("Alice: Hi Bob!")
        server.expect("Bob: Hi Alice!")
        server.expect("Bob left")
        server.expect("Alice left")


# Authentication.


def test_basic_auth():
    with Example("basic_auth_server.py", "--port", "0") as server:
        port = str(server.port())
        status, output = run_example("basic_auth_client.py", "--port", port)
        assert (status, output) == (0, ["< Hello alice!"])
        server.expect("> Hello alice!")

        status, output = run_example(
            "basic_auth_client.py",
            *("--port", port, "--user", "bob", "--password", "builder"),
        )
        assert (status, output) == (0, ["< Hello bob!"])

        status, output = run_example(
            "basic_auth_client.py", "--port", port, "--password", "looking-glass"
        )
        assert (status, output) == (1, ["rejected with HTTP 401"])

        status, output = run_example(
            "basic_auth_client.py", "--port", port, "--user", "carol"
        )
        assert (status, output) == (1, ["rejected with HTTP 401"])
        assert server.stop() == 0


# Health checks.


def http_get(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        connection.close()


def test_health_check():
    with Example("health_check_server.py", "--port", "0") as server:
        port = server.port()
        assert http_get(port, "/healthz") == (200, "text/plain", b"OK\n")
        # Another path goes on to the handshake, which a plain GET fails.
        status, _, _ = http_get(port, "/")
        assert status == 426

        # WebSocket clients are served as usual.
        status, output = run_example("hello_client.py", "--port", str(port), "Bob")
        assert (status, output) == (0, ["> Bob", "< Hello Bob!"])
        assert server.stop() == 0


# Unix sockets.


@pytest.mark.skipif(not hasattr(asyncio, "unix_events"), reason="needs unix sockets")
def test_unix(unix_dir):
    path = os.path.join(unix_dir, "hello.sock")
    with Example("unix_server.py", "--path", path) as server:
        server.expect(f"listening on {re.escape(path)}")
        status, output = run_example("unix_client.py", "--path", path, "Carol")
        assert (status, output) == (0, ["> Carol", "< Hello Carol!"])
        server.expect("< Carol")
        assert server.stop() == 0
    assert not os.path.exists(path)


# TLS.


def can_make_certificates():
    if shutil.which("openssl") is not None:
        return True
    try:
        import cryptography  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(not can_make_certificates(), reason="needs openssl or cryptography")
def test_tls(tmp_path):
    cert_dir = str(tmp_path / "tls")
    with Example("tls_server.py", "--port", "0", "--cert-dir", cert_dir) as server:
        port = str(server.port())
        certfile = server.expect(r"certificate: (.*)").group(1)
        assert certfile == os.path.join(cert_dir, "cert.pem")
        status, output = run_example(
            "tls_client.py", "--port", port, "--cafile", certfile, "Dave"
        )
        assert (status, output) == (0, ["> Dave", "< Hello Dave!"])
        server.expect("< Dave")

        # Without trusting the certificate, a client refuses the server.
        async def untrusting_client():
            with pytest.raises(ssl.SSLCertVerificationError):
                async with websockets.connect(f"wss://127.0.0.1:{port}/"):
                    pass  # pragma: no cover

        run_async(untrusting_client())
        assert server.stop() == 0


@pytest.mark.skipif(not can_make_certificates(), reason="needs openssl or cryptography")
def test_tls_temporary_certificate():
    with Example("tls_server.py", "--port", "0") as server:
        server.port()
        certfile = server.expect(r"certificate: (.*)").group(1)
        assert os.path.exists(certfile)
        assert server.stop() == 0
    # The temporary directory is gone.
    assert not os.path.exists(certfile)


# Graceful shutdown.


def test_shutdown():
    with Example("shutdown.py", "--port", "0") as server:
        port = server.port()

        async def client():
            uri = f"ws://127.0.0.1:{port}/"
            first = await websockets.connect(uri)
            second = await websockets.connect(uri)
            await first.send("ping")
            assert await first.recv() == "ping"
            server.process.send_signal(signal.SIGTERM)
            # Both clients see a close with code 1001, going away.
            for websocket in (first, second):
                with pytest.raises(websockets.ConnectionClosedOK):
                    await websocket.recv()
                assert websocket.close_code == 1001
            # The server doesn't accept connections anymore.
            with pytest.raises(OSError):
                async with websockets.connect(uri, open_timeout=TIMEOUT):
                    pass  # pragma: no cover

        run_async(client())
        assert server.wait() == 0
        assert server.remaining_output() == [
            "shutting down",
            "connection closed with code 1001",
            "connection closed with code 1001",
            "server closed",
        ]


# Docstrings and documentation.


@pytest.mark.parametrize(
    "path",
    # demo.py is run by "make demo".
    sorted(
        path
        for path in glob.glob(os.path.join(EXAMPLES, "*.py"))
        if os.path.basename(path) != "demo.py"
    ),
    ids=os.path.basename,
)
def test_example_says_how_to_run_it(path):
    with open(path, encoding="utf-8") as file:
        docstring = ast.get_docstring(ast.parse(file.read()))
    assert docstring is not None
    assert f"python example/{os.path.basename(path)}" in docstring


def python_blocks(path):
    """Yield the Python code blocks of a reStructuredText file."""
    with open(path, encoding="utf-8") as file:
        lines = file.read().splitlines()
    for number, line in enumerate(lines):
        if line.strip() != ".. code-block:: python":
            continue
        indent = len(line) - len(line.lstrip())
        block = []
        for next_line in lines[number + 1 :]:
            if next_line.strip() and len(next_line) - len(next_line.lstrip()) <= indent:
                break
            block.append(next_line)
        yield number + 1, textwrap.dedent("\n".join(block))


DOC_PAGES = sorted(
    glob.glob(os.path.join(DOCS, "intro", "*.rst"))
    + glob.glob(os.path.join(DOCS, "howto", "*.rst"))
    + glob.glob(os.path.join(DOCS, "topics", "*.rst"))
)


@pytest.mark.parametrize(
    "path", DOC_PAGES, ids=lambda path: os.path.relpath(path, DOCS)
)
def test_doc_snippets_compile(path):
    # Snippets are fragments of coroutines: allow a top-level await.
    for line, code in python_blocks(path):
        compile(code, f"{path}:{line}", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
