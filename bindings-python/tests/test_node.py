"""NetNode: emits, polls, stats, lifecycle, failure paths."""

from __future__ import annotations

import dataclasses
import math

import pytest

from net_sdk import (
    BackpressureError,
    ClosedError,
    ConfigError,
    CursorError,
    NetError,
    NetNode,
    Receipt,
    SerializationError,
)


def test_emit_variants_return_receipts(node: NetNode) -> None:
    r = node.emit({"token": "hello", "index": 0})
    assert isinstance(r, Receipt)
    assert 0 <= r.shard_id < node.shards
    assert r.sequence == 0 and not r.dropped and r.timestamp > 1_600_000_000 * 10**9
    assert r.evicted == 0
    r2 = node.emit_raw('{"token": "world"}')
    r3 = node.emit_raw(b'{"token": "foo"}')
    assert {r2.dropped, r3.dropped} == {False}
    assert r == r and r != r2
    assert "Receipt(shard_id=" in repr(r) and "evicted=0" in repr(r)
    node.flush()
    raws = sorted(e.raw for e in node.poll(limit=10).events)
    assert raws == sorted(['{"token":"hello","index":0}', '{"token": "world"}', '{"token": "foo"}'])


def test_kept_receipts_keep_their_values(node: NetNode) -> None:
    """emit_raw reuses a receipt object only once the caller dropped it,
    so a receipt that is kept never changes under its holder."""
    kept = [node.emit_raw(b'{"i":%d}' % i) for i in range(50)]
    by_shard: dict[int, list[int]] = {}
    for r in kept:
        by_shard.setdefault(r.shard_id, []).append(r.sequence)
    for sequences in by_shard.values():
        assert sequences == list(range(len(sequences)))
    assert len({id(r) for r in kept}) == len(kept)
    # Dropped at once, then emitted again: values are the new emit's.
    seen = [(r.shard_id, r.sequence, r.timestamp) for r in (node.emit_raw(b'{"i":1}') for _ in range(20))]
    assert len(set(seen)) == 20
    first = node.emit_raw(b'{"i":1}')
    snapshot = (first.shard_id, first.sequence, first.timestamp, first.dropped)
    second = node.emit_raw(b'{"i":1}')
    assert (first.shard_id, first.sequence, first.timestamp, first.dropped) == snapshot
    assert second.sequence == first.sequence + 1 and second != first
    assert Receipt is type(second) and (second == "not a receipt") is False


def test_emit_encodes_dataclasses(node: NetNode) -> None:
    @dataclasses.dataclass
    class Reading:
        sensor: str
        celsius: float

    node.emit(Reading("A1", 22.5))
    node.flush()
    event = node.poll_one()
    assert event is not None and event.json() == {"sensor": "A1", "celsius": 22.5}


def test_batches_count_what_was_stored(node: NetNode) -> None:
    assert node.emit_batch([{"a": 1}, {"a": 2}, {"a": 3}]) == 3
    assert node.emit_raw_batch([b"1", "2", b"3", "4"]) == 4
    assert node.emit_raw_batch(iter([b"5"])) == 1
    assert node.emit_raw_batch([]) == 0
    node.flush()
    page = node.poll(limit=100)
    assert len(page.events) == 8 and len(page) == 8
    # A batch lands on one shard, in order.
    batch = [e for e in page.events if e.raw in ("1", "2", "3", "4")]
    assert [e.raw for e in batch] == ["1", "2", "3", "4"]
    assert len({e.shard_id for e in batch}) == 1
    assert [e.sequence for e in batch] == sorted(e.sequence for e in batch)


def test_fire_and_fire_batch(node: NetNode) -> None:
    assert node.fire('{"f": 1}') is True
    assert node.fire_batch(['{"f": 2}', b'{"f": 3}']) == 2
    node.flush()
    assert node.stats().events_ingested == 3


def test_poll_pages_resume_exactly_once(node: NetNode) -> None:
    for i in range(25):
        node.emit({"i": i})
    node.flush()
    seen: list[int] = []
    cursor = None
    while True:
        page = node.poll(limit=7, cursor=cursor)
        seen += [e.json()["i"] for e in page.events]
        cursor = page.next_id
        if not page.has_more:
            break
    assert sorted(seen) == list(range(25))
    assert node.poll(limit=7, cursor=cursor).events == []
    assert node.poll(limit=0).events == []


def test_event_fields(node: NetNode) -> None:
    r = node.emit_raw(b"\xff{bytes}")
    node.flush()
    e = node.poll_one()
    assert e is not None
    assert e.id == f"{r.shard_id}:{r.sequence}"
    assert (e.shard_id, e.sequence, e.insertion_ts) == (r.shard_id, r.sequence, r.timestamp)
    assert e.raw_bytes == b"\xff{bytes}"
    assert e.raw == "\ufffd{bytes}"
    assert "Event(id=" in repr(e)


