"""The golden vectors of tests/vectors/capabilities, byte for byte: the
canonical capability JSON, schema errors and typed views; predicate JSON,
header bytes, verdicts and traces; scope resolution and visibility;
subnet derivation (by the function and by a peer over the mesh); and the
signed announcement bytes, put on the wire to a peer that must index the
valid ones and refuse (and count) the forged, tampered and malformed."""

from __future__ import annotations

import json
from typing import Any, Dict, List

import pytest
from meshkit import PSK, eventually, handshake

from net_sdk import CapabilityError, MeshNode
from net_sdk.capabilities import (
    RPC_WHERE_HEADER,
    CapabilitySet,
    capabilities_json,
    capability_views,
    derive_subnet,
    evaluate_predicate,
    evaluate_predicate_with_trace,
    normalize_capabilities,
    predicate_from_rpc_header,
    predicate_json,
    predicate_to_rpc_header,
    resolve_scope,
    scope_admits,
    validate_capabilities,
)

from conftest import load_vectors

SETS: Dict[str, List[Dict[str, Any]]] = load_vectors("capabilities/capability_sets.json")
PREDICATES: Dict[str, List[Dict[str, Any]]] = load_vectors("capabilities/predicates.json")
SCOPES: Dict[str, List[Dict[str, Any]]] = load_vectors("capabilities/scopes.json")
SUBNETS: Dict[str, Any] = load_vectors("capabilities/subnets.json")
ANNOUNCEMENTS: Dict[str, List[Dict[str, Any]]] = load_vectors("capabilities/announcements.json")


def test_every_file_has_cases() -> None:
    assert SETS["cases"] and SETS["invalid"]
    assert PREDICATES["cases"] and PREDICATES["invalid"]
    assert SCOPES["resolution"] and SCOPES["visibility"]
    assert SUBNETS["cases"] and SUBNETS["policy"]["rules"]
    assert ANNOUNCEMENTS["valid"] and ANNOUNCEMENTS["invalid"]


@pytest.mark.parametrize("case", SETS["cases"], ids=lambda c: c["name"])
def test_capability_set(case: Dict[str, Any]) -> None:
    given = case["input"]
    assert capabilities_json(given) == case["wire"]
    assert capabilities_json(json.dumps(given)) == case["wire"]
    canonical = normalize_capabilities(given)
    assert canonical == json.loads(case["wire"])
    assert capabilities_json(canonical) == case["wire"]
    report = validate_capabilities(given)
    assert report["errors"] == case["errors"]
    assert report["valid"] == (not case["errors"])
    views = capability_views(given)
    assert views["hardware"] == case["hardware"]
    assert views["software"] == case["software"]
    assert views["models"] == case["models"]
    assert views["scope"] == case["scope"]


@pytest.mark.parametrize("case", SETS["invalid"], ids=lambda c: c["name"])
def test_invalid_capability_set(case: Dict[str, Any]) -> None:
    with pytest.raises(CapabilityError) as err:
        normalize_capabilities(case["input"])
    assert err.value.kind == case["kind"]


@pytest.mark.parametrize("case", PREDICATES["cases"], ids=lambda c: c["name"])
def test_predicate(case: Dict[str, Any]) -> None:
    assert case["header_name"] == RPC_WHERE_HEADER
    wire = json.loads(case["json"])
    assert predicate_json(wire) == case["json"]
    assert predicate_to_rpc_header(wire) == case["header_value"]
    decoded = predicate_from_rpc_header(case["header_value"])
    assert decoded == wire
    assert predicate_from_rpc_header(case["header_value"].encode()) == wire
    assert predicate_json(decoded) == case["json"]
    for ev in case["evaluations"]:
        caps: CapabilitySet = {"tags": ev["tags"], "metadata": ev["metadata"]}
        assert evaluate_predicate(decoded, caps) is ev["result"]
        traced = evaluate_predicate_with_trace(decoded, caps)
        assert traced["result"] is ev["result"]
        got = [(c["id"], c["op"], c["verdict"]) for c in traced["trace"]]
        assert got == [(c["id"], c["op"], c["verdict"]) for c in ev["trace"]]


@pytest.mark.parametrize("case", PREDICATES["invalid"], ids=lambda c: c["name"])
def test_invalid_header(case: Dict[str, Any]) -> None:
    with pytest.raises(CapabilityError) as err:
        predicate_from_rpc_header(case["header_value"])
    assert err.value.kind == case["kind"]


