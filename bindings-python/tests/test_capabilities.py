"""Capabilities: the builders and helpers, predicates and their header,
validation, diff and debug reports; three nodes in a line finding each
other by hardware, tags, predicate and every scope kind, multi-hop; and
bad input refused with a typed error."""

from __future__ import annotations

import asyncio
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import pytest
from meshkit import PSK, eventually, handshake

from net_sdk import CapabilityError, ClosedError, ConfigError, MeshNode, NetError
from net_sdk.capabilities import (
    RPC_WHERE_HEADER,
    CapabilityFilter,
    CapabilitySet,
    ScopeFilter,
    SubnetPolicy,
    capabilities_json,
    diff_capabilities,
    empty_capabilities,
    evaluate_predicate,
    evaluate_predicate_with_trace,
    is_report_valid,
    normalize_capabilities,
    p,
    predicate_debug_report,
    predicate_from_rpc_header,
    predicate_from_rpc_headers,
    predicate_json,
    predicate_to_rpc_header,
    redact_metadata_keys,
    render_debug_report,
    require_axis_value,
    require_tag,
    validate_capabilities,
    with_metadata,
    with_region_scope,
    with_subnet_local_scope,
    with_tenant_scope,
)

SEED_PREDICATE = p.and_(
    p.exists("hardware.gpu"),
    p.num_at_least("hardware.memory_gb", 64),
    p.metadata_equals("intent", "ml-training"),
)


def test_chain_builders_and_the_seed_predicate() -> None:
    caps = empty_capabilities()
    assert caps == {"tags": [], "metadata": {}}
    caps = require_tag(caps, "hardware", "gpu")
    caps = require_axis_value(caps, "hardware", "memory_gb", "64")
    caps = require_axis_value(caps, "hardware", "memory_gb", "128")  # replaces the value
    caps = require_axis_value(caps, "software", "os", "linux")
    caps = with_metadata(caps, "intent", "ml-training")
    assert caps["tags"] == ["hardware.gpu", "hardware.memory_gb=128", "software.os=linux"]
    assert caps["metadata"] == {"intent": "ml-training"}
    assert is_report_valid(validate_capabilities(caps))
    assert evaluate_predicate(SEED_PREDICATE, caps) is True
    assert evaluate_predicate(SEED_PREDICATE, with_metadata(caps, "intent", "inference")) is False
    assert evaluate_predicate(SEED_PREDICATE, empty_capabilities()) is False
    assert caps["metadata"] == {"intent": "ml-training"}, "builders return new sets"
    with pytest.raises(CapabilityError) as err:
        require_tag(caps, "hardwre", "gpu")
    assert err.value.kind == "invalid_tag"


def test_predicate_builders_write_the_wire_form() -> None:
    assert predicate_json(SEED_PREDICATE) == (
        '{"op":"and","clauses":[{"op":"exists","path":"hardware.gpu"},'
        '{"op":"num_at_least","path":"hardware.memory_gb","value":64},'
        '{"op":"metadata_equals","key":"intent","value":"ml-training"}]}'
    )
    # A float with an integral value is written as an integer, others shortest.
    assert predicate_json(p.num_between("x", 0.5, 2.0)) == '{"op":"num_between","path":"x","min":0.5,"max":2}'
    other = p.or_(
        p.not_(p.equals("software.os", "linux")),
        p.num_between("hardware.gpu_vram_mb", 1, 2),
        p.num_at_most("x", 3),
        p.tag_prefix("model:"),
    )
    caps: CapabilitySet = {"tags": ["software.os=linux", "hardware.gpu_vram_mb=24576"]}
    traced = evaluate_predicate_with_trace(other, caps)
    assert traced["result"] is False
    assert [(c["id"], c["op"], c["verdict"]) for c in traced["trace"]] == [
        ("0", "or", "false"),
        ("0.0", "not", "false"),
        ("0.0.0", "equals", "true"),
        ("0.1", "num_between", "false"),
        ("0.2", "num_at_most", "false"),
        ("0.3", "tag_prefix", "false"),
    ]
    short = evaluate_predicate_with_trace(p.or_(p.tag_prefix("software."), p.exists("nope")), caps)
    assert short["result"] is True and short["trace"][2]["verdict"] == "skipped"
    # A list of tags is the set of those tags.
    assert evaluate_predicate(p.tag_prefix("model:"), ["model:llama3-70b"]) is True


