//! Daemon payloads from Python: binary only (`bytes`, `bytearray`,
//! `memoryview`, any buffer), never `str` (text has no single encoding).
//! Copied while the GIL is held, so nothing points into a Python object
//! once it is released.

use bytes::Bytes;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyMemoryView, PyString};

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into())
}

/// One bytes-like `item`; `what` names it in the `TypeError`.
pub(crate) fn binary(item: &Bound<'_, PyAny>, what: &str) -> PyResult<Bytes> {
    if let Ok(b) = item.downcast::<PyBytes>() {
        return Ok(Bytes::copy_from_slice(b.as_bytes()));
    }
    if item.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(format!("{what} must be bytes-like, not str (encode it first)")));
    }
    // The abi3 wheel's limited API has no direct buffer access before
    // CPython 3.11: read any other buffer through a memoryview.
    let view = PyMemoryView::from(item)
        .map_err(|_| PyTypeError::new_err(format!("{what} must be bytes-like, not {}", type_name(item))))?;
    Ok(Bytes::copy_from_slice(view.call_method0("tobytes")?.downcast::<PyBytes>()?.as_bytes()))
}

/// A list (or any iterable but a single bytes-like or `str`) of payloads.
pub(crate) fn binary_list(items: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<Bytes>> {
    // The common case first: a list, without probing it for a buffer
    // (a failed probe costs an exception).
    if let Ok(list) = items.downcast::<PyList>() {
        return list.iter().map(|item| binary(&item, "each payload")).collect();
    }
    if items.is_instance_of::<PyBytes>() || items.is_instance_of::<PyString>() || PyMemoryView::from(items).is_ok() {
        return Err(PyTypeError::new_err(format!("{what} must be a list of payloads, not one {}", type_name(items))));
    }
    let iter = items
        .try_iter()
        .map_err(|_| PyTypeError::new_err(format!("{what} must be a list of payloads, not {}", type_name(items))))?;
    iter.map(|item| binary(&item?, "each payload")).collect()
}
