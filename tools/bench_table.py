#!/usr/bin/env python3
"""Print every criterion result under a directory as one table.

Reads <dir>/<group>/<bench>/new/{estimates,benchmark}.json, so it works for
any criterion bench in the workspace without each bench printing its own.
"""
import json
import pathlib
import sys


def rate(per_second: float, unit: str) -> str:
    for scale, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "K")):
        if per_second >= scale:
            return f"{per_second / scale:.2f} {prefix}{unit}/s"
    return f"{per_second:.1f} {unit}/s"


def duration(ns: float) -> str:
    for scale, unit in ((1e9, "s"), (1e6, "ms"), (1e3, "µs")):
        if ns >= scale:
            return f"{ns / scale:.2f} {unit}"
    return f"{ns:.1f} ns"


def rows(root: pathlib.Path):
    for estimates in sorted(root.glob("**/new/estimates.json")):
        meta_path = estimates.with_name("benchmark.json")
        if not meta_path.exists():
            continue
        meta = json.loads(meta_path.read_text())
        mean_ns = json.loads(estimates.read_text())["mean"]["point_estimate"]
        throughput = meta.get("throughput") or {}
        if "Elements" in throughput:
            tput = rate(throughput["Elements"] * 1e9 / mean_ns, "elem")
        elif "Bytes" in throughput:
            tput = rate(throughput["Bytes"] * 1e9 / mean_ns, "B")
        else:
            tput = "-"
        yield meta["full_id"], duration(mean_ns), tput


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")
    table = list(rows(root))
    if not table:
        print(f"no criterion results under {root}", file=sys.stderr)
        return 1
    width = max(len(name) for name, _, _ in table)
    print(f"{'benchmark'.ljust(width)}  {'time/iter':>12}  {'throughput':>18}")
    print(f"{'-' * width}  {'-' * 12}  {'-' * 18}")
    for name, time, tput in table:
        print(f"{name.ljust(width)}  {time:>12}  {tput:>18}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