def test_header_round_trip() -> None:
    value = predicate_to_rpc_header(SEED_PREDICATE)
    assert value.isascii() and "=" not in value
    assert predicate_from_rpc_header(value) == SEED_PREDICATE
    assert RPC_WHERE_HEADER == "net-where"
    assert predicate_from_rpc_headers({"Content-Type": "x", "NET-WHERE": value}) == SEED_PREDICATE
    assert predicate_from_rpc_headers([("net-where", value.encode()), ("net-where", "!!")]) == SEED_PREDICATE
    assert predicate_from_rpc_headers({"other": "x"}) is None
    assert predicate_from_rpc_headers([]) is None
    with pytest.raises(CapabilityError) as err:
        predicate_from_rpc_headers({"net-where": "e30"})
    assert err.value.kind == "invalid_header"


def test_scope_helpers_are_idempotent() -> None:
    tags = with_tenant_scope(["model:llama3-70b"], "oem-123")
    tags = with_tenant_scope(tags, "oem-123")
    tags = with_region_scope(tags, "eu")
    tags = with_subnet_local_scope(with_subnet_local_scope(tags))
    assert tags == ["model:llama3-70b", "scope:tenant:oem-123", "scope:region:eu", "scope:subnet-local"]
    caps = with_tenant_scope({"tags": ["gpu"], "metadata": {"k": "v"}}, "a")
    assert caps == {"tags": ["gpu", "scope:tenant:a"], "metadata": {"k": "v"}}


def test_typed_sections_become_tags() -> None:
    caps: CapabilitySet = {
        "hardware": {"cpu_cores": 16, "memory_gb": 64, "gpu": {"vendor": "nvidia", "model": "h100", "vram_gb": 80}},
        "software": {"os": "linux", "runtimes": {"cuda": "12.4"}},
        "models": [{"model_id": "llama-3.1-70b", "family": "llama", "context_length": 128_000}],
        "tags": ["gpu", "prod", "gpu"],
    }
    wire = normalize_capabilities(caps)
    assert "hardware.gpu_vram_mb=81920" in wire["tags"]
    assert "model.llama-3.1-70b.context_length=128000" in wire["tags"]
    assert wire["tags"].count("gpu") == 1 and sorted(wire) == ["metadata", "tags"]
    assert validate_capabilities(caps) == {"valid": True, "errors": []}


def test_diff() -> None:
    prev: CapabilitySet = {"tags": ["a", "b"], "metadata": {"k": "1", "gone": "x"}}
    nxt: CapabilitySet = {"tags": ["b", "c"], "metadata": {"k": "2", "new": "y"}}
    d = diff_capabilities(prev, nxt)
    assert d["added_tags"] == ["c"] and d["removed_tags"] == ["a"]
    by_key = {m["key"]: m for m in d["metadata"]}
    assert by_key["k"] == {"kind": "changed", "key": "k", "old": "1", "new": "2"}
    assert by_key["gone"] == {"kind": "removed", "key": "gone", "value": "x"}
    assert by_key["new"] == {"kind": "added", "key": "new", "value": "y"}
    assert diff_capabilities(nxt, nxt) == {"added_tags": [], "removed_tags": [], "metadata": []}


