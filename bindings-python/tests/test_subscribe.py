"""Subscriptions: iterator, async iterator, typed, early stop, close."""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import threading
import time
from typing import Any

import pytest

from net_sdk import ClosedError, CursorError, Event, NetNode, SerializationError


def test_iterates_live_events(node: NetNode) -> None:
    sub = node.subscribe(limit=10)
    node.emit_batch([{"n": i} for i in range(5)])
    got = [next(sub).json()["n"] for _ in range(5)]
    assert got == list(range(5))
    sub.close()
    assert sub.closed
    with pytest.raises(StopIteration):
        next(sub)


def test_live_by_default_or_from_the_beginning(node: NetNode) -> None:
    node.emit_raw(b"old")
    node.flush()
    live = node.subscribe()
    full = node.subscribe(from_beginning=True)
    node.emit_raw(b"new")
    assert next(live).raw == "new"
    assert [next(full).raw, next(full).raw] == ["old", "new"]
    live.close()
    full.close()


def test_resume_from_a_poll_cursor(node: NetNode) -> None:
    node.emit_raw_batch([b"1", b"2", b"3"])
    node.flush()
    page = node.poll(limit=1)
    with node.subscribe(cursor=page.next_id) as sub:
        assert [next(sub).raw, next(sub).raw] == ["2", "3"]
    with node.subscribe(cursor="nonsense") as bad:
        with pytest.raises(CursorError):
            next(bad)


def test_stopping_early_releases_the_native_stream(node: NetNode) -> None:
    node.emit_raw_batch([b"1", b"2", b"3"])
    node.flush()
    assert node.open_subscriptions == 0
    sub = node.subscribe(from_beginning=True)
    assert node.open_subscriptions == 1
    for event in sub:
        break
    del sub, event
    gc.collect()
    assert node.open_subscriptions == 0
    # Leaving a with block releases it even while a reference survives.
    with node.subscribe(from_beginning=True) as kept:
        next(kept)
        assert node.open_subscriptions == 1
    assert node.open_subscriptions == 0 and kept.closed


def test_close_from_another_thread_ends_a_blocked_wait(node: NetNode) -> None:
    sub = node.subscribe()
    ended = threading.Event()

    def reader() -> None:
        for _ in sub:
            pass
        ended.set()

    t = threading.Thread(target=reader)
    t.start()
    time.sleep(0.2)
    assert not ended.is_set()
    sub.close()
    assert ended.wait(5)
    t.join()
    assert node.open_subscriptions == 0


def test_shutdown_ends_subscriptions() -> None:
    node = NetNode()
    sub = node.subscribe()
    threading.Timer(0.2, node.shutdown).start()
    assert list(sub) == []
    assert sub.closed and node.open_subscriptions == 0
    with pytest.raises(ClosedError):
        node.subscribe()


def test_async_iteration(node: NetNode) -> None:
    async def main() -> list[Any]:
        out = []
        async with node.subscribe(limit=4) as sub:
            async def produce() -> None:
                for i in range(6):
                    node.emit({"i": i})
                    await asyncio.sleep(0.01)

            task = asyncio.ensure_future(produce())
            async for event in sub:
                assert isinstance(event, Event)
                out.append(event.json()["i"])
                if len(out) == 6:
                    break
            await task
        return out

    assert asyncio.run(main()) == list(range(6))
    gc.collect()
    assert node.open_subscriptions == 0


def test_async_break_then_release(node: NetNode) -> None:
    node.emit_raw_batch([b"1", b"2"])
    node.flush()

    async def main() -> None:
        sub = node.subscribe(from_beginning=True)
        async for _ in sub:
            break
        assert node.open_subscriptions == 1
        await sub.aclose()
        assert node.open_subscriptions == 0
        with pytest.raises(StopAsyncIteration):
            await sub.__anext__()

    asyncio.run(main())


def test_async_cancellation_loses_no_event(node: NetNode) -> None:
    async def main() -> list[str]:
        sub = node.subscribe()
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(sub.__anext__(), 0.2)
        node.emit_raw(b"after")
        event = await asyncio.wait_for(sub.__anext__(), 10)
        sub.close()
        return [event.raw]

    assert asyncio.run(main()) == ["after"]


def test_async_stream_ends_at_shutdown() -> None:
    async def main() -> list[str]:
        node = NetNode()
        sub = node.subscribe()
        node.emit_raw(b"last")
        loop = asyncio.get_running_loop()
        loop.call_later(0.2, node.shutdown)
        return [e.raw async for e in sub]

    assert asyncio.run(main()) == ["last"]


@dataclasses.dataclass
class TokenEvent:
    token: str
    index: int


def test_subscribe_typed_with_a_dataclass_or_callable(node: NetNode) -> None:
    typed = node.subscribe_typed(TokenEvent, from_beginning=True)
    as_dict = node.subscribe_typed(dict, from_beginning=True)
    node.emit({"token": "a", "index": 0})
    node.emit(TokenEvent("b", 1))
    assert [next(typed), next(typed)] == [TokenEvent("a", 0), TokenEvent("b", 1)]
    assert next(as_dict) == {"token": "a", "index": 0}
    typed.close()
    as_dict.close()


def test_subscribe_typed_reports_undecodable_events_and_continues(node: NetNode) -> None:
    with node.subscribe_typed(TokenEvent, from_beginning=True) as typed:
        node.emit_raw(b"{not json")
        node.emit({"wrong": "fields"})
        node.emit({"token": "ok", "index": 2})
        with pytest.raises(SerializationError) as err:
            next(typed)
        assert err.value.kind == "deserialization"
        with pytest.raises(SerializationError):
            next(typed)
        assert next(typed) == TokenEvent("ok", 2)


def test_subscribe_typed_async(node: NetNode) -> None:
    async def main() -> TokenEvent:
        async with node.subscribe_typed(TokenEvent) as typed:
            node.emit({"token": "z", "index": 9})
            async for item in typed:
                return item
        raise AssertionError("stream ended")

    assert asyncio.run(main()) == TokenEvent("z", 9)


def test_ctrl_c_interrupts_a_blocked_wait(node: NetNode) -> None:
    import _thread

    sub = node.subscribe()
    # interrupt_main() is what SIGINT does: the wait must notice within ~100 ms.
    threading.Timer(0.3, _thread.interrupt_main).start()
    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        next(sub)
    assert time.monotonic() - t0 < 5
    # The interrupted wait was cancelled cleanly: the stream still works.
    node.emit_raw(b'"after"')
    assert next(sub).raw == '"after"'
    sub.close()
