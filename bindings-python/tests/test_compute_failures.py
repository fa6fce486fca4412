"""DaemonRuntime failure paths: a callback that raises, stalls or calls
back into its own daemon; a missing capability; bad input."""

from __future__ import annotations

import time
from typing import List, Optional

import pytest
from computekit import Counter, Echo, Gate, ev, identity, ready_runtime, total

from net_sdk import CapabilityError, CausalEvent, DaemonError, DaemonHostConfig, DaemonRuntime, NetError


def test_a_callback_that_raises_is_counted_and_raised_and_the_daemon_stays() -> None:
    rt = ready_runtime()
    h = rt.spawn("counter", identity(20))
    rt.deliver(h.origin_hash, ev(2))
    with pytest.raises(DaemonError) as failed:
        rt.deliver(h.origin_hash, CausalEvent(1, 1, b""))
    assert isinstance(failed.value, NetError)
    assert failed.value.kind == "callback-failed"
    assert "ValueError: empty payload" in str(failed.value)
    assert total(rt.deliver(h.origin_hash, ev(3))) == 5
    s = h.stats()
    assert (s.events_processed, s.events_emitted, s.errors) == (3, 2, 1)
    rt.shutdown()


class BadResult:
    def __init__(self) -> None:
        self.answers: List[object] = [b"one payload, not a list", ["text is not bytes"], 42]

    def process(self, event: CausalEvent) -> object:
        return self.answers.pop(0)


def test_a_process_result_that_is_not_a_list_of_bytes_is_a_callback_failure() -> None:
    rt = DaemonRuntime.local()
    rt.register_factory("bad", BadResult)  # type: ignore[arg-type]  # on purpose
    rt.start()
    h = rt.spawn("bad", identity(21))
    for expected in ("not one bytes", "not str", "not int"):
        with pytest.raises(DaemonError) as bad:
            rt.deliver(h.origin_hash, ev(1))
        assert bad.value.kind == "callback-failed" and "TypeError" in str(bad.value)
        assert expected in str(bad.value)
    assert h.stats().errors == 3
    rt.shutdown()


def test_a_stalled_callback_times_out_and_the_daemon_recovers() -> None:
    rt = DaemonRuntime.local()
    rt.register_factory("gate", Gate)
    rt.start()
    Gate.entered.clear()
    Gate.release.clear()
    h = rt.spawn("gate", identity(22), DaemonHostConfig(callback_timeout_ms=200))
    started = time.monotonic()
    with pytest.raises(DaemonError) as stalled:
        rt.deliver(h.origin_hash, ev(1))
    took = time.monotonic() - started
    assert stalled.value.kind == "callback-timeout"
    assert 0.19 <= took < 5, took
    assert Gate.entered.is_set()
    assert h.stats().errors == 1
    # Once the callback returns, the daemon answers again (its late answer
    # to the timed-out call is dropped).
    Gate.release.set()
    assert rt.deliver(h.origin_hash, ev(2)) == [bytes([2])]
    rt.shutdown()


class SelfCaller:
    """Delivers to its own daemon from inside process."""

    rt: Optional[DaemonRuntime] = None
    me = 0
    nested: List[BaseException] = []

    def process(self, event: CausalEvent) -> List[bytes]:
        assert SelfCaller.rt is not None
        started = time.monotonic()
        try:
            SelfCaller.rt.deliver(SelfCaller.me, event)
        except DaemonError as e:
            SelfCaller.took = time.monotonic() - started
            SelfCaller.nested.append(e)
        return [b"outer"]

    took = 0.0


def test_a_callback_delivering_to_its_own_daemon_is_refused_at_once() -> None:
    rt = DaemonRuntime.local()
    rt.register_factory("self", SelfCaller)
    rt.start()
    me = identity(23)
    SelfCaller.rt, SelfCaller.me, SelfCaller.nested = rt, me.origin_hash, []
    h = rt.spawn("self", me, DaemonHostConfig(callback_timeout_ms=10_000))
    assert rt.deliver(h.origin_hash, ev(1)) == [b"outer"]
    [nested] = SelfCaller.nested
    assert isinstance(nested, DaemonError) and nested.kind == "reentrant-call"
    assert SelfCaller.took < 2, "refused at once, not after the 10 s bound"
    SelfCaller.rt = None
    rt.shutdown()


class Forwarder:
    """Delivers each event on to the echo daemon `Forwarder.to`."""

    rt: Optional[DaemonRuntime] = None
    to = 0

    def process(self, event: CausalEvent) -> List[bytes]:
        assert Forwarder.rt is not None
        return [b"via " + p for p in Forwarder.rt.deliver(Forwarder.to, event)]


