//! The capability functions of `net_sdk` that need no mesh: canonical
//! forms and typed views of a set, chain builders, scope tags, subnet
//! derivation, validation, diff, and predicates (evaluation, traces,
//! corpus reports, the `net-where` header).
//!
//! Values travel in the JSON wire shapes every face shares (see
//! `capability_json`); each function is one call of the core.

use net_sdk::capabilities::predicate::{
    predicate_from_rpc_header as core_from_header, predicate_from_rpc_headers as core_from_headers,
    predicate_to_rpc_header as core_to_header, EvalContext, PredicateDebugReport, RPC_WHERE_HEADER as CORE_WHERE_HEADER,
};
use net_sdk::capabilities::{
    validate_capabilities as core_validate, CapabilityScope, CapabilitySet, TaxonomyAxis,
};
use net_sdk::subnets::SubnetPolicy;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyMapping, PyString};
use serde::Serialize;

use crate::blocking::detached;
use crate::capability_json::{caps_arg, caps_or_tags, capability_error, json_arg, predicate_arg, to_py};

/// The nRPC header carrying a predicate: `"net-where"`.
pub(crate) const RPC_WHERE_HEADER: &str = CORE_WHERE_HEADER;

/// A set given as a list of tags comes back as its tag list; any other
/// as the canonical `{"tags", "metadata"}` dict.
fn in_kind(py: Python<'_>, set: &CapabilitySet, was_tags: bool) -> PyResult<PyObject> {
    if was_tags {
        to_py(py, set.tags())
    } else {
        to_py(py, set)
    }
}

/// The canonical wire form `{"tags": [...], "metadata": {...}}` of a
/// capability set given in any accepted shape: the typed `hardware`,
/// `software` and `models` sections become reserved tags, duplicate tags
/// go. `CapabilityError` (kind `invalid_json`) for input of the wrong shape.
#[pyfunction]
pub(crate) fn normalize_capabilities(py: Python<'_>, caps: &Bound<'_, PyAny>) -> PyResult<PyObject> {
    to_py(py, &caps_arg(caps)?)
}

/// The canonical JSON text of a capability set: the same bytes in every
/// Net binding.
#[pyfunction]
pub(crate) fn capabilities_json(caps: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(caps_arg(caps)?.to_json())
}

#[derive(Serialize)]
struct Views<'a> {
    hardware: &'a net_sdk::capabilities::HardwareCapabilities,
    software: &'a net_sdk::capabilities::SoftwareCapabilities,
    models: &'a [net_sdk::capabilities::ModelCapability],
    scope: &'a CapabilityScope,
}

/// The typed axes decoded from a set's tags: `{"hardware": {...},
/// "software": {...}, "models": [...], "scope": {"kind": ...}}`.
#[pyfunction]
pub(crate) fn capability_views(py: Python<'_>, caps: &Bound<'_, PyAny>) -> PyResult<PyObject> {
    let set = caps_arg(caps)?;
    let v = set.views();
    to_py(py, &Views { hardware: v.hardware(), software: v.software(), models: v.models(), scope: v.scope() })
}

/// A set with no tags and no metadata.
#[pyfunction]
pub(crate) fn empty_capabilities(py: Python<'_>) -> PyResult<PyObject> {
    to_py(py, &CapabilitySet::new())
}

fn axis_arg(axis: &str) -> PyResult<TaxonomyAxis> {
    TaxonomyAxis::parse(axis).map_err(capability_error)
}

/// `caps` plus the flag tag `<axis>.<key>` (`require_tag(caps, "hardware",
/// "gpu")` adds `hardware.gpu`), as a new canonical set.
#[pyfunction]
pub(crate) fn require_tag(py: Python<'_>, caps: &Bound<'_, PyAny>, axis: &str, key: &str) -> PyResult<PyObject> {
    to_py(py, &caps_arg(caps)?.require_tag(axis_arg(axis)?, key))
}

