//! [`StreamCursor`]: one position in a Rust stream, shared by Python's
//! blocking iterator (`for x in it`) and async iterator (`async for x in
//! it`) over it — `RedexTail` and `Watch` are both one.
//!
//! The stream sits behind an async mutex so a blocking `__next__` and an
//! awaited `__anext__` advance the same position. An item taken for an
//! asyncio future that was cancelled meanwhile waits in `stash` for the
//! next call instead of being lost.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures::{Stream, StreamExt};
use parking_lot::Mutex;
use pyo3::exceptions::PyStopAsyncIteration;
use pyo3::prelude::*;

use crate::aio;
use crate::blocking::wait;

pub(crate) struct StreamCursor<S: Stream> {
    stream: tokio::sync::Mutex<S>,
    /// `Some(item)` once a cancelled `__anext__` left one behind (the item
    /// itself `None` when that was the stream's end).
    stash: Mutex<Option<Option<S::Item>>>,
    /// Set at the stream's end or by `close`: the iterator is over.
    ended: AtomicBool,
}

impl<S> StreamCursor<S>
where
    S: Stream + Unpin + Send + 'static,
    S::Item: Send + 'static,
{
    pub(crate) fn new(stream: S) -> Arc<Self> {
        Arc::new(Self { stream: tokio::sync::Mutex::new(stream), stash: Mutex::new(None), ended: AtomicBool::new(false) })
    }

    async fn next(&self) -> Option<S::Item> {
        if let Some(item) = self.stash.lock().take() {
            return item;
        }
        self.stream.lock().await.next().await
    }

    /// End the iteration. Idempotent.
    pub(crate) fn close(&self) {
        self.ended.store(true, Ordering::Release);
    }

    fn is_ended(&self) -> bool {
        self.ended.load(Ordering::Acquire)
    }

    /// Note the end the stream just reported, and pass it on.
    fn seen(&self, item: Option<S::Item>) -> Option<S::Item> {
        if item.is_none() {
            self.close();
        }
        item
    }

    /// `__next__`: the next item, waited for with the GIL released, or
    /// `None` once the iteration is over.
    pub(crate) fn next_blocking(self: &Arc<Self>, py: Python<'_>) -> PyResult<Option<S::Item>> {
        if self.is_ended() {
            return Ok(None);
        }
        let cursor = self.clone();
        let item = wait(py, async move { cursor.next().await })?;
        Ok(self.seen(item))
    }

    /// `__anext__`: an awaitable of `convert(item)`, raising
    /// `StopAsyncIteration` once the iteration is over.
    pub(crate) fn next_awaitable<'py, C>(self: &Arc<Self>, py: Python<'py>, convert: C) -> PyResult<Bound<'py, PyAny>>
    where
        C: FnOnce(Python<'_>, S::Item) -> PyResult<PyObject> + Send + 'static,
    {
        if self.is_ended() {
            return aio::failed(py, PyStopAsyncIteration::new_err(()));
        }
        let (work, seen, keep) = (self.clone(), self.clone(), self.clone());
        aio::spawn(
            py,
            async move { work.next().await },
            move |py, item| match seen.seen(item) {
                Some(item) => convert(py, item),
                None => Err(PyStopAsyncIteration::new_err(())),
            },
            move |item| *keep.stash.lock() = Some(item),
        )
    }
}
