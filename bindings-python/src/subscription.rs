//! `Subscription`: the core's event stream as a Python iterator and an
//! async iterator.
//!
//! The stream lives in `Shared`, behind an async mutex, so a blocking
//! `next()` (sync iteration, via `blocking::wait`) and an awaited
//! `__anext__` (a task on the core runtime that completes an asyncio
//! future) share one cursor. Both waits can be cancelled without losing
//! an event: a wait cut short before the stream yielded leaves the event
//! in the stream, and an event that arrives for an asyncio future that
//! was cancelled meanwhile is kept in `stash` for the next call.
//!
//! `close()` (also on leaving a `with` block and when the object is
//! garbage collected) drops the native stream at once, even while a wait
//! is in progress; the waiter then sees the end of the stream.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use futures::StreamExt;
use net_sdk::channel::envelope;
use net_sdk::runtime::runtime;
use net_sdk::{ChannelName, EventStream, SdkError};
use parking_lot::Mutex;
use pyo3::exceptions::PyStopAsyncIteration;
use pyo3::prelude::*;
use pyo3::types::PyType;
use tokio::sync::Notify;
use tokio::task::AbortHandle;

use crate::blocking::wait;
use crate::errors::raise;
use crate::exit_guard::with_gil_unless_exiting;
use crate::records::Event;

/// One step of the stream: an event, an error, or the end (`None`).
type Item = Option<Result<Event, SdkError>>;

/// Counts itself in the node's open-subscription gauge while alive.
struct OpenGuard(Arc<AtomicUsize>);

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

struct Live {
    stream: EventStream,
    _open: OpenGuard,
}

struct Shared {
    live: tokio::sync::Mutex<Option<Live>>,
    stash: Mutex<Option<Result<Event, SdkError>>>,
    closed: AtomicBool,
    closing: Notify,
    channel: Option<ChannelName>,
}

impl Shared {
    /// The next event for this subscription. Cancel-safe.
    async fn next(&self) -> Item {
        if let Some(item) = self.stash.lock().take() {
            return Some(item);
        }
        let mut guard = self.live.lock().await;
        loop {
            let closing = self.closing.notified();
            tokio::pin!(closing);
            // Registered before the flag is read, so a close() in between wakes us.
            closing.as_mut().enable();
            if self.closed.load(Ordering::Acquire) {
                *guard = None;
                return None;
            }
            let live = guard.as_mut()?;
            let step = tokio::select! {
                biased;
                _ = &mut closing => None,
                item = live.stream.next() => Some(item),
            };
            let event = match step {
                // Closed while waiting, or the bus shut down: release now.
                None | Some(None) => {
                    self.closed.store(true, Ordering::Release);
                    *guard = None;
                    return None;
                }
                Some(Some(Err(e))) => return Some(Err(e)),
                Some(Some(Ok(event))) => event,
            };
            match &self.channel {
                None => return Some(Ok(Event::new(&event, event.raw.clone()))),
                Some(channel) => {
                    if let Some(payload) = envelope::open(&event.raw, channel) {
                        return Some(Ok(Event::new(&event, event.raw.slice_ref(payload))));
                    }
                }
            }
        }
    }

    fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.closing.notify_waiters();
        // Free the stream now unless a wait holds it; that wait frees it.
        if let Ok(mut live) = self.live.try_lock() {
            *live = None;
        }
        self.stash.lock().take();
    }
}

/// A live stream of events: `for event in sub` or `async for event in sub`.
#[pyclass(frozen, module = "net_sdk._native")]
pub struct Subscription {
    shared: Arc<Shared>,
}

impl Subscription {
    pub(crate) fn new(stream: EventStream, channel: Option<ChannelName>, open: Arc<AtomicUsize>) -> Self {
        open.fetch_add(1, Ordering::AcqRel);
        let live = Live { stream, _open: OpenGuard(open) };
        Self {
            shared: Arc::new(Shared {
                live: tokio::sync::Mutex::new(Some(live)),
                stash: Mutex::new(None),
                closed: AtomicBool::new(false),
                closing: Notify::new(),
                channel,
            }),
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.shared.close();
    }
}

/// An asyncio future of `loop` that is already resolved to `value`.
fn ready<'py>(py: Python<'py>, value: PyObject) -> PyResult<Bound<'py, PyAny>> {
    let fut = py.import("asyncio")?.call_method0("get_running_loop")?.call_method0("create_future")?;
    fut.call_method1("set_result", (value,))?;
    Ok(fut)
}

