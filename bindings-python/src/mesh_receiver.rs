//! The receiving end of one stream: every receive the binding makes on a
//! stream (`recv`, `recv_async`, `try_recv`, `messages()`) goes through
//! its `Receiver`, so that cancelling an asyncio receive neither loses nor
//! reorders a message.
//!
//! An asyncio receive takes a message from the core on a runtime thread,
//! and the loop's thread delivers it later. If the awaiting task is
//! cancelled in between, the message goes back to the front of `stash`,
//! where the next receive finds it first. For that "front" to be the
//! stream's real order, nobody may take a later message from the core
//! while one is on its way: a receive holds the stream's `gate` from the
//! moment it starts taking until its message is delivered or put back.
//! A receive that cannot take the gate at once (another is in progress)
//! waits for it; `try_recv` reports nothing instead of waiting.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use net_sdk::mesh::{Mesh, MeshStream};
use net_sdk::SdkError;
use parking_lot::Mutex;
use pyo3::prelude::*;
use tokio::sync::OwnedMutexGuard;

use crate::blocking::detached;
use crate::errors::raise;

/// A receive's result, still holding the gate while it is on its way.
pub(crate) type Taken = (net_sdk::Result<Bytes>, Option<OwnedMutexGuard<()>>);

#[derive(Default)]
pub(crate) struct Receiver {
    gate: Arc<tokio::sync::Mutex<()>>,
    /// Messages taken from the core and put back, oldest first.
    stash: Arc<Mutex<VecDeque<Bytes>>>,
}

impl Receiver {
    /// A message available now, without waiting: None when there is none,
    /// or when another receive on the stream is in progress (what arrives
    /// is that receive's). The core may send an acknowledgement from here
    /// (flow control), so the GIL is released around it.
    pub(crate) fn try_take(&self, py: Python<'_>, mesh: &Mesh, stream: &MeshStream) -> PyResult<Option<Bytes>> {
        let Ok(_gate) = self.gate.try_lock() else { return Ok(None) };
        if let Some(m) = self.stash.lock().pop_front() {
            return Ok(Some(m));
        }
        detached(py, || mesh.try_recv(stream)).map_err(raise)
    }

    /// The next message, waiting at most `timeout` (for the gate and the
    /// message together). Once the stream or its peer closed and nothing
    /// is queued: `NotConnected`.
    pub(crate) fn next(&self, mesh: &Mesh, stream: &MeshStream, timeout: Option<Duration>) -> impl Future<Output = Taken> + Send + 'static {
        let (gate, stash, mesh, stream) = (self.gate.clone(), self.stash.clone(), mesh.clone(), stream.clone());
        async move {
            let Some(t) = timeout else {
                let guard = gate.lock_owned().await;
                let front = stash.lock().pop_front();
                let got = match front {
                    Some(m) => Ok(m),
                    None => mesh.recv(&stream).await,
                };
                return (got, Some(guard));
            };
            let deadline = tokio::time::Instant::now() + t;
            let Ok(guard) = tokio::time::timeout_at(deadline, gate.lock_owned()).await else {
                let why = format!("no message on stream {:#x} within {t:?} (another receive held the stream's turn)", stream.id());
                return (Err(SdkError::Timeout(why)), None);
            };
            let front = stash.lock().pop_front();
            let got = match front {
                Some(m) => Ok(m),
                // The core's own timed receive, with what is left of the time.
                None => mesh.recv_timeout(&stream, deadline.saturating_duration_since(tokio::time::Instant::now())).await,
            };
            (got, Some(guard))
        }
    }

    /// What to do with a receive's result nobody awaits any more: put the
    /// message back in front (the gate, still held, kept its place), then
    /// let the next receive in.
    pub(crate) fn keeper(&self) -> impl FnOnce(Taken) + Send + 'static {
        let stash = self.stash.clone();
        move |(got, gate): Taken| {
            if let Ok(m) = got {
                stash.lock().push_front(m);
            }
            drop(gate);
        }
    }
}
