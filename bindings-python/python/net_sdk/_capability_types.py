"""The JSON shapes of the capability surface, as TypedDicts.

Every Net face passes the same shapes (``tests/vectors/capabilities``):
what the native functions take and return are plain dicts and lists of
these types, so they print, compare, serialize and pickle like any other
data. Re-exported by ``net_sdk.capabilities`` and ``net_sdk``.
"""

from __future__ import annotations

from typing import Dict, List, Literal, TypedDict, Union

# --- capability sets ---------------------------------------------------


class _GpuInfoRequired(TypedDict):
    vendor: str
    """``nvidia``, ``amd``, ``intel`` or ``apple``."""


class GpuInfo(_GpuInfoRequired, total=False):
    """A node's GPU (input: give ``vram_mb`` or ``vram_gb``)."""

    model: str
    vram_mb: int
    vram_gb: int
    count: int


class HardwareCapabilities(TypedDict, total=False):
    """The typed hardware axis (``hardware.*`` tags)."""

    cpu_cores: int
    cpu_threads: int
    memory_gb: int
    storage_gb: int
    gpu: GpuInfo


class SoftwareCapabilities(TypedDict, total=False):
    """The typed software axis (``software.*`` tags); ``runtimes`` maps a
    runtime name to its version (``{"cuda": "12.4"}``)."""

    os: str
    arch: str
    kernel: str
    runtimes: Dict[str, str]


class _ModelRequired(TypedDict):
    model_id: str


class ModelCapability(_ModelRequired, total=False):
    """One model a node serves (``model.*`` tags)."""

    family: str
    context_length: int


class CapabilitySet(TypedDict, total=False):
    """What a node announces. The wire shape is ``tags`` and ``metadata``;
    on input the typed ``hardware``, ``software`` and ``models`` sections
    are accepted too and become reserved tags (``normalize_capabilities``
    shows the result). Sets read back carry ``tags`` and ``metadata`` only."""

    tags: List[str]
    metadata: Dict[str, str]
    hardware: HardwareCapabilities
    software: SoftwareCapabilities
    models: List[ModelCapability]


class CapabilityViews(TypedDict):
    """The typed axes decoded from a set's tags (``capability_views``)."""

    hardware: HardwareCapabilities
    software: SoftwareCapabilities
    models: List[ModelCapability]
    scope: "CapabilityScope"


# --- predicates --------------------------------------------------------


class AndPredicate(TypedDict):
    op: Literal["and"]
    clauses: List["Predicate"]


class OrPredicate(TypedDict):
    op: Literal["or"]
    clauses: List["Predicate"]


class NotPredicate(TypedDict):
    op: Literal["not"]
    clause: "Predicate"


class ExistsPredicate(TypedDict):
    op: Literal["exists"]
    path: str


class EqualsPredicate(TypedDict):
    op: Literal["equals"]
    path: str
    value: str


class NumAtLeastPredicate(TypedDict):
    op: Literal["num_at_least"]
    path: str
    value: float


class NumAtMostPredicate(TypedDict):
    op: Literal["num_at_most"]
    path: str
    value: float


class NumBetweenPredicate(TypedDict):
    op: Literal["num_between"]
    path: str
    min: float
    max: float


class MetadataEqualsPredicate(TypedDict):
    op: Literal["metadata_equals"]
    key: str
    value: str


class TagPrefixPredicate(TypedDict):
    op: Literal["tag_prefix"]
    prefix: str


#: A boolean test over a node's tags and metadata, in the JSON wire form
#: (build one with ``net_sdk.capabilities.p``).
Predicate = Union[
    AndPredicate,
    OrPredicate,
    NotPredicate,
    ExistsPredicate,
    EqualsPredicate,
    NumAtLeastPredicate,
    NumAtMostPredicate,
    NumBetweenPredicate,
    MetadataEqualsPredicate,
    TagPrefixPredicate,
]


class _ClauseRequired(TypedDict):
    id: str
    """Position: ``"0"`` is the root, ``"0.2"`` its third child."""
    op: str


class ClauseTrace(_ClauseRequired, total=False):
    """One clause's outcome in a trace."""

    subject: str
    expected: str
    verdict: Literal["true", "false", "skipped"]


