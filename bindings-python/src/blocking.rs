//! The one place the binding waits: every call that blocks runs here with
//! the GIL released, so other Python threads keep running.
//!
//! Futures run on the core's shared runtime; the calling thread waits for
//! the result in slices of [`TICK`], taking the GIL back between slices
//! only to run Python's signal handlers, so Ctrl-C interrupts a long
//! `flush`, `poll` or subscription wait. An interrupted wait cancels its
//! future (every future handed here is cancel-safe).
//!
//! [`wait`] runs the future as a runtime task and waits for its result;
//! [`wait_here`] polls it on the calling thread instead, so a wake-up
//! (a message arriving for a mesh `recv`) reaches the waiting Python
//! thread directly rather than through a runtime worker first: one thread
//! hop less on a request/response round trip.

use std::future::Future;
use std::sync::mpsc::{sync_channel, RecvTimeoutError};
use std::time::Duration;

use net_sdk::runtime::runtime;
use pyo3::prelude::*;

use crate::errors::net_error;

/// How often a blocked call wakes to check for signals.
pub(crate) const TICK: Duration = Duration::from_millis(100);

/// Run `future` to completion on the shared runtime with the GIL released.
pub(crate) fn wait<F>(py: Python<'_>, future: F) -> PyResult<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let (tx, rx) = sync_channel(1);
    let task = runtime().spawn(async move {
        let _ = tx.send(future.await);
    });
    let mut rx = rx;
    loop {
        // The receiver is Send but not Sync: move it in and back out.
        let (back, got) = py.allow_threads(move || {
            let got = rx.recv_timeout(TICK);
            (rx, got)
        });
        rx = back;
        match got {
            Ok(out) => return Ok(out),
            Err(RecvTimeoutError::Timeout) => {
                if let Err(interrupt) = py.check_signals() {
                    task.abort();
                    return Err(interrupt);
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(net_error(py, "bus", "runtime_panic", "the Net runtime task panicked".into()))
            }
        }
    }
}

/// Run `future` to completion on the calling thread with the GIL released,
/// in the core runtime's context (its timers, sockets and spawned tasks).
/// On a thread that already runs inside the runtime — a blocking-pool
/// thread delivering to asyncio may run a finaliser that calls back in —
/// polling in place is not allowed, and the future runs as a task instead.
pub(crate) fn wait_here<F>(py: Python<'_>, future: F) -> PyResult<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    if tokio::runtime::Handle::try_current().is_ok() {
        return wait(py, future);
    }
    let mut future = std::pin::pin!(future);
    loop {
        // The timer is made inside `block_on`: it needs the runtime's context.
        let step = py.allow_threads(|| runtime().block_on(async { tokio::time::timeout(TICK, future.as_mut()).await }));
        match step {
            Ok(out) => return Ok(out),
            // Dropping the future on Ctrl-C cancels it; nothing was taken.
            Err(_tick) => py.check_signals()?,
        }
    }
}

/// Run CPU-bound work (signatures, batch copies) with the GIL released.
pub(crate) fn detached<T: Send>(py: Python<'_>, work: impl FnOnce() -> T + Send) -> T {
    py.allow_threads(work)
}