def test_debug_report_redact_and_render() -> None:
    pred = p.and_(p.metadata_equals("intent", "ml-training"), p.exists("hardware.gpu"))
    corpus: List[Any] = [
        {"tags": ["hardware.gpu"], "metadata": {"intent": "ml-training"}},
        {"metadata": {"intent": "serving"}},
        ["hardware.gpu"],
    ]
    report = predicate_debug_report(pred, iter(corpus))
    assert (report["total"], report["matched"]) == (3, 1)
    first, second = report["clauses"][1], report["clauses"][2]
    assert (first["true_count"], first["false_count"]) == (1, 2)
    assert (second["evaluated"], second["skipped"]) == (1, 2)
    safe = redact_metadata_keys(report, ["intent"])
    assert safe["clauses"][1]["expected"] == "<redacted>"
    assert report["clauses"][1]["expected"] == "ml-training", "the report itself is unchanged"
    text = render_debug_report(safe)
    assert text.startswith("matched 1/3") and "ml-training" not in text
    assert "ml-training" in render_debug_report(report)


def _kind_of(call: Any, *args: Any) -> str:
    with pytest.raises(CapabilityError) as err:
        call(*args)
    assert isinstance(err.value, NetError) and isinstance(err.value, ValueError)
    return err.value.kind


def test_bad_input_gets_typed_errors() -> None:
    # Bad JSON text, wrong shapes and types.
    assert _kind_of(normalize_capabilities, "{") == "invalid_json"
    assert _kind_of(normalize_capabilities, {"tags": "gpu"}) == "invalid_json"
    assert _kind_of(normalize_capabilities, {"tags": [1, 2]}) == "invalid_json"
    assert _kind_of(normalize_capabilities, {"metadata": {"k": 1}}) == "invalid_json"
    assert _kind_of(normalize_capabilities, {"tagz": []}) == "invalid_json"
    assert _kind_of(normalize_capabilities, {"tags": {"a", "b"}}) == "invalid_json"  # a set is not JSON
    assert _kind_of(normalize_capabilities, {"hardware": {"gpu": {"vendor": "acme"}}}) == "invalid_json"
    # Predicates: unknown op, missing keys, bad numbers, too deep.
    assert _kind_of(evaluate_predicate, {"op": "nope", "path": "x"}, []) == "invalid_predicate"
    assert _kind_of(evaluate_predicate, {"op": "exists"}, []) == "invalid_predicate"
    assert _kind_of(predicate_json, p.num_between("x", 2, 1)) == "invalid_predicate"
    assert _kind_of(predicate_json, p.num_at_least("x", float("nan"))) == "invalid_predicate"
    assert _kind_of(predicate_json, "[]") == "invalid_predicate"
    deep: Any = p.exists("x")
    for _ in range(40):
        deep = p.not_(deep)
    assert _kind_of(predicate_to_rpc_header, deep) == "invalid_predicate"
    # Malformed headers: bad base64url, not JSON, not a predicate.
    assert _kind_of(predicate_from_rpc_header, "not base64!") == "invalid_header"
    assert _kind_of(predicate_from_rpc_header, "") == "invalid_header"
    assert _kind_of(predicate_from_rpc_header, "bm90IGpzb24") == "invalid_header"  # "not json"
    assert _kind_of(predicate_from_rpc_header, b"\xff\xfe") == "invalid_header"
    # Validation reports typed schema errors (not an exception).
    typo = validate_capabilities({"tags": ["hardwre.gpu"]})
    assert not typo["valid"] and typo["errors"][0]["kind"] == "unknown_axis"
    assert typo["errors"][0]["suggestion"] == "hardware"
    big = validate_capabilities({"metadata": {"k": "v" * (1 << 20)}})
    assert not big["valid"] and big["errors"][0]["kind"] == "oversize_metadata"
    # None where a value is required is a TypeError; bad argument types too.
    calls: List[Tuple[Callable[..., Any], Tuple[Any, ...]]] = [
        (normalize_capabilities, (None,)),
        (evaluate_predicate, (None, [])),
        (evaluate_predicate, (p.exists("x"), None)),
        (predicate_from_rpc_header, (None,)),
        (predicate_from_rpc_header, (5,)),
        (redact_metadata_keys, ({"total": 0, "matched": 0, "clauses": []}, "intent")),
    ]
    for call, args in calls:
        with pytest.raises(TypeError):
            call(*args)


