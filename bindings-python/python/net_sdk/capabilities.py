"""Capabilities: what nodes can do, announced signed across the mesh and
found by filter, predicate and scope.

A capability set is a dict in the wire shape every Net face shares::

    from net_sdk.capabilities import p, evaluate_predicate, predicate_to_rpc_header

    caps = {
        "hardware": {"cpu_cores": 16, "memory_gb": 64,
                     "gpu": {"vendor": "nvidia", "model": "h100", "vram_gb": 80}},
        "models": [{"model_id": "llama-3.1-70b", "family": "llama", "context_length": 128_000}],
        "tags": ["gpu", "prod"],
        "metadata": {"intent": "ml-training"},
    }
    pred = p.and_(
        p.exists("hardware.gpu"),
        p.num_at_least("hardware.memory_gb", 64),
        p.metadata_equals("intent", "ml-training"),
    )
    assert evaluate_predicate(pred, caps)
    header_value = predicate_to_rpc_header(pred)  # the "net-where" header

The typed ``hardware`` / ``software`` / ``models`` sections become reserved
tags (``hardware.memory_gb=64``, ...); ``normalize_capabilities`` shows the
canonical ``{"tags", "metadata"}`` form. Every check, canonical form and
evaluation is the Rust core's; input it refuses raises ``CapabilityError``
with the core's kind. Announcing and finding are ``MeshNode`` methods:
``announce_capabilities``, ``find_nodes``, ``find_nodes_scoped``,
``find_best_node_scoped``, ``capabilities_of``, ``capability_stats``.
"""

from __future__ import annotations

from typing import List

from ._capability_types import (
    AndPredicate,
    AnyScope,
    CapabilityDiff,
    CapabilityFilter,
    CapabilityScope,
    CapabilitySet,
    CapabilityViews,
    ClauseStats,
    ClauseTrace,
    EqualsPredicate,
    ExistsPredicate,
    GlobalOnlyScope,
    GpuInfo,
    HardwareCapabilities,
    MetadataChange,
    MetadataEqualsPredicate,
    ModelCapability,
    NodeCapabilities,
    NotPredicate,
    NumAtLeastPredicate,
    NumAtMostPredicate,
    NumBetweenPredicate,
    OrPredicate,
    Predicate,
    PredicateDebugReport,
    PredicateTrace,
    RegionScope,
    RegionsScope,
    SameSubnetScope,
    SchemaError,
    ScopeFilter,
    SoftwareCapabilities,
    SubnetId,
    SubnetPolicy,
    SubnetRule,
    TagPrefixPredicate,
    TenantScope,
    TenantsScope,
    ValidationReport,
)
from ._native import (
    RPC_WHERE_HEADER,
    CapabilityStats,
    capabilities_json,
    capability_views,
    derive_subnet,
    diff_capabilities,
    empty_capabilities,
    evaluate_predicate,
    evaluate_predicate_with_trace,
    normalize_capabilities,
    predicate_debug_report,
    predicate_from_rpc_header,
    predicate_from_rpc_headers,
    predicate_json,
    predicate_to_rpc_header,
    redact_metadata_keys,
    render_debug_report,
    require_axis_value,
    require_tag,
    resolve_scope,
    scope_admits,
    validate_capabilities,
    with_metadata,
    with_region_scope,
    with_subnet_local_scope,
    with_tenant_scope,
)
from .errors import CapabilityError


