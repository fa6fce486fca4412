#!/usr/bin/env python3
"""Print the Redis / JetStream backend throughput as a share of the
server's own tool (criterion results of `cargo bench --bench backends`).

    tools/backend_bench_ratio.py target/criterion

The Redis target compares with redis-benchmark writing entries of the same
shape as the backend's (core/benches/backends.rs says exactly which
command); the one-field XADD is printed beside it for scale.
"""
import json
import pathlib
import sys

PAIRS = (
    ("redis", "net_emit_to_stored", "redis_benchmark_xadd", "redis-benchmark XADD, same entries"),
    ("redis", "net_emit_to_stored", "redis_benchmark_xadd_data_only", "redis-benchmark XADD, data field only (scale)"),
    ("jetstream", "net_emit_to_stored", "client_publish_loop", "async-nats publish loop"),
)
TARGET = 0.70


def per_second(root: pathlib.Path, group: str, bench: str) -> float:
    d = root / group / bench / "new"
    meta = json.loads((d / "benchmark.json").read_text())
    mean_ns = json.loads((d / "estimates.json").read_text())["mean"]["point_estimate"]
    return meta["throughput"]["Elements"] * 1e9 / mean_ns


def main(root: pathlib.Path) -> int:
    print(f"{'backend':<10} {'net events/s':>14} {'tool events/s':>14} {'share':>7}  {'target ' + format(TARGET, '.0%'):<12} tool")
    for group, ours, tool, what in PAIRS:
        try:
            a, b = per_second(root, group, ours), per_second(root, group, tool)
        except (OSError, KeyError, ValueError) as e:
            print(f"{group:<10} no result ({e})")
            continue
        verdict = "" if "scale" in what else ("met" if a / b >= TARGET else "NOT met")
        print(f"{group:<10} {a:>14,.0f} {b:>14,.0f} {a / b:>7.0%}  {verdict:<12} {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")))