class PredicateTrace(TypedDict):
    """``evaluate_predicate_with_trace``: the result and every clause."""

    result: bool
    trace: List[ClauseTrace]


class ClauseStats(_ClauseRequired, total=False):
    """One clause's counts over a corpus."""

    subject: str
    expected: str
    evaluated: int
    true_count: int
    false_count: int
    skipped: int


class PredicateDebugReport(TypedDict):
    """``predicate_debug_report``: a predicate profiled across a corpus."""

    total: int
    matched: int
    clauses: List[ClauseStats]


# --- queries and scopes -------------------------------------------------


class CapabilityFilter(TypedDict, total=False):
    """The structured query of ``MeshNode.find_nodes``; absent keys do
    not constrain."""

    require_gpu: bool
    gpu_vendor: str
    min_vram_mb: int
    min_memory_gb: int
    min_cpu_cores: int
    min_cpu_threads: int
    require_tags: List[str]
    model: str
    min_context_length: int
    os: str
    predicate: Predicate


class AnyScope(TypedDict):
    kind: Literal["any"]


class GlobalOnlyScope(TypedDict):
    kind: Literal["globalOnly"]


class SameSubnetScope(TypedDict):
    kind: Literal["sameSubnet"]


class TenantScope(TypedDict):
    kind: Literal["tenant"]
    tenant: str


class TenantsScope(TypedDict):
    kind: Literal["tenants"]
    tenants: List[str]


class RegionScope(TypedDict):
    kind: Literal["region"]
    region: str


class RegionsScope(TypedDict):
    kind: Literal["regions"]
    regions: List[str]


#: Which scoped candidates a query admits (``find_nodes_scoped``).
ScopeFilter = Union[AnyScope, GlobalOnlyScope, SameSubnetScope, TenantScope, TenantsScope, RegionScope, RegionsScope]


class _ScopeRequired(TypedDict):
    kind: Literal["global", "subnetLocal", "tenants", "regions"]


class CapabilityScope(_ScopeRequired, total=False):
    """The scope a node's tags resolve to (``resolve_scope``); ``tenants``
    or ``regions`` are present for those kinds."""

    tenants: List[str]
    regions: List[str]


# --- validation and diff -----------------------------------------------


class _SchemaErrorRequired(TypedDict):
    kind: Literal[
        "invalid_tag",
        "too_many_tags",
        "unknown_axis",
        "unknown_key",
        "type_mismatch",
        "duplicate_key",
        "invalid_scope",
        "oversize_metadata",
    ]


class SchemaError(_SchemaErrorRequired, total=False):
    """One problem validation found; the other keys are those of the kind."""

    tag: str
    reason: str
    axis: str
    key: str
    suggestion: str
    path: str
    expected: str
    what: str
    size: int
    count: int
    max: int


class ValidationReport(TypedDict):
    """``validate_capabilities``: every schema problem of a set."""

    valid: bool
    errors: List[SchemaError]


class _MetadataChangeRequired(TypedDict):
    kind: Literal["added", "removed", "changed"]
    key: str


class MetadataChange(_MetadataChangeRequired, total=False):
    """One metadata entry that differs: ``value`` (added, removed) or
    ``old`` and ``new`` (changed)."""

    value: str
    old: str
    new: str


class CapabilityDiff(TypedDict):
    """``diff_capabilities``: what changed from one set to the next."""

    added_tags: List[str]
    removed_tags: List[str]
    metadata: List[MetadataChange]


# --- subnets and the mesh ----------------------------------------------


class SubnetId(TypedDict):
    """A 4-level subnet: up to 4 bytes, outermost first; no levels is the root."""

    levels: List[int]


class SubnetRule(TypedDict):
    """Tags ``<tag_prefix><name>`` set subnet level ``level`` (0..3) to
    ``values[name]`` (1..255)."""

    tag_prefix: str
    level: int
    values: Dict[str, int]


class SubnetPolicy(TypedDict):
    """Derives a peer's subnet from its announced tags; every node holding
    the same policy derives the same subnets."""

    rules: List[SubnetRule]


class NodeCapabilities(TypedDict):
    """What a node knows of another (``MeshNode.capabilities_of``)."""

    node_id: int
    entity_id: bytes
    version: int
    hops: int
    capabilities: CapabilitySet
    subnet: SubnetId
    scope: CapabilityScope
