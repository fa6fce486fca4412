"""Events per second through the Python binding: emit_raw one at a time,
and emit_raw_batch of 1000, with 9-byte events.

Run by ``make bench-python`` against the installed wheel. Each figure is
the best of ``--rounds`` timed rounds (the machine is shared; the best
round is the one least disturbed by other work). The wall-clock rate is
the result; the second column divides by the producing thread's own CPU
time instead, which tells how much of a shortfall comes from the thread
being descheduled by other load rather than from the emit path itself. The bus is configured
so the measurement is the emit path, not a full ring: large rings, and
``drop_oldest`` so a producer never waits for the batcher.
"""

from __future__ import annotations

import argparse
import time
from typing import Callable, List, Tuple

from net_sdk import NetNode

EVENT = b'{"i":123}'  # 9 bytes of JSON


def best_rate(run: Callable[[], int], rounds: int) -> Tuple[float, float]:
    """Best events/s over wall-clock time and over this thread's CPU time."""
    best_wall = best_cpu = 0.0
    for _ in range(rounds):
        start, cpu_start = time.perf_counter(), time.thread_time()
        events = run()
        wall, cpu = time.perf_counter() - start, time.thread_time() - cpu_start
        best_wall = max(best_wall, events / wall)
        best_cpu = max(best_cpu, events / max(cpu, 1e-9))
    return best_wall, best_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2_000_000, help="events per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--shards", type=int, default=4)
    args = parser.parse_args()
    n: int = args.events
    with NetNode(shards=args.shards, ring_capacity=1 << 20, backpressure="drop_oldest") as node:
        emit = node.emit_raw
        event = EVENT

        def single() -> int:
            for _ in range(n):
                emit(event)
            node.flush()
            return n

        batch: List[bytes] = [EVENT] * 1000
        emit_batch = node.emit_raw_batch

        def batched() -> int:
            stored: int = 0
            for _ in range(n // 1000):
                stored += emit_batch(batch)
            node.flush()
            return stored

        single_rate = best_rate(single, args.rounds)
        batch_rate = best_rate(batched, args.rounds)

    print(f"{'':35s} {'M events/s':>10s} {'per CPU-s':>10s}  target")
    print(f"python emit_raw (9 B, single)       {single_rate[0] / 1e6:10.2f} {single_rate[1] / 1e6:10.2f}  >= 5")
    print(f"python emit_raw_batch (9 B, x1000)  {batch_rate[0] / 1e6:10.2f} {batch_rate[1] / 1e6:10.2f}  >= 20")
    print(f"config: shards={args.shards} ring_capacity=2^20 backpressure=drop_oldest, "
          f"{n} events/round, best of {args.rounds} rounds")


if __name__ == "__main__":
    main()