@pytest.fixture
def line() -> Iterator[Tuple[MeshNode, MeshNode, MeshNode]]:
    """A–B–C: A and B in subnet [3] (region us), C in [4] (region eu),
    announcing at once (1 ms coalescing)."""
    policy = {"rules": [{"tag_prefix": "region:", "level": 0, "values": {"us": 3, "eu": 4}}]}
    opts: Dict[str, Any] = {"subnet_policy": policy, "min_announce_interval_ms": 1, "capability_gc_interval_ms": 50}
    with MeshNode("127.0.0.1:0", PSK, subnet=[3], **opts) as a, MeshNode(
        "127.0.0.1:0", PSK, subnet={"levels": [3]}, **opts
    ) as b, MeshNode("127.0.0.1:0", PSK, subnet=(4,), **opts) as c:
        handshake(a, b)
        handshake(b, c)
        yield a, b, c


def _finds(node: MeshNode, flt: Optional[CapabilityFilter], scope: Optional[ScopeFilter], *want: int) -> bool:
    got = node.find_nodes(flt) if scope is None else node.find_nodes_scoped(flt, scope)
    return got == sorted(want)


def test_three_nodes_in_a_line(line: Tuple[MeshNode, MeshNode, MeshNode]) -> None:
    a, b, c = line
    a.announce_capabilities(
        {
            "tags": ["region:us", "prod"],
            "hardware": {
                "cpu_cores": 16,
                "cpu_threads": 32,
                "memory_gb": 64,
                "gpu": {"vendor": "nvidia", "model": "h100", "vram_gb": 80},
            },
            "models": [{"model_id": "llama-3.1-70b", "family": "llama", "context_length": 128000}],
            "software": {"os": "linux", "runtimes": {"cuda": "12.4"}},
        }
    )
    b.announce_capabilities(
        {"tags": with_subnet_local_scope(["region:us", "cache"]), "hardware": {"cpu_cores": 8, "memory_gb": 32}}
    )
    c.announce_capabilities(
        {
            "tags": with_tenant_scope(["region:eu", "model:llama3-70b"], "oem-123"),
            "hardware": {"cpu_cores": 4, "memory_gb": 256, "gpu": {"vendor": "amd", "vram_mb": 24576}},
            "metadata": {"intent": "inference"},
        }
    )
    nodes = (a, b, c)
    eventually(lambda: all(n.capability_stats().entries == 3 for n in nodes), "all three know each other", 10)

    # C learned of A through B: two hops, A's own identity and subnet.
    of_a = c.capabilities_of(a.node_id)
    assert of_a is not None
    assert (of_a["node_id"], of_a["entity_id"], of_a["hops"]) == (a.node_id, a.entity_id, 2)
    assert "hardware.gpu_vram_mb=81920" in of_a["capabilities"]["tags"]
    assert of_a["subnet"] == {"levels": [3]} and of_a["scope"] == {"kind": "global"}
    of_c = a.capabilities_of(c.node_id)
    assert of_c is not None and of_c["hops"] == 2
    assert of_c["scope"] == {"kind": "tenants", "tenants": ["oem-123"]}
    assert of_c["subnet"] == {"levels": [4]} and of_c["capabilities"]["metadata"] == {"intent": "inference"}
    assert a.capabilities_of(12345) is None and a.peer_subnet(12345) is None
    assert a.subnet == {"levels": [3]} and c.subnet == {"levels": [4]}
    assert a.peer_subnet(c.node_id) == {"levels": [4]} and a.peer_subnet(a.node_id) == {"levels": [3]}
    own = a.capabilities_of(a.node_id)
    assert own is not None and own["hops"] == 0

    # By hardware, from every node alike (find_nodes: no scope filtering).
    for n in nodes:
        assert _finds(n, {"require_gpu": True}, None, a.node_id, c.node_id)
        assert _finds(n, {"require_gpu": True, "gpu_vendor": "nvidia", "min_vram_mb": 40000}, None, a.node_id)
        assert _finds(n, {"min_memory_gb": 100}, None, c.node_id)
        assert _finds(n, {"min_cpu_cores": 8}, None, a.node_id, b.node_id)
        assert _finds(n, {"model": "llama-3.1-70b", "min_context_length": 100000, "os": "linux"}, None, a.node_id)
        assert _finds(n, None, None, a.node_id, b.node_id, c.node_id)
    # By tags and predicate.
    assert _finds(c, {"require_tags": ["cache"]}, None, b.node_id)
    assert _finds(c, {"require_tags": ["region:us"]}, None, a.node_id, b.node_id)
    pred = p.and_(p.num_at_least("hardware.memory_gb", 64), p.not_(p.metadata_equals("intent", "inference")))
    assert _finds(b, {"predicate": pred}, None, a.node_id)

    # By scope: every kind, seen from A (subnet [3], like B).
    scopes: List[Tuple[Optional[ScopeFilter], List[int]]] = [
        ({"kind": "any"}, [a.node_id, c.node_id]),
        (None, [a.node_id, c.node_id]),
        ({"kind": "globalOnly"}, [a.node_id]),
        ({"kind": "sameSubnet"}, [a.node_id, b.node_id]),
        ({"kind": "tenant", "tenant": "oem-123"}, [a.node_id, c.node_id]),
        ({"kind": "tenant", "tenant": "other"}, [a.node_id]),
        ({"kind": "tenants", "tenants": ["x", "oem-123"]}, [a.node_id, c.node_id]),
        ({"kind": "region", "region": "eu"}, [a.node_id]),
        ({"kind": "regions", "regions": ["eu", "us"]}, [a.node_id]),
    ]
    for scope, want in scopes:
        assert a.find_nodes_scoped({}, scope) == sorted(want), scope
    # C is in another subnet: B's subnet-local announcement is hidden from it.
    assert c.find_nodes_scoped(None, {"kind": "sameSubnet"}) == [c.node_id]
    assert b.find_best_node_scoped({"require_gpu": True}, {"kind": "tenant", "tenant": "oem-123"}) == a.node_id
    assert b.find_best_node_scoped({"min_memory_gb": 1 << 20}, {"kind": "any"}) is None
    assert b.find_best_node_scoped() is not None

    # A new version replaces the old one everywhere.
    c.announce_capabilities({"tags": ["region:eu", "drained"]})
    eventually(
        lambda: _finds(a, {"require_tags": ["drained"]}, None, c.node_id) and _finds(a, {"require_gpu": True}, None, a.node_id),
        "A sees C's new version",
        10,
    )
    stats = a.capability_stats()
    assert stats.accepted >= 3 and stats.rejected == 0 and stats.broadcasts >= 1
    assert "CapabilityStats(" in repr(stats)


