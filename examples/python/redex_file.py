"""A raw RedEX file from Python: the seed's "Raw RedEX file" walk-through —
append and batch-append to a persistent log, tail it (backfill, then
live), and the typed error for a bad name.

Run: ``make demo`` (or ``python examples/python/redex_file.py`` with the
``net-mesh-sdk`` wheel installed).
"""

from __future__ import annotations

import json
import tempfile

from net_sdk import Redex, RedexError


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        redex = Redex(d)
        with redex.open_file(
            "analytics/clicks", persistent=True, fsync_interval_ms=100, retention_max_events=1_000_000
        ) as f:
            seq = f.append(json.dumps({"url": "/home"}).encode())
            # append_batch returns the first seq of the batch, or None for an empty one.
            first = f.append_batch([json.dumps({"url": u}).encode() for u in ("/docs", "/blog", "/about")])
            assert first is not None and f.append_batch([]) is None
            # The tail backfills the retained range, then streams live appends.
            events = f.tail(0)
            try:
                for event in events:
                    print(event.seq, json.loads(event.payload))
                    if event.seq == first + 2:
                        break
            finally:
                events.close()  # releases the native tail
            print(f"append: {seq}, append_batch: {first}")
        try:
            redex.open_file("Not A Channel!")
        except RedexError as e:
            print(f"bad name: {type(e).__name__}({e.kind})")


if __name__ == "__main__":
    main()
