"""The capability cases of the Python peer (protocol: tests/cross/README.md,
"Capabilities"): a MeshNode that announces its own capability set and
answers the driver's commands, one JSON line each, on stdin / stdout."""

from __future__ import annotations

import json
import sys
import time
from typing import Any, Callable, Dict, List, Optional

from net_sdk import MeshNode
from net_sdk.capabilities import (
    CapabilitySet,
    SubnetPolicy,
    evaluate_predicate,
    predicate_from_rpc_header,
    predicate_json,
)

HANDSHAKE_S = 10.0  # connect / accept: the other process is already up
WAIT_S = 30.0  # a `wait` or `wait_stats`; the driver's own deadline is the real bound

# The mesh-wide subnet policy every peer holds, and this node's place in it.
SUBNET_POLICY: SubnetPolicy = {"rules": [{"tag_prefix": "region:", "level": 0, "values": {"eu": 3, "us": 4}}]}
SUBNET = [3]
# What this node announces: an NVIDIA GPU with 24 GiB, 8 cores, 32 GB; Global scope.
CAPS: CapabilitySet = {
    "tags": ["lang:python", "cross:caps", "region:eu"],
    "hardware": {
        "cpu_cores": 8,
        "cpu_threads": 16,
        "memory_gb": 32,
        "gpu": {"vendor": "nvidia", "model": "rtx-4090", "vram_gb": 24},
    },
    "metadata": {"face": "python"},
}

STATS = (
    "received", "accepted", "duplicates", "rejected_malformed", "rejected_signature", "rejected_origin",
    "rejected_stale", "rejected_hops", "evicted", "broadcasts", "forwarded", "entries",
)


class Refused(Exception):
    """A command that cannot be carried out here."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def stats(node: MeshNode) -> Dict[str, int]:
    s = node.capability_stats()
    return {k: getattr(s, k) for k in STATS}


def lookup(node: MeshNode, ids: List[str]) -> Dict[str, Optional[Dict[str, Any]]]:
    out: Dict[str, Optional[Dict[str, Any]]] = {}
    for i in ids:
        info = node.capabilities_of(int(i))
        out[i] = None if info is None else {
            "hops": info["hops"],
            "tags": list(info["capabilities"]["tags"]),
            "scope": dict(info["scope"]),
            "subnet": list(info["subnet"]["levels"]),
        }
    return out


def until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not check():
        if time.monotonic() > deadline:
            raise Refused("timeout", f"never happened: {what}")
        time.sleep(0.01)


def command(node: MeshNode, cmd: Dict[str, Any]) -> Dict[str, Any]:
    op = cmd.get("op")
    if op in ("connect", "accept"):
        peer = cmd["peer"]
        if op == "connect":
            node.connect(peer["addr"], bytes.fromhex(peer["public_key"]), int(peer["node_id"]), timeout=HANDSHAKE_S)
        else:
            node.accept(int(peer["node_id"]), timeout=HANDSHAKE_S)
        node.start()  # idempotent
        return {}
    if op == "announce":
        node.announce_capabilities(CAPS)
        return {}
    if op == "wait":
        until(lambda: all(node.capabilities_of(int(i)) is not None for i in cmd["nodes"]), f"knowing {cmd['nodes']}")
        return {"nodes": lookup(node, cmd["nodes"])}
    if op == "lookup":
        return {"nodes": lookup(node, cmd["nodes"])}
    if op == "find":
        results = []
        for q in cmd["queries"]:
            if q.get("scope") is None:
                found = node.find_nodes(q["filter"])
            else:
                found = node.find_nodes_scoped(q["filter"], q["scope"])
            results.append([str(i) for i in found])
        return {"results": results}
    if op == "stats":
        return {"stats": stats(node)}
    if op == "wait_stats":
        want: Dict[str, int] = cmd["at_least"]
        until(lambda: all(stats(node)[k] >= v for k, v in want.items()), f"stats reaching {want}")
        return {"stats": stats(node)}
    if op == "send_raw":
        for wire in cmd["wires"]:
            node._send_capability_bytes(int(cmd["to"]), bytes.fromhex(wire))
        return {}
    if op == "predicate":
        pred = predicate_from_rpc_header(cmd["header"])
        return {"json": predicate_json(pred), "verdicts": [evaluate_predicate(pred, c) for c in cmd["caps"]]}
    raise Refused("unsupported", f"unknown op {op!r}")


def run(psk: bytes, emit: Callable[[Dict[str, object]], None],
        failure: Callable[[BaseException], Dict[str, object]]) -> int:
    ok = True
    node = MeshNode("127.0.0.1:0", psk, subnet=SUBNET, subnet_policy=SUBNET_POLICY, min_announce_interval_ms=1)
    try:
        emit({"addr": node.local_addr, "public_key": node.public_key.hex(), "node_id": str(node.node_id)})
        # One reply per command line, until the driver closes stdin.
        for line in sys.stdin:
            try:
                reply: Dict[str, object] = {"ok": True, **command(node, json.loads(line))}
            except Exception as e:
                reply, ok = failure(e), False
            emit(reply)
    finally:
        node.shutdown()
    return 0 if ok else 1
