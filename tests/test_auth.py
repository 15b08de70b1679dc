"""Tests of HTTP Basic Authentication for the asyncio server."""

import hmac

import pytest

from websockets.auth import (
    BasicAuthWebSocketServerProtocol,
    basic_auth_protocol_factory,
    is_credentials,
)
from websockets.client import connect
from websockets.exceptions import InvalidStatusCode
from websockets.headers import build_authorization_basic

from .utils import echo_server, get_port, run


async def whoami(ws):
    await ws.send(ws.username)
    await ws.wait_closed()


def uri_with(server, user_info=None):
    prefix = "" if user_info is None else f"{user_info}@"
    return f"ws://{prefix}127.0.0.1:{get_port(server)}/"


@pytest.mark.parametrize(
    "credentials",
    [("hello", "iloveyou"), [("hello", "iloveyou"), ("bye", "ihateyou")]],
    ids=["pair", "list"],
)
def test_valid_credentials(loop_factory, credentials):
    async def main():
        factory = basic_auth_protocol_factory(realm="test", credentials=credentials)
        async with echo_server(whoami, create_protocol=factory) as server:
            async with connect(uri_with(server, "hello:iloveyou")) as ws:
                assert await ws.recv() == "hello"

    run(main(), loop_factory)


def test_invalid_credentials(loop_factory):
    async def main():
        factory = basic_auth_protocol_factory(
            realm="my realm", credentials=("hello", "iloveyou")
        )
        async with echo_server(whoami, create_protocol=factory) as server:
            for user_info in [None, "hello:wrong", "nobody:iloveyou"]:
                with pytest.raises(InvalidStatusCode) as raised:
                    await connect(uri_with(server, user_info))
                assert raised.value.status_code == 401
                assert raised.value.headers["WWW-Authenticate"] == (
                    'Basic realm="my realm", charset="UTF-8"'
                )
            # Credentials with another scheme, and malformed ones.
            for authorization in ["Bearer token", "Basic !!!"]:
                with pytest.raises(InvalidStatusCode) as raised:
                    await connect(
                        uri_with(server), extra_headers={"Authorization": authorization}
                    )
                assert raised.value.status_code == 401

    run(main(), loop_factory)


def test_check_credentials(loop_factory):
    async def check_credentials(username, password):
        return password == username[::-1]

    async def main():
        factory = basic_auth_protocol_factory(check_credentials=check_credentials)
        async with echo_server(whoami, create_protocol=factory) as server:
            async with connect(uri_with(server, "abc:cba")) as ws:
                assert await ws.recv() == "abc"
            with pytest.raises(InvalidStatusCode) as raised:
                await connect(uri_with(server, "abc:abc"))
            assert raised.value.status_code == 401
            assert raised.value.headers["WWW-Authenticate"].startswith('Basic realm=""')

    run(main(), loop_factory)


def test_non_ascii_password(loop_factory):
    async def main():
        factory = basic_auth_protocol_factory(credentials=("élise", "mötley"))
        async with echo_server(whoami, create_protocol=factory) as server:
            headers = {"Authorization": build_authorization_basic("élise", "mötley")}
            async with connect(uri_with(server), extra_headers=headers) as ws:
                assert await ws.recv() == "élise"

    run(main(), loop_factory)


def test_passwords_compared_in_constant_time(loop_factory, monkeypatch):
    calls = []
    original = hmac.compare_digest

    def compare_digest(a, b):
        calls.append((a, b))
        return original(a, b)

    monkeypatch.setattr("websockets.auth.hmac.compare_digest", compare_digest)

    async def main():
        factory = basic_auth_protocol_factory(credentials=("hello", "iloveyou"))
        async with echo_server(whoami, create_protocol=factory) as server:
            async with connect(uri_with(server, "hello:iloveyou")):
                pass
        assert calls == [(b"iloveyou", b"iloveyou")]

    run(main(), loop_factory)


def test_subclass_and_process_request(loop_factory):
    class Custom(BasicAuthWebSocketServerProtocol):
        realm = "from the class"

        async def check_credentials(self, username, password):
            return username == "admin"

    def process_request(path, request_headers):
        if path == "/health":
            return 200, [], b"OK\n"
        return None

    async def main():
        factory = basic_auth_protocol_factory(
            check_credentials=lambda u, p: None,  # overridden by the subclass
            create_protocol=Custom,
        )
        async with echo_server(
            whoami, create_protocol=factory, process_request=process_request
        ) as server:
            async with connect(uri_with(server, "admin:x")) as ws:
                assert await ws.recv() == "admin"
            with pytest.raises(InvalidStatusCode) as raised:
                await connect(uri_with(server, "guest:x"))
            assert raised.value.headers["WWW-Authenticate"].startswith(
                'Basic realm="from the class"'
            )
            # process_request answers first, without credentials.
            with pytest.raises(InvalidStatusCode) as raised:
                await connect(uri_with(server).rstrip("/") + "/health")
            assert raised.value.status_code == 200

    run(main(), loop_factory)


def test_default_check_credentials_refuses(loop_factory):
    async def main():
        async with echo_server(
            whoami, create_protocol=BasicAuthWebSocketServerProtocol
        ) as server:
            with pytest.raises(InvalidStatusCode) as raised:
                await connect(uri_with(server, "a:b"))
            assert raised.value.status_code == 401

    run(main(), loop_factory)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"credentials": ("a", "b"), "check_credentials": lambda u, p: True},
        {"credentials": 42},
        {"credentials": [("a", "b"), "c"]},
        {"credentials": ("a", 1)},
    ],
)
def test_invalid_arguments(kwargs):
    with pytest.raises(TypeError):
        basic_auth_protocol_factory(**kwargs)


def test_is_credentials():
    assert is_credentials(("a", "b"))
    assert not is_credentials(("a", "b", "c"))
    assert not is_credentials(None)
    assert not is_credentials(("a", None))
