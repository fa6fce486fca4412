//! The bridge of the capability surface: Python values in the JSON wire
//! shapes (dicts and lists, or JSON text) become the core's types through
//! their serde form, core values come back as plain dicts and lists, and
//! `CapabilityError`s become `net_sdk.CapabilityError` (with the schema
//! errors attached as `.errors` when a set failed validation).
//!
//! Every check (unknown keys, types, ranges, limits) is the core's: this
//! file only moves text across.

use net_sdk::capabilities::predicate::Predicate;
use net_sdk::capabilities::{CapabilityError, CapabilityFilter, CapabilitySet, ScopeFilterSpec};
use net_sdk::subnets::{SubnetId, SubnetPolicy};
use net_sdk::SdkError;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::errors::raise;

/// `json.dumps` (compact, NaN refused) and `json.loads`.
static JSON: GILOnceCell<(PyObject, PyObject)> = GILOnceCell::new();

fn json_fns(py: Python<'_>) -> PyResult<&(PyObject, PyObject)> {
    JSON.get_or_try_init(py, || {
        let json = py.import("json")?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("separators", (",", ":"))?;
        kwargs.set_item("allow_nan", false)?;
        kwargs.set_item("ensure_ascii", false)?;
        let dumps = py.import("functools")?.getattr("partial")?.call((json.getattr("dumps")?,), Some(&kwargs))?;
        Ok((dumps.unbind(), json.getattr("loads")?.unbind()))
    })
}

/// The JSON text of argument `what`: a `str` (or `bytes`) is JSON text as
/// is; any other value is encoded by `json.dumps`, and one it cannot
/// encode (a set, NaN, an object) is refused with `bad`. `None` is a
/// `TypeError`.
fn text_of(value: &Bound<'_, PyAny>, what: &str, bad: fn(String) -> CapabilityError) -> PyResult<String> {
    if value.is_none() {
        return Err(PyTypeError::new_err(format!("{what} must be a dict or JSON text, not None")));
    }
    if let Ok(s) = value.downcast::<PyString>() {
        return Ok(s.to_cow()?.into_owned());
    }
    if let Ok(b) = value.downcast::<PyBytes>() {
        return std::str::from_utf8(b.as_bytes()).map(str::to_owned).map_err(|_| capability_error(bad(format!("{what}: not UTF-8"))));
    }
    let py = value.py();
    match json_fns(py)?.0.call1(py, (value,)) {
        Ok(text) => text.extract(py),
        Err(e) if e.is_instance_of::<PyTypeError>(py) || e.is_instance_of::<PyValueError>(py) => {
            Err(capability_error(bad(format!("{what}: {}", e.value(py)))))
        }
        Err(e) => Err(e),
    }
}

/// A Python value of the JSON text a core serializer wrote.
pub(crate) fn to_py<T: Serialize + ?Sized>(py: Python<'_>, value: &T) -> PyResult<PyObject> {
    let text = serde_json::to_string(value).map_err(|e| PyValueError::new_err(e.to_string()))?;
    json_fns(py)?.1.call1(py, (text,))
}

/// A core value from a Python value of its JSON shape (kind
/// `invalid_json` when it does not decode).
fn from_py<T: DeserializeOwned>(value: &Bound<'_, PyAny>, what: &str) -> PyResult<T> {
    let text = text_of(value, what, CapabilityError::Json)?;
    serde_json::from_str(&text).map_err(|e| capability_error(CapabilityError::Json(format!("{what}: {e}"))))
}

/// A capability set: a dict in the wire shape and/or the typed sections
/// (`hardware`, `software`, `models`), or JSON text of one.
pub(crate) fn caps_arg(value: &Bound<'_, PyAny>) -> PyResult<CapabilitySet> {
    let text = text_of(value, "capabilities", CapabilityError::Json)?;
    CapabilitySet::from_json(&text).map_err(capability_error)
}

/// A capability set, or a bare list (or tuple) of tags as the set of
/// those tags; `true` when it was a list, so the caller answers in kind.
pub(crate) fn caps_or_tags(value: &Bound<'_, PyAny>) -> PyResult<(CapabilitySet, bool)> {
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        let wrapped = PyDict::new(value.py());
        wrapped.set_item("tags", value)?;
        return Ok((caps_arg(wrapped.as_any())?, true));
    }
    Ok((caps_arg(value)?, false))
}

/// A predicate in its JSON wire form.
pub(crate) fn predicate_arg(value: &Bound<'_, PyAny>) -> PyResult<Predicate> {
    let text = text_of(value, "predicate", CapabilityError::Predicate)?;
    Predicate::from_json(&text).map_err(capability_error)
}

/// A `CapabilityFilter` (None: match everything).
pub(crate) fn filter_arg(value: Option<&Bound<'_, PyAny>>) -> PyResult<CapabilityFilter> {
    match value.filter(|v| !v.is_none()) {
        None => Ok(CapabilityFilter::default()),
        Some(v) => CapabilityFilter::from_json(&text_of(v, "filter", CapabilityError::Json)?).map_err(capability_error),
    }
}

/// A scope filter `{"kind": ...}` (None: `{"kind": "any"}`).
pub(crate) fn scope_arg(value: Option<&Bound<'_, PyAny>>) -> PyResult<ScopeFilterSpec> {
    match value.filter(|v| !v.is_none()) {
        None => Ok(ScopeFilterSpec::Any),
        Some(v) => from_py(v, "scope"),
    }
}

/// Any other core type of the capability surface, from its JSON shape.
pub(crate) fn json_arg<T: DeserializeOwned>(value: &Bound<'_, PyAny>, what: &str) -> PyResult<T> {
    from_py(value, what)
}

/// A subnet id: `{"levels": [3, 7]}`, or the levels alone (`[3, 7]`, `(3, 7)`).
pub(crate) fn subnet_arg(value: &Bound<'_, PyAny>) -> PyResult<SubnetId> {
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        let wrapped = PyDict::new(value.py());
        wrapped.set_item("levels", value)?;
        return from_py(wrapped.as_any(), "subnet");
    }
    from_py(value, "subnet")
}

/// A subnet policy `{"rules": [...]}`, checked (kind `invalid_subnet`).
pub(crate) fn policy_arg(value: &Bound<'_, PyAny>) -> PyResult<SubnetPolicy> {
    SubnetPolicy::from_json(&text_of(value, "subnet_policy", CapabilityError::Json)?).map_err(capability_error)
}

/// `CapabilityError` as `net_sdk.CapabilityError`; a failed validation
/// carries its schema errors as `.errors` (a list of dicts).
pub(crate) fn capability_error(e: CapabilityError) -> PyErr {
    let errors = match &e {
        CapabilityError::Invalid(report) => Some(report.errors.clone()),
        _ => None,
    };
    let err = raise(e);
    if let Some(errors) = errors {
        Python::with_gil(|py| {
            // The exception is still raised without `.errors` if this fails.
            if let Ok(list) = to_py(py, &errors) {
                let _ = err.value(py).setattr("errors", list);
            }
        });
    }
    err
}

/// A mesh call's error: capability failures as `capability_error`, the
/// rest as usual.
pub(crate) fn mesh_error(e: SdkError) -> PyErr {
    match e {
        SdkError::Capability(c) => capability_error(c),
        other => raise(other),
    }
}
