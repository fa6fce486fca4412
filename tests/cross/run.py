#!/usr/bin/env python3
"""Peers in different languages, as separate processes on 127.0.0.1.

Runs pairs of tests/cross peers (Python, Go, TypeScript, C), relays their
hellos, and judges the one result line each prints. Protocol and cases:
tests/cross/README.md. Standard library only, so it runs under any
python3; the Python peer runs under the venv that holds the wheel.

    python3 tests/cross/run.py [-k SUBSTRING] [--wait-acceptor]

Every process started here is killed and reaped before the driver exits,
on success, failure, timeout or SIGTERM. Exit status: 0 when every case
passed.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import secrets
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.join(ROOT, "tests", "cross")
STREAM_ID = 7
HELLO_TIMEOUT_S = 30.0  # process start-up; the first import of a module can be slow
PAIR_TIMEOUT_S = 180.0  # 10,000 messages each way; seconds in practice
BAD_PSK_TIMEOUT_S = 20.0  # the peers' handshake limit is 10 s
EXIT_TIMEOUT_S = 15.0  # after stdin closes: shutdown and exit


class Failure(Exception):
    """A case's expectation did not hold."""


@dataclass(frozen=True)
class Case:
    name: str
    dial: str  # language of the dialing peer
    accept: str  # language of the accepting peer
    count: int
    bad_psk: bool = False  # the dialer holds another mesh's key
    bus_emitter: str = ""  # a bus case: the language whose node emits (the other polls)


CASES = [
    Case("python dials go, 10,000 messages both ways", "python", "go", 10_000),
    Case("c dials typescript, 10,000 messages both ways", "c", "typescript", 10_000),
    # Each language once as the peer with the wrong PSK, each against
    # another language, and each language once on the accepting side.
    Case("wrong psk: python dials go", "python", "go", 10, bad_psk=True),
    Case("wrong psk: go dials typescript", "go", "typescript", 10, bad_psk=True),
    Case("wrong psk: typescript dials c", "typescript", "c", 10, bad_psk=True),
    Case("wrong psk: c dials python", "c", "python", 10, bad_psk=True),
    # The bus over the mesh: each language once as the emitter and once as
    # the poller, once dialling and once accepting.
    Case("bus: go emits 10,000 events, python polls", "go", "python", 10_000, bus_emitter="go"),
    Case("bus: python emits 10,000 events, go polls", "python", "go", 10_000, bus_emitter="python"),
]


