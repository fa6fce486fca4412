//! The in-memory backend: a bounded log per shard.
//!
//! A shard's log is a queue of chunks, one per drained round: the round's
//! payloads in one buffer, with a timestamp and an end offset per event
//! (about 16 bytes per event beside its payload). Storing a round costs
//! three allocations and evicting one three frees, with no reference count
//! per event; a log of per-event `Bytes` handles paid an atomic increment
//! to store each event and a decrement to evict it, and 48 bytes of
//! bookkeeping per event.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use bytes::Bytes;
use parking_lot::RwLock;
use tokio::sync::Notify;

use super::{Backend, ReadOutcome};
use crate::bus::block::EventBlock;
use crate::bus::event::{Event, EventId, StoredEvent};
use crate::error::{Result, SdkError};

/// Events with contiguous sequences sharing one payload buffer.
struct Chunk {
    first: u64,
    timestamps: Box<[u64]>,
    /// `ends[i]` is one past the last byte of event `i` in `data`.
    ends: Box<[usize]>,
    data: Bytes,
}

impl Chunk {
    fn len(&self) -> usize {
        self.timestamps.len()
    }

    /// One past the last sequence.
    fn end(&self) -> u64 {
        self.first + self.len() as u64
    }

    fn event(&self, shard: u16, i: usize) -> Event {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Event {
            id: EventId { shard, sequence: self.first + i as u64 },
            raw: self.data.slice(start..self.ends[i]),
            shard_id: shard,
            insertion_ts: self.timestamps[i],
        }
    }
}

#[derive(Default)]
struct Log {
    chunks: VecDeque<Chunk>,
    /// Events already evicted from the front chunk.
    skip: usize,
    /// Events retained.
    len: usize,
}

impl Log {
    fn push(&mut self, chunk: Chunk, retention: usize) {
        self.len += chunk.len();
        self.chunks.push_back(chunk);
        while self.len > retention {
            let excess = self.len - retention;
            let front = self.chunks.front().expect("a log holding events has a chunk");
            let remaining = front.len() - self.skip;
            if remaining <= excess {
                self.chunks.pop_front();
                self.skip = 0;
                self.len -= remaining;
            } else {
                self.skip += excess;
                self.len -= excess;
            }
        }
    }

    /// The first retained sequence at or after `from`: (chunk, index).
    fn seek(&self, from: u64) -> Option<(usize, usize)> {
        let c = self.chunks.partition_point(|c| c.end() <= from);
        let chunk = self.chunks.get(c)?;
        let oldest = if c == 0 { self.skip } else { 0 };
        let i = (from.saturating_sub(chunk.first) as usize).max(oldest);
        Some((c, i))
    }
}

struct ShardLog {
    log: RwLock<Log>,
    // Readable without the lock: `tail()` is called by subscribe and stats.
    tail: AtomicU64,
}

/// Keeps the newest `retention` events of each shard in memory.
///
/// Reads take a shared lock and hand out slices of the stored buffers (an
/// atomic increment each), never copies; appends take the write lock once
/// per batch.
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
            .map(|_| ShardLog { log: RwLock::new(Log::default()), tail: AtomicU64::new(0) })
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
        self.log(shard).map(|l| l.log.read().len).unwrap_or(0)
    }

    /// Whether `shard` retains no events.
    pub fn is_empty(&self, shard: u16) -> bool {
        self.len(shard) == 0
    }

    fn store(&self, shard: u16, chunks: impl IntoIterator<Item = Chunk>) -> Result<()> {
        let log = self.log(shard)?;
        {
            let mut q = log.log.write();
            let mut last = None;
            for chunk in chunks {
                last = Some(chunk.end());
                q.push(chunk, self.retention);
            }
            let Some(tail) = last else { return Ok(()) };
            log.tail.store(tail, Ordering::Release);
        }
        self.changed.notify_waiters();
        Ok(())
    }
}

