//! `MeshReceive`: the awaitable `recv_async` and `async for` hand back.
//!
//! An asyncio receive must not take a message from the stream before the
//! awaiting task is running again: from CPython 3.12 on, `asyncio.wait_for`
//! (and `asyncio.timeout`) drop a result that was delivered to a future in
//! the same loop turn their deadline fired, and no cancel hook runs, so a
//! message handed over that way would be lost. So a receive wakes first and
//! takes second:
//!
//! 1. On the runtime, wait until the stream has a message (taking it and
//!    putting it straight back in front, under the stream's gate, so the
//!    order is kept), and resolve a future with nothing.
//! 2. When the task runs again, take the message synchronously, on the
//!    loop's thread, and return it.
//!
//! A task cancelled or timed out anywhere in between has taken nothing:
//! the message stays first in the stream for the next receive.

use std::time::{Duration, Instant};

use net_sdk::mesh::Mesh;
use net_sdk::SdkError;
use pyo3::exceptions::{PyStopAsyncIteration, PyStopIteration};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::aio;
use crate::errors::raise;
use crate::mesh_stream::MeshStream;

/// One asyncio receive on a stream (what `recv_async` returns, and each
/// step of `async for m in node.messages(stream)`).
#[pyclass(frozen, module = "net_sdk._native")]
pub struct MeshReceive {
    mesh: Mesh,
    stream: Py<MeshStream>,
    /// When `recv_async`'s timeout runs out; None waits for ever.
    deadline: Option<Instant>,
    /// A closed stream ends an `async for` (`StopAsyncIteration`) instead
    /// of raising `NotConnectedError`.
    ends_iteration: bool,
}

impl MeshReceive {
    /// A receive for `recv_async(stream, timeout)`.
    pub(crate) fn with_timeout(mesh: Mesh, stream: Py<MeshStream>, timeout: Option<Duration>) -> Self {
        Self { mesh, stream, deadline: timeout.map(|t| Instant::now() + t), ends_iteration: false }
    }

    /// A step of `async for`: no deadline, and a closed stream ends it.
    pub(crate) fn iteration_step(mesh: Mesh, stream: Py<MeshStream>) -> Self {
        Self { mesh, stream, deadline: None, ends_iteration: true }
    }
}

#[pymethods]
impl MeshReceive {
    fn __await__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    /// Take a queued message and finish (`StopIteration(message)`), or
    /// hand the task a future to wait on until one is there.
    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let stream = self.stream.get();
        if let Some(m) = stream.receiver.try_take(py, &self.mesh, &stream.inner)? {
            return Err(PyStopIteration::new_err((PyBytes::new(py, &m).unbind(),)));
        }
        let left = self.deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let ends_iteration = self.ends_iteration;
        let convert = move |py: Python<'_>, woke: net_sdk::Result<()>| match woke {
            Ok(()) => Ok(py.None()),
            Err(SdkError::NotConnected) if ends_iteration => Err(PyStopAsyncIteration::new_err(())),
            Err(e) => Err(raise(e)),
        };
        // Nothing was taken, so nothing needs keeping if nobody awaits it.
        let fut = aio::spawn(py, stream.receiver.ready(&self.mesh, &stream.inner, left), convert, drop)?;
        // What asyncio's own futures set when they are awaited: a task only
        // accepts a yielded future that carries it.
        fut.setattr("_asyncio_future_blocking", true)?;
        Ok(fut)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let s = &self.stream.bind(py).get().inner;
        format!("MeshReceive(peer={:#x}, stream_id={:#x})", s.peer(), s.id())
    }
}