def test_poll_one_at_a_cursor(node: NetNode) -> None:
    assert node.poll_one() is None
    node.emit_raw_batch([b"1", b"2"])
    node.flush()
    first = node.poll(limit=1)
    second = node.poll_one(first.next_id)
    assert second is not None and (first.events[0].raw, second.raw) == ("1", "2")


def test_stats_and_shards(node: NetNode) -> None:
    assert node.shards == 2
    node.emit_raw_batch([b"x"] * 10)
    node.flush()
    s = node.stats()
    assert s.events_ingested == 10 and s.events_dropped == 0
    assert s.batches_dispatched >= 1 and s.shard_depths == [0, 0]
    assert "Stats(" in repr(s)


def test_bad_config_raises_config_error() -> None:
    for kwargs in (
        {"shards": 0},
        {"shards": 70000},
        {"ring_capacity": 1},
        {"ring_capacity": -5},
        {"backpressure": "sometimes"},
        {"shard_strategy": "random"},
        {"retention": 0},
        {"max_batch": 0},
        {"max_delay_ms": 0},
        {"block_timeout_ms": 0},
        {"block_timeout_ms": -1},
    ):
        with pytest.raises(ConfigError) as err:
            NetNode(**kwargs)  # type: ignore[arg-type]
        assert err.value.kind == "invalid_config", kwargs
        assert isinstance(err.value, ValueError)


def test_all_options_are_accepted() -> None:
    with NetNode(
        shards=3, ring_capacity=100, backpressure="drop_newest", shard_strategy="round_robin",
        retention=50, max_batch=8, max_delay_ms=2, block_timeout_ms=250,
    ) as n:
        receipts = [n.emit_raw(b"x") for _ in range(6)]
        assert sorted(r.shard_id for r in receipts) == [0, 0, 1, 1, 2, 2]


def test_bad_cursor_raises_cursor_error(node: NetNode) -> None:
    for bad in ("garbage", "0:1", "0:1,1:2,2:3", "0:x,1:2"):
        with pytest.raises(CursorError) as err:
            node.poll(cursor=bad)
        assert err.value.kind == "invalid_cursor"


def test_bad_json_and_bad_types(node: NetNode) -> None:
    for bad in ({1, 2}, object(), {"x": math.nan}):
        with pytest.raises(SerializationError) as err:
            node.emit(bad)
        assert err.value.kind == "serialization"
    with pytest.raises(SerializationError):
        node.emit_batch([{"ok": 1}, {"bad": {1}}])
    node.emit_raw("{not json")
    node.flush()
    event = node.poll_one()
    assert event is not None
    with pytest.raises(SerializationError) as err:
        event.json()
    assert err.value.kind == "deserialization"
    for wrong in (12, None, ["list"], bytearray(b"x")):
        with pytest.raises(TypeError):
            node.emit_raw(wrong)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        node.emit_raw_batch([b"ok", 3])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        node.emit_raw_batch(5)  # type: ignore[arg-type]


def test_backpressure_fail_producer_raises() -> None:
    with NetNode(shards=1, ring_capacity=2, backpressure="fail_producer") as n:
        with pytest.raises(BackpressureError) as err:
            # The batcher cannot drain a 2-slot ring as fast as this loop fills it.
            for _ in range(1_000_000):
                n.emit_raw(b"{}")
        assert err.value.kind == "backpressure" and isinstance(err.value, NetError)
        # The fire-and-forget forms report it instead of raising.
        refused = 0
        for _ in range(1_000_000):
            if not n.fire(b"{}"):
                refused += 1
                break
        assert refused == 1
        # A batch stores what fits and raises only when nothing did.
        try:
            assert 1 <= n.emit_raw_batch([b"{}"] * 10) <= 10
        except BackpressureError as e:
            assert e.kind == "backpressure"
        assert 0 <= n.fire_batch([b"{}"] * 10) <= 10


def test_backpressure_drop_newest_marks_receipts() -> None:
    with NetNode(shards=1, ring_capacity=2, backpressure="drop_newest") as n:
        receipts = [n.emit_raw(b"{}") for _ in range(100_000)]
        dropped = [r for r in receipts if r.dropped]
        assert dropped, "a 2-slot ring kept up with 100k emits"
        assert dropped[0].sequence == 2**64 - 1
        n.flush()
        assert n.stats().events_dropped == len(dropped)