class Peer:
    """One peer process; its stdout lines are read on a thread so every
    wait here can have a deadline."""

    def __init__(self, lang: str, command: list[str], role: str, count: int, psk: str, bad_psk: bool,
                 bus_job: str = "") -> None:
        self.name = f"{lang}({role}{', ' + bus_job if bus_job else ''})"
        if bus_job:
            args = command + [f"bus-{role}", bus_job, str(count), psk]
        else:
            args = command + [role, str(STREAM_ID), str(count), psk] + (["--bad-psk"] if bad_psk else [])
        # A session of its own, so kill() reaches anything the peer started too.
        self.proc = subprocess.Popen(args, cwd=HERE, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, start_new_session=True)
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stderr: list[str] = []
        threading.Thread(target=self._read_stdout, daemon=True).start()
        self._stderr_reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._stderr_reader.start()

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)  # end of output

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line)

    def read_json(self, deadline: float, what: str) -> dict[str, object]:
        try:
            line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise Failure(f"{self.name}: no {what} in time") from None
        if line is None:
            try:
                code = self.proc.wait(timeout=EXIT_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                raise Failure(f"{self.name}: closed its stdout before its {what}") from None
            raise Failure(f"{self.name}: exited with {code} before its {what}")
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            raise Failure(f"{self.name}: {what} is not JSON: {line.strip()!r}") from None
        if not isinstance(obj, dict):
            raise Failure(f"{self.name}: {what} is not an object: {line.strip()!r}")
        return obj

    def pending_json(self) -> dict[str, object] | None:
        """A line already printed, if any (no waiting)."""
        try:
            line = self.lines.get_nowait()
        except queue.Empty:
            return None
        if line is None:
            return None
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            raise Failure(f"{self.name}: printed non-JSON: {line.strip()!r}") from None
        return obj if isinstance(obj, dict) else {"ok": None, "line": obj}

    def write_json(self, obj: dict[str, object]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(obj) + "\n")
        self.proc.stdin.flush()

    def finish(self) -> int:
        """Close stdin (the peers' go to shut down) and wait for the exit."""
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        try:
            return self.proc.wait(timeout=EXIT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise Failure(f"{self.name}: did not exit within {EXIT_TIMEOUT_S:.0f} s of stdin closing") from None

    def kill(self) -> None:
        """Kill the peer's process group, and reap the peer. Its output pipes
        are left to the reader threads, which end at EOF: closing a pipe
        here would wait for a read in progress."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        except OSError:
            pass

    def stderr_tail(self, n: int = 15) -> str:
        """The last lines of stderr; call after kill(), so all of it is read."""
        self._stderr_reader.join(timeout=2.0)
        return "".join(self.stderr[-n:])


def check_hello(peer: Peer, hello: dict[str, object]) -> dict[str, object]:
    for key in ("addr", "public_key", "node_id"):
        if not isinstance(hello.get(key), str):
            raise Failure(f"{peer.name}: hello without the string {key!r}: {hello}")
    return hello


def run_case(case: Case, commands: dict[str, list[str]], wait_acceptor: bool) -> str:
    """Run one case; returns a one-line detail, raises Failure otherwise."""
    psk = secrets.token_hex(32)  # a fresh mesh per case
    peers: list[Peer] = []
    job = {case.bus_emitter: "emit"}
    poll = "poll" if case.bus_emitter else ""
    try:
        dialer = Peer(case.dial, commands[case.dial], "dial", case.count, psk, case.bad_psk, job.get(case.dial, poll))
        peers.append(dialer)
        acceptor = Peer(case.accept, commands[case.accept], "accept", case.count, psk, False,
                        job.get(case.accept, poll))
        peers.append(acceptor)

        deadline = time.monotonic() + HELLO_TIMEOUT_S
        dialer_hello = check_hello(dialer, dialer.read_json(deadline, "hello"))
        acceptor_hello = check_hello(acceptor, acceptor.read_json(deadline, "hello"))
        dialer.write_json(acceptor_hello)
        acceptor.write_json(dialer_hello)

        if case.bad_psk:
            return judge_bad_psk(dialer, acceptor, wait_acceptor)
        deadline = time.monotonic() + PAIR_TIMEOUT_S
        for p, lang in ((dialer, case.dial), (acceptor, case.accept)):
            r = p.read_json(deadline, "result")
            key = "emitted" if lang == case.bus_emitter else "received"
            if r != {"ok": True, key: case.count}:
                raise Failure(f"{p.name}: {r}")
        for p in (dialer, acceptor):
            code = p.finish()
            if code != 0:
                raise Failure(f"{p.name}: reported ok but exited with {code}")
        if case.bus_emitter:
            return f"the poller holds all {case.count} events, each once, in order per shard"
        return f"each side received {case.count} in order"
    except Failure as e:
        for p in peers:
            p.kill()
            tail = p.stderr_tail()
            if tail:
                e.add_note(f"--- stderr of {p.name}:\n{tail}")
        raise
    finally:
        for p in peers:
            p.kill()


def judge_bad_psk(dialer: Peer, acceptor: Peer, wait_acceptor: bool) -> str:
    # The dialer is the one that can tell: with Noise IKpsk2 the key is
    # mixed into the reply, so the dialer fails to read it (wrong_psk) and
    # tells the acceptor to drop its half.
    r = dialer.read_json(time.monotonic() + BAD_PSK_TIMEOUT_S, "result")
    if r.get("ok") is not False or r.get("kind") != "wrong_psk":
        raise Failure(f"{dialer.name}: expected kind wrong_psk, got {r}")
    # The acceptor never gets a session; its accept waits out its own
    # limit (10 s) and reports `timeout`. Only with --wait-acceptor is that
    # waited for; by default it is only checked not to claim success.
    if wait_acceptor:
        a = acceptor.read_json(time.monotonic() + BAD_PSK_TIMEOUT_S, "result")
        if a.get("ok") is not False or a.get("kind") != "timeout":
            raise Failure(f"{acceptor.name}: expected kind timeout, got {a}")
        seen = "reported timeout"
    else:
        early = acceptor.pending_json()
        if early is not None and early.get("ok") is not False:
            raise Failure(f"{acceptor.name}: a session with the wrong PSK: {early}")
        seen = f"reported {early.get('kind')}" if early else "still in accept, killed"
    code = dialer.finish()
    if code != 1:
        raise Failure(f"{dialer.name}: reported failure but exited with {code}")
    return f"dialer: wrong_psk; acceptor: {seen}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=os.path.join(ROOT, "target", "python-venv", "bin", "python"),
                        help="an interpreter with the net-mesh-sdk wheel installed")
    parser.add_argument("--node", default="node", help="the node binary")
    parser.add_argument("--go-peer", default=os.path.join(ROOT, "target", "cross", "peer_go"))
    parser.add_argument("--c-peer", default=os.path.join(ROOT, "target", "cross", "peer_c"))
    parser.add_argument("-k", dest="select", default="", help="run only the cases whose name contains this")
    parser.add_argument("--wait-acceptor", action="store_true",
                        help="in the wrong-PSK cases, wait for the acceptor's own timeout (10 s each)")
    args = parser.parse_args()

    # SIGTERM (make interrupted, a CI timeout) unwinds like an exception,
    # so the `finally` blocks kill and reap the peers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    commands = {
        "python": [args.python, os.path.join(HERE, "peer.py")],
        "go": [args.go_peer],
        "typescript": [args.node, os.path.join(HERE, "peer.mjs")],
        "c": [args.c_peer],
    }
    for lang, command in commands.items():
        exe = command[0]
        if os.sep in exe and not os.access(exe, os.X_OK):
            print(f"cross: the {lang} peer needs {exe}: run `make test-cross`", file=sys.stderr)
            return 2

    cases = [c for c in CASES if args.select in c.name]
    outcomes: list[tuple[Case, bool, float, str]] = []
    for case in cases:
        print(f"== cross: {case.name}", flush=True)
        start = time.monotonic()
        try:
            detail, ok = run_case(case, commands, args.wait_acceptor), True
        except (Failure, OSError) as e:  # OSError: a peer that cannot start
            detail, ok = str(e), False
            print(f"FAILED: {e}", *getattr(e, "__notes__", []), sep="\n", file=sys.stderr, flush=True)
        outcomes.append((case, ok, time.monotonic() - start, detail))

    print("\ncross-language summary:")
    for case, ok, seconds, detail in outcomes:
        print(f"  {'PASS' if ok else 'FAIL'}  {seconds:6.2f} s  {case.name}: {detail}")
    failed = sum(not ok for _, ok, _, _ in outcomes)
    print(f"{len(outcomes) - failed} passed, {failed} failed")
    return 1 if failed or not outcomes else 0


if __name__ == "__main__":
    sys.exit(main())
