#!/usr/bin/env python3
"""Side-by-side: the Net mesh vs Eclipse Zenoh (peer mode, TCP and TLS).

Builds bench/peers once (release), then for each of ROUNDS rounds runs every
case as net, zenoh-tcp, zenoh-tls (one fresh process per case and system,
interleaved so slow drift of the machine hits every system alike), takes
the median of each cell over the rounds and prints one table with the
targets of issue 18.

  python3 bench/peers/run.py [--rounds 3] [--seconds 2] [--round-trips 20000]
                             [--cases 64B_x32,64B_x1,...] [--json out.jsonl]

Standard library only.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.join(HERE, "target", "release", "peers")
SYSTEMS = ["net", "zenoh-tcp", "zenoh-tls"]
THROUGHPUT_CASES = ["64B_x32", "64B_x1", "1KiB_x32", "1KiB_x1"]
RTT_CASE = "rtt_64B"
LABELS = {
    "64B_x32": "64 B, 32 per call (msg/s)",
    "64B_x1": "64 B, 1 per call (msg/s)",
    "1KiB_x32": "1 KiB, 32 per call (msg/s)",
    "1KiB_x1": "1 KiB, 1 per call (msg/s)",
    "rtt_64B/p50": "64 B round trip p50 (µs)",
    "rtt_64B/p99": "64 B round trip p99 (µs)",
}
# Issue 18's targets: a minimum ratio ours ÷ Zenoh for throughput rows
# (against both TCP and TLS), an absolute bound for the round trip.
RATIO_TARGET = {"64B_x32": 1.2, "64B_x1": 1.0, "1KiB_x32": 1.0, "1KiB_x1": 1.0}
RTT_TARGET_US = {"rtt_64B/p50": 30.0, "rtt_64B/p99": 80.0}


def loadavg():
    try:
        return "%.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        return "?"


def build():
    print("== building bench/peers (release; the first build compiles Zenoh: 10-20 min)", flush=True)
    subprocess.run(
        ["cargo", "build", "--release", "--locked", "--manifest-path", os.path.join(HERE, "Cargo.toml")],
        check=True,
    )


def run_case(system, case, args):
    cmd = [BIN, "--system", system, "--case", case, "--seconds", str(args.seconds),
           "--round-trips", str(args.round_trips)]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return {"system": system, "case": case, "status": "error", "error": "timed out after %ss" % args.timeout}
    line = next((l for l in reversed(p.stdout.splitlines()) if l.startswith("{")), None)
    if line is None:
        err = (p.stderr.strip().splitlines() or ["no output"])[-1]
        return {"system": system, "case": case, "status": "error", "error": "exit %d: %s" % (p.returncode, err)}
    return json.loads(line)


def cell_values(results, system, key):
    """The values of one cell over the rounds, or a failure string."""
    case, _, field = key.partition("/")
    vals, failures = [], []
    for r in results:
        if r.get("system") != system or r.get("case") != case:
            continue
        status = r.get("status")
        if status == "ok":
            v = r.get(field + "_us" if field else "msgs_per_s")
            if v is not None:
                vals.append(v)
        elif status == "lost":
            failures.append("LOST %s" % r.get("lost", "?") if not field else "MISMATCH")
        else:
            failures.append("ERROR")
    return vals, failures


def fmt_rate(v):
    if v >= 1e6:
        return "%.2f M" % (v / 1e6)
    if v >= 1e3:
        return "%.0f k" % (v / 1e3)
    return "%.0f" % v


def table(results, rounds):
    keys = [c for c in THROUGHPUT_CASES if any(r.get("case") == c for r in results)]
    if any(r.get("case") == RTT_CASE for r in results):
        keys += ["rtt_64B/p50", "rtt_64B/p99"]
    head = ["case", "ours", "Zenoh TCP", "Zenoh TLS", "ours÷TCP", "ours÷TLS", "target", "result"]
    rows, notes = [], []
    for key in keys:
        med = {}
        cells = []
        for s in SYSTEMS:
            vals, failures = cell_values(results, s, key)
            if failures and s != "net" and vals:
                # A competitor's failed run (e.g. a crash on exit) leaves it
                # its successful rounds, and is reported below the table;
                # any failure of ours fails the cell.
                notes.append("%s %s: %s in %d of %d rounds (median of the rest)" % (s, key, failures[0], len(failures), rounds))
                failures = []
            if failures:
                cells.append(failures[0] + ("" if len(failures) == 1 else " (%d/%d runs)" % (len(failures), rounds)))
                med[s] = None
            elif not vals:
                cells.append("-")
                med[s] = None
            else:
                m = statistics.median(vals)
                med[s] = m
                cells.append(fmt_rate(m) if "/" not in key else "%.1f" % m)
        ours, tcp, tls = med["net"], med["zenoh-tcp"], med["zenoh-tls"]

        def ratio(a, b):
            if a is None or b is None or b == 0:
                return None
            # Throughput: bigger is better; latency: show ours÷theirs as well (smaller is better).
            return a / b

        r_tcp, r_tls = ratio(ours, tcp), ratio(ours, tls)
        cells += ["-" if r is None else "%.2f×" % r for r in (r_tcp, r_tls)]
        if key in RATIO_TARGET:
            t = RATIO_TARGET[key]
            target = "≥ %.1f× TCP and TLS" % t
            failing = [name for name, r in (("TCP", r_tcp), ("TLS", r_tls)) if r is None or r < t]
            verdict = "pass" if not failing else "FAIL (vs %s)" % " and ".join(failing)
        else:
            t = RTT_TARGET_US[key]
            target = "≤ %.0f µs" % t
            verdict = "pass" if ours is not None and ours <= t else "FAIL"
        cells += [target, verdict]
        rows.append([LABELS[key]] + cells)
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    line = lambda cs: "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(cs, widths)))
    print(line(head))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))
    for n in notes:
        print("note: " + n)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=2.0, help="measured sending time per throughput case")
    ap.add_argument("--round-trips", type=int, default=20000)
    ap.add_argument("--cases", default=",".join(THROUGHPUT_CASES + [RTT_CASE]))
    ap.add_argument("--systems", default=",".join(SYSTEMS))
    ap.add_argument("--timeout", type=float, default=180.0, help="seconds before one case's process is killed")
    ap.add_argument("--json", help="also write every raw result line to this file")
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    cases = [c for c in args.cases.split(",") if c]
    systems = [s for s in args.systems.split(",") if s]
    if not args.no_build:
        build()
    if not os.path.exists(BIN):
        sys.exit("missing %s" % BIN)
    print("== cores: %d; each case runs in its own process: %s" % (os.cpu_count() or 0, ", ".join(cases)), flush=True)
    results, loads = [], []
    started = time.time()
    for rnd in range(1, args.rounds + 1):
        load = loadavg()
        loads.append(load)
        print("== round %d/%d, load average before it: %s" % (rnd, args.rounds, load), flush=True)
        for case in cases:
            for system in systems:
                r = run_case(system, case, args)
                r["round"] = rnd
                results.append(r)
                if r.get("status") == "ok" and r.get("kind") == "throughput":
                    brief = "%s msg/s delivered (%d msgs in %.2f s)" % (fmt_rate(r["msgs_per_s"]), r["delivered"], r["elapsed_s"])
                elif r.get("status") == "ok":
                    brief = "p50 %.1f µs, p99 %.1f µs over %d" % (r["p50_us"], r["p99_us"], r["round_trips"])
                elif r.get("status") == "lost":
                    brief = "LOST: %s of %s delivered, %s out of order" % (r.get("delivered"), r.get("sent"), r.get("disorder", r.get("mismatched")))
                else:
                    brief = "ERROR: %s" % r.get("error")
                print("   %-9s %-9s %s" % (system, case, brief), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            for r in results:
                f.write(json.dumps(r) + "\n")
    print()
    print("Net mesh vs Zenoh %s, peer mode, loopback, two sessions in one process; median of %d rounds (%.0f s)"
          % (zenoh_version(), args.rounds, time.time() - started))
    table(results, args.rounds)
    print("load average (1, 5, 15 min) before each round: %s" % "; ".join(loads))
    print()
    print("Throughput = messages delivered to the receiving application per second (first send to last delivery),")
    print("reliable; a run that lost or reordered a message shows LOST instead of a rate. Zenoh has no batch put:")
    print("its '32 per call' rows are 32 puts per loop iteration (its transport batches them on its own).")
    errors = [r for r in results if r.get("status") not in ("ok",)]
    return 1 if any(r.get("status") == "error" for r in errors) else 0


def zenoh_version():
    try:
        with open(os.path.join(HERE, "Cargo.lock")) as f:
            text = f.read()
        i = text.index('name = "zenoh"\nversion = "')
        return text[i:].split('"')[3]
    except (OSError, ValueError, IndexError):
        return "1.x"


if __name__ == "__main__":
    sys.exit(main())
