"""The bus cases of the Python peer (protocol: tests/cross/README.md,
"The bus over the mesh"): a NetNode whose transport is a mesh link to the
other peer either emits COUNT events or polls until it holds them."""

from __future__ import annotations

import json
import socket
import sys
import time
from typing import Callable, Dict, Optional

from net_sdk import Identity, NetNode

HANDSHAKE_MS = 10_000
POLL_DEADLINE_S = 120.0  # the driver's own deadline is the real bound


def free_udp_addr() -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{s.getsockname()[1]}"


def poll_all(node: NetNode, count: int) -> Dict[str, object]:
    """Poll until `count` events are held; each {"i": n} exactly once, in
    increasing order within its shard."""
    deadline = time.monotonic() + POLL_DEADLINE_S
    while True:
        seen: set[int] = set()
        last: Dict[int, int] = {}
        cursor: Optional[str] = None
        while True:
            page = node.poll(limit=4096, cursor=cursor)
            for e in page.events:
                i = json.loads(e.raw)["i"]
                if i in seen or last.get(e.shard_id, -1) >= i:
                    return {"ok": False, "kind": "mismatch", "error": f"event {i} repeated or out of order"}
                seen.add(i)
                last[e.shard_id] = i
            cursor = page.next_id
            if not page.has_more:
                break
        if len(seen) >= count:
            return {"ok": True, "received": len(seen)}
        if time.monotonic() > deadline:
            return {"ok": False, "kind": "timeout", "error": f"{len(seen)} of {count} events arrived"}
        time.sleep(0.01)


def run(role: str, job: str, count: int, psk: bytes, emit: Callable[[Dict[str, object]], None],
        failure: Callable[[BaseException], Dict[str, object]]) -> int:
    me = Identity.generate()
    addr = free_udp_addr() if role == "bus-accept" else "127.0.0.1:0"
    emit({"addr": addr, "public_key": me.mesh_public_key.hex(), "node_id": str(me.node_id)})
    peer = json.loads(sys.stdin.readline())
    transport: Dict[str, object] = {
        "type": "mesh",
        "bind": addr,
        "psk": psk,
        "identity_seed": me.to_bytes(),
        "peer_node_id": int(peer["node_id"]),
        "handshake_timeout_ms": HANDSHAKE_MS,
    }
    if role == "bus-dial":
        transport.update(peer=peer["addr"], peer_public_key=bytes.fromhex(peer["public_key"]))
    node: Optional[NetNode] = None
    try:
        node = NetNode(shards=4, transport=transport)
        if job == "emit":
            for i in range(count):
                node.emit_raw(json.dumps({"i": i}))
            node.flush()
            result: Dict[str, object] = {"ok": True, "emitted": count}
        else:
            result = poll_all(node, count)
    except Exception as e:
        result = failure(e)
    emit(result)
    sys.stdin.read()  # stay up until the driver's go
    if node is not None:
        node.shutdown()  # an emitter's shutdown waits for the peer's acks
    return 0 if result["ok"] else 1