def test_a_callback_may_deliver_to_another_daemon() -> None:
    rt = ready_runtime()
    rt.register_factory("fwd", Forwarder)
    echo = rt.spawn("echo", identity(24))
    Forwarder.rt, Forwarder.to = rt, echo.origin_hash
    fwd = rt.spawn("fwd", identity(25), DaemonHostConfig(callback_timeout_ms=5000))
    assert rt.deliver(fwd.origin_hash, CausalEvent(1, 1, b"x")) == [b"via x"]
    Forwarder.rt = None
    rt.shutdown()


class NeedsGpu:
    required_capabilities = ["hardware.gpu", "region:eu"]

    def process(self, event: CausalEvent) -> List[bytes]:
        return []


def test_a_missing_required_capability_refuses_the_spawn_and_names_it() -> None:
    rt = ready_runtime(["region:eu"])
    rt.register_factory("gpu", NeedsGpu)
    with pytest.raises(DaemonError) as refused:
        rt.spawn("gpu", identity(26))
    assert refused.value.kind == "missing-capabilities"
    assert "hardware.gpu" in str(refused.value) and "region:eu" not in str(refused.value).split("lacks")[-1]
    assert rt.daemon_count() == 0
    rt.shutdown()
    ok = ready_runtime(["region:eu", "hardware.gpu"])
    ok.register_factory("gpu", NeedsGpu)
    assert ok.spawn("gpu", identity(26)).is_running()
    ok.shutdown()


class Raising:
    def __init__(self) -> None:
        raise RuntimeError("cannot build")

    def process(self, event: CausalEvent) -> List[bytes]:
        return []


class RefusesRestore(Counter):
    def restore(self, state: bytes) -> None:
        raise ValueError("no thanks")


def test_bad_input_is_refused_with_typed_errors() -> None:
    rt = ready_runtime()
    rt.register_factory("raising", Raising)
    rt.register_factory("no-process", object)  # type: ignore[arg-type]  # on purpose
    rt.register_factory("refuses", RefusesRestore)
    with pytest.raises(DaemonError) as unknown_kind:
        rt.spawn("nope", identity(27))
    assert unknown_kind.value.kind == "factory-not-found"
    with pytest.raises(DaemonError) as unknown_origin:
        rt.deliver(12345, ev(1))
    assert unknown_origin.value.kind == "daemon-not-found"
    with pytest.raises(DaemonError) as no_snapshot:
        rt.snapshot(12345)
    assert no_snapshot.value.kind == "daemon-not-found"
    with pytest.raises(DaemonError) as no_stop:
        rt.stop(12345)
    assert no_stop.value.kind == "daemon-not-found"
    with pytest.raises(DaemonError) as factory_raised:
        rt.spawn("raising", identity(27))
    assert factory_raised.value.kind == "callback-failed" and "RuntimeError: cannot build" in str(factory_raised.value)
    with pytest.raises(DaemonError) as no_process:
        rt.spawn("no-process", identity(27))
    assert "needs a process method" in str(no_process.value)

    h = rt.spawn("counter", identity(27))
    rt.deliver(h.origin_hash, ev(1))
    snap = rt.snapshot(h.origin_hash)
    assert snap is not None
    with pytest.raises(DaemonError) as decode:
        rt.spawn_from_snapshot("counter", identity(28), b"not a snapshot")
    assert decode.value.kind == "snapshot-decode"
    with pytest.raises(DaemonError) as other_identity:
        rt.spawn_from_snapshot("counter", identity(28), snap)
    assert other_identity.value.kind == "snapshot-mismatch"
    rt.stop(h.origin_hash)
    with pytest.raises(DaemonError) as other_kind:
        rt.spawn_from_snapshot("echo", identity(27), snap)
    assert other_kind.value.kind == "snapshot-mismatch"
    r = rt.spawn("refuses", identity(29))
    refusing = rt.snapshot(r.origin_hash)
    assert refusing is not None
    rt.stop(r.origin_hash)
    with pytest.raises(DaemonError) as refused:
        rt.spawn_from_snapshot("refuses", identity(29), refusing)
    assert refused.value.kind == "state-failed" and "ValueError: no thanks" in str(refused.value)
    assert rt.daemon_count() == 0

    with pytest.raises(TypeError):
        rt.register_factory("not-callable", 42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        rt.deliver(h.origin_hash, b"raw bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        CausalEvent(1, 1, "text")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        rt.deliver_batch(h.origin_hash, [ev(1), b"x"])  # type: ignore[list-item]
    with pytest.raises(OverflowError):
        rt.deliver(-1, ev(1))
    with pytest.raises(CapabilityError):
        DaemonRuntime.local({"tags": 5})  # type: ignore[typeddict-item]
    rt.shutdown()
