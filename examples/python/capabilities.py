"""Capabilities across a three-node line A–B–C on loopback: each node
announces what it can do (hardware, models, tags, a scope), C finds A's
GPU through B, queries are narrowed by tenant and subnet, and a predicate
travels as a ``net-where`` header and evaluates the same on arrival.

Run: ``make test-python`` runs it (or ``python examples/python/capabilities.py``
with the ``net-mesh-sdk`` wheel installed).
"""

from __future__ import annotations

import threading
import time
from typing import Callable, List

from net_sdk import MeshNode
from net_sdk.capabilities import (
    CapabilitySet,
    SubnetPolicy,
    diff_capabilities,
    evaluate_predicate,
    p,
    predicate_from_rpc_header,
    predicate_to_rpc_header,
    validate_capabilities,
    with_subnet_local_scope,
    with_tenant_scope,
)

PSK = bytes([0x42] * 32)  # shared by every node of this mesh

# Every node holds the same policy, so every node derives the same subnet
# for a peer from the `region:` tag it announces.
POLICY: SubnetPolicy = {"rules": [{"tag_prefix": "region:", "level": 0, "values": {"us": 3, "eu": 4}}]}


def link(a: MeshNode, b: MeshNode) -> None:
    """A dials B while B accepts A (both wait: B's accept in a thread)."""
    accepting = threading.Thread(target=lambda: b.accept(a.node_id, timeout=5))
    accepting.start()
    a.connect(b.local_addr, b.public_key, b.node_id, timeout=5)
    accepting.join()
    a.start()
    b.start()


def wait_for(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 10
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.02)


def main() -> None:
    gpu_box: CapabilitySet = {
        "hardware": {
            "cpu_cores": 16,
            "memory_gb": 64,
            "gpu": {"vendor": "nvidia", "model": "h100", "vram_gb": 80},
        },
        "models": [{"model_id": "llama-3.1-70b", "family": "llama", "context_length": 128_000}],
        "tags": ["region:us", "gpu", "prod"],
        "metadata": {"intent": "ml-training"},
    }
    report = validate_capabilities(gpu_box)
    assert report["valid"], report["errors"]

    # min_announce_interval_ms=1: announce at once (the default coalesces
    # announcements within 10 s).
    with MeshNode("127.0.0.1:0", PSK, subnet=[3], subnet_policy=POLICY, min_announce_interval_ms=1) as a, MeshNode(
        "127.0.0.1:0", PSK, subnet=[3], subnet_policy=POLICY, min_announce_interval_ms=1
    ) as b, MeshNode("127.0.0.1:0", PSK, subnet=[4], subnet_policy=POLICY, min_announce_interval_ms=1) as c:
        link(a, b)
        link(b, c)
        a.announce_capabilities(gpu_box)
        # B: a cache visible only inside its own subnet.
        b.announce_capabilities({"tags": with_subnet_local_scope(["region:us", "cache"])})
        # C: a model pool offered to one tenant only.
        c.announce_capabilities(
            {"tags": with_tenant_scope(["region:eu", "model:llama3-70b"], "oem-123"), "hardware": {"memory_gb": 256}}
        )
        nodes: List[MeshNode] = [a, b, c]
        wait_for(lambda: all(n.capability_stats().entries == 3 for n in nodes), "every node to know the others")

        # C finds A's GPU through B: two hops, A's signature verified.
        gpus = c.find_nodes({"require_gpu": True, "gpu_vendor": "nvidia", "min_vram_mb": 40_000})
        assert gpus == [a.node_id]
        seen = c.capabilities_of(a.node_id)
        assert seen is not None
        print(f"C finds A ({a.node_id:#x}) by its GPU, {seen['hops']} hops away, subnet {seen['subnet']['levels']}")

        # Scoped queries: C's pool is visible to its tenant; B's cache
        # only to same-subnet queries (A is in B's subnet, C is not).
        tenant = a.find_nodes_scoped({"require_tags": ["model:llama3-70b"]}, {"kind": "tenant", "tenant": "oem-123"})
        other = a.find_nodes_scoped({"require_tags": ["model:llama3-70b"]}, {"kind": "tenant", "tenant": "other"})
        assert tenant == [c.node_id] and other == []
        assert a.find_nodes_scoped({"require_tags": ["cache"]}, {"kind": "sameSubnet"}) == [b.node_id]
        assert c.find_nodes_scoped({"require_tags": ["cache"]}, {"kind": "sameSubnet"}) == []
        print(f"tenant oem-123 sees C's pool; A's subnet sees B's cache; C derives A in {c.peer_subnet(a.node_id)}")

        # A predicate, sent as a net-where header, evaluates the same on arrival.
        pred = p.and_(
            p.exists("hardware.gpu"),
            p.num_at_least("hardware.memory_gb", 64),
            p.metadata_equals("intent", "ml-training"),
        )
        header = predicate_to_rpc_header(pred)
        arrived = predicate_from_rpc_header(header)
        assert evaluate_predicate(arrived, gpu_box) and evaluate_predicate(pred, gpu_box)
        assert c.find_nodes({"predicate": arrived}) == [a.node_id]
        print(f"net-where: {header[:40]}... matches A only")

        # A new version replaces the old one everywhere.
        drained: CapabilitySet = {"tags": ["region:eu", "drained"]}
        print("C's update:", diff_capabilities({"tags": with_tenant_scope(["region:eu", "model:llama3-70b"], "oem-123")}, drained))
        c.announce_capabilities(drained)
        wait_for(lambda: a.find_nodes({"require_tags": ["drained"]}) == [c.node_id], "C's new version at A")
        print("A's counters:", a.capability_stats())


if __name__ == "__main__":
    main()
