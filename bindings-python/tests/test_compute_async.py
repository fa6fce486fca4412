"""DaemonRuntime's `_async` forms: the same core calls, awaited."""

from __future__ import annotations

import asyncio

import pytest
from computekit import Counter, Gate, ev, identity, total

from net_sdk import DaemonError, DaemonHostConfig, DaemonRuntime


def test_the_async_forms_spawn_deliver_snapshot_respawn_and_stop() -> None:
    async def main() -> None:
        rt = DaemonRuntime.local()
        rt.register_factory("counter", Counter)
        await rt.start_async()
        me = identity(40)
        h = await rt.spawn_async("counter", me)
        outs = await asyncio.gather(*(rt.deliver_async(h.origin_hash, ev(n)) for n in (1, 2, 3)))
        assert sorted(total(o) for o in outs)[-1] == 6
        snap = await rt.snapshot_async(h.origin_hash)
        assert snap is not None
        await rt.stop_async(h.origin_hash)
        with pytest.raises(DaemonError) as gone:
            await rt.deliver_async(h.origin_hash, ev(1))
        assert gone.value.kind == "daemon-not-found"
        again = await rt.spawn_from_snapshot_async("counter", me, snap)
        assert total(await rt.deliver_async(again.origin_hash, ev(4))) == 10
        with pytest.raises(DaemonError) as unknown:
            await rt.spawn_async("nope", identity(41))
        assert unknown.value.kind == "factory-not-found"
        await rt.shutdown_async()
        assert not rt.is_ready()

    asyncio.run(main())


def test_a_stalled_callback_times_out_without_blocking_the_loop() -> None:
    async def main() -> None:
        rt = DaemonRuntime.local()
        rt.register_factory("gate", Gate)
        await rt.start_async()
        Gate.entered.clear()
        Gate.release.clear()
        h = await rt.spawn_async("gate", identity(42), DaemonHostConfig(callback_timeout_ms=300))
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.ensure_future(tick())
        with pytest.raises(DaemonError) as stalled:
            await rt.deliver_async(h.origin_hash, ev(1))
        ticker.cancel()
        assert stalled.value.kind == "callback-timeout"
        assert ticks >= 5, "the loop kept running while the callback stalled"
        Gate.release.set()
        await rt.shutdown_async()

    asyncio.run(main())