def test_block_is_the_default_and_its_timeout_is_checked() -> None:
    for kwargs in ({"backpressure": "block"}, {"backpressure": "Block", "block_timeout_ms": 50}, {"block_timeout_ms": 1}):
        with NetNode(**kwargs) as n:  # type: ignore[arg-type]
            r = n.emit_raw(b"{}")
            assert not r.dropped and r.evicted == 0
    with pytest.raises(ConfigError) as err:
        NetNode(backpressure="block", block_timeout_ms=0)
    assert err.value.kind == "invalid_config" and "block_timeout" in str(err.value)
    # The default waits for room instead of evicting: a 2-slot ring that
    # overflows all the time still loses nothing.
    with NetNode(shards=1, ring_capacity=2) as n:
        receipts = [n.emit_raw(b'{"i":%d}' % i) for i in range(20_000)]
        assert not any(r.dropped or r.evicted for r in receipts)
        n.flush()
        s = n.stats()
        assert (s.events_ingested, s.events_dropped) == (20_000, 0)
        assert sorted(int(e.raw[5:-1]) for e in n.poll(limit=100_000).events) == list(range(20_000))


def _read_all(node: NetNode, expected: int) -> bytearray:
    """Poll every retained event; how many times each `{"i":N}` (N < expected) was seen."""
    seen = bytearray(expected)
    cursor = None
    while True:
        page = node.poll(limit=1 << 18, cursor=cursor)
        for event in page.events:
            raw = event.raw
            assert raw.startswith('{"i":') and raw.endswith("}"), raw
            seen[int(raw[5:-1])] += 1
        cursor = page.next_id
        if not page.has_more:
            return seen


def test_default_config_stores_every_event_of_a_sustained_burst() -> None:
    """Issue 17: 2,000,000 distinct events, far more than the default rings
    hold (4 shards x 8192), emitted as fast as one thread can: every emit
    succeeds, and after a flush every event reads back exactly once."""
    total = 2_000_000
    with NetNode() as n:
        emit = n.emit_raw
        for i in range(total):
            emit('{"i":%d}' % i)
        n.flush()
        s = n.stats()
        assert (s.events_ingested, s.events_dropped) == (total, 0)
        seen = _read_all(n, total)
        assert seen.count(1) == total, f"{seen.count(0)} missing, {total - seen.count(0) - seen.count(1)} duplicated"


def test_drop_oldest_receipts_report_every_eviction() -> None:
    with NetNode(shards=1, ring_capacity=64, backpressure="drop_oldest") as n:
        evicted = emitted = 0
        while evicted == 0 and emitted < 2_000_000:
            for _ in range(20_000):
                r = n.emit_raw(b'{"i":%d}' % emitted)
                assert not r.dropped
                evicted += r.evicted
                emitted += 1
        assert evicted > 0, "a 64-slot ring kept up with 2M emits"
        n.flush()
        s = n.stats()
        # Every eviction was reported to the emit that caused it.
        assert s.events_dropped == evicted
        assert s.events_ingested == emitted
        seen = _read_all(n, emitted)
        assert seen.count(1) == emitted - evicted and seen.count(0) == evicted


def test_context_manager_shuts_down_and_use_after_raises() -> None:
    with NetNode() as n:
        assert n.closed is False
        n.emit_raw(b"{}")
    assert n.closed is True
    calls = [
        lambda: n.emit({"a": 1}),
        lambda: n.emit_raw(b"{}"),
        lambda: n.emit_batch([{}]),
        lambda: n.emit_raw_batch([b"{}"]),
        lambda: n.fire(b"{}"),
        lambda: n.fire_batch([b"{}"]),
        lambda: n.poll(),
        lambda: n.poll_one(),
        lambda: n.subscribe(),
        lambda: n.flush(),
        lambda: n.publish("a", "1"),
        lambda: n.channel("a").publish(1),
    ]
    for call in calls:
        with pytest.raises(ClosedError) as err:
            call()
        assert err.value.kind == "closed"
    n.shutdown()  # idempotent
    assert n.stats().events_ingested == 1
    assert "closed=true" in repr(n).lower()


def test_shutdown_delivers_everything_emitted_before() -> None:
    n = NetNode(shards=2)
    sub = n.subscribe(from_beginning=True)
    n.emit_raw_batch([b"1", b"2", b"3"])
    n.shutdown()
    assert sorted(e.raw for e in sub) == ["1", "2", "3"]


def test_exceptions_pickle_with_their_kind() -> None:
    import pickle

    e = pickle.loads(pickle.dumps(BackpressureError("full", "backpressure")))
    assert type(e) is BackpressureError and e.kind == "backpressure" and str(e) == "full"

