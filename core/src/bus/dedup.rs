//! [`RedisStreamDedup`]: the consumer-side filter for Redis Streams entries
//! written twice.
//!
//! A batch whose `MULTI/EXEC` timed out on the producer's side may have
//! been applied all the same; the retry then stores the entries again under
//! new server-generated stream ids. Every entry the Redis backend writes
//! carries a `dedup_id` field that is the same on the retry (and, with a
//! producer nonce file, across a producer restart), so a consumer that
//! remembers the ids it has seen can drop the second copy.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// The capacity [`RedisStreamDedup::default`] uses.
pub const DEFAULT_DEDUP_CAPACITY: usize = 4096;

/// A least-recently-used set of dedup ids with a fixed capacity.
///
/// [`is_duplicate`](Self::is_duplicate) is test-and-insert: the first call
/// with an id answers `false` and remembers it, later calls answer `true`
/// (and refresh it) until it has been evicted by `capacity` more recent
/// ids. Size the capacity to the number of entries a duplicate can trail
/// its original by (about the event rate times the retry window).
///
/// ```
/// use net_sdk::RedisStreamDedup;
/// let mut dedup = RedisStreamDedup::with_capacity(2);
/// assert!(!dedup.is_duplicate("a"));
/// assert!(dedup.is_duplicate("a"));
/// assert!(!dedup.is_duplicate("b"));
/// assert!(!dedup.is_duplicate("c")); // evicts "a", the least recently seen
/// assert!(!dedup.is_duplicate("a"));
/// ```
#[derive(Debug, Clone)]
pub struct RedisStreamDedup {
    capacity: usize,
    /// id → the stamp of its latest use.
    seen: HashMap<Arc<str>, u64>,
    /// Uses in order; an entry whose stamp is not the id's latest is stale
    /// and skipped when it reaches the front.
    order: VecDeque<(u64, Arc<str>)>,
    stamp: u64,
}

impl Default for RedisStreamDedup {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_DEDUP_CAPACITY)
    }
}

impl RedisStreamDedup {
    /// A filter remembering the `capacity` most recently seen ids (at
    /// least one).
    pub fn with_capacity(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        // Reserve up front only up to a modest size: a generous capacity
        // must not cost its full memory before it is used.
        let reserve = capacity.min(1 << 16);
        Self { capacity, seen: HashMap::with_capacity(reserve), order: VecDeque::with_capacity(reserve), stamp: 0 }
    }

    /// Whether `id` was seen among the `capacity` most recent ids; records
    /// it as the most recent either way.
    pub fn is_duplicate(&mut self, id: &str) -> bool {
        self.stamp += 1;
        let stamp = self.stamp;
        if let Some(latest) = self.seen.get_mut(id) {
            *latest = stamp;
            let key = self.seen.get_key_value(id).map(|(k, _)| k.clone()).expect("just found");
            self.order.push_back((stamp, key));
            self.compact();
            return true;
        }
        let key: Arc<str> = Arc::from(id);
        self.seen.insert(key.clone(), stamp);
        self.order.push_back((stamp, key));
        while self.seen.len() > self.capacity {
            let (s, oldest) = self.order.pop_front().expect("every remembered id has a use in the queue");
            if self.seen.get(&oldest) == Some(&s) {
                self.seen.remove(&oldest);
            }
        }
        self.compact();
        false
    }

    /// Drop stale uses once they outnumber the live ones, so a filter hit
    /// by the same ids over and over stays within twice its size.
    fn compact(&mut self) {
        if self.order.len() > 2 * self.capacity.max(self.seen.len()) + 16 {
            let seen = &self.seen;
            self.order.retain(|(s, id)| seen.get(id) == Some(s));
        }
    }

    /// Ids currently remembered.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// The most ids remembered at once.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Forget every id.
    pub fn clear(&mut self) {
        self.seen.clear();
        self.order.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_the_least_recently_seen() {
        let mut d = RedisStreamDedup::with_capacity(3);
        assert!(d.is_empty());
        for id in ["a", "b", "c"] {
            assert!(!d.is_duplicate(id));
        }
        assert!(d.is_duplicate("a")); // refreshes a: b is now the oldest
        assert!(!d.is_duplicate("d")); // evicts b
        assert_eq!((d.len(), d.capacity()), (3, 3));
        assert!(d.is_duplicate("a") && d.is_duplicate("c") && d.is_duplicate("d"));
        assert!(!d.is_duplicate("b"));
        d.clear();
        assert!(d.is_empty() && !d.is_duplicate("a"));
        assert_eq!(RedisStreamDedup::default().capacity(), DEFAULT_DEDUP_CAPACITY);
        assert_eq!(RedisStreamDedup::with_capacity(0).capacity(), 1);
    }

    #[test]
    fn repeated_hits_keep_the_queue_bounded() {
        let mut d = RedisStreamDedup::with_capacity(4);
        for id in ["w", "x", "y", "z"] {
            d.is_duplicate(id);
        }
        for _ in 0..10_000 {
            assert!(d.is_duplicate("x"));
        }
        assert!(d.order.len() <= 2 * 4 + 17, "{}", d.order.len());
        // Order still right after compaction: w is the oldest now.
        assert!(!d.is_duplicate("v"));
        assert!(!d.is_duplicate("w"));
        assert!(d.is_duplicate("x"));
    }

    #[test]
    fn matches_a_reference_lru() {
        // A slow, obviously right LRU as the oracle.
        let mut d = RedisStreamDedup::with_capacity(5);
        let mut oracle: Vec<String> = Vec::new();
        let mut x = 12345u64;
        for _ in 0..5000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let id = format!("id{}", (x >> 33) % 9);
            let expected = oracle.iter().position(|o| *o == id);
            if let Some(p) = expected {
                oracle.remove(p);
            }
            oracle.push(id.clone());
            if oracle.len() > 5 {
                oracle.remove(0);
            }
            assert_eq!(d.is_duplicate(&id), expected.is_some(), "{id}");
            assert_eq!(d.len(), oracle.len());
        }
    }
}
