#!/usr/bin/env python3
"""Peers in different languages, as separate processes on 127.0.0.1.

Runs pairs of tests/cross peers (Python, Go, TypeScript, C), relays their
hellos, and judges the one result line each prints; and, for capabilities,
lines of three peers in `caps` mode that answer the driver's commands. Protocol and cases:
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
from typing import Any, Callable, Optional, Sequence, Union

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

    def __init__(self, name: str, args: list[str]) -> None:
        self.name = name
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


def pair_peer(lang: str, command: list[str], role: str, count: int, psk: str, bad_psk: bool, bus_job: str) -> Peer:
    """A peer of a pair case (the stream or the bus protocol)."""
    name = f"{lang}({role}{', ' + bus_job if bus_job else ''})"
    if bus_job:
        return Peer(name, command + [f"bus-{role}", bus_job, str(count), psk])
    return Peer(name, command + [role, str(STREAM_ID), str(count), psk] + (["--bad-psk"] if bad_psk else []))


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
        dialer = pair_peer(case.dial, commands[case.dial], "dial", case.count, psk, case.bad_psk,
                           job.get(case.dial, poll))
        peers.append(dialer)
        acceptor = pair_peer(case.accept, commands[case.accept], "accept", case.count, psk, False,
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


# ---------------------------------------------------------------- capabilities
# Peers in `caps` mode answer one JSON line per command (tests/cross/README.md,
# "Capabilities"). Each language announces its own fixed set; these are what
# the others must see of it.

CAPS_STEP_TIMEOUT_S = 60.0  # one command; a `wait` inside a peer gives up after 30 s
VECTORS = os.path.join(ROOT, "tests", "vectors", "capabilities", "announcements.json")
CROSS: dict[str, Any] = {"require_tags": ["cross:caps"]}  # every peer of these cases carries the tag
THREE = ("python", "go", "typescript")
SUBNET = {"python": [3], "go": [3], "typescript": [4]}  # by the policy region:eu → 3, region:us → 4
ANNOUNCED = {  # tags each set must arrive with (its typed hardware section, as tags), and its scope
    "python": ({"lang:python", "cross:caps", "region:eu", "hardware.gpu", "hardware.gpu_vendor=nvidia",
                "hardware.gpu_vram_mb=24576", "hardware.memory_gb=32", "hardware.cpu_cores=8"},
               {"kind": "global"}),
    "go": ({"lang:go", "cross:caps", "region:eu", "hardware.memory_gb=512", "hardware.cpu_cores=64",
            "software.os=linux"}, {"kind": "global"}),
    "typescript": ({"lang:typescript", "cross:caps", "region:us", "scope:tenant:acme", "hardware.gpu",
                    "hardware.gpu_vendor=amd", "hardware.gpu_vram_mb=196608", "hardware.memory_gb=128"},
                   {"kind": "tenants", "tenants": ["acme"]}),
}
# (what, filter, scope or None for find_nodes, the languages found — the
# same from every node, or per asking language).
Want = Union[set[str], Callable[[str], set[str]]]
Query = tuple[str, dict[str, Any], Optional[dict[str, Any]], Want]
QUERIES: list[Query] = [
    ("a GPU", {"require_gpu": True}, None, {"python", "typescript"}),
    ("an NVIDIA GPU", {"require_gpu": True, "gpu_vendor": "nvidia"}, None, {"python"}),
    ("an AMD GPU with >= 100,000 MB", {"require_gpu": True, "gpu_vendor": "amd", "min_vram_mb": 100_000}, None,
     {"typescript"}),
    (">= 256 GB memory", {"min_memory_gb": 256}, None, {"go"}),
    (">= 64 GB and >= 16 cores", {"min_memory_gb": 64, "min_cpu_cores": 16}, None, {"go", "typescript"}),
    ("predicate memory_gb >= 100", {"predicate": {"op": "num_at_least", "path": "hardware.memory_gb", "value": 100}},
     None, {"go", "typescript"}),
    ("tag lang:python", {"require_tags": ["lang:python"]}, None, {"python"}),
    ("tag lang:go", {"require_tags": ["lang:go"]}, None, {"go"}),
    ("tag lang:typescript", {"require_tags": ["lang:typescript"]}, None, {"typescript"}),
    ("tag cross:caps", CROSS, None, set(THREE)),
    ("scope any", CROSS, {"kind": "any"}, set(THREE)),
    ("scope globalOnly", CROSS, {"kind": "globalOnly"}, {"python", "go"}),
    ("scope tenant acme", CROSS, {"kind": "tenant", "tenant": "acme"}, set(THREE)),
    ("scope tenant other", CROSS, {"kind": "tenant", "tenant": "other"}, {"python", "go"}),
    ("scope tenants [x, acme]", CROSS, {"kind": "tenants", "tenants": ["x", "acme"]}, set(THREE)),
    ("lang:typescript, scope tenant acme", {"require_tags": ["lang:typescript"]}, {"kind": "tenant", "tenant": "acme"},
     {"typescript"}),
    ("lang:typescript, scope globalOnly", {"require_tags": ["lang:typescript"]}, {"kind": "globalOnly"}, set()),
    ("scope sameSubnet", CROSS, {"kind": "sameSubnet"},
     lambda asker: {lang for lang in THREE if SUBNET[lang] == SUBNET[asker]}),
]

# Predicates built with the TS face's p.* (a program is [builder, ...args]),
# each with the capability sets it is evaluated on and the verdicts.
NUMERIC_GPU: list[Any] = ["and", ["exists", "hardware.gpu"], ["numericAtLeast", "hardware.memory_gb", 64],
               ["metadataEquals", "intent", "ml-training"], ["not", ["tagPrefix", "scope:"]],
               ["or", ["equals", "hardware.gpu_vendor", "nvidia"],
                ["numericBetween", "hardware.gpu_vram_mb", 40_000, 90_000]]]
AMD_80 = ["hardware.gpu", "hardware.gpu_vendor=amd", "hardware.gpu_vram_mb=81920"]
PREDICATES: list[tuple[list[Any], list[dict[str, Any]], list[bool]]] = [
    (NUMERIC_GPU, [
        {"tags": AMD_80 + ["hardware.memory_gb=128"], "metadata": {"intent": "ml-training"}},
        {"tags": AMD_80 + ["hardware.memory_gb=32"], "metadata": {"intent": "ml-training"}},
        {"tags": AMD_80 + ["hardware.memory_gb=128", "scope:tenant:acme"], "metadata": {"intent": "ml-training"}},
        {"tags": AMD_80 + ["hardware.memory_gb=128"], "metadata": {"intent": "inference"}},
    ], [True, False, False, False]),
    (["or", ["numericAtMost", "hardware.memory_gb", 16], ["equals", {"axis": "software", "key": "os"}, "linux"]], [
        {"tags": ["software.os=linux", "hardware.memory_gb=64"], "metadata": {}},
        {"tags": ["software.os=macos", "hardware.memory_gb=64"], "metadata": {}},
        {"tags": ["software.os=macos", "hardware.memory_gb=8"], "metadata": {}},
    ], [True, False, True]),
]


@dataclass(frozen=True)
class CapsCase:
    name: str
    kind: str  # "line", "forged" or "predicate"
    langs: tuple[str, ...]  # "line" and "forged": the line in order


CAPS_CASES = [
    CapsCase("caps: a line python – go – typescript, each finds the others by hardware, tags and scope",
             "line", ("python", "go", "typescript")),
    # Python in the middle: the Go face keeps its raw-bytes hook to its own
    # tests, so the forgeries are sent by Python (to Go and TypeScript) and
    # by TypeScript (to Python).
    CapsCase("caps: forged in transit, go – python – typescript, each rejects and counts", "forged",
             ("go", "python", "typescript")),
    CapsCase("caps: a predicate header built in typescript, evaluated in go and python", "predicate",
             ("typescript", "go", "python")),
]


@dataclass(frozen=True)
class Forgery:
    what: str
    wire: str  # hex
    counter: str  # the stats counter that must count it
    origin: int  # the node it claims to come from: never findable


def forgeries() -> list[Forgery]:
    """Announcements tampered with after signing, from the golden vectors."""
    with open(VECTORS, encoding="utf-8") as f:
        vectors = json.load(f)
    origin = lambda wire: int.from_bytes(bytes.fromhex(wire)[7:15], "little")  # noqa: E731 (body offset 1)
    full = next(v for v in vectors["valid"] if v["name"] == "full")
    wire = bytearray.fromhex(full["wire"])
    at = wire.find(b"model:llama3-70b")
    if at < 0:
        raise Failure(f"{VECTORS}: the full announcement lost its tag model:llama3-70b")
    wire[at + len("model:llama3-7")] = ord("1")  # model:llama3-71b, inside the signed body
    invalid = {v["name"]: v["wire"] for v in vectors["invalid"]}
    return [
        Forgery("a tag edited in a signed announcement", wire.hex(), "rejected_signature", origin(full["wire"])),
        Forgery("an origin's key and id, another's signature", invalid["entity_swapped"], "rejected_signature",
                origin(invalid["entity_swapped"])),
        Forgery("an origin the signer's key does not derive", invalid["origin_not_signer"], "rejected_origin",
                origin(invalid["origin_not_signer"])),
    ]


FORGED_TAGS = ["model:llama3-70b", "model:llama3-71b"]  # the tampered set's tag, before and after


class CapsPeer:
    """A peer in `caps` mode: a mesh node answering commands."""

    def __init__(self, lang: str, command: list[str], psk: str) -> None:
        self.lang = lang
        self.peer = Peer(f"{lang}(caps)", command + ["caps", psk])
        self.hello: dict[str, object] = {}
        self.id = ""

    def read_hello(self, deadline: float) -> None:
        self.hello = check_hello(self.peer, self.peer.read_json(deadline, "hello"))
        self.id = str(self.hello["node_id"])

    def send(self, cmd: dict[str, object]) -> None:
        self.peer.write_json(cmd)

    def reply(self, what: str) -> dict[str, object]:
        r = self.peer.read_json(time.monotonic() + CAPS_STEP_TIMEOUT_S, f"reply to {what}")
        if r.get("ok") is not True:
            raise Failure(f"{self.peer.name}: {what}: {r}")
        return r

    def ask(self, cmd: dict[str, object]) -> dict[str, object]:
        self.send(cmd)
        return self.reply(str(cmd["op"]))


def all_ask(peers: list[CapsPeer], cmd: dict[str, object]) -> list[dict[str, object]]:
    """The same command to every peer at once, then every reply."""
    for p in peers:
        p.send(cmd)
    return [p.reply(str(cmd["op"])) for p in peers]


def link(dialer: CapsPeer, acceptor: CapsPeer) -> None:
    acceptor.send({"op": "accept", "peer": dialer.hello})
    dialer.send({"op": "connect", "peer": acceptor.hello})
    acceptor.reply(f"accept {dialer.lang}")
    dialer.reply(f"connect {acceptor.lang}")


def form_line(line: list[CapsPeer]) -> None:
    """Each end dials the middle, the middle accepts both; all announce; each
    waits until it knows all three (the only wait: afterwards every query
    has its final answer, nobody announces again)."""
    middle = line[1]
    for end in (line[0], line[2]):
        link(end, middle)
    all_ask(line, {"op": "announce"})
    ids = [p.id for p in line]
    for i, (p, r) in enumerate(zip(line, all_ask(line, {"op": "wait", "nodes": ids}))):
        views = r["nodes"]
        assert isinstance(views, dict)
        for j, other in enumerate(line):
            check_view(p, other, views.get(other.id), hops=abs(i - j))


def check_view(asker: CapsPeer, of: CapsPeer, view: object, hops: int) -> None:
    """What `asker` knows of `of`: the tags, scope and subnet `of` announced,
    at the hop count of the line (0 for itself)."""
    if not isinstance(view, dict):
        raise Failure(f"{asker.peer.name} does not know {of.lang}: {view}")
    tags, scope = ANNOUNCED[of.lang]
    missing = tags - set(view.get("tags", []))
    problems = []
    if missing:
        problems.append(f"tags {sorted(missing)} missing from {view.get('tags')}")
    if view.get("scope") != scope:
        problems.append(f"scope {view.get('scope')}, not {scope}")
    if view.get("subnet") != SUBNET[of.lang]:
        problems.append(f"subnet {view.get('subnet')}, not {SUBNET[of.lang]}")
    if view.get("hops") != hops:
        problems.append(f"{view.get('hops')} hops, not {hops}")
    if problems:
        raise Failure(f"{asker.peer.name} sees {of.lang}: " + "; ".join(problems))


def check_finds(peers: list[CapsPeer], queries: Sequence[Query]) -> int:
    """Every peer runs every query; returns how many answers were judged."""
    by_lang = {p.lang: p.id for p in peers}
    wire = [{"filter": f, "scope": s} for _, f, s, _ in queries]
    judged = 0
    for p, r in zip(peers, all_ask(peers, {"op": "find", "queries": wire})):
        results = r.get("results")
        if not isinstance(results, list) or len(results) != len(queries):
            raise Failure(f"{p.peer.name}: find: {r}")
        wrong = []
        for (what, _, _, want), got in zip(queries, results):
            langs = want(p.lang) if callable(want) else want
            expected = sorted(by_lang[lang] for lang in langs)
            if sorted(got) != expected:
                names = {v: k for k, v in by_lang.items()}
                wrong.append(f"{what}: found {[names.get(i, i) for i in got]}, not {sorted(langs)}")
            judged += 1
        if wrong:
            raise Failure(f"{p.peer.name}: " + "; ".join(wrong))
    return judged


def run_caps_case(case: CapsCase, commands: dict[str, list[str]]) -> str:
    psk = secrets.token_hex(32)  # a fresh mesh per case
    peers: list[CapsPeer] = []
    try:
        for lang in case.langs:
            peers.append(CapsPeer(lang, commands[lang], psk))
        deadline = time.monotonic() + HELLO_TIMEOUT_S
        for p in peers:
            p.read_hello(deadline)
        if case.kind == "line":
            detail = caps_line(peers)
        elif case.kind == "forged":
            detail = caps_forged(peers)
        else:
            detail = caps_predicate(peers)
        for p in peers:
            code = p.peer.finish()
            if code != 0:
                raise Failure(f"{p.peer.name}: answered every command but exited with {code}")
        return detail
    except Failure as e:
        for p in peers:
            p.peer.kill()
            tail = p.peer.stderr_tail()
            if tail:
                e.add_note(f"--- stderr of {p.peer.name}:\n{tail}")
        raise
    finally:
        for p in peers:
            p.peer.kill()


def caps_line(line: list[CapsPeer]) -> str:
    form_line(line)
    judged = check_finds(line, QUERIES)
    return (f"each end knows the other at 2 hops through {line[1].lang}; "
            f"{judged} queries (hardware, tags, scopes) answered as expected")


def caps_forged(line: list[CapsPeer]) -> str:
    form_line(line)
    left, middle, right = line
    fakes = forgeries()
    before = [r["stats"] for r in all_ask(line, {"op": "stats"})]
    # Who sends to whom: the middle to both ends, the right end to the middle.
    senders = {left.lang: middle, middle.lang: right, right.lang: middle}
    for receiver in line:
        senders[receiver.lang].ask({"op": "send_raw", "to": receiver.id, "wires": [f.wire for f in fakes]})
    want = {k: 0 for k in ("rejected_signature", "rejected_origin", "rejected_malformed", "rejected_stale",
                           "rejected_hops")}
    for f in fakes:
        want[f.counter] += 1
    for p, base in zip(line, before):
        assert isinstance(base, dict)
        goal = {k: base[k] + n for k, n in want.items() if n}
        after = p.ask({"op": "wait_stats", "at_least": goal})["stats"]
        assert isinstance(after, dict)
        delta = {k: after[k] - base[k] for k in want}
        if delta != want:
            raise Failure(f"{p.peer.name}: counted {delta}, not {want}")
        if after["entries"] != 3:
            raise Failure(f"{p.peer.name}: {after['entries']} entries in its index, not 3")
    # No forged origin is known or found; the genuine three still are.
    origins = [str(f.origin) for f in fakes]
    for p, r in zip(line, all_ask(line, {"op": "lookup", "nodes": origins})):
        nodes = r["nodes"]
        assert isinstance(nodes, dict)
        known = {k: v for k, v in nodes.items() if v is not None}
        if known:
            raise Failure(f"{p.peer.name}: knows forged origins {known}")
    queries: list[Query] = [(f"tag {t} (forged)", {"require_tags": [t]}, None, set()) for t in FORGED_TAGS]
    queries += [("tag cross:caps", CROSS, None, set(THREE)), ("no filter", {}, None, set(THREE))]
    judged = check_finds(line, queries)
    return (f"each node rejected {len(fakes)} forgeries from its neighbour, counted as {want['rejected_signature']} "
            f"signature + {want['rejected_origin']} origin; no forged origin known, {judged} queries as expected")


def caps_predicate(peers: list[CapsPeer]) -> str:
    maker, *judges = peers
    verdicts = 0
    for program, sets, want in PREDICATES:
        made = maker.ask({"op": "build_predicate", "program": program, "caps": sets})
        if made.get("verdicts") != want:
            raise Failure(f"{maker.peer.name}: {program} on {sets}: verdicts {made.get('verdicts')}, not {want}")
        for j, r in zip(judges, all_ask(judges, {"op": "predicate", "header": made["header"], "caps": sets})):
            if r.get("verdicts") != want:
                raise Failure(f"{j.peer.name}: header {made['header']} on {sets}: verdicts {r.get('verdicts')}, "
                              f"not {want} as in {maker.lang}")
            if r.get("json") != made.get("json"):
                raise Failure(f"{j.peer.name}: header {made['header']} decodes to {r.get('json')}, "
                              f"{maker.lang} built {made.get('json')}")
        verdicts += len(want)
    return (f"{len(PREDICATES)} headers from {maker.lang}: the same JSON and the same {verdicts} verdicts "
            f"(true and false) in {' and '.join(j.lang for j in judges)}")


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

    # The peers run in tests/cross: a relative path is the caller's.
    for name in ("python", "node", "go_peer", "c_peer"):
        if os.sep in getattr(args, name):
            setattr(args, name, os.path.abspath(getattr(args, name)))
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

    every: list[Case | CapsCase] = [*CASES, *CAPS_CASES]
    cases = [c for c in every if args.select in c.name]
    outcomes: list[tuple[Case | CapsCase, bool, float, str]] = []
    for case in cases:
        print(f"== cross: {case.name}", flush=True)
        start = time.monotonic()
        try:
            if isinstance(case, CapsCase):
                detail, ok = run_caps_case(case, commands), True
            else:
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