/// `caps` with `<axis>.<key>=<value>`, replacing any other value of that
/// path, as a new canonical set.
#[pyfunction]
pub(crate) fn require_axis_value(py: Python<'_>, caps: &Bound<'_, PyAny>, axis: &str, key: &str, value: &str) -> PyResult<PyObject> {
    to_py(py, &caps_arg(caps)?.require_axis_value(axis_arg(axis)?, key, value))
}

/// `caps` with metadata `key` set to `value`, as a new canonical set.
#[pyfunction]
pub(crate) fn with_metadata(py: Python<'_>, caps: &Bound<'_, PyAny>, key: String, value: String) -> PyResult<PyObject> {
    to_py(py, &caps_arg(caps)?.with_metadata(key, value))
}

/// `caps` (a set, or a list of tags) scoped to `tenant`: plus
/// `scope:tenant:<tenant>`, once. A list comes back as a list.
#[pyfunction]
pub(crate) fn with_tenant_scope(py: Python<'_>, caps: &Bound<'_, PyAny>, tenant: &str) -> PyResult<PyObject> {
    let (set, was_tags) = caps_or_tags(caps)?;
    in_kind(py, &set.with_tenant_scope(tenant), was_tags)
}

/// `caps` (a set, or a list of tags) scoped to `region`: plus
/// `scope:region:<region>`, once.
#[pyfunction]
pub(crate) fn with_region_scope(py: Python<'_>, caps: &Bound<'_, PyAny>, region: &str) -> PyResult<PyObject> {
    let (set, was_tags) = caps_or_tags(caps)?;
    in_kind(py, &set.with_region_scope(region), was_tags)
}

/// `caps` (a set, or a list of tags) visible only to same-subnet
/// queries: plus `scope:subnet-local`, once.
#[pyfunction]
pub(crate) fn with_subnet_local_scope(py: Python<'_>, caps: &Bound<'_, PyAny>) -> PyResult<PyObject> {
    let (set, was_tags) = caps_or_tags(caps)?;
    in_kind(py, &set.with_subnet_local_scope(), was_tags)
}

/// The scope a set (or list of tags) resolves to, strictest first:
/// `{"kind": "subnetLocal"}`, `{"kind": "tenants", "tenants": [...]}`,
/// `{"kind": "regions", "regions": [...]}` or `{"kind": "global"}`.
#[pyfunction]
pub(crate) fn resolve_scope(py: Python<'_>, caps: &Bound<'_, PyAny>) -> PyResult<PyObject> {
    to_py(py, &caps_or_tags(caps)?.0.scope())
}

/// Whether a query under `scope_filter` (`{"kind": "tenant", ...}`) sees
/// a candidate of resolved `scope`; `same_subnet` says whether the
/// candidate sits in the querier's subnet.
#[pyfunction]
#[pyo3(signature = (scope_filter, scope, *, same_subnet))]
pub(crate) fn scope_admits(scope_filter: &Bound<'_, PyAny>, scope: &Bound<'_, PyAny>, same_subnet: bool) -> PyResult<bool> {
    let filter: net_sdk::capabilities::ScopeFilterSpec = json_arg(scope_filter, "scope_filter")?;
    let scope: CapabilityScope = json_arg(scope, "scope")?;
    Ok(filter.as_filter().admits(&scope, same_subnet))
}

/// The subnet `policy` (`{"rules": [...]}`) derives from a set's (or a
/// list's) tags: `{"levels": [...]}`.
#[pyfunction]
pub(crate) fn derive_subnet(py: Python<'_>, policy: &Bound<'_, PyAny>, caps: &Bound<'_, PyAny>) -> PyResult<PyObject> {
    let policy: SubnetPolicy = crate::capability_json::policy_arg(policy)?;
    to_py(py, &policy.assign(&caps_or_tags(caps)?.0))
}

#[derive(Serialize)]
struct ReportJson<'a> {
    valid: bool,
    errors: &'a [net_sdk::capabilities::SchemaError],
}

