//! `MeshStream`: the Python handle of one stream with one peer, and how
//! `open_stream`'s arguments become the core's `StreamConfig`.
//!
//! Besides the core handle it carries which `MeshNode` opened it (a
//! stream passed to another node's methods is refused, not sent through
//! the wrong socket) and its `Receiver` (see `mesh_receiver`).

use net_sdk::mesh::{Reliability, StreamConfig};
use net_sdk::SdkError;
use pyo3::prelude::*;

use crate::errors::raise;
use crate::mesh_receiver::Receiver;
use crate::records::py_bool;

/// The stream configuration `open_stream`'s keyword arguments describe.
pub(crate) fn config(reliability: &str, window: Option<u32>, receive_capacity: Option<usize>) -> PyResult<StreamConfig> {
    let reliability = match reliability {
        "reliable" => Reliability::Reliable,
        "fire_and_forget" => Reliability::FireAndForget,
        other => {
            return Err(raise(SdkError::InvalidArgument(format!(
                "unknown reliability {other:?} (expected 'reliable' or 'fire_and_forget')"
            ))))
        }
    };
    let mut c = StreamConfig::new().with_reliability(reliability);
    if let Some(w) = window {
        c = c.with_window_bytes(w);
    }
    if let Some(n) = receive_capacity {
        c = c.with_receive_capacity(n);
    }
    Ok(c)
}

/// A stream with one peer; from `MeshNode.open_stream`. It belongs to the
/// session it was opened on: after the peer dies or reconnects, or the
/// stream is closed, sends raise `NotConnectedError`; open it again.
#[pyclass(frozen, module = "net_sdk._native")]
pub struct MeshStream {
    pub(crate) inner: net_sdk::mesh::MeshStream,
    /// The `MeshNode` that opened it (its serial, see `mesh_node`).
    pub(crate) owner: u64,
    pub(crate) reliability: Reliability,
    pub(crate) receiver: Receiver,
}

impl MeshStream {
    pub(crate) fn new(inner: net_sdk::mesh::MeshStream, owner: u64, reliability: Reliability) -> Self {
        Self { inner, owner, reliability, receiver: Receiver::default() }
    }
}

#[pymethods]
impl MeshStream {
    /// The peer's node id.
    #[getter]
    fn peer(&self) -> u64 {
        self.inner.peer()
    }

    /// The stream id.
    #[getter]
    fn stream_id(&self) -> u64 {
        self.inner.id()
    }

    /// `"reliable"` or `"fire_and_forget"`.
    #[getter]
    fn reliability(&self) -> &'static str {
        match self.reliability {
            Reliability::Reliable => "reliable",
            Reliability::FireAndForget => "fire_and_forget",
        }
    }

    /// Whether sends on this handle can still succeed.
    #[getter]
    fn is_open(&self) -> bool {
        self.inner.is_open()
    }

    fn __repr__(&self) -> String {
        format!(
            "MeshStream(peer={:#x}, stream_id={:#x}, reliability='{}', is_open={})",
            self.inner.peer(),
            self.inner.id(),
            self.reliability(),
            py_bool(self.inner.is_open())
        )
    }
}
