"""Helpers of the mesh tests: the shared PSK, a handshake driven from two
threads, and waiting for state the receive task changes."""

from __future__ import annotations

import threading
import time
from typing import Callable, List, Optional

from net_sdk import MeshNode

PSK = bytes([0x42] * 32)


def handshake(a: MeshNode, b: MeshNode) -> None:
    """`a` dials `b` while `b` accepts it (in another thread: both calls
    block); then both start their timers."""
    accepted: List[Optional[str]] = [None]
    failed: List[BaseException] = []

    def accept() -> None:
        try:
            accepted[0] = b.accept(a.node_id, timeout=5)
        except BaseException as e:  # re-raised below, in the test's thread
            failed.append(e)

    t = threading.Thread(target=accept)
    t.start()
    a.connect(b.local_addr, b.public_key, b.node_id)
    t.join(10)
    if failed:
        raise failed[0]
    assert accepted[0] == a.local_addr
    a.start()
    b.start()


def eventually(check: Callable[[], bool], what: str, seconds: float = 5.0) -> None:
    """Poll `check` until it holds (state the receive task changes)."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.01)


def numbered(i: int, size: int = 16) -> bytes:
    """Message `i`: its number, padded to `size` bytes."""
    head = b"%08d" % i
    return head + bytes(max(0, size - len(head)))
