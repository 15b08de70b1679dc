"""
Tests of the coroutine in which ``async for`` waits for messages: the C
``steps()`` of websockets.speedups and its Python reference, which must
behave alike.
"""

import asyncio
import collections.abc
import gc
import weakref

import pytest

from websockets.protocol import _steps_python

from .utils import MS, run


IMPLEMENTATIONS = [pytest.param(_steps_python, id="python")]
try:
    from websockets.speedups import steps as _steps_c
except ImportError:  # pragma: no cover - built wherever tests run
    pass
else:
    IMPLEMENTATIONS.append(pytest.param(_steps_c, id="c"))


@pytest.fixture(params=IMPLEMENTATIONS)
def steps(request):
    return request.param


class Script:
    """A step function that returns, in turn, what it was given."""

    def __init__(self, *results):
        self.results = list(results)
        self.calls = []

    def __call__(self, arg):
        self.calls.append(arg)
        result = self.results.pop(0)
        if isinstance(result, Exception):
            raise result
        return result


def test_result_at_once(steps, loop_factory):
    async def main():
        step = Script("message")
        assert await steps(step, "arg") == "message"
        assert step.calls == ["arg"]

    run(main(), loop_factory)


def test_waits_for_each_future(steps, loop_factory):
    async def main():
        loop = asyncio.get_running_loop()
        first, second = loop.create_future(), loop.create_future()
        step = Script(first, second, b"message")
        task = asyncio.create_task(steps(step, None))
        await asyncio.sleep(0)
        assert len(step.calls) == 1 and not task.done()
        first.set_result(None)
        await asyncio.sleep(0)
        assert len(step.calls) == 2 and not task.done()
        second.set_result(None)
        assert await task == b"message"
        assert len(step.calls) == 3

    run(main(), loop_factory)


def test_is_a_coroutine_for_asyncio(steps, loop_factory):
    async def main():
        coro = steps(Script("message"), None)
        assert isinstance(coro, collections.abc.Coroutine)
        assert asyncio.iscoroutine(coro)
        assert await asyncio.wait_for(coro, 1000 * MS) == "message"

    run(main(), loop_factory)


def test_step_error_ends_it(steps, loop_factory):
    async def main():
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        step = Script(waiter, ValueError("bad"))
        task = asyncio.create_task(steps(step, None))
        await asyncio.sleep(0)
        waiter.set_result(None)
        with pytest.raises(ValueError, match="bad"):
            await task

    run(main(), loop_factory)


def test_cancelled_while_waiting(steps, loop_factory):
    async def main():
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        step = Script(waiter, "never taken")
        task = asyncio.create_task(steps(step, None))
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert waiter.cancelled()
        assert len(step.calls) == 1  # the second result is still there

    run(main(), loop_factory)


def test_driven_by_hand(steps, loop_factory):
    # What a task does, and the end of a coroutine: StopIteration carries
    # the result, even a tuple, which would otherwise be taken apart.
    async def main():
        waiter = asyncio.get_running_loop().create_future()
        coro = steps(Script(waiter, (1, 2)), None)
        assert coro.send(None) is waiter
        assert waiter._asyncio_future_blocking
        waiter.set_result(None)
        with pytest.raises(StopIteration) as raised:
            coro.send(None)
        assert raised.value.value == (1, 2)
        with pytest.raises(RuntimeError, match="cannot reuse"):
            coro.send(None)

    run(main(), loop_factory)


@pytest.mark.parametrize("exc", [KeyError("key"), KeyError])
def test_throw_ends_it(steps, loop_factory, exc):
    async def main():
        waiter = asyncio.get_running_loop().create_future()
        coro = steps(Script(waiter, "never taken"), None)
        coro.send(None)
        with pytest.raises(KeyError):
            coro.throw(exc)
        with pytest.raises(RuntimeError, match="cannot reuse"):
            coro.send(None)

    run(main(), loop_factory)


def test_throw_refuses_what_isnt_an_exception(steps):
    coro = steps(Script("never taken"), None)
    with pytest.raises(TypeError, match="BaseException"):
        coro.throw(42)
    coro.close()


def test_close_ends_it(steps):
    step = Script("never taken")
    coro = steps(step, None)
    coro.close()
    with pytest.raises(RuntimeError, match="cannot reuse"):
        coro.send(None)
    assert step.calls == []


def test_reference_cycle_collected(steps, loop_factory):
    # A connection holds the coroutine that waits for its next message,
    # which holds the connection.
    class Holder:
        pass

    async def main():
        holder = Holder()
        waiter = asyncio.get_running_loop().create_future()
        holder.coro = steps(Script(waiter, "never taken"), holder)
        holder.coro.send(None)
        ref = weakref.ref(holder)
        del holder
        gc.collect()
        assert ref() is None

    run(main(), loop_factory)
