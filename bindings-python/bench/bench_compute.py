"""Deliveries per second through a Python echo daemon (``DaemonRuntime``).

Run by ``make bench-python`` against the installed wheel.

Every delivery crosses threads twice: the caller hands the event to the
daemon's serving thread (the core's foreign-call bridge, which is what
makes ``callback_timeout_ms`` and the re-entrancy check work), that thread
takes the GIL, runs ``process`` and answers. A delivery counts only when
the daemon answered it: each call's outputs are checked to be exactly the
echoed payload, and the daemon's own ``events_processed`` and
``events_emitted`` counters must match the number counted.

Rows:

- ``deliver``: one ``deliver`` per event (the GIL is released and taken
  back around every call);
- ``deliver_batch N``: lists of N events, one release of the GIL per
  list (the hand-off to the serving thread still happens per event).

Each figure is the best of ``--rounds`` rounds (the machine is shared).
"""

from __future__ import annotations

import argparse
import time
from typing import Callable, List

from net_sdk import CausalEvent, DaemonHostConfig, DaemonRuntime, Identity


class Echo:
    def process(self, event: CausalEvent) -> List[bytes]:
        return [event.payload]


def round_one(events: int, run: Callable[[DaemonRuntime, int, List[CausalEvent]], int]) -> float:
    """One round on a fresh runtime and daemon: answered deliveries/s."""
    rt = DaemonRuntime.local()
    rt.register_factory("echo", Echo)
    rt.start()
    h = rt.spawn("echo", Identity.generate(), DaemonHostConfig(max_log_entries=0))
    evs = [CausalEvent(1, i + 1, i.to_bytes(8, "little")) for i in range(events)]
    start = time.perf_counter()
    answered = run(rt, h.origin_hash, evs)
    took = time.perf_counter() - start
    s = h.stats()
    rt.shutdown()
    if (s.events_processed, s.events_emitted, s.errors) != (answered, answered, 0):
        raise SystemExit(f"answered {answered}, but the daemon counted {s}")
    return answered / took


def one_by_one(rt: DaemonRuntime, origin: int, evs: List[CausalEvent]) -> int:
    answered = 0
    for e in evs:
        if rt.deliver(origin, e) == [e.payload]:
            answered += 1
    return answered


def batched(size: int) -> Callable[[DaemonRuntime, int, List[CausalEvent]], int]:
    def run(rt: DaemonRuntime, origin: int, evs: List[CausalEvent]) -> int:
        answered = 0
        for i in range(0, len(evs), size):
            chunk = evs[i : i + size]
            outs = rt.deliver_batch(origin, chunk)
            answered += sum(1 for e, out in zip(chunk, outs) if out == [e.payload])
        return answered

    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=200_000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    rows = [("deliver", one_by_one), ("deliver_batch 64", batched(64)), ("deliver_batch 1024", batched(1024))]
    for name, run in rows:
        best = max(round_one(args.events, run) for _ in range(args.rounds))
        print(f"  {name:<20} {best:>12,.0f} answered deliveries/s")


if __name__ == "__main__":
    main()
