//! Storage backends: where batchers put events and where poll and
//! subscribe read them back.

#[cfg(feature = "jetstream")]
mod jetstream;
mod memory;
#[cfg(feature = "net")]
mod mesh;
#[cfg(feature = "redis")]
mod redis;
#[cfg(any(feature = "redis", feature = "jetstream"))]
mod shard_ends;
#[cfg(any(feature = "redis", feature = "jetstream"))]
mod url;
#[cfg(any(feature = "redis", feature = "jetstream"))]
mod watcher_task;

#[cfg(feature = "jetstream")]
pub use jetstream::{JetStreamAdapterConfig, JetStreamBackend};
pub use memory::MemoryBackend;
#[cfg(feature = "net")]
pub use mesh::{MeshBackend, BUS_STREAM};
#[cfg(feature = "redis")]
pub use redis::{RedisAdapterConfig, RedisBackend};

use async_trait::async_trait;
use tokio::sync::Notify;

use super::block::EventBlock;
use super::event::{Event, StoredEvent};
use crate::error::Result;

/// What a [`Backend::read`] call found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadOutcome {
    /// The sequence to read next on this shard (one past the last event
    /// returned, or `from_sequence` if none was returned).
    pub next_sequence: u64,
    /// Whether events at or after `next_sequence` are already stored.
    pub has_more: bool,
}

/// What a backend that shares its log with mesh peers has exchanged with
/// them (zero for every other backend).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PeerTraffic {
    /// Events not delivered to a peer: refused when forwarded (the peer
    /// was gone), or still unacknowledged when the node shut down.
    pub forward_failures: u64,
    /// Events received from peers and stored in this node's log.
    pub remote_events: u64,
}

/// A per-shard, append-only, sequence-ordered event log.
///
/// Shards are `0..shards` of the bus that owns the backend. Sequences
/// appended to a shard strictly increase (gaps are allowed: dropped events).
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// Store `events` (in sequence order) in `shard`. On success the vector
    /// is drained (emptied, capacity kept: the batcher reuses it).
    async fn append(&self, shard: u16, events: &mut Vec<StoredEvent>) -> Result<()>;

    /// Store the events of `block` (contiguous sequences, in order) in
    /// `shard`; this is how the bus's drainers hand events over. The
    /// default cuts them into [`StoredEvent`]s sharing one copy of the
    /// payloads and calls [`append`](Self::append); a backend that can keep
    /// the block's layout overrides it (the memory backend does, and saves
    /// a reference count and 48 bytes per event).
    async fn append_block(&self, shard: u16, block: &EventBlock) -> Result<()> {
        let mut events = block.to_stored();
        self.append(shard, &mut events).await
    }

    /// Append up to `limit` events of `shard` with sequence >= `from_sequence`
    /// to `out`, in order. If `from_sequence` is older than the oldest
    /// retained event, reading starts at the oldest retained one.
    async fn read(&self, shard: u16, from_sequence: u64, limit: usize, out: &mut Vec<Event>) -> Result<ReadOutcome>;

    /// The sequence after the last one appended to `shard` (0 if none).
    fn tail(&self, shard: u16) -> u64;

    /// Where this node's producers start numbering `shard` (the sequences
    /// in receipts and in the blocks handed to [`append_block`](Self::append_block)).
    /// The default continues the log ([`tail`](Self::tail)). A backend that
    /// numbers its log itself (a server's stream ids) starts every process
    /// at 0, so a restarted producer that re-emits the same events in the
    /// same order writes them under the same dedup ids.
    fn producer_start(&self, shard: u16) -> u64 {
        self.tail(shard)
    }

    /// Signalled (`notify_waiters`) after every successful append, so
    /// subscribers can await new data: register with `notified()` +
    /// `enable()` before re-reading to avoid missing a signal.
    fn changed(&self) -> &Notify;

    /// What this backend exchanged with mesh peers; the default (every
    /// backend but the mesh's) is zero.
    fn peer_traffic(&self) -> PeerTraffic {
        PeerTraffic::default()
    }

    /// Release resources; called once by `Net::shutdown` after the final drain.
    async fn close(&self) -> Result<()> {
        Ok(())
    }
}
