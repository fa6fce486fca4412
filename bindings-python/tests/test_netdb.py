"""NetDb from Python: tasks and memories, queries, waits, watches (sync
and async), snapshot bundles and model snapshots, persistence across
reopen, typed errors."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from net_sdk import CortexError, Memories, NetDb, NetDbError, Redex, Tasks, TimeoutError


def state(db: NetDb) -> list[tuple[Any, ...]]:
    tasks = [(t.id, t.title, t.status, t.created_at, t.updated_at_nanos, t.origin, t.seq) for t in db.tasks.list()]
    memories = [(m.id, m.content, m.tags, m.pinned, m.seq) for m in db.memories.list()]
    return [tuple(tasks), tuple(memories)]


def test_tasks_and_memories() -> None:
    with NetDb.open(origin=0xABCD, with_tasks=True, with_memories=True) as db:
        seq = db.tasks.create(1, "write docs", 100)
        db.tasks.wait_for_seq(seq)
        db.tasks.create(2, "ship it", 200)
        db.tasks.rename(2, "ship it now")
        db.tasks.set_status(2, "in_progress")
        db.tasks.complete(1)
        assert db.tasks.count() == 2
        [t] = db.tasks.list(status="in_progress")
        assert (t.id, t.title, t.origin) == (2, "ship it now", 0xABCD)
        assert [x.id for x in db.tasks.list(order="created_desc", limit=1)] == [2]
        assert db.tasks.count(title_contains="ship") == 1
        db.memories.store(1, "the sky is blue", ["fact", "color"], 1)
        db.memories.store(2, "call back")
        db.memories.tag(2, "urgent")
        db.memories.untag(1, "color")
        db.memories.pin(1)
        [m] = db.memories.list(tags_all=["fact"], pinned=True)
        assert m.tags == ["fact"]
        assert db.memories.count(tags_any=["urgent", "nope"]) == 1
        got = db.memories.get(2)
        assert got is not None and got.tags == ["urgent"]


def test_typed_errors() -> None:
    db = NetDb.open(with_tasks=True)
    db.tasks.create(1, "a")
    with pytest.raises(CortexError) as exists:
        db.tasks.create(1, "again")
    assert exists.value.kind == "cortex:exists"
    with pytest.raises(CortexError) as missing:
        db.tasks.rename(9, "x")
    assert missing.value.kind == "cortex:not_found"
    with pytest.raises(ValueError):
        db.tasks.set_status(1, "done")  # type: ignore[arg-type]
    with pytest.raises(NetDbError) as no_model:
        db.memories
    assert no_model.value.kind == "netdb:missing_model"
    with pytest.raises(TimeoutError):
        db.tasks.wait_for_seq(100, timeout=0.01)
    with pytest.raises(NetDbError) as bundle:
        NetDb.open_from_snapshot(b"{}", with_tasks=True)
    assert bundle.value.kind == "netdb:bundle"
    db.close()
    with pytest.raises(CortexError) as closed:
        db.tasks.create(2, "late")
    assert closed.value.kind == "cortex:closed"


def test_persistence_across_reopen_and_snapshots(tmp_path: Path) -> None:
    opts: dict[str, Any] = dict(origin=7, persistent=True, with_tasks=True, with_memories=True, fsync_never=True)
    with NetDb.open(persistent_dir=str(tmp_path), **opts) as db:
        for i in range(20):
            db.tasks.create(i, f"task {i}", i)
        db.tasks.complete(3)
        db.memories.store(1, "kept", ["a"])
        before = state(db)
        bundle = db.snapshot()
    with NetDb.open(persistent_dir=str(tmp_path), **opts) as db:
        assert state(db) == before
        assert db.tasks.count(status="completed") == 1
        assert db.snapshot() == bundle
    restored = NetDb.open_from_snapshot(bundle, with_tasks=True, with_memories=True)
    assert state(restored) == before
    restored.tasks.complete(4)
    assert restored.tasks.count(status="completed") == 2


def task_rows(tasks: Tasks) -> list[tuple[Any, ...]]:
    return [(t.id, t.title, t.status, t.created_at, t.updated_at_nanos, t.origin, t.seq) for t in tasks.list()]


def test_model_snapshots_restore_and_fold_later_events_once() -> None:
    redex = Redex()
    db = NetDb.open(redex=redex, origin=7, with_tasks=True, with_memories=True)
    for i in range(5):
        db.tasks.create(i, f"task {i}", i)
    db.tasks.complete(1)
    db.memories.store(1, "kept", ["a"])
    snap = db.tasks.snapshot()
    assert isinstance(snap, bytes)
    # The bundle carries exactly the model snapshots.
    bundle = json.loads(db.snapshot())
    assert bundle["tasks"] == json.loads(snap)
    assert bundle["memories"] == json.loads(db.memories.snapshot())

    # On its own log: the snapshot's state, then each later event once.
    db.tasks.rename(2, "after the snapshot")
    db.tasks.delete(3)
    restored = Tasks.open_from_snapshot(snap, redex=redex, origin=7)
    assert task_rows(restored) == task_rows(db.tasks)
    assert restored.snapshot() == db.tasks.snapshot()
    seq = db.tasks.create(10, "later")
    restored.wait_for_seq(seq, timeout=1)
    got = restored.get(10)
    assert got is not None and got.title == "later"
    assert restored.create(11, "from the restored side") == seq + 1

    # Into a fresh Redex: the snapshot is the base.
    fresh = Tasks.open_from_snapshot(snap)
    assert [t.title for t in fresh.list()] == [f"task {i}" for i in range(5)]
    memories = Memories.open_from_snapshot(db.memories.snapshot(), origin=7)
    memories.tag(1, "b")
    kept = memories.get(1)
    assert kept is not None and kept.tags == ["a", "b"]


def test_model_snapshot_over_its_persistent_log(tmp_path: Path) -> None:
    opts: dict[str, Any] = dict(origin=7, persistent=True, fsync_never=True)
    with NetDb.open(persistent_dir=str(tmp_path), with_memories=True, **opts) as db:
        db.memories.store(1, "one", ["a"])
        snap = db.memories.snapshot()
        db.memories.store(2, "two")
        db.memories.pin(1)
        full = db.memories.snapshot()
    restored = Memories.open_from_snapshot(snap, persistent_dir=str(tmp_path), **opts)
    assert restored.snapshot() == full


def test_bad_model_snapshots_are_typed_errors() -> None:
    db = NetDb.open(with_tasks=True, with_memories=True)
    db.tasks.create(1, "t")
    db.memories.store(1, "m")
    tasks = db.tasks.snapshot()
    for bad in [b"garbage", b"", tasks[:-1], db.memories.snapshot(), db.snapshot()]:
        with pytest.raises(NetDbError) as refused:
            Tasks.open_from_snapshot(bad)
        assert refused.value.kind == "netdb:bundle"
    with pytest.raises(NetDbError, match="a tasks snapshot, not a memories snapshot"):
        Memories.open_from_snapshot(tasks)
    with pytest.raises(TypeError):
        Tasks.open_from_snapshot("not bytes")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Tasks.open_from_snapshot(tasks, redex=Redex(), persistent_dir="/tmp")


def test_watch_and_snapshot_and_watch() -> None:
    redex = Redex()
    db = NetDb.open(redex=redex, with_tasks=True, with_memories=True)
    db.tasks.create(1, "ship docs")
    watch = db.tasks.watch(status="pending")
    assert [t.id for t in next(watch)] == [1]
    db.tasks.create(2, "more")
    assert [t.id for t in next(watch)] == [1, 2]
    snapshot, deltas = db.tasks.snapshot_and_watch(status="completed")
    assert snapshot == []
    db.tasks.complete(1)
    assert [t.id for t in next(deltas)] == [1]
    db.close()
    # After close: the pending change, then the end.
    assert [t.id for t in next(watch)] == [2]
    assert list(watch) == []
    assert list(deltas) == []


def test_async_watch_and_wait() -> None:
    async def main() -> list[list[int]]:
        db = NetDb.open(with_tasks=True, with_memories=True)
        seq = db.memories.store(1, "x", ["urgent"])
        await db.memories.wait_for_seq_async(seq)
        batches: list[list[int]] = []
        watch = db.memories.watch(tags_all=["urgent"])
        async for batch in watch:
            batches.append([m.id for m in batch])
            if len(batches) == 1:
                db.memories.store(2, "y", ["urgent"])
            else:
                db.close()
        return batches

    assert asyncio.run(main()) == [[1], [1, 2]]
