#!/usr/bin/env python3
"""What would a cargo command rebuild after `make build`'s cargo build?

cargo reuses a compiled crate only when its package, target, profile,
features and (recursively) its dependencies are the same. This compares the
unit graphs (`--unit-graph`, nightly only; nothing is compiled) of the
commands `make test` runs against the graph of `make build`, and lists the
packages each would compile again. A core package on that list means a
feature mismatch to pin in hack/Cargo.toml.

The unit graph leaves out one more thing that makes a unit another: its
LTO mode. A command whose only root is a cdylib or binary (maturin's) gets
its dependencies compiled as LLVM bitcode only, a second build of each, so
maturin's -p net-python shares no compiled unit with `make build`, whatever
this lists for it (which is why `build` leaves net-python to maturin).

    tools/unit_graph_diff.py
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE = ["build", "--release", "--workspace", "--exclude", "net-python"]
COMMANDS = {
    "cargo test --tests": ["test", "--release", "--workspace", "--tests", "--no-run"],
    "cargo build --workspace (net-python too)": ["build", "--release", "--workspace"],
    "maturin (-p net-python)": ["rustc", "--release", "-p", "net-python", "--lib"],
    "libnet (-p net-ffi)": ["build", "--release", "-p", "net-ffi"],
}


def unit_identities(args):
    """Map each compiled unit's identity (deps included) to its package name."""
    run = subprocess.run(["cargo", "+nightly", *args, "--unit-graph", "-Z", "unstable-options"],
                         cwd=ROOT, capture_output=True, text=True)
    if run.returncode:
        sys.exit(run.stderr)
    units = json.loads(run.stdout)["units"]
    memo = {}

    def identity(i):
        if i not in memo:
            u = units[i]
            deps = tuple(sorted(identity(d["index"]) for d in u["dependencies"]))
            memo[i] = hash((u["pkg_id"], u["target"]["name"], u["mode"], tuple(u["features"]),
                            json.dumps(u["profile"], sort_keys=True), deps))
        return memo[i]

    return {identity(i): (u["pkg_id"].split("#")[-1], u["mode"]) for i, u in enumerate(units)}


def main():
    base = unit_identities(BASE)
    for label, args in COMMANDS.items():
        units = unit_identities(args)
        rebuilt = sorted({name for key, (name, mode) in units.items() if key not in base and mode == "build"})
        print(f"{label}: {len(rebuilt)} of {len(units)} units compiled again")
        for name in rebuilt:
            print(f"  {name}")


if __name__ == "__main__":
    main()
