#!/usr/bin/env python3
"""Prefix each line of stdin with the minutes:seconds since start, and at
the end print how long each make target took (from `make --trace` lines),
longest first: where the time of a `make test` run goes.

usage: make test --trace 2>&1 | python3 tools/timestamp.py
"""
import re
import sys
import time

TRACE = re.compile(r"^\S+:\d+: (?:update target|target) '([^']+)'")


def main():
    start = time.monotonic()
    starts = []
    for line in sys.stdin:
        now = time.monotonic() - start
        m = TRACE.match(line)
        if m:
            starts.append((now, m.group(1)))
        sys.stdout.write(f"[{int(now) // 60:3d}:{int(now) % 60:02d}] {line}")
        sys.stdout.flush()
    total = time.monotonic() - start
    # A target runs until the next one starts (make runs one at a time here).
    spans = {}
    for (t0, name), (t1, _) in zip(starts, starts[1:] + [(total, "")]):
        spans[name] = spans.get(name, 0.0) + (t1 - t0)
    print(f"\n== time by make target (total {total / 60:.1f} min)")
    for name, secs in sorted(spans.items(), key=lambda kv: -kv[1])[:25]:
        print(f"{secs / 60:6.1f} min  {name}")


if __name__ == "__main__":
    main()