@pytest.mark.parametrize("case", SCOPES["resolution"], ids=lambda c: ",".join(c["tags"]) or "untagged")
def test_scope_resolution(case: Dict[str, Any]) -> None:
    assert resolve_scope(case["tags"]) == case["scope"]
    assert resolve_scope({"tags": case["tags"]}) == case["scope"]


def test_scope_visibility() -> None:
    for case in SCOPES["visibility"]:
        got = scope_admits(case["filter"], case["scope"], same_subnet=case["same_subnet"])
        assert got is case["admits"], case


@pytest.mark.parametrize("case", SUBNETS["cases"], ids=lambda c: ",".join(c["tags"]))
def test_subnet_derivation(case: Dict[str, Any]) -> None:
    assert derive_subnet(SUBNETS["policy"], case["tags"]) == case["subnet"]


def test_peers_derive_the_vectors_subnets() -> None:
    """A node holding the vectors' policy derives each peer's subnet from
    the tags the peer announces."""
    with MeshNode("127.0.0.1:0", PSK, subnet_policy=SUBNETS["policy"]) as a, MeshNode(
        "127.0.0.1:0", PSK, min_announce_interval_ms=1
    ) as b:
        handshake(a, b)
        for i, case in enumerate(SUBNETS["cases"]):
            marker = f"case-{i}"
            b.announce_capabilities({"tags": case["tags"] + [marker]})

            def arrived() -> bool:
                info = a.capabilities_of(b.node_id)
                return info is not None and marker in info["capabilities"]["tags"]

            eventually(arrived, f"{case['tags']} reaching A", seconds=10)
            assert a.peer_subnet(b.node_id) == case["subnet"]
            info = a.capabilities_of(b.node_id)
            assert info is not None and info["subnet"] == case["subnet"]


_COUNTER = {
    "malformed_announcement": "rejected_malformed",
    "unsupported_version": "rejected_malformed",
    "invalid_signature": "rejected_signature",
    "origin_mismatch": "rejected_origin",
}


def test_signed_announcements_on_the_wire() -> None:
    """The valid vectors' wire bytes are indexed as the vector says (their
    origin, signer, capabilities; one hop more); each invalid one is
    refused and counted under its kind; replaying an older version is
    refused as stale."""
    with MeshNode("127.0.0.1:0", PSK) as a, MeshNode("127.0.0.1:0", PSK) as b:
        handshake(a, b)
        counters = ("rejected_malformed", "rejected_signature", "rejected_origin", "rejected_stale")
        before = b.capability_stats()

        def rejections() -> Dict[str, int]:
            now = b.capability_stats()
            return {c: getattr(now, c) - getattr(before, c) for c in counters}

        want = {c: 0 for c in counters}
        for case in ANNOUNCEMENTS["invalid"]:
            a._send_capability_bytes(b.node_id, bytes.fromhex(case["wire"]))
            want[_COUNTER[case["kind"]]] += 1
        eventually(lambda: rejections() == want, f"rejections {want}", seconds=10)

        for case in ANNOUNCEMENTS["valid"]:
            origin, version = int(case["origin"]), int(case["version"])
            a._send_capability_bytes(b.node_id, bytes.fromhex(case["wire"]))

            def indexed() -> bool:
                info = b.capabilities_of(origin)
                return info is not None and info["version"] == version

            eventually(indexed, f"{case['name']} indexed", seconds=10)
            info = b.capabilities_of(origin)
            assert info is not None
            assert info["node_id"] == origin and f"{origin:016x}" == case["origin_hex"]
            assert info["entity_id"].hex() == case["entity_id"]
            assert info["hops"] == case["hop_count"] + 1
            assert capabilities_json(info["capabilities"]) == capabilities_json(case["capabilities"])
            assert info["capabilities"] == case["capabilities"]

        first = ANNOUNCEMENTS["valid"][0]
        a._send_capability_bytes(b.node_id, bytes.fromhex(first["wire"]))
        want["rejected_stale"] = 1
        eventually(lambda: rejections() == want, "the replay refused as stale", seconds=10)
        newest = max(int(c["version"]) for c in ANNOUNCEMENTS["valid"] if c["origin"] == first["origin"])
        info = b.capabilities_of(int(first["origin"]))
        assert info is not None and info["version"] == newest
        assert b.capability_stats().rejected == sum(want.values())