class PredicateBuilders:
    """Predicate builders, used as ``p``: each returns the predicate's
    JSON wire dict (``p.exists("hardware.gpu")`` is ``{"op": "exists",
    "path": "hardware.gpu"}``). ``and_``, ``or_`` and ``not_`` carry an
    underscore because ``and``, ``or`` and ``not`` are Python keywords.
    A path is a tag path: ``<axis>.<key>`` (``hardware.memory_gb``) or a
    free tag. The core checks the result when it is used."""

    @staticmethod
    def and_(*clauses: Predicate) -> AndPredicate:
        """Every clause holds (true when there is none)."""
        return {"op": "and", "clauses": list(clauses)}

    @staticmethod
    def or_(*clauses: Predicate) -> OrPredicate:
        """Some clause holds (false when there is none)."""
        return {"op": "or", "clauses": list(clauses)}

    @staticmethod
    def not_(clause: Predicate) -> NotPredicate:
        """The clause does not hold."""
        return {"op": "not", "clause": clause}

    @staticmethod
    def exists(path: str) -> ExistsPredicate:
        """Some tag has this path, with or without a value."""
        return {"op": "exists", "path": path}

    @staticmethod
    def equals(path: str, value: str) -> EqualsPredicate:
        """Some tag is exactly ``path=value``."""
        return {"op": "equals", "path": path, "value": value}

    @staticmethod
    def num_at_least(path: str, value: float) -> NumAtLeastPredicate:
        """Some tag of ``path`` has a numeric value ``>= value``."""
        return {"op": "num_at_least", "path": path, "value": value}

    @staticmethod
    def num_at_most(path: str, value: float) -> NumAtMostPredicate:
        """Some tag of ``path`` has a numeric value ``<= value``."""
        return {"op": "num_at_most", "path": path, "value": value}

    @staticmethod
    def num_between(path: str, min: float, max: float) -> NumBetweenPredicate:
        """Some tag of ``path`` has a numeric value in ``[min, max]``."""
        return {"op": "num_between", "path": path, "min": min, "max": max}

    @staticmethod
    def metadata_equals(key: str, value: str) -> MetadataEqualsPredicate:
        """Metadata ``key`` is exactly ``value``."""
        return {"op": "metadata_equals", "key": key, "value": value}

    @staticmethod
    def tag_prefix(prefix: str) -> TagPrefixPredicate:
        """Some tag starts with ``prefix``."""
        return {"op": "tag_prefix", "prefix": prefix}


#: The predicate builders (TS ``p``, Rust ``pred!``).
p = PredicateBuilders


def is_report_valid(report: ValidationReport) -> bool:
    """Whether a ``validate_capabilities`` report found no problem (TS
    ``isReportValid``; the same as ``report["valid"]``)."""
    return report["valid"]


__all__: List[str] = [
    "RPC_WHERE_HEADER",
    "AndPredicate",
    "AnyScope",
    "CapabilityDiff",
    "CapabilityError",
    "CapabilityFilter",
    "CapabilityScope",
    "CapabilitySet",
    "CapabilityStats",
    "CapabilityViews",
    "ClauseStats",
    "ClauseTrace",
    "EqualsPredicate",
    "ExistsPredicate",
    "GlobalOnlyScope",
    "GpuInfo",
    "HardwareCapabilities",
    "MetadataChange",
    "MetadataEqualsPredicate",
    "ModelCapability",
    "NodeCapabilities",
    "NotPredicate",
    "NumAtLeastPredicate",
    "NumAtMostPredicate",
    "NumBetweenPredicate",
    "OrPredicate",
    "Predicate",
    "PredicateBuilders",
    "PredicateDebugReport",
    "PredicateTrace",
    "RegionScope",
    "RegionsScope",
    "SameSubnetScope",
    "SchemaError",
    "ScopeFilter",
    "SoftwareCapabilities",
    "SubnetId",
    "SubnetPolicy",
    "SubnetRule",
    "TagPrefixPredicate",
    "TenantScope",
    "TenantsScope",
    "ValidationReport",
    "capabilities_json",
    "capability_views",
    "derive_subnet",
    "diff_capabilities",
    "empty_capabilities",
    "evaluate_predicate",
    "evaluate_predicate_with_trace",
    "is_report_valid",
    "normalize_capabilities",
    "p",
    "predicate_debug_report",
    "predicate_from_rpc_header",
    "predicate_from_rpc_headers",
    "predicate_json",
    "predicate_to_rpc_header",
    "redact_metadata_keys",
    "render_debug_report",
    "require_axis_value",
    "require_tag",
    "resolve_scope",
    "scope_admits",
    "validate_capabilities",
    "with_metadata",
    "with_region_scope",
    "with_subnet_local_scope",
    "with_tenant_scope",
]
