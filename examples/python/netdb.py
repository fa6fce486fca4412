"""NetDb from Python: the seed's "CortEX & NetDb" walk-through — create a
task, wait for the fold, paint a snapshot and react to changes, a plain
watch, and the state folded back from disk after a reopen.

Run: ``make demo`` (or ``python examples/python/netdb.py`` with the
``net-mesh-sdk`` wheel installed).
"""

from __future__ import annotations

import tempfile
import threading
from typing import List

from net_sdk import CortexError, NetDb, Redex, Task


def render(tasks: List[Task]) -> None:
    print("pending:", ", ".join(t.title for t in tasks) or "(none)")


def main() -> None:
    with NetDb.open(origin=0xABCDEF01, with_tasks=True, with_memories=True) as db:
        # CRUD through the domain API; every mutation returns its seq.
        try:
            seq = db.tasks.create(1, "write docs", 100)
            db.tasks.wait_for_seq(seq)  # wait for the fold to apply
        except CortexError as e:
            raise SystemExit(f"adapter error: {e}")

        # Snapshot + watch: one atomic call, no race.
        snapshot, updates = db.tasks.snapshot_and_watch(status="pending")
        render(snapshot)
        threading.Timer(0.01, lambda: db.tasks.create(2, "ship it", 200)).start()  # another writer
        try:
            for batch in updates:
                render(batch)
                if len(batch) == 2:
                    break
        finally:
            updates.close()  # releases the native watch

        # A plain watch: the current result, then one batch per change.
        batches = db.tasks.watch(title_contains="ship")
        try:
            print("watch:", ", ".join(t.title for t in next(batches)))
        finally:
            batches.close()

    # On disk, the state survives a restart.
    with tempfile.TemporaryDirectory() as d:
        with NetDb.open(redex=Redex(d), origin=0xABCDEF01, persistent=True, with_tasks=True) as db:
            db.tasks.wait_for_seq(db.tasks.create(7, "survive a restart", 1))
        with NetDb.open(redex=Redex(d), origin=0xABCDEF01, persistent=True, with_tasks=True) as db:
            titles = [t.title for t in db.tasks.list()]
            print("after reopen:", ", ".join(titles))
            assert titles == ["survive a restart"], titles


if __name__ == "__main__":
    main()
