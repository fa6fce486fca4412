"""The GIL: two emitting threads both make progress, and blocking calls
let other Python threads run."""

from __future__ import annotations

import threading
import time

from net_sdk import NetNode


def test_two_threads_emitting_at_once_both_progress() -> None:
    per_thread = 50_000
    with NetNode(shards=4, ring_capacity=1 << 16) as node:
        progress = [0, 0]
        start = threading.Barrier(2)

        def producer(slot: int, batched: bool) -> None:
            start.wait()
            if batched:
                for i in range(per_thread // 100):
                    progress[slot] += node.emit_raw_batch([b'{"t":%d}' % slot] * 100)
            else:
                for _ in range(per_thread):
                    node.emit_raw(b'{"t":%d}' % slot)
                    progress[slot] += 1

        threads = [threading.Thread(target=producer, args=(0, False)), threading.Thread(target=producer, args=(1, True))]
        for t in threads:
            t.start()
        # Both must advance while the other is still running.
        deadline = time.monotonic() + 30
        while min(progress) == 0 and time.monotonic() < deadline:
            time.sleep(0.001)
        both_started = min(progress) > 0
        for t in threads:
            t.join()
        assert both_started, progress
        assert progress == [per_thread, per_thread]
        node.flush()
        stats = node.stats()
        assert stats.events_ingested == 2 * per_thread
        assert stats.events_dropped == 0


def test_a_blocked_subscriber_does_not_hold_the_gil() -> None:
    with NetNode(shards=2) as node:
        sub = node.subscribe()
        got: list[str] = []
        reader = threading.Thread(target=lambda: got.append(next(sub).raw))
        reader.start()
        # The reader is blocked in native code; this thread still runs Python.
        spins = 0
        t0 = time.monotonic()
        while time.monotonic() - t0 < 0.3:
            spins += 1
        assert spins > 1000 and reader.is_alive()
        node.emit_raw(b'"wake"')
        reader.join(10)
        assert got == ['"wake"']
        sub.close()


def test_poll_and_flush_from_many_threads() -> None:
    with NetNode(shards=2) as node:
        errors: list[BaseException] = []

        def work(k: int) -> None:
            try:
                for i in range(200):
                    node.emit({"k": k, "i": i})
                    if i % 50 == 0:
                        node.flush()
                        node.poll(limit=10)
            except BaseException as e:  # pragma: no cover - reported below
                errors.append(e)

        threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        node.flush()
        assert node.stats().events_ingested == 800