/// Check a set against the canonical schema: `{"valid": bool, "errors":
/// [{"kind": ..., ...}]}` listing every typo of a reserved axis or key,
/// type mismatch, duplicate, bad scope tag and oversize metadata.
#[pyfunction]
pub(crate) fn validate_capabilities(py: Python<'_>, caps: &Bound<'_, PyAny>) -> PyResult<PyObject> {
    let report = core_validate(&caps_arg(caps)?);
    to_py(py, &ReportJson { valid: report.is_valid(), errors: &report.errors })
}

/// What changed from `prev` to `next`: `{"added_tags", "removed_tags",
/// "metadata": [{"kind": "added" | "removed" | "changed", "key", ...}]}`.
#[pyfunction]
pub(crate) fn diff_capabilities(py: Python<'_>, prev: &Bound<'_, PyAny>, next: &Bound<'_, PyAny>) -> PyResult<PyObject> {
    let (prev, next) = (caps_arg(prev)?, caps_arg(next)?);
    to_py(py, &next.diff(&prev))
}

/// The canonical JSON text of a predicate (integral numbers without a
/// fraction): the bytes the `net-where` header encodes.
#[pyfunction]
pub(crate) fn predicate_json(predicate: &Bound<'_, PyAny>) -> PyResult<String> {
    predicate_arg(predicate)?.to_json().map_err(capability_error)
}

/// Whether `predicate` holds for `caps` (a set, or a list of tags).
#[pyfunction]
pub(crate) fn evaluate_predicate(predicate: &Bound<'_, PyAny>, caps: &Bound<'_, PyAny>) -> PyResult<bool> {
    let p = predicate_arg(predicate)?;
    let set = caps_or_tags(caps)?.0;
    Ok(p.evaluate(&EvalContext::from_set(&set)))
}

#[derive(Serialize)]
struct TraceJson {
    result: bool,
    trace: Vec<net_sdk::capabilities::predicate::ClauseTrace>,
}

/// Evaluate and record every clause: `{"result": bool, "trace": [{"id",
/// "op", "subject"?, "expected"?, "verdict"}]}`, in pre-order, with the
/// children a short-circuit skipped marked `"skipped"`.
#[pyfunction]
pub(crate) fn evaluate_predicate_with_trace(py: Python<'_>, predicate: &Bound<'_, PyAny>, caps: &Bound<'_, PyAny>) -> PyResult<PyObject> {
    let p = predicate_arg(predicate)?;
    let set = caps_or_tags(caps)?.0;
    let (result, trace) = p.evaluate_with_trace(&EvalContext::from_set(&set));
    to_py(py, &TraceJson { result, trace: trace.clauses })
}

/// The `net-where` header value of `predicate`: its canonical JSON in
/// base64url without padding.
#[pyfunction]
pub(crate) fn predicate_to_rpc_header(predicate: &Bound<'_, PyAny>) -> PyResult<String> {
    let (_, value) = core_to_header(&predicate_arg(predicate)?).map_err(capability_error)?;
    Ok(String::from_utf8(value).expect("base64url is ASCII"))
}

fn header_bytes(value: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(s) = value.downcast::<PyString>() {
        return Ok(s.to_cow()?.as_bytes().to_vec());
    }
    if let Ok(b) = value.downcast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    Err(pyo3::exceptions::PyTypeError::new_err("a header value is str or bytes"))
}

