"""MeshOsDaemonSdk with Python daemons: control events to on_control and
the handle's channel, health and saturation sampled by the supervisor,
logs, metadata, published capabilities, graceful shutdown, errors."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from typing import Callable, List

import pytest
from computekit import identity

from net_sdk import CausalEvent, DaemonControl, DaemonHostConfig, MeshOsDaemonSdk, MeshOsError


class Supervised:
    """Echoes; records its control events; reports what it is told to."""

    name = "supervised"

    def __init__(self) -> None:
        self.controls: List[DaemonControl] = []
        self.state = "healthy"
        self.load = 0.0

    def process(self, event: CausalEvent) -> List[bytes]:
        return [event.payload]

    def on_control(self, control: DaemonControl) -> None:
        self.controls.append(control)

    def health(self) -> str:
        return self.state

    def saturation(self) -> float:
        return self.load


def eventually(check: Callable[[], bool], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def test_control_events_reach_on_control_and_the_channel() -> None:
    sdk = MeshOsDaemonSdk.start(tick_interval_ms=20)
    d = Supervised()
    h = sdk.register_daemon(d, identity(60))
    assert (h.daemon_id, h.daemon_name) == (identity(60).origin_hash, "supervised")
    assert sdk.daemon_ids() == [h.daemon_id]
    assert sdk.runtime().deliver(h.daemon_id, CausalEvent(1, 1, b"hi")) == [b"hi"]
    assert h.try_next_control() is None
    sdk.route_control(h.daemon_id, DaemonControl.drain_start(250))
    sdk.route_control(h.daemon_id, DaemonControl.drain_finish())
    first = h.next_control(timeout=5)
    assert first is not None and first.variant == "DrainStart" and first.grace_period_ms == 250
    second = h.next_control(timeout=5)
    assert second == DaemonControl.drain_finish() and second.grace_period_ms is None
    assert [c.variant for c in d.controls] == ["DrainStart", "DrainFinish"]
    started = time.monotonic()
    assert h.next_control(timeout=0.05) is None
    assert time.monotonic() - started < 2
    assert sdk.dropped_control_events() == 0
    sdk.shutdown()
    assert h.next_control() is None, "the channel ends with the SDK"
    with pytest.raises(MeshOsError) as twice:
        sdk.shutdown()
    assert twice.value.kind == "already_shutdown"


def test_health_and_saturation_are_sampled_and_saturation_turns_into_backpressure() -> None:
    sdk = MeshOsDaemonSdk.start(tick_interval_ms=20)
    d = Supervised()
    h = sdk.register_daemon(d, identity(61))
    meta = h.metadata()
    assert (meta["daemon_name"], meta["daemon_id"], meta["capabilities"]) == ("supervised", h.daemon_id, [])
    d.state, d.load = "degraded", 0.9
    on = h.next_control(timeout=5)
    assert on is not None and on.variant == "BackpressureOn" and on.level == pytest.approx(0.9)
    eventually(lambda: h.refresh_metadata()["health"] == "degraded")
    d.load = 0.1
    off = h.next_control(timeout=5)
    assert off is not None and off.variant == "BackpressureOff"
    d.state = "broken"  # not a health: the check fails, and reads unhealthy
    eventually(lambda: h.refresh_metadata()["health"] == "unhealthy")
    sdk.shutdown()


def test_logs_capabilities_and_graceful_shutdown() -> None:
    sdk = MeshOsDaemonSdk.start()
    d = Supervised()
    h = sdk.register_daemon(d, identity(62))
    h.publish_log("info", "ready")
    h.publish_log(4, "oops")
    [info, err] = sdk.drain_logs()
    assert (info.level, info.message, info.daemon_name, info.daemon_id) == ("info", "ready", "supervised", h.daemon_id)
    assert err.level == "error" and err.at_ms > 0
    assert sdk.drain_logs() == []
    for bad in ("loud", 9):
        with pytest.raises(MeshOsError) as level:
            h.publish_log(bad, "x")  # type: ignore[arg-type]  # on purpose
        assert level.value.kind == "invalid_log_level"
    h.publish_capabilities(["model:llama", "gpu"])
    assert sorted(h.metadata()["capabilities"]) == ["gpu", "model:llama"]
    h.graceful_shutdown(grace_period_ms=10)
    assert h.is_shut_down() and sdk.daemon_ids() == []
    assert [c.variant for c in d.controls] == ["Shutdown"] and d.controls[0].grace_period_ms == 10
    for call in (lambda: h.publish_log("info", "late"), lambda: h.metadata(), lambda: h.graceful_shutdown()):
        with pytest.raises(MeshOsError) as late:
            call()
        assert late.value.kind == "already_shutdown"
    sdk.shutdown()


class NeedsGpu(Supervised):
    required_capabilities = ["hardware.gpu"]


def test_registration_and_routing_failures_are_typed() -> None:
    sdk = MeshOsDaemonSdk.start()
    h = sdk.register_daemon(Supervised(), identity(63), DaemonHostConfig(callback_timeout_ms=1000))
    with pytest.raises(MeshOsError) as twice:
        sdk.register_daemon(Supervised(), identity(63))
    assert twice.value.kind == "register_failed"
    with pytest.raises(MeshOsError) as missing:
        sdk.register_daemon(NeedsGpu(), identity(64))
    assert missing.value.kind == "register_failed" and "hardware.gpu" in str(missing.value)
    with pytest.raises(TypeError):
        sdk.register_daemon(object(), identity(65))  # type: ignore[arg-type]
    with pytest.raises(MeshOsError) as unknown:
        sdk.route_control(12345, DaemonControl.drain_finish())
    assert unknown.value.kind == "invalid_argument"
    with pytest.raises(ValueError):
        DaemonControl.backpressure_on(1.5)
    assert "Shutdown" in repr(DaemonControl.shutdown(5)) and h.daemon_name in repr(h)
    sdk.shutdown()
    with pytest.raises(MeshOsError) as closed:
        sdk.route_control(h.daemon_id, DaemonControl.drain_finish())
    assert closed.value.kind == "loop_closed"


def test_the_async_forms() -> None:
    async def main() -> None:
        sdk = MeshOsDaemonSdk.start()
        d = Supervised()
        h = sdk.register_daemon(d, identity(66))
        waiting = asyncio.ensure_future(h.next_control_async(timeout=5))
        await asyncio.sleep(0.01)
        sdk.route_control(h.daemon_id, DaemonControl.backpressure_off())
        got = await waiting
        assert got is not None and got.variant == "BackpressureOff"
        assert await h.next_control_async(timeout=0.05) is None
        await h.graceful_shutdown_async(grace_period_ms=1)
        assert h.is_shut_down()
        await sdk.shutdown_async()
        assert sdk.is_shut_down()

    asyncio.run(main())


class SlowHealth(Supervised):
    """Its health check takes a while (and lets go of the GIL meanwhile)."""

    checking = threading.Event()

    def health(self) -> str:
        SlowHealth.checking.set()
        time.sleep(0.3)
        return "healthy"


def test_dropping_an_sdk_mid_callback_does_not_wait_out_the_callback_timeout() -> None:
    sdk = MeshOsDaemonSdk.start(tick_interval_ms=10)
    SlowHealth.checking.clear()
    h = sdk.register_daemon(SlowHealth(), identity(67), DaemonHostConfig(callback_timeout_ms=20_000))
    assert SlowHealth.checking.wait(5)
    started = time.monotonic()
    del sdk  # the supervisor is inside health(), which needs the GIL back
    gc.collect()
    assert time.monotonic() - started < 5, "the drop waited for the callback's timeout"
    assert h.next_control(timeout=5) is None, "the SDK shut down"
