import gc

import pytest

from websockets.datastructures import Headers, MultipleValuesError


@pytest.fixture
def headers():
    return Headers([("Connection", "Upgrade"), ("Server", "websockets")])


def test_init_forms():
    expected = Headers([("A", "1"), ("B", "2")])
    assert Headers({"A": "1", "B": "2"}) == expected
    assert Headers(A="1", B="2") == expected
    assert Headers(expected) == expected
    assert Headers([("A", "1")], B="2") == expected


def test_init_from_keys_and_getitem():
    class Lookup:
        def keys(self):
            return ["A"]

        def __getitem__(self, key):
            return "1"

    assert Headers(Lookup()) == Headers(A="1")


def test_update_too_many_arguments():
    with pytest.raises(TypeError, match="expected at most 1 argument, got 2"):
        Headers().update({}, {})


def test_str_and_serialize(headers):
    assert str(headers) == "Connection: Upgrade\r\nServer: websockets\r\n\r\n"
    assert headers.serialize() == b"Connection: Upgrade\r\nServer: websockets\r\n\r\n"


def test_repr(headers):
    assert repr(headers) == "Headers([('Connection', 'Upgrade'), ('Server', 'websockets')])"


def test_case_insensitive(headers):
    assert "connection" in headers and "CONNECTION" in headers
    assert headers["cOnNeCtIoN"] == "Upgrade"
    assert 42 not in headers


def test_iter_len(headers):
    assert list(headers) == ["connection", "server"]
    assert len(headers) == 2


def test_missing(headers):
    with pytest.raises(KeyError):
        headers["Upgrade"]
    assert headers.get("Upgrade") is None
    assert headers.get_all("Upgrade") == []


def test_multiple_values(headers):
    headers["Server"] = "other"
    with pytest.raises(MultipleValuesError) as info:
        headers["server"]
    assert str(info.value) == "'server'"
    assert headers.get_all("SERVER") == ["websockets", "other"]
    assert str(MultipleValuesError("a", "b")) == "('a', 'b')"


def test_setitem_appends_and_raw_items_keep_case(headers):
    headers["X-Trace"] = "1"
    headers["x-trace"] = "2"
    assert list(headers.raw_items())[-2:] == [("X-Trace", "1"), ("x-trace", "2")]


def test_delitem_removes_every_value(headers):
    headers["server"] = "other"
    del headers["SERVER"]
    assert "Server" not in headers
    assert list(headers.raw_items()) == [("Connection", "Upgrade")]


def test_eq(headers):
    assert headers == Headers([("connection", "Upgrade"), ("server", "websockets")])
    assert headers != Headers(Connection="Upgrade")
    assert headers != {"connection": "Upgrade", "server": "websockets"}


def test_copy_is_independent(headers):
    copy = headers.copy()
    copy["Server"] = "other"
    assert headers.get_all("Server") == ["websockets"]
    assert copy.get_all("Server") == ["websockets", "other"]


def test_clear(headers):
    headers.clear()
    assert len(headers) == 0 and list(headers.raw_items()) == []


def test_three_values_keep_their_order(headers):
    headers["Server"] = "second"
    headers["server"] = "third"
    assert headers.get_all("Server") == ["websockets", "second", "third"]
    assert headers == Headers(
        [("Connection", "Upgrade"), ("Server", "websockets"), ("Server", "second"),
         ("Server", "third")]
    )
    assert headers != Headers(
        [("Connection", "Upgrade"), ("Server", "second"), ("Server", "websockets"),
         ("Server", "third")]
    )


def test_get_all_returns_a_copy(headers):
    headers["Server"] = "other"
    for name in ("Connection", "Server"):
        headers.get_all(name).append("changed")
    assert headers.get_all("Connection") == ["Upgrade"]
    assert headers.get_all("Server") == ["websockets", "other"]


def test_values_stay_out_of_the_garbage_collector(headers):
    # A server keeps the handshake headers of every connection: a dict of
    # strings isn't tracked by the garbage collector, a dict of lists is.
    headers["Server"] = "other"
    gc.collect()
    assert not gc.is_tracked(headers._dict)