/// Decode a `net-where` header value (str or bytes) into the predicate's
/// canonical dict. `CapabilityError` (kind `invalid_header`) for bad
/// base64url, bad JSON or a malformed predicate.
#[pyfunction]
pub(crate) fn predicate_from_rpc_header(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<PyObject> {
    let p = core_from_header(&header_bytes(value)?).map_err(capability_error)?;
    to_py(py, &p)
}

/// The predicate of the `net-where` entry of `headers` (a mapping, or
/// `(name, value)` pairs; the name is compared without case, the first
/// wins), or None when there is none.
#[pyfunction]
pub(crate) fn predicate_from_rpc_headers(py: Python<'_>, headers: &Bound<'_, PyAny>) -> PyResult<Option<PyObject>> {
    let pairs = match headers.downcast::<PyMapping>() {
        Ok(m) => m.items()?.into_any(),
        Err(_) => headers.clone(),
    };
    let mut owned: Vec<(String, Vec<u8>)> = Vec::new();
    for pair in pairs.try_iter()? {
        let (name, value): (String, Bound<'_, PyAny>) = pair?.extract()?;
        owned.push((name, header_bytes(&value)?));
    }
    match core_from_headers(&owned) {
        None => Ok(None),
        Some(decoded) => Ok(Some(to_py(py, &decoded.map_err(capability_error)?)?)),
    }
}

/// Profile `predicate` across `corpus` (sets or tag lists): `{"total",
/// "matched", "clauses": [{"id", "op", "subject"?, "expected"?,
/// "evaluated", "true_count", "false_count", "skipped"}]}`.
#[pyfunction]
pub(crate) fn predicate_debug_report(py: Python<'_>, predicate: &Bound<'_, PyAny>, corpus: &Bound<'_, PyAny>) -> PyResult<PyObject> {
    let p = predicate_arg(predicate)?;
    let mut sets = Vec::new();
    for item in corpus.try_iter()? {
        sets.push(caps_or_tags(&item?)?.0);
    }
    let report = detached(py, || PredicateDebugReport::from_evaluations(&p, sets.iter().map(EvalContext::from_set)));
    to_py(py, &report)
}

/// `report` with the expected value of every `metadata_equals` clause on
/// one of `keys` replaced by `"<redacted>"`, safe to store or share.
#[pyfunction]
pub(crate) fn redact_metadata_keys(py: Python<'_>, report: &Bound<'_, PyAny>, keys: Vec<String>) -> PyResult<PyObject> {
    let report: PredicateDebugReport = json_arg(report, "report")?;
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    to_py(py, &report.redact_metadata_keys(&keys))
}

/// A debug report as a plain-text table, one clause per line.
#[pyfunction]
pub(crate) fn render_debug_report(report: &Bound<'_, PyAny>) -> PyResult<String> {
    let report: PredicateDebugReport = json_arg(report, "report")?;
    Ok(report.render())
}

/// Add the capability functions to the native module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("RPC_WHERE_HEADER", RPC_WHERE_HEADER)?;
    m.add_function(wrap_pyfunction!(normalize_capabilities, m)?)?;
    m.add_function(wrap_pyfunction!(capabilities_json, m)?)?;
    m.add_function(wrap_pyfunction!(capability_views, m)?)?;
    m.add_function(wrap_pyfunction!(empty_capabilities, m)?)?;
    m.add_function(wrap_pyfunction!(require_tag, m)?)?;
    m.add_function(wrap_pyfunction!(require_axis_value, m)?)?;
    m.add_function(wrap_pyfunction!(with_metadata, m)?)?;
    m.add_function(wrap_pyfunction!(with_tenant_scope, m)?)?;
    m.add_function(wrap_pyfunction!(with_region_scope, m)?)?;
    m.add_function(wrap_pyfunction!(with_subnet_local_scope, m)?)?;
    m.add_function(wrap_pyfunction!(resolve_scope, m)?)?;
    m.add_function(wrap_pyfunction!(scope_admits, m)?)?;
    m.add_function(wrap_pyfunction!(derive_subnet, m)?)?;
    m.add_function(wrap_pyfunction!(validate_capabilities, m)?)?;
    m.add_function(wrap_pyfunction!(diff_capabilities, m)?)?;
    m.add_function(wrap_pyfunction!(predicate_json, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate_predicate, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate_predicate_with_trace, m)?)?;
    m.add_function(wrap_pyfunction!(predicate_to_rpc_header, m)?)?;
    m.add_function(wrap_pyfunction!(predicate_from_rpc_header, m)?)?;
    m.add_function(wrap_pyfunction!(predicate_from_rpc_headers, m)?)?;
    m.add_function(wrap_pyfunction!(predicate_debug_report, m)?)?;
    m.add_function(wrap_pyfunction!(redact_metadata_keys, m)?)?;
    m.add_function(wrap_pyfunction!(render_debug_report, m)?)?;
    Ok(())
}
