//! Capabilities and predicates without a mesh: `net_predicate_*`,
//! `net_capabilities_*`. JSON in, JSON (or base64url text) out; strings
//! the library returns are released with `net_free_string`.

use std::ffi::{c_char, c_int};

use net_sdk::capabilities::predicate::{predicate_from_rpc_header, predicate_to_rpc_header, EvalContext, Predicate};
use net_sdk::capabilities::{validate_capabilities, CapabilityError, CapabilitySet};
use serde::Serialize;

use crate::poll::malloc_cstring;
use crate::status::{FfiError, NetStatus};
use crate::{args, guard};

impl From<CapabilityError> for FfiError {
    fn from(e: CapabilityError) -> Self {
        let status = match e {
            CapabilityError::Json(_) => NetStatus::NET_ERR_INVALID_JSON,
            _ => NetStatus::NET_ERR_CAPABILITY,
        };
        FfiError::new(status, e.kind(), e.to_string())
    }
}

/// A capability set from `(ptr, len)` JSON (wire shape or typed sections).
pub(crate) fn caps_arg(ptr: *const c_char, len: usize, what: &str) -> Result<CapabilitySet, FfiError> {
    let text = args::text(ptr, len, what)?;
    Ok(CapabilitySet::from_json(text)?)
}

fn predicate_arg(ptr: *const c_char, len: usize) -> Result<Predicate, FfiError> {
    Ok(Predicate::from_json(args::text(ptr, len, "predicate_json")?)?)
}

/// Store a new library string in `*out`.
pub(crate) fn out_string(out: *mut *mut c_char, text: &str) -> Result<(), FfiError> {
    let slot = args::out(out, "out")?;
    *slot = malloc_cstring(text)?;
    Ok(())
}

/// Evaluate a predicate (JSON wire form) against a capability set (JSON).
/// Returns 1 when it holds, 0 when it does not, or a negative code
/// (`NET_ERR_INVALID_JSON` / kind `invalid_json`, `NET_ERR_CAPABILITY` /
/// kind `invalid_predicate`, `NET_ERR_NULL_POINTER`, `NET_ERR_INVALID_UTF8`).
#[no_mangle]
pub extern "C" fn net_predicate_evaluate(
    predicate_json: *const c_char,
    predicate_len: usize,
    caps_json: *const c_char,
    caps_len: usize,
) -> c_int {
    guard::count(|| {
        let p = predicate_arg(predicate_json, predicate_len)?;
        let caps = caps_arg(caps_json, caps_len, "caps_json")?;
        Ok(usize::from(p.evaluate(&EvalContext::from_set(&caps))))
    })
}

#[derive(Serialize)]
struct TraceJson {
    result: bool,
    trace: Vec<net_sdk::capabilities::predicate::ClauseTrace>,
}

/// Evaluate with a trace: `*out_json` receives
/// `{"result": bool, "trace": [{"id", "op", "subject"?, "expected"?, "verdict"}]}`
/// (verdict `true` / `false` / `skipped`), released with `net_free_string`.
#[no_mangle]
pub extern "C" fn net_predicate_evaluate_with_trace(
    predicate_json: *const c_char,
    predicate_len: usize,
    caps_json: *const c_char,
    caps_len: usize,
    out_json: *mut *mut c_char,
) -> c_int {
    guard::status(|| {
        let p = predicate_arg(predicate_json, predicate_len)?;
        let caps = caps_arg(caps_json, caps_len, "caps_json")?;
        let (result, trace) = p.evaluate_with_trace(&EvalContext::from_set(&caps));
        let text = serde_json::to_string(&TraceJson { result, trace: trace.clauses }).expect("a trace serializes");
        out_string(out_json, &text)
    })
}

/// The `net-where` header value of a predicate: `*out_value` receives the
/// base64url (no padding) text, released with `net_free_string`. The
/// header name is `"net-where"`.
#[no_mangle]
pub extern "C" fn net_predicate_to_header(predicate_json: *const c_char, predicate_len: usize, out_value: *mut *mut c_char) -> c_int {
    guard::status(|| {
        let p = predicate_arg(predicate_json, predicate_len)?;
        let (_, value) = predicate_to_rpc_header(&p)?;
        out_string(out_value, std::str::from_utf8(&value).expect("base64url is ASCII"))
    })
}

/// Decode a `net-where` header value: `*out_predicate_json` receives the
/// canonical predicate JSON, released with `net_free_string`. A malformed
/// value fails with `NET_ERR_CAPABILITY`, kind `invalid_header`.
#[no_mangle]
pub extern "C" fn net_predicate_from_header(value: *const u8, value_len: usize, out_predicate_json: *mut *mut c_char) -> c_int {
    guard::status(|| {
        let raw = args::bytes(value, value_len, "value")?;
        let p = predicate_from_rpc_header(raw)?;
        out_string(out_predicate_json, &p.to_json()?)
    })
}

#[derive(Serialize)]
struct ReportJson<'a> {
    valid: bool,
    errors: &'a [net_sdk::capabilities::SchemaError],
}

/// Validate a capability set against the schema: `*out_report_json`
/// receives `{"valid": bool, "errors": [{"kind": ..., ...}]}`, released
/// with `net_free_string`. Returns 1 when valid, 0 when not (the report
/// says why), negative on bad input.
#[no_mangle]
pub extern "C" fn net_capabilities_validate(caps_json: *const c_char, caps_len: usize, out_report_json: *mut *mut c_char) -> c_int {
    guard::count(|| {
        let caps = caps_arg(caps_json, caps_len, "caps_json")?;
        let report = validate_capabilities(&caps);
        let text = serde_json::to_string(&ReportJson { valid: report.is_valid(), errors: &report.errors }).expect("serializes");
        out_string(out_report_json, &text)?;
        Ok(usize::from(report.is_valid()))
    })
}

/// What changed from `prev` to `next` (both capability JSON):
/// `*out_diff_json` receives `{"added_tags", "removed_tags", "metadata":
/// [{"kind": "added" | "removed" | "changed", ...}]}`, released with
/// `net_free_string`.
#[no_mangle]
pub extern "C" fn net_capabilities_diff(
    prev_json: *const c_char,
    prev_len: usize,
    next_json: *const c_char,
    next_len: usize,
    out_diff_json: *mut *mut c_char,
) -> c_int {
    guard::status(|| {
        let prev = caps_arg(prev_json, prev_len, "prev_json")?;
        let next = caps_arg(next_json, next_len, "next_json")?;
        out_string(out_diff_json, &serde_json::to_string(&next.diff(&prev)).expect("serializes"))
    })
}

/// The canonical wire JSON `{"tags", "metadata"}` of a capability set
/// given in any accepted shape (typed `hardware` / `software` / `models`
/// sections become tags), released with `net_free_string`.
#[no_mangle]
pub extern "C" fn net_capabilities_normalize(caps_json: *const c_char, caps_len: usize, out_json: *mut *mut c_char) -> c_int {
    guard::status(|| {
        let caps = caps_arg(caps_json, caps_len, "caps_json")?;
        out_string(out_json, &caps.to_json())
    })
}
