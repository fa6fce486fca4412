//! The receiving end of one stream: every receive the binding makes on a
//! stream (`recv`, `recv_async`, `try_recv`, `messages()`) goes through
//! its `Receiver`, so that concurrent receives neither lose nor reorder a
//! message.
//!
//! A blocking receive takes the next message while it holds the stream's
//! `gate`. An asyncio receive only waits for one on the runtime ([`ready`]:
//! it takes the message and puts it straight back in front with the core's
//! `Mesh::put_back`, still under the gate) and takes it later on the loop's
//! thread (see `mesh_receive`). Holding the gate across take-and-put-back
//! keeps the "front" the stream's real order.
//!
//! [`ready`]: Receiver::ready
//! A receive that cannot take the gate at once (another is in progress)
//! waits for it; `try_recv` reports nothing instead of waiting.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use net_sdk::mesh::{Mesh, MeshStream};
use net_sdk::SdkError;
use pyo3::prelude::*;
use tokio::sync::OwnedMutexGuard;

use crate::blocking::detached;
use crate::errors::raise;

/// A receive's result, still holding the gate while it is on its way.
pub(crate) type Taken = (net_sdk::Result<Bytes>, Option<OwnedMutexGuard<()>>);

#[derive(Default)]
pub(crate) struct Receiver {
    gate: Arc<tokio::sync::Mutex<()>>,
}

impl Receiver {
    /// A message available now, without waiting: None when there is none,
    /// or when another receive on the stream is in progress (what arrives
    /// is that receive's). The core may send an acknowledgement from here
    /// (flow control), so the GIL is released around it.
    pub(crate) fn try_take(&self, py: Python<'_>, mesh: &Mesh, stream: &MeshStream) -> PyResult<Option<Bytes>> {
        let Ok(_gate) = self.gate.try_lock() else { return Ok(None) };
        detached(py, || mesh.try_recv(stream)).map_err(raise)
    }

    /// The next message, waiting at most `timeout` (for the gate and the
    /// message together). Once the stream or its peer closed and nothing
    /// is queued: `NotConnected`.
    pub(crate) fn next(&self, mesh: &Mesh, stream: &MeshStream, timeout: Option<Duration>) -> impl Future<Output = Taken> + Send + 'static + use<> {
        let (gate, mesh, stream) = (self.gate.clone(), mesh.clone(), stream.clone());
        async move {
            let Some(t) = timeout else {
                let guard = gate.lock_owned().await;
                return (mesh.recv(&stream).await, Some(guard));
            };
            let deadline = tokio::time::Instant::now() + t;
            let Ok(guard) = tokio::time::timeout_at(deadline, gate.lock_owned()).await else {
                let why = format!("no message on stream {:#x} within {t:?} (another receive held the stream's turn)", stream.id());
                return (Err(SdkError::Timeout(why)), None);
            };
            // The core's own timed receive, with what is left of the time.
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            (mesh.recv_timeout(&stream, left).await, Some(guard))
        }
    }

    /// Returns once a message is queued first on the stream (or with the
    /// error [`next`](Self::next) would give), having taken nothing: the
    /// message is put back in front before the gate lets anyone else in.
    pub(crate) fn ready(&self, mesh: &Mesh, stream: &MeshStream, timeout: Option<Duration>) -> impl Future<Output = net_sdk::Result<()>> + Send + 'static + use<> {
        let next = self.next(mesh, stream, timeout);
        let (mesh, stream) = (mesh.clone(), stream.clone());
        async move {
            let (got, gate) = next.await;
            let outcome = got.map(|m| mesh.put_back(&stream, m));
            drop(gate);
            outcome
        }
    }
}
