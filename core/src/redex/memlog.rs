//! The in-memory copy of a file's retained records.
//!
//! Payloads are packed into large chunks instead of one allocation per
//! record: an 8-byte append then costs a copy into the open chunk, and a
//! read of a sealed chunk is a reference-counted slice, not a copy. Every
//! record (memory or disk file) lives here while retained; the disk
//! segments are the durable copy it is rebuilt from on open.

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};

use super::RedexEvent;

/// Size of a payload chunk; a larger payload gets a chunk of its own size.
const CHUNK: usize = 1 << 20;

#[derive(Debug, Clone, Copy)]
struct Entry {
    /// Position of the payload in the file's logical byte stream.
    pos: u64,
    len: u32,
    ts_nanos: u64,
}

pub(crate) struct MemLog {
    /// Seq of `entries[0]`; equals `next_seq` when nothing is retained.
    first_seq: u64,
    entries: VecDeque<Entry>,
    /// Filled chunks, each with the logical position of its first byte.
    sealed: VecDeque<(u64, Bytes)>,
    /// The chunk being filled, starting at `active_base`.
    active: BytesMut,
    active_base: u64,
    /// Payload bytes of the retained records.
    bytes: u64,
}

impl MemLog {
    /// An empty log whose next record gets `next_seq`.
    pub fn new(next_seq: u64) -> Self {
        Self {
            first_seq: next_seq,
            entries: VecDeque::new(),
            sealed: VecDeque::new(),
            active: BytesMut::new(),
            active_base: 0,
            bytes: 0,
        }
    }

    pub fn first_seq(&self) -> u64 {
        self.first_seq
    }

    pub fn next_seq(&self) -> u64 {
        self.first_seq + self.entries.len() as u64
    }

    pub fn len(&self) -> u64 {
        self.entries.len() as u64
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Payload length and timestamp of the `i`-th oldest retained record.
    pub fn entry(&self, i: u64) -> Option<(u64, u64)> {
        self.entries.get(i as usize).map(|e| (e.len as u64, e.ts_nanos))
    }

    /// Append a record; returns its seq.
    #[inline]
    pub fn push(&mut self, payload: &[u8], ts_nanos: u64) -> u64 {
        if self.active.capacity() - self.active.len() < payload.len() {
            self.new_chunk(payload.len());
        }
        let pos = self.active_base + self.active.len() as u64;
        self.active.extend_from_slice(payload);
        self.entries.push_back(Entry { pos, len: payload.len() as u32, ts_nanos });
        self.bytes += payload.len() as u64;
        self.next_seq() - 1
    }

    #[cold]
    fn new_chunk(&mut self, at_least: usize) {
        let end = self.active_base + self.active.len() as u64;
        if !self.active.is_empty() {
            // `split` hands the written bytes over without copying them.
            self.sealed.push_back((self.active_base, self.active.split().freeze()));
        }
        self.active = BytesMut::with_capacity(CHUNK.max(at_least));
        self.active_base = end;
    }

    /// Forget the `n` oldest records.
    pub fn evict_front(&mut self, n: u64) {
        for _ in 0..n {
            match self.entries.pop_front() {
                Some(e) => {
                    self.bytes -= e.len as u64;
                    self.first_seq += 1;
                }
                None => break,
            }
        }
        match self.entries.front() {
            Some(first) => {
                let keep_from = first.pos;
                while self.sealed.front().is_some_and(|(base, b)| base + b.len() as u64 <= keep_from) {
                    self.sealed.pop_front();
                }
            }
            None => {
                self.sealed.clear();
                self.active_base += self.active.len() as u64;
                self.active.clear();
            }
        }
    }

    /// Append the retained records with seq in `[from, to)` to `out`, at
    /// most `limit` of them; returns how many were added.
    pub fn read_into(&self, from: u64, to: u64, limit: usize, out: &mut VecDeque<RedexEvent>) -> usize {
        let from = from.max(self.first_seq);
        let to = to.min(self.next_seq());
        if from >= to {
            return 0;
        }
        let count = ((to - from) as usize).min(limit);
        let start = (from - self.first_seq) as usize;
        // Chunks are found once and then walked alongside the entries.
        let mut chunk = self.sealed.partition_point(|(base, _)| *base <= self.entries[start].pos).saturating_sub(1);
        for (i, e) in self.entries.range(start..start + count).enumerate() {
            let payload = if e.pos >= self.active_base {
                let off = (e.pos - self.active_base) as usize;
                Bytes::copy_from_slice(&self.active[off..off + e.len as usize])
            } else {
                while {
                    let (base, b) = &self.sealed[chunk];
                    e.pos >= base + b.len() as u64
                } {
                    chunk += 1;
                }
                let (base, b) = &self.sealed[chunk];
                let off = (e.pos - base) as usize;
                b.slice(off..off + e.len as usize)
            };
            out.push_back(RedexEvent { seq: from + i as u64, timestamp_nanos: e.ts_nanos, payload });
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(log: &MemLog, from: u64, to: u64) -> Vec<(u64, Vec<u8>)> {
        let mut out = VecDeque::new();
        log.read_into(from, to, usize::MAX, &mut out);
        out.into_iter().map(|e| (e.seq, e.payload.to_vec())).collect()
    }

    #[test]
    fn records_span_chunks_and_survive_eviction() {
        let mut log = MemLog::new(10);
        let big = vec![7u8; CHUNK - 3];
        assert_eq!(log.push(b"abcd", 1), 10);
        assert_eq!(log.push(&big, 2), 11);
        assert_eq!(log.push(b"xyz", 3), 12);
        let huge = vec![9u8; CHUNK * 2];
        assert_eq!(log.push(&huge, 4), 13);
        assert_eq!(log.push(b"tail", 5), 14);
        assert_eq!(log.len(), 5);
        let all = read(&log, 0, u64::MAX);
        assert_eq!(all.iter().map(|r| r.0).collect::<Vec<_>>(), vec![10, 11, 12, 13, 14]);
        assert_eq!(all[0].1, b"abcd");
        assert_eq!(all[1].1, big);
        assert_eq!(all[3].1, huge);
        assert_eq!(read(&log, 12, 13), vec![(12, b"xyz".to_vec())]);
        log.evict_front(2);
        assert_eq!(log.first_seq(), 12);
        assert_eq!(log.bytes(), 3 + huge.len() as u64 + 4);
        assert_eq!(read(&log, 0, 100).len(), 3);
        log.evict_front(10);
        assert_eq!((log.first_seq(), log.next_seq(), log.len(), log.bytes()), (15, 15, 0, 0));
        assert_eq!(log.push(b"again", 6), 15);
        assert_eq!(read(&log, 0, 100), vec![(15, b"again".to_vec())]);
    }
}
