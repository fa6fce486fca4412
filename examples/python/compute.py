"""Compute from Python: a stateful daemon written as a plain class, hosted
by a ``DaemonRuntime`` — spawn it, feed it events, snapshot it, stop it,
respawn it from the snapshot with its state intact, and the typed errors
for a callback that raises and one that stalls.

Run: ``make demo`` (or ``python examples/python/compute.py`` with the
``net-mesh-sdk`` wheel installed).
"""

from __future__ import annotations

import threading
from typing import List, Optional

from net_sdk import CausalEvent, DaemonError, DaemonHostConfig, DaemonRuntime, Identity


class WordCounter:
    """Counts the words it has seen; answers each event with the total."""

    name = "word-counter"

    def __init__(self) -> None:
        self.words = 0

    def process(self, event: CausalEvent) -> List[bytes]:
        text = event.payload.decode()
        if not text:
            raise ValueError("an empty line")
        self.words += len(text.split())
        return [str(self.words).encode()]

    def snapshot(self) -> Optional[bytes]:
        return str(self.words).encode()

    def restore(self, state: bytes) -> None:
        self.words = int(state)


class Sleepy:
    """Stalls until told to go on: a callback that would hang a caller."""

    go_on = threading.Event()

    def process(self, event: CausalEvent) -> List[bytes]:
        Sleepy.go_on.wait(5)
        return []


def main() -> None:
    rt = DaemonRuntime.local(["region:eu"])
    rt.register_factory("words", WordCounter)
    rt.register_factory("sleepy", Sleepy)
    rt.start()

    me = Identity.generate()
    h = rt.spawn("words", me)
    for seq, line in enumerate(["the quick brown fox", "jumps over", "the lazy dog"], start=1):
        [total] = rt.deliver(h.origin_hash, CausalEvent(0xC0FFEE, seq, line.encode()))
        print(f"after {line!r}: {total.decode()} words")

    try:
        rt.deliver(h.origin_hash, CausalEvent(0xC0FFEE, 4, b""))
    except DaemonError as e:
        print(f"a callback that raises -> DaemonError kind={e.kind!r}: {e}")
    print("stats:", h.stats())

    snap = rt.snapshot(h.origin_hash)
    assert snap is not None
    rt.stop(h.origin_hash)
    again = rt.spawn_from_snapshot("words", me, snap)
    [total] = rt.deliver(again.origin_hash, CausalEvent(0xC0FFEE, 5, b"and back"))
    print(f"respawned from a {len(snap)}-byte snapshot: {total.decode()} words")

    slow = rt.spawn("sleepy", Identity.generate(), DaemonHostConfig(callback_timeout_ms=100))
    try:
        rt.deliver(slow.origin_hash, CausalEvent(0xC0FFEE, 6, b"zzz"))
    except DaemonError as e:
        print(f"a stalled callback -> DaemonError kind={e.kind!r}: {e}")
    Sleepy.go_on.set()
    rt.shutdown()


if __name__ == "__main__":
    main()
