//! `RedisStreamDedup`: the core's consumer-side filter for Redis Streams
//! entries written twice (an LRU of the `dedup_id` fields the Redis
//! transport writes on every entry).

use parking_lot::Mutex;
use pyo3::prelude::*;

/// Remembers the `capacity` most recently seen dedup ids.
/// `is_duplicate(id)` is test-and-insert: False the first time (the id is
/// remembered), True while it is among the `capacity` most recent ones.
/// Safe to share between threads.
#[pyclass(frozen, module = "net_sdk._native")]
pub struct RedisStreamDedup {
    inner: Mutex<net_sdk::RedisStreamDedup>,
}

#[pymethods]
impl RedisStreamDedup {
    #[new]
    #[pyo3(signature = (capacity=net_sdk::DEFAULT_DEDUP_CAPACITY))]
    fn new(capacity: usize) -> Self {
        Self { inner: Mutex::new(net_sdk::RedisStreamDedup::with_capacity(capacity)) }
    }

    /// A filter remembering `capacity` ids (at least one).
    #[staticmethod]
    fn with_capacity(capacity: usize) -> Self {
        Self::new(capacity)
    }

    /// Whether `id` was seen among the `capacity` most recent ids; records
    /// it as the most recent either way.
    fn is_duplicate(&self, id: &str) -> bool {
        self.inner.lock().is_duplicate(id)
    }

    /// Ids remembered now.
    #[getter]
    fn len(&self) -> usize {
        self.inner.lock().len()
    }

    /// The most ids remembered at once.
    #[getter]
    fn capacity(&self) -> usize {
        self.inner.lock().capacity()
    }

    /// Whether no id is remembered.
    #[getter]
    fn is_empty(&self) -> bool {
        self.inner.lock().is_empty()
    }

    /// Forget every id.
    fn clear(&self) {
        self.inner.lock().clear();
    }

    fn __len__(&self) -> usize {
        self.len()
    }

    fn __repr__(&self) -> String {
        let d = self.inner.lock();
        format!("RedisStreamDedup(len={}, capacity={})", d.len(), d.capacity())
    }
}
