"""Daemons and helpers shared by the compute tests."""

from __future__ import annotations

import threading
from typing import List, Optional

from net_sdk import CausalEvent, DaemonRuntime, Identity


class Counter:
    """Adds each payload's first byte to a total; emits the total (8 bytes,
    little endian). A payload of b"" raises; the state is the total."""

    name = "counter"

    def __init__(self) -> None:
        self.total = 0

    def process(self, event: CausalEvent) -> List[bytes]:
        if not event.payload:
            raise ValueError("empty payload")
        self.total += event.payload[0]
        return [self.total.to_bytes(8, "little")]

    def snapshot(self) -> Optional[bytes]:
        return self.total.to_bytes(8, "little")

    def restore(self, state: bytes) -> None:
        if len(state) != 8:
            raise ValueError("want 8 bytes")
        self.total = int.from_bytes(state, "little")


class Echo:
    """Stateless: returns the payload (no snapshot, no restore)."""

    def process(self, event: CausalEvent) -> List[bytes]:
        return [event.payload]


class Gate:
    """Blocks in process until `release` is set (a stalled callback)."""

    entered = threading.Event()
    release = threading.Event()

    def process(self, event: CausalEvent) -> List[bytes]:
        Gate.entered.set()
        Gate.release.wait(10)
        return [event.payload]


def ev(n: int) -> CausalEvent:
    return CausalEvent(1, 1, bytes([n]))


def total(out: List[bytes]) -> int:
    return int.from_bytes(out[0], "little")


def ready_runtime(caps: Optional[List[str]] = None) -> DaemonRuntime:
    rt = DaemonRuntime.local(caps)
    rt.register_factory("counter", Counter)
    rt.register_factory("echo", Echo)
    rt.start()
    return rt


def identity(n: int) -> Identity:
    return Identity.from_seed(bytes([n]) * 32)
