"""RedEX files from Python: appends, reads, tails (sync and async),
persistence across reopen, torn tails, loud corruption, recovery, and the
typed errors."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from net_sdk import ChannelError, NetError, Redex, RedexError, RedexEvent


def test_append_batch_idempotent_and_read() -> None:
    with Redex().open_file("analytics/clicks") as f:
        assert f.append(b"one") == 0
        assert f.append_batch([b"a", b"", b"ccc"]) == 1
        assert f.append_batch([]) is None
        assert f.append_idempotent(b"k", b"v") == 4
        assert f.append_idempotent(b"k", b"retry") == 4
        events = f.read_range()
        assert [(e.seq, e.payload) for e in events] == [(0, b"one"), (1, b"a"), (2, b""), (3, b"ccc"), (4, b"v")]
        assert [e.seq for e in f.read_range(1, 3)] == [1, 2]
        assert (f.next_seq, f.first_seq, len(f)) == (5, 0, 5)
        assert f.repair_report is None
    assert f.closed


def test_typed_errors() -> None:
    redex = Redex()
    with pytest.raises(RedexError) as bad_name:
        redex.open_file("a//b")
    assert bad_name.value.kind == "invalid_channel"
    assert not isinstance(bad_name.value, ChannelError)
    with pytest.raises(RedexError) as no_dir:
        redex.open_file("x", persistent=True)
    assert no_dir.value.kind == "redex:config"
    with pytest.raises(RedexError) as two:
        redex.open_file("x", fsync_every_n=1, fsync_never=True)
    assert two.value.kind == "redex:config"
    f = redex.open_file("x")
    with pytest.raises(RedexError) as empty_key:
        f.append_idempotent(b"", b"x")
    assert empty_key.value.kind == "redex:invalid_key"
    f.close()
    with pytest.raises(RedexError) as closed:
        f.append(b"late")
    assert closed.value.kind == "redex:closed"
    assert isinstance(closed.value, NetError)


def test_tail_backfills_then_streams_live_and_ends_on_close() -> None:
    f = Redex().open_file("t/live")
    f.append_batch([b"0", b"1", b"2"])
    tail = f.tail(1)

    def writer() -> None:
        for i in range(3, 6):
            f.append(str(i).encode())
        f.close()

    threading.Thread(target=writer).start()
    seen = [(e.seq, e.payload) for e in tail]
    assert seen == [(i, str(i).encode()) for i in range(1, 6)]


def test_tail_reports_lag_once_and_continues() -> None:
    f = Redex().open_file("t/lag", retention_max_events=2)
    f.append_batch([b"0", b"1", b"2", b"3"])
    tail = f.tail(0)
    with pytest.raises(RedexError) as lag:
        next(tail)
    assert lag.value.kind == "redex:tail_lagged"
    assert next(tail).seq == 2


def test_async_tail() -> None:
    async def main() -> list[int]:
        f = Redex().open_file("t/async")
        f.append(b"first")
        seqs: list[int] = []

        async def writer() -> None:
            await asyncio.sleep(0)
            f.append(b"second")
            f.close()

        task = asyncio.create_task(writer())
        async for event in f.tail(0):
            assert isinstance(event, RedexEvent)
            seqs.append(event.seq)
        await task
        return seqs

    assert asyncio.run(main()) == [0, 1]


def test_persistence_torn_tail_corruption_and_recover(tmp_path: Path) -> None:
    redex = Redex(str(tmp_path))
    with redex.open_file("orders/audit", persistent=True, fsync_every_n=1) as f:
        for i in range(10):
            f.append(f"order-{i}".encode())
    # A second owner of the directory is refused while one holds it.
    holder = redex.open_file("orders/audit", persistent=True)
    with pytest.raises(RedexError) as locked:
        Redex(str(tmp_path)).open_file("orders/audit", persistent=True)
    assert locked.value.kind == "redex:locked"
    assert [e.payload for e in holder.read_range()] == [f"order-{i}".encode() for i in range(10)]
    holder.close()

    seg = tmp_path / "orders%2Faudit" / "00000000000000000000.log"
    with open(seg, "ab") as raw:
        raw.write(b"\x05\x00")
    with redex.open_file("orders/audit", persistent=True) as f:
        report = f.repair_report
        assert report is not None
        assert report["kind"] == "torn_tail" and report["bytes_cut"] == 2
        assert f.next_seq == 10

    data = bytearray(seg.read_bytes())
    data[32 + 7 + 32 + 2] ^= 0xFF
    seg.write_bytes(bytes(data))
    with pytest.raises(RedexError) as corrupt:
        redex.open_file("orders/audit", persistent=True)
    assert corrupt.value.kind == "redex:corrupt"
    assert str(seg) in str(corrupt.value) and "offset 39" in str(corrupt.value)
    with redex.open_file("orders/audit", persistent=True, recover=True) as f:
        report = f.repair_report
        assert report is not None and report["kind"] == "corruption" and report["offset"] == 39
        assert len(f) == 1