/// The runs of contiguous sequences in `events`, each as one chunk.
fn chunks_of(events: &[StoredEvent]) -> impl Iterator<Item = Chunk> + '_ {
    let mut rest = events;
    std::iter::from_fn(move || {
        let first = rest.first()?.sequence;
        let run = rest.iter().enumerate().take_while(|(i, e)| e.sequence == first + *i as u64).count();
        let (this, next) = rest.split_at(run);
        rest = next;
        let mut data = Vec::with_capacity(this.iter().map(|e| e.raw.len()).sum());
        let ends = this
            .iter()
            .map(|e| {
                data.extend_from_slice(&e.raw);
                data.len()
            })
            .collect();
        Some(Chunk { first, timestamps: this.iter().map(|e| e.timestamp).collect(), ends, data: Bytes::from(data) })
    })
}

#[async_trait]
impl Backend for MemoryBackend {
    async fn append(&self, shard: u16, events: &mut Vec<StoredEvent>) -> Result<()> {
        self.store(shard, chunks_of(events))?;
        events.clear();
        Ok(())
    }

    async fn append_block(&self, shard: u16, block: &EventBlock) -> Result<()> {
        if block.is_empty() {
            return Ok(());
        }
        self.store(
            shard,
            [Chunk {
                first: block.first_sequence(),
                timestamps: block.timestamps().into(),
                ends: block.ends().into(),
                data: Bytes::copy_from_slice(block.data()),
            }],
        )
    }

    async fn read(&self, shard: u16, from_sequence: u64, limit: usize, out: &mut Vec<Event>) -> Result<ReadOutcome> {
        let log = self.log(shard)?;
        let q = log.log.read();
        let Some((mut c, mut i)) = q.seek(from_sequence) else {
            return Ok(ReadOutcome { next_sequence: from_sequence, has_more: false });
        };
        let mut next_sequence = from_sequence;
        let mut taken = 0;
        while taken < limit {
            let Some(chunk) = q.chunks.get(c) else { break };
            let n = (chunk.len() - i).min(limit - taken);
            out.reserve(n);
            out.extend((i..i + n).map(|k| chunk.event(shard, k)));
            taken += n;
            next_sequence = chunk.first + (i + n) as u64;
            i += n;
            if i == chunk.len() {
                c += 1;
                i = 0;
            }
        }
        let has_more = c < q.chunks.len();
        Ok(ReadOutcome { next_sequence, has_more })
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

    #[tokio::test]
    async fn gaps_split_chunks_and_retention_cuts_inside_one() {
        let b = MemoryBackend::new(1, 5);
        // 0, 1, 2, then a gap (3 and 4 dropped), then 5, 6, 7.
        let mut batch: Vec<_> = [0, 1, 2, 5, 6, 7].into_iter().map(ev).collect();
        b.append(0, &mut batch).await.unwrap();
        assert_eq!((b.len(0), b.tail(0)), (5, 8));
        let mut out = Vec::new();
        let r = b.read(0, 0, 100, &mut out).await.unwrap();
        assert_eq!(out.iter().map(|e| e.id.sequence).collect::<Vec<_>>(), vec![1, 2, 5, 6, 7]);
        assert_eq!(r, ReadOutcome { next_sequence: 8, has_more: false });
        // From inside the gap: starts at the next stored event.
        out.clear();
        let r = b.read(0, 3, 2, &mut out).await.unwrap();
        assert_eq!(out.iter().map(|e| e.id.sequence).collect::<Vec<_>>(), vec![5, 6]);
        assert_eq!(r, ReadOutcome { next_sequence: 7, has_more: true });
        assert_eq!(&out[0].raw[..], b"5");
    }

    #[tokio::test]
    async fn a_drained_block_is_stored_whole() {
        use crate::bus::payload::Payload;
        let b = MemoryBackend::new(1, 3);
        let mut block = EventBlock::default();
        for s in 10..14u64 {
            block.push(s, s * 10, Payload::copy_from(s.to_string().as_bytes()));
        }
        b.append_block(0, &block).await.unwrap();
        b.append_block(0, &EventBlock::default()).await.unwrap();
        assert_eq!((b.len(0), b.tail(0)), (3, 14));
        let mut out = Vec::new();
        b.read(0, 0, 10, &mut out).await.unwrap();
        let got: Vec<(u64, u64, String)> =
            out.iter().map(|e| (e.id.sequence, e.insertion_ts, e.raw_str().into_owned())).collect();
        assert_eq!(got, [(11, 110, "11".into()), (12, 120, "12".into()), (13, 130, "13".into())]);
    }
}
