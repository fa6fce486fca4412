//! Borrowing event payloads from Python objects.
//!
//! Events arrive as `bytes` or `str`; both are immutable, so their bytes
//! are borrowed (no copy into a `Vec`) for as long as the object is alive.
//! `str` is borrowed as its UTF-8 form, which CPython caches on the object.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

/// The bytes of a `bytes` or `str` object.
#[inline]
pub(crate) fn borrow<'a>(obj: &'a Bound<'_, PyAny>) -> PyResult<&'a [u8]> {
    if let Ok(b) = obj.downcast::<PyBytes>() {
        return Ok(b.as_bytes());
    }
    if let Ok(s) = obj.downcast::<PyString>() {
        return Ok(s.to_str()?.as_bytes());
    }
    Err(PyTypeError::new_err(format!(
        "an event must be bytes or str, not {}",
        obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into())
    )))
}

/// Every item of an iterable of `bytes | str`, kept alive (one strong
/// reference each) so their bytes can be read with the GIL released:
/// another thread cannot free an object while this list holds it.
pub(crate) fn collect<'py>(items: &Bound<'py, PyAny>) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let mut out = Vec::with_capacity(items.len().unwrap_or(0));
    for item in items.try_iter()? {
        out.push(item?);
    }
    Ok(out)
}

/// Borrow every collected item.
pub(crate) fn borrow_all<'a>(items: &'a [Bound<'_, PyAny>]) -> PyResult<Vec<&'a [u8]>> {
    items.iter().map(borrow).collect()
}
