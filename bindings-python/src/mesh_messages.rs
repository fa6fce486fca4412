//! `MeshMessages`: the messages of one stream as an iterator and an async
//! iterator (`node.messages(stream)`).
//!
//! Each step is a receive on the stream: what is already queued is
//! returned at once (the async form's awaitable then finishes without
//! suspending, so a busy stream costs no thread hop per message); otherwise
//! the step waits like `recv` / `recv_async`. The core ends a receive with
//! `NotConnected` once the stream or its peer closed and the queue is
//! empty: that is the end of the iteration, not an error. It holds no
//! native resource of its own; the stream and node do.

use net_sdk::mesh::Mesh;
use net_sdk::SdkError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::blocking::wait_here;
use crate::errors::raise;
use crate::mesh_receive::MeshReceive;
use crate::mesh_stream::MeshStream;

/// The messages of a stream: `for m in node.messages(stream)` or
/// `async for m in node.messages(stream)`.
#[pyclass(frozen, module = "net_sdk._native")]
pub struct MeshMessages {
    mesh: Mesh,
    stream: Py<MeshStream>,
}

impl MeshMessages {
    pub(crate) fn new(mesh: Mesh, stream: Py<MeshStream>) -> Self {
        Self { mesh, stream }
    }
}

#[pymethods]
impl MeshMessages {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    /// The next message, waiting (GIL released, Ctrl-C honoured) for one.
    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyBytes>>> {
        let stream = self.stream.get();
        if let Some(m) = stream.receiver.try_take(py, &self.mesh, &stream.inner)? {
            return Ok(Some(PyBytes::new(py, &m)));
        }
        let (got, _gate) = wait_here(py, stream.receiver.next(&self.mesh, &stream.inner, None))?;
        match got {
            Ok(m) => Ok(Some(PyBytes::new(py, &m))),
            Err(SdkError::NotConnected) => Ok(None),
            Err(e) => Err(raise(e)),
        }
    }

    fn __aiter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    /// An awaitable of the next message; cancelling it loses none (see
    /// `MeshReceive`).
    fn __anext__(&self, py: Python<'_>) -> PyResult<MeshReceive> {
        Ok(MeshReceive::iteration_step(self.mesh.clone(), self.stream.clone_ref(py)))
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let s = &self.stream.bind(py).get().inner;
        format!("MeshMessages(peer={:#x}, stream_id={:#x})", s.peer(), s.id())
    }
}
