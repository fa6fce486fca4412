//! The in-memory backend: a bounded log per shard.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use parking_lot::RwLock;
use tokio::sync::Notify;

use super::{Backend, ReadOutcome};
use crate::bus::event::{Event, EventId, StoredEvent};
use crate::error::{Result, SdkError};

struct ShardLog {
    events: RwLock<VecDeque<StoredEvent>>,
    // Readable without the lock: `tail()` is called by subscribe and stats.
    tail: AtomicU64,
}

/// Keeps the newest `retention` events of each shard in memory.
///
/// Reads take a shared lock and clone `Bytes` handles (an atomic increment
/// each), never payloads; appends take the write lock once per batch.
pub struct MemoryBackend {
    shards: Box<[ShardLog]>,
    retention: usize,
    changed: Notify,
}

impl MemoryBackend {
    /// A backend for `shards` shards keeping at most `retention` events each
    /// (oldest evicted first).
    pub fn new(shards: u16, retention: usize) -> Self {
        let shards = (0..shards)
            .map(|_| ShardLog { events: RwLock::new(VecDeque::new()), tail: AtomicU64::new(0) })
            .collect();
        Self { shards, retention: retention.max(1), changed: Notify::new() }
    }

    fn log(&self, shard: u16) -> Result<&ShardLog> {
        self.shards
            .get(shard as usize)
            .ok_or_else(|| SdkError::Backend(format!("memory backend has no shard {shard}")))
    }

    /// Events currently retained in `shard` (0 for an unknown shard).
    pub fn len(&self, shard: u16) -> usize {
        self.log(shard).map(|l| l.events.read().len()).unwrap_or(0)
    }

    /// Whether `shard` retains no events.
    pub fn is_empty(&self, shard: u16) -> bool {
        self.len(shard) == 0
    }
}

#[async_trait]
impl Backend for MemoryBackend {
    async fn append(&self, shard: u16, events: &mut Vec<StoredEvent>) -> Result<()> {
        let log = self.log(shard)?;
        let Some(last) = events.last().map(|e| e.sequence) else { return Ok(()) };
        {
            let mut q = log.events.write();
            // Evict before pushing so the deque never grows past retention.
            let excess = (q.len() + events.len()).saturating_sub(self.retention);
            let from_old = excess.min(q.len());
            q.drain(..from_old);
            // If the batch alone exceeds retention, only its newest part is kept.
            let skip = excess - from_old;
            q.extend(events.drain(..).skip(skip));
            log.tail.store(last + 1, Ordering::Release);
        }
        self.changed.notify_waiters();
        Ok(())
    }

    async fn read(&self, shard: u16, from_sequence: u64, limit: usize, out: &mut Vec<Event>) -> Result<ReadOutcome> {
        let log = self.log(shard)?;
        let q = log.events.read();
        // Sequences are sorted: binary search instead of scanning.
        let start = q.partition_point(|e| e.sequence < from_sequence);
        let end = start + limit.min(q.len() - start);
        out.reserve(end - start);
        let (a, b) = q.as_slices();
        let mut push = |e: &StoredEvent| {
            out.push(Event {
                id: EventId { shard, sequence: e.sequence },
                raw: e.raw.clone(),
                shard_id: shard,
                insertion_ts: e.timestamp,
            })
        };
        // Slice iteration (not VecDeque::range) keeps the copy loop tight.
        if start < a.len() {
            a[start..end.min(a.len())].iter().for_each(&mut push);
        }
        if end > a.len() {
            b[start.saturating_sub(a.len())..end - a.len()].iter().for_each(&mut push);
        }
        let next_sequence = if end > start { q[end - 1].sequence + 1 } else { from_sequence };
        Ok(ReadOutcome { next_sequence, has_more: end < q.len() })
    }

    fn tail(&self, shard: u16) -> u64 {
        self.log(shard).map(|l| l.tail.load(Ordering::Acquire)).unwrap_or(0)
    }

    fn changed(&self) -> &Notify {
        &self.changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn ev(seq: u64) -> StoredEvent {
        StoredEvent { sequence: seq, timestamp: seq * 10, raw: Bytes::from(seq.to_string()) }
    }

    #[tokio::test]
    async fn append_read_and_retention() {
        let b = MemoryBackend::new(2, 5);
        let mut batch: Vec<_> = (0..4).map(ev).collect();
        b.append(1, &mut batch).await.unwrap();
        assert!(batch.is_empty());
        assert_eq!(b.tail(1), 4);
        assert_eq!(b.tail(0), 0);
        let mut batch: Vec<_> = (4..8).map(ev).collect();
        b.append(1, &mut batch).await.unwrap();
        assert_eq!(b.len(1), 5);
        let mut out = Vec::new();
        // From an evicted sequence: starts at the oldest retained (3).
        let r = b.read(1, 0, 2, &mut out).await.unwrap();
        assert_eq!(out.iter().map(|e| e.id.sequence).collect::<Vec<_>>(), vec![3, 4]);
        assert_eq!(r, ReadOutcome { next_sequence: 5, has_more: true });
        assert_eq!(out[0].insertion_ts, 30);
        assert_eq!(out[0].shard_id, 1);
        out.clear();
        let r = b.read(1, 5, 100, &mut out).await.unwrap();
        assert_eq!(out.len(), 3);
        assert_eq!(r, ReadOutcome { next_sequence: 8, has_more: false });
        out.clear();
        let r = b.read(1, 8, 100, &mut out).await.unwrap();
        assert_eq!((out.len(), r.next_sequence), (0, 8));
        // A batch larger than retention keeps only its newest part.
        let mut batch: Vec<_> = (8..20).map(ev).collect();
        b.append(1, &mut batch).await.unwrap();
        let r = b.read(1, 0, 100, &mut out).await.unwrap();
        assert_eq!(out.iter().map(|e| e.id.sequence).collect::<Vec<_>>(), vec![15, 16, 17, 18, 19]);
        assert_eq!(r.next_sequence, 20);
        assert_eq!(b.read(7, 0, 1, &mut out).await.unwrap_err().kind(), "backend");
    }

    #[tokio::test]
    async fn reads_across_the_deque_wrap() {
        let b = MemoryBackend::new(1, 4);
        for s in 0..11 {
            b.append(0, &mut vec![ev(s)]).await.unwrap();
        }
        let mut out = Vec::new();
        b.read(0, 8, 10, &mut out).await.unwrap();
        assert_eq!(out.iter().map(|e| e.id.sequence).collect::<Vec<_>>(), vec![8, 9, 10]);
        out.clear();
        b.read(0, 0, 10, &mut out).await.unwrap();
        assert_eq!(out.iter().map(|e| e.id.sequence).collect::<Vec<_>>(), vec![7, 8, 9, 10]);
    }
}