def test_bad_input_on_a_node() -> None:
    # Deliberately ill-typed input, past the type checker.
    unknown_key: Any = {"require_gpus": True}
    unknown_kind: Any = {"kind": "galaxy"}
    unknown_op: Any = {"predicate": {"op": "nope"}}
    with MeshNode("127.0.0.1:0", PSK) as n:
        with pytest.raises(CapabilityError) as err:
            n.announce_capabilities({"tags": ["hardwre.gpu"]})
        assert err.value.kind == "invalid_capabilities"
        assert [e["kind"] for e in err.value.errors] == ["unknown_axis"]
        with pytest.raises(CapabilityError) as err:
            n.announce_capabilities({"metadata": {"k": "v" * (1 << 20)}})
        assert err.value.kind == "invalid_capabilities" and err.value.errors[0]["kind"] == "oversize_metadata"
        with pytest.raises(CapabilityError) as err:
            n.announce_capabilities("{not json")
        assert err.value.kind == "invalid_json" and err.value.errors == []
        with pytest.raises(TypeError):
            n.announce_capabilities(None)  # type: ignore[arg-type]
        with pytest.raises(CapabilityError) as err:
            n.find_nodes({"gpu_vendor": "acme"})
        assert err.value.kind == "invalid_json"
        with pytest.raises(CapabilityError) as err:
            n.find_nodes(unknown_key)
        assert err.value.kind == "invalid_json"
        with pytest.raises(CapabilityError) as err:
            n.find_nodes_scoped({}, unknown_kind)
        assert err.value.kind == "invalid_json"
        with pytest.raises(CapabilityError) as err:
            n.find_nodes(unknown_op)
        assert err.value.kind in ("invalid_json", "invalid_predicate")
        n.announce_capabilities({"tags": ["gpu"]})
        assert n.find_nodes({"require_tags": ["gpu"]}) == [n.node_id]
    # Calls on a closed node.
    with pytest.raises(ClosedError):
        n.announce_capabilities({})
    with pytest.raises(ClosedError):
        n.find_nodes()
    with pytest.raises(ClosedError):
        n.capabilities_of(1)
    with pytest.raises(ClosedError):
        n.capability_stats()


