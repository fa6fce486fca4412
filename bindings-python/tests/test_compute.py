"""DaemonRuntime with Python daemons: spawn, deliver, snapshot, stop and
respawn from the snapshot; stats; the lifecycle; the records."""

from __future__ import annotations

import pytest
from computekit import Counter, Echo, ev, identity, ready_runtime, total

from net_sdk import CausalEvent, DaemonError, DaemonHostConfig, DaemonRuntime


def test_spawn_deliver_snapshot_stop_and_respawn_keeps_the_state() -> None:
    rt = ready_runtime()
    me = identity(7)
    h = rt.spawn("counter", me)
    assert h.origin_hash == me.origin_hash and h.entity_id == me.entity_id
    assert (h.kind, h.name, h.is_running()) == ("counter", "counter", True)
    assert rt.daemon_count() == 1 and rt.origins() == [h.origin_hash]
    assert total(rt.deliver(h.origin_hash, ev(3))) == 3
    assert total(rt.deliver(h.origin_hash, ev(4))) == 7
    snap = rt.snapshot(h.origin_hash)
    assert isinstance(snap, bytes)
    stats = h.stats()
    assert (stats.events_processed, stats.events_emitted, stats.errors, stats.snapshots_taken) == (2, 2, 0, 1)

    rt.stop(h.origin_hash)
    assert rt.daemon_count() == 0 and not h.is_running()
    with pytest.raises(DaemonError) as stopped:
        h.stats()
    assert stopped.value.kind == "daemon-not-found"
    with pytest.raises(DaemonError) as gone:
        rt.deliver(h.origin_hash, ev(1))
    assert gone.value.kind == "daemon-not-found"

    again = rt.spawn_from_snapshot("counter", me, snap)
    assert again.origin_hash == h.origin_hash
    # The restored state goes on from 7; the counters start at zero.
    assert total(rt.deliver(again.origin_hash, ev(5))) == 12
    s = again.stats()
    assert (s.events_processed, s.events_emitted, s.errors, s.snapshots_taken) == (1, 1, 0, 0)
    assert s == again.stats()  # stats compare by value
    assert rt.snapshot(again.origin_hash) != snap
    rt.shutdown()


def test_a_stateless_daemon_snapshots_to_none() -> None:
    rt = ready_runtime()
    h = rt.spawn("echo", identity(8))
    assert rt.deliver(h.origin_hash, CausalEvent(5, 9, bytearray(b"hi"))) == [b"hi"]
    assert rt.snapshot(h.origin_hash) is None
    assert h.stats().snapshots_taken == 0
    rt.shutdown()


def test_deliver_batch_returns_each_events_outputs() -> None:
    rt = ready_runtime()
    h = rt.spawn("counter", identity(9))
    outs = rt.deliver_batch(h.origin_hash, [ev(1), ev(2), ev(3)])
    assert [total(o) for o in outs] == [1, 3, 6]
    assert rt.deliver_batch(h.origin_hash, []) == []
    # The batch stops at the first failure; the outputs before it come
    # with the error, and the events after it were not delivered.
    with pytest.raises(DaemonError) as failed:
        rt.deliver_batch(h.origin_hash, [ev(1), CausalEvent(1, 1, b""), ev(1)])
    assert failed.value.kind == "callback-failed"
    assert [total(o) for o in failed.value.outputs] == [7]
    assert h.stats().events_processed == 5
    rt.shutdown()


def test_automatic_snapshots_follow_the_config() -> None:
    rt = ready_runtime()
    cfg = DaemonHostConfig(auto_snapshot_interval=2, callback_timeout_ms=5000)
    assert (cfg.auto_snapshot_interval, cfg.max_log_entries, cfg.callback_timeout_ms) == (2, 10_000, 5000)
    h = rt.spawn("counter", identity(10), cfg)
    assert h.config == cfg and h.config != DaemonHostConfig()
    for n in range(5):
        rt.deliver(h.origin_hash, ev(n + 1))
    assert h.stats().snapshots_taken == 2
    rt.shutdown()


def test_the_lifecycle_gate() -> None:
    rt = DaemonRuntime.local()
    rt.register_factory("counter", Counter)
    assert not rt.is_ready()
    with pytest.raises(DaemonError) as early:
        rt.spawn("counter", identity(11))
    assert early.value.kind == "not-ready"
    assert str(early.value).startswith("runtime not ready")
    rt.start()
    rt.start()  # a no-op when started
    assert rt.is_ready()
    h = rt.spawn("counter", identity(11))
    with pytest.raises(DaemonError) as twice:
        rt.spawn("counter", identity(11))
    assert twice.value.kind == "already-running"
    with pytest.raises(DaemonError) as taken:
        rt.register_factory("counter", Counter)
    assert taken.value.kind == "factory-already-registered"
    rt.shutdown()
    rt.shutdown()  # idempotent
    assert not rt.is_ready() and rt.daemon_count() == 0 and not h.is_running()
    for call in (lambda: rt.start(), lambda: rt.spawn("counter", identity(12)), lambda: rt.register_factory("x", Echo)):
        with pytest.raises(DaemonError) as late:
            call()
        assert late.value.kind == "shutting-down"
    rt.stop(h.origin_hash)  # a no-op while shutting down


def test_records_compare_by_value_and_print() -> None:
    a, b = CausalEvent(1, 2, b"x"), CausalEvent(1, 2, b"x")
    assert a == b and a != CausalEvent(1, 3, b"x")
    assert (a.origin_hash, a.sequence, a.payload, a.parent_hash) == (1, 2, b"x", bytes(32))
    assert "sequence=2" in repr(a)
    assert "callback_timeout_ms=60000" in repr(DaemonHostConfig())
    rt = ready_runtime()
    h = rt.spawn("echo", identity(13))
    assert "echo" in repr(h) and "daemons=1" in repr(rt)
    assert "events_processed=0" in repr(h.stats())
    rt.shutdown()