#[pymethods]
impl Subscription {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    /// Block (GIL released, Ctrl-C honoured) until the next event.
    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Event>> {
        let shared = self.shared.clone();
        match wait(py, async move { shared.next().await })? {
            None => Ok(None),
            Some(item) => item.map(Some).map_err(raise),
        }
    }

    fn __aiter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    /// An asyncio future for the next event, completed from the runtime.
    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
        let fut = event_loop.call_method0("create_future")?;
        let shared = self.shared.clone();
        let (fut_ref, loop_ref) = (fut.clone().unbind(), event_loop.unbind());
        let task = runtime().spawn(async move {
            let item = shared.next().await;
            // Taking the GIL can wait; do it off the runtime's workers, and
            // never once the interpreter is exiting (see `exit_guard`).
            let _ = tokio::task::spawn_blocking(move || {
                with_gil_unless_exiting(|py| {
                    let deliver = Deliver { fut: fut_ref, item: Mutex::new(Some(item)), shared };
                    let deliver = Py::new(py, deliver)?;
                    if let Err(e) = loop_ref.call_method1(py, "call_soon_threadsafe", (deliver.clone_ref(py),)) {
                        // The loop is closed: keep the event for a later call.
                        deliver.get().stash_back();
                        return Err(e);
                    }
                    Ok::<_, PyErr>(())
                })
            })
            .await;
        });
        fut.call_method1("add_done_callback", (Canceller { task: task.abort_handle() },))?;
        Ok(fut)
    }

    /// Release the native stream now. Idempotent.
    fn close(&self) {
        self.shared.close();
    }

    /// Whether `close()` was called or the stream ended.
    #[getter]
    fn closed(&self) -> bool {
        self.shared.closed.load(Ordering::Acquire)
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (_exc_type=None, _exc=None, _tb=None))]
    fn __exit__(&self, _exc_type: Option<&Bound<'_, PyType>>, _exc: Option<&Bound<'_, PyAny>>, _tb: Option<&Bound<'_, PyAny>>) -> bool {
        self.close();
        false
    }

    fn __aenter__<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        ready(py, slf.into_any().unbind())
    }

    #[pyo3(signature = (_exc_type=None, _exc=None, _tb=None))]
    fn __aexit__<'py>(
        &self,
        py: Python<'py>,
        _exc_type: Option<&Bound<'py, PyType>>,
        _exc: Option<&Bound<'py, PyAny>>,
        _tb: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.close();
        ready(py, false.into_pyobject(py)?.to_owned().into_any().unbind())
    }

    /// Async form of `close()`.
    fn aclose<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.close();
        ready(py, py.None())
    }
}

/// Completes an `__anext__` future on its event loop's thread.
#[pyclass(frozen)]
struct Deliver {
    fut: PyObject,
    item: Mutex<Option<Item>>,
    shared: Arc<Shared>,
}

impl Deliver {
    fn stash_back(&self) {
        if let Some(Some(item)) = self.item.lock().take() {
            if !self.shared.closed.load(Ordering::Acquire) {
                *self.shared.stash.lock() = Some(item);
            }
        }
    }
}

#[pymethods]
impl Deliver {
    fn __call__(&self, py: Python<'_>) -> PyResult<()> {
        let fut = self.fut.bind(py);
        if fut.call_method0("done")?.is_truthy()? {
            // Cancelled while the event was on its way: keep it.
            self.stash_back();
            return Ok(());
        }
        match self.item.lock().take().flatten() {
            None => fut.call_method1("set_exception", (PyStopAsyncIteration::new_err(()).value(py),))?,
            Some(Ok(event)) => fut.call_method1("set_result", (event,))?,
            Some(Err(e)) => fut.call_method1("set_exception", (raise(e).value(py),))?,
        };
        Ok(())
    }
}

/// Aborts the native wait when its asyncio future is cancelled.
#[pyclass(frozen)]
struct Canceller {
    task: AbortHandle,
}

#[pymethods]
impl Canceller {
    fn __call__(&self, fut: &Bound<'_, PyAny>) -> PyResult<()> {
        if fut.call_method0("cancelled")?.is_truthy()? {
            self.task.abort();
        }
        Ok(())
    }
}
