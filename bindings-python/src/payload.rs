//! Borrowing event payloads from Python objects.
//!
//! Events arrive as `bytes` or `str`; both are immutable, so their bytes
//! are borrowed (no copy into a `Vec`) for as long as the object is alive.
//! `str` is borrowed as its UTF-8 form, which CPython caches on the object.
//! Batches are gathered into one buffer (see [`Gathered`]).

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString};

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

/// A batch's payloads copied into one buffer while the GIL is held, so
/// the bus can take them after the GIL is released: once it is, another
/// thread may mutate the caller's list, so nothing may point into it.
/// (Copying 1000 small events is cheaper than holding a reference to each.)
pub(crate) struct Gathered {
    block: Vec<u8>,
    ends: Vec<usize>,
}

impl Gathered {
    /// Copy every item of an iterable of `bytes | str` (lists take a fast path).
    pub(crate) fn from_items(items: &Bound<'_, PyAny>) -> PyResult<Self> {
        let mut out = Gathered { block: Vec::new(), ends: Vec::new() };
        if let Ok(list) = items.downcast::<PyList>() {
            out.ends.reserve(list.len());
            out.block.reserve(list.len() * 16);
            for item in list.iter() {
                out.push(borrow(&item)?);
            }
        } else {
            for item in items.try_iter()? {
                out.push(borrow(&item?)?);
            }
        }
        Ok(out)
    }

    #[inline]
    fn push(&mut self, event: &[u8]) {
        self.block.extend_from_slice(event);
        self.ends.push(self.block.len());
    }

    /// The events, in order.
    pub(crate) fn events(&self) -> Vec<&[u8]> {
        let mut start = 0;
        self.ends
            .iter()
            .map(|&end| {
                let event = &self.block[start..end];
                start = end;
                event
            })
            .collect()
    }
}
