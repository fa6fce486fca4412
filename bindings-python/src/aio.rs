//! Native work as an asyncio future: the `*_async` methods and the async
//! iteration of mesh messages.
//!
//! The work runs as a task on the core's runtime; the asyncio future is
//! created on the caller's running loop and completed on that loop's own
//! thread (`call_soon_threadsafe`), since asyncio futures are not thread
//! safe. Taking the GIL to schedule that can wait, so it happens on a
//! blocking-pool thread, never on a runtime worker, and never once the
//! interpreter is exiting (see `exit_guard`).
//!
//! Between the task finishing and the loop running the completion, the
//! result is in a [`Slot`] shared by the task, the completion and the
//! future's cancel hook. Whoever comes last decides its fate: delivered
//! to a future still waiting, or handed to the caller's `keep` when the
//! future was cancelled (or its loop closed or dropped) first — so a
//! message already taken from a stream is put back, never lost. A cancel
//! that comes while the work still runs aborts the task.

use std::future::Future;
use std::sync::Arc;

use parking_lot::Mutex;
use pyo3::prelude::*;
use tokio::task::AbortHandle;

use net_sdk::runtime::runtime;

use crate::exit_guard::with_gil_unless_exiting;

/// A finished result: `Some(fut)` completes `fut` with it, `None` keeps it
/// (nobody awaits it any more). Runs once.
type Finish = Box<dyn FnOnce(Option<(Python<'_>, &Bound<'_, PyAny>)>) -> PyResult<()> + Send>;

enum State {
    /// The work is running.
    Running,
    /// The future was cancelled while the work ran.
    Abandoned,
    /// The result waits for the loop to deliver it.
    Done(Finish),
    /// Delivered or kept.
    Settled,
}

/// Where a result waits between the runtime and the loop.
struct Slot(Mutex<State>);

impl Slot {
    fn take_done(&self) -> Option<Finish> {
        let mut state = self.0.lock();
        match std::mem::replace(&mut *state, State::Settled) {
            State::Done(finish) => Some(finish),
            other => {
                *state = other;
                None
            }
        }
    }
}

impl Drop for Slot {
    /// The loop went away with the result undelivered (closed or dropped
    /// with the completion still queued): keep it.
    fn drop(&mut self) {
        if let State::Done(finish) = std::mem::replace(self.0.get_mut(), State::Settled) {
            let _ = finish(None);
        }
    }
}

/// Run `work` on the runtime; return an asyncio future of the running loop
/// that resolves to `convert(result)` (or raises the error `convert`
/// returns). `keep` receives a result that finished but was not delivered
/// because its future was cancelled or its loop is gone.
pub(crate) fn spawn<'py, R, W, C, K>(py: Python<'py>, work: W, convert: C, keep: K) -> PyResult<Bound<'py, PyAny>>
where
    R: Send + 'static,
    W: Future<Output = R> + Send + 'static,
    C: FnOnce(Python<'_>, R) -> PyResult<PyObject> + Send + 'static,
    K: FnOnce(R) + Send + 'static,
{
    let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
    let fut = event_loop.call_method0("create_future")?;
    let slot = Arc::new(Slot(Mutex::new(State::Running)));
    let (fut_ref, loop_ref, task_slot) = (fut.clone().unbind(), event_loop.unbind(), slot.clone());
    let task = runtime().spawn(async move {
        let out = work.await;
        let finish: Finish = Box::new(move |to| match to {
            None => {
                keep(out);
                Ok(())
            }
            Some((py, fut)) => match convert(py, out) {
                Ok(value) => fut.call_method1("set_result", (value,)).map(drop),
                Err(e) => fut.call_method1("set_exception", (e.value(py),)).map(drop),
            },
        });
        let slot = task_slot;
        {
            let mut state = slot.0.lock();
            if matches!(*state, State::Abandoned) {
                *state = State::Settled;
                drop(state);
                let _ = finish(None);
                return;
            }
            *state = State::Done(finish);
        }
        // Taking the GIL can wait: off the runtime's workers.
        let _ = tokio::task::spawn_blocking(move || {
            with_gil_unless_exiting(|py| {
                let settle = Settle { fut: fut_ref, slot: slot.clone() };
                if loop_ref.call_method1(py, "call_soon_threadsafe", (settle,)).is_err() {
                    // The loop is closed: nobody will deliver it; keep it now.
                    if let Some(finish) = slot.take_done() {
                        let _ = finish(None);
                    }
                }
            });
        })
        .await;
    });
    fut.call_method1("add_done_callback", (Canceller { task: task.abort_handle(), slot },))?;
    Ok(fut)
}

/// An asyncio future of the running loop, already resolved to `value`
/// (the fast paths: a message already received, `__aenter__`).
pub(crate) fn ready<'py>(py: Python<'py>, value: PyObject) -> PyResult<Bound<'py, PyAny>> {
    let fut = py.import("asyncio")?.call_method0("get_running_loop")?.call_method0("create_future")?;
    fut.call_method1("set_result", (value,))?;
    Ok(fut)
}

/// An asyncio future of the running loop that already raised `error`.
pub(crate) fn failed<'py>(py: Python<'py>, error: PyErr) -> PyResult<Bound<'py, PyAny>> {
    let fut = py.import("asyncio")?.call_method0("get_running_loop")?.call_method0("create_future")?;
    fut.call_method1("set_exception", (error.value(py),))?;
    Ok(fut)
}

/// Runs on the loop's thread: completes the future if it still waits (if
/// it was cancelled, its `Canceller` keeps the result).
#[pyclass(frozen)]
struct Settle {
    fut: PyObject,
    slot: Arc<Slot>,
}

#[pymethods]
impl Settle {
    fn __call__(&self, py: Python<'_>) -> PyResult<()> {
        let fut = self.fut.bind(py);
        if fut.call_method0("done")?.is_truthy()? {
            return Ok(());
        }
        match self.slot.take_done() {
            Some(finish) => finish(Some((py, fut))),
            None => Ok(()),
        }
    }
}

/// The future's done callback: on a cancel, aborts the work if it still
/// runs, or keeps its result if it finished undelivered.
#[pyclass(frozen)]
struct Canceller {
    task: AbortHandle,
    slot: Arc<Slot>,
}

#[pymethods]
impl Canceller {
    fn __call__(&self, fut: &Bound<'_, PyAny>) -> PyResult<()> {
        if !fut.call_method0("cancelled")?.is_truthy()? {
            return Ok(());
        }
        let mut state = self.slot.0.lock();
        match std::mem::replace(&mut *state, State::Settled) {
            State::Running => {
                *state = State::Abandoned;
                self.task.abort();
            }
            State::Done(finish) => {
                drop(state);
                finish(None)?;
            }
            other => *state = other,
        }
        Ok(())
    }
}
