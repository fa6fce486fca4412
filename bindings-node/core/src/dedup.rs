//! `RedisStreamDedup`: the core's consumer-side filter for Redis Streams
//! entries written twice (an LRU of the `dedup_id` fields the Redis
//! transport writes on every entry).

use napi_derive::napi;
use parking_lot::Mutex;

/// Remembers the `capacity` most recently seen dedup ids (default 4096).
/// `isDuplicate(id)` is test-and-insert: false the first time (the id is
/// remembered), true while it is among the `capacity` most recent ones.
#[napi]
pub struct RedisStreamDedup {
    inner: Mutex<net_sdk::RedisStreamDedup>,
}

#[napi]
impl RedisStreamDedup {
    #[napi(constructor)]
    pub fn new(capacity: Option<u32>) -> Self {
        let capacity = capacity.map_or(net_sdk::DEFAULT_DEDUP_CAPACITY, |c| c as usize);
        RedisStreamDedup { inner: Mutex::new(net_sdk::RedisStreamDedup::with_capacity(capacity)) }
    }

    /// Whether `id` was seen among the `capacity` most recent ids; records
    /// it as the most recent either way.
    #[napi]
    pub fn is_duplicate(&self, id: String) -> bool {
        self.inner.lock().is_duplicate(&id)
    }

    /// Ids remembered now.
    #[napi(getter)]
    pub fn len(&self) -> u32 {
        self.inner.lock().len() as u32
    }

    /// The most ids remembered at once.
    #[napi(getter)]
    pub fn capacity(&self) -> u32 {
        u32::try_from(self.inner.lock().capacity()).unwrap_or(u32::MAX)
    }

    /// Whether no id is remembered.
    #[napi(getter)]
    pub fn is_empty(&self) -> bool {
        self.inner.lock().is_empty()
    }

    /// Forget every id.
    #[napi]
    pub fn clear(&self) {
        self.inner.lock().clear();
    }
}
