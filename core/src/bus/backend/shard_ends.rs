//! [`ShardEnds`]: what a server-backed backend (Redis, JetStream) shares
//! with its watcher task — each shard's name on the server, one past the
//! newest position known on it, and the `Notify` that wakes subscribers
//! when one moves. The watcher holds it weakly, so it ends with the backend.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;

use tokio::sync::Notify;

use crate::error::{Result, SdkError};

pub(crate) struct ShardEnds {
    /// The server's URL with its secrets hidden, for error messages.
    pub url: String,
    /// Per shard: its name on the server (a Redis stream key, a JetStream
    /// subject).
    pub names: Box<[String]>,
    /// Per shard: one past the newest position known.
    tails: Box<[AtomicU64]>,
    changed: Notify,
}

impl ShardEnds {
    /// `tails` gives each shard's end as found on connecting, in the order
    /// of `names`.
    pub fn new(url: String, names: Box<[String]>, tails: impl IntoIterator<Item = u64>) -> Arc<Self> {
        let tails = tails.into_iter().map(AtomicU64::new).collect();
        Arc::new(Self { url, names, tails, changed: Notify::new() })
    }

    /// The name of `shard`; `backend` (`"redis"`) names the backend in the
    /// error for a shard the bus does not have.
    pub fn name(&self, backend: &str, shard: u16) -> Result<&str> {
        self.names
            .get(shard as usize)
            .map(String::as_str)
            .ok_or_else(|| SdkError::Backend(format!("{backend} backend has no shard {shard}")))
    }

    /// Note that `shard` holds positions up to `next` (exclusive). Ends only
    /// move forward: a stale answer never takes one back.
    pub fn raise(&self, shard: usize, next: u64) {
        self.tails[shard].fetch_max(next, Relaxed);
    }

    /// One past the newest position known on `shard` (0 for none, or for a
    /// shard the bus does not have).
    pub fn tail(&self, shard: u16) -> u64 {
        self.tails.get(shard as usize).map_or(0, |t| t.load(Relaxed))
    }

    /// Every shard's end, in shard order.
    pub fn tails(&self) -> impl Iterator<Item = u64> + '_ {
        self.tails.iter().map(|t| t.load(Relaxed))
    }

    /// Notified whenever an end may have moved.
    pub fn changed(&self) -> &Notify {
        &self.changed
    }
}
