//! Borrowing event payloads from Python objects.
//!
//! Events arrive as `bytes` or `str`; both are immutable, so the bytes of
//! `bytes` are borrowed (no copy into a `Vec`) for as long as the object
//! is alive. `str` is taken as its UTF-8 form: the wheel is built for the
//! stable ABI (abi3, CPython 3.9+), whose limited API lends a `str`'s
//! cached UTF-8 only from 3.10 on, so it is copied. Batches are gathered
//! into one buffer (see [`Gathered`]).
//!
//! Mesh messages are binary: any bytes-like object (`bytes`, `bytearray`,
//! `memoryview`), never `str` — text has no single encoding on the wire.
//! They are copied while the GIL is held (see [`mesh_messages`]).

use std::borrow::Cow;

use bytes::{Bytes, BytesMut};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyList, PyMemoryView, PyString};

/// The bytes of a `bytes` (borrowed) or `str` (its UTF-8) object.
#[inline]
pub(crate) fn borrow<'a>(obj: &'a Bound<'_, PyAny>) -> PyResult<Cow<'a, [u8]>> {
    if let Ok(b) = obj.downcast::<PyBytes>() {
        return Ok(Cow::Borrowed(b.as_bytes()));
    }
    if let Ok(s) = obj.downcast::<PyString>() {
        return Ok(match s.to_cow()? {
            Cow::Borrowed(text) => Cow::Borrowed(text.as_bytes()),
            Cow::Owned(text) => Cow::Owned(text.into_bytes()),
        });
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
                out.push(&borrow(&item)?);
            }
        } else {
            for item in items.try_iter()? {
                out.push(&borrow(&item?)?);
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

/// Whether `obj` is one message rather than a list of them.
fn is_single_message(obj: &Bound<'_, PyAny>) -> bool {
    obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyByteArray>() || obj.is_instance_of::<PyMemoryView>()
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into())
}

/// Append the bytes of one bytes-like message to `block`.
fn append_message(block: &mut BytesMut, item: &Bound<'_, PyAny>) -> PyResult<()> {
    if let Ok(b) = item.downcast::<PyBytes>() {
        block.extend_from_slice(b.as_bytes());
        return Ok(());
    }
    if item.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err("a mesh message must be bytes-like, not str (encode it first, e.g. text.encode())"));
    }
    // bytearray, memoryview, array('B'), ...: anything exposing its bytes
    // (the buffer protocol), read through a memoryview: the limited API
    // of the abi3 wheel has no direct buffer access before CPython 3.11.
    match PyMemoryView::from(item) {
        Ok(view) => {
            let copy = view.call_method0("tobytes")?;
            block.extend_from_slice(copy.downcast::<PyBytes>()?.as_bytes());
            Ok(())
        }
        Err(_) => Err(PyTypeError::new_err(format!("a mesh message must be bytes-like, not {}", type_name(item)))),
    }
}

/// The messages of a list (or any iterable) of bytes-like objects, copied
/// into one buffer that the core's `Bytes` then share: one allocation per
/// call, not per message, and nothing that points into a Python object
/// once the GIL is released (another thread may then mutate a bytearray).
pub(crate) fn mesh_messages(items: &Bound<'_, PyAny>) -> PyResult<Vec<Bytes>> {
    if is_single_message(items) || items.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(format!(
            "payloads must be a list of messages, not one {} (wrap it: [message])",
            type_name(items)
        )));
    }
    let mut block = BytesMut::new();
    let mut ends = Vec::new();
    if let Ok(list) = items.downcast::<PyList>() {
        ends.reserve(list.len());
        // Sized up front (bytes report their length for free): no regrowth.
        let size: usize = list.iter().map(|item| item.downcast::<PyBytes>().map_or(0, |b| b.as_bytes().len())).sum();
        block.reserve(size);
        for item in list.iter() {
            append_message(&mut block, &item)?;
            ends.push(block.len());
        }
    } else {
        let iter = items
            .try_iter()
            .map_err(|_| PyTypeError::new_err(format!("payloads must be a list of bytes-like messages, not {}", type_name(items))))?;
        for item in iter {
            append_message(&mut block, &item?)?;
            ends.push(block.len());
        }
    }
    let block = block.freeze();
    let mut start = 0;
    Ok(ends
        .into_iter()
        .map(|end| {
            let message = block.slice(start..end);
            start = end;
            message
        })
        .collect())
}