def test_bad_capability_config() -> None:
    with pytest.raises(ConfigError) as err:
        MeshNode("127.0.0.1:0", PSK, subnet=[1, 2, 3, 4, 5])
    assert err.value.kind == "invalid_config"
    with pytest.raises(ConfigError):
        MeshNode("127.0.0.1:0", PSK, subnet=[256])
    bad_rule: SubnetPolicy = {"rules": [{"tag_prefix": "r:", "level": 4, "values": {"a": 1}}]}
    with pytest.raises(CapabilityError) as cerr:
        MeshNode("127.0.0.1:0", PSK, subnet_policy=bad_rule)
    assert cerr.value.kind == "invalid_subnet"
    with pytest.raises(ConfigError):
        MeshNode("127.0.0.1:0", PSK, capability_gc_interval_ms=0)
    with pytest.raises(ConfigError):
        MeshNode("127.0.0.1:0", PSK, capability_ttl_secs=0)


def test_create_takes_the_capability_options() -> None:
    async def main() -> Tuple[Dict[str, Any], List[int]]:
        node = await MeshNode.create("127.0.0.1:0", PSK, subnet={"levels": [3, 7]}, capability_ttl_secs=30)
        try:
            node.announce_capabilities({"tags": ["region:us"]})
            return dict(node.subnet), node.find_nodes()
        finally:
            await node.shutdown_async()

    subnet, found = asyncio.run(main())
    assert subnet == {"levels": [3, 7]} and len(found) == 1

    async def bad() -> None:
        rulez: Any = {"rulez": []}
        await MeshNode.create("127.0.0.1:0", PSK, subnet_policy=rulez)

    with pytest.raises(CapabilityError) as err:
        asyncio.run(bad())
    assert err.value.kind == "invalid_json"


def test_canonical_json_is_the_cores() -> None:
    caps: CapabilitySet = {"tags": ["é", "a/b"], "metadata": {"k": "\u2028"}}
    text = capabilities_json(caps)
    assert normalize_capabilities(text) == caps


def test_ttl_expiry_removes_a_silent_node() -> None:
    """A node that leaves drops out of its peer's queries, and its entry
    is evicted once its TTL (1 s here) runs out."""
    with MeshNode("127.0.0.1:0", PSK, capability_gc_interval_ms=20) as a:
        b = MeshNode("127.0.0.1:0", PSK, capability_ttl_secs=1, min_announce_interval_ms=1)
        handshake(a, b)
        b.announce_capabilities({"tags": ["ephemeral"]})
        eventually(lambda: a.find_nodes({"require_tags": ["ephemeral"]}) == [b.node_id], "A sees B", 10)
        b.shutdown()
        eventually(lambda: a.find_nodes({"require_tags": ["ephemeral"]}) == [], "B gone from A's queries", 15)
        eventually(lambda: a.capabilities_of(b.node_id) is None, "B's entry evicted", 15)
        assert a.capability_stats().evicted == 1
