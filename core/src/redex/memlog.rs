//! The in-memory copy of a file's retained records.
//!
//! Payloads are packed into large chunks instead of one allocation per
//! record: an 8-byte append then costs a copy into the open chunk, and a
//! read of a sealed chunk is a reference-counted slice, not a copy. Every
//! record (memory or disk file) lives here while retained; the disk
//! segments are the durable copy it is rebuilt from on open.

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};

use super::prefault::Prefetch;
use super::RedexEvent;

/// Size of a payload chunk; a larger payload gets a chunk of its own size.
/// Two transparent huge pages (see [`fresh_chunk`]).
const CHUNK: usize = 4 << 20;
/// A log's first chunk, in ordinary pages: a huge page is 2 MiB of memory
/// at the first write, too much for each of many small logs (a model's
/// file, a quiet channel). A log that outgrows it gets huge-page chunks.
const FIRST_CHUNK: usize = 64 << 10;
/// The transparent huge page size with 4 KiB base pages (x86-64, aarch64).
const HUGE_PAGE: usize = 2 << 20;

/// An empty chunk of `capacity` bytes starting on a 2 MiB boundary, its
/// whole-huge-page part marked for transparent huge pages.
///
/// Filling chunks is the hot path of a growing log. On 4 KiB pages the
/// kernel faults in and zeroes a page every 4 KiB written, which was most
/// of the cost of a 1 KiB append; a huge page costs one fault per 2 MiB.
/// The allocation is over-sized by one huge page and split at the
/// boundary: the unused head is address space only, never touched. Where
/// the kernel gives no huge pages the advice changes nothing.
pub(crate) fn fresh_chunk(capacity: usize) -> BytesMut {
    let mut whole = BytesMut::with_capacity(capacity + HUGE_PAGE);
    let skip = whole.as_ptr().align_offset(HUGE_PAGE).min(HUGE_PAGE);
    let mut chunk = whole.split_off(skip);
    drop(chunk.split_off(capacity));
    drop(whole);
    #[cfg(target_os = "linux")]
    {
        let huge = capacity & !(HUGE_PAGE - 1);
        if huge > 0 && chunk.as_ptr().align_offset(HUGE_PAGE) == 0 {
            // SAFETY: the range is inside the allocation this chunk owns;
            // MADV_HUGEPAGE changes how it is backed, never its contents.
            unsafe {
                libc::madvise(chunk.as_mut_ptr().cast(), huge, libc::MADV_HUGEPAGE);
            }
        }
    }
    chunk
}

/// One retained record: 16 bytes. Payloads are contiguous in the logical
/// byte stream, so a record's length is the next record's `pos` minus its
/// own (the newest one's ends at the stream's end).
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// Position of the payload in the file's logical byte stream.
    pos: u64,
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
    /// A chunk retention freed, kept for the next `new_chunk` so a file
    /// that evicts as fast as it appends reuses memory that is already
    /// faulted in instead of touching fresh pages.
    spare: Option<BytesMut>,
    /// The next standard chunk, faulted in by the background worker while
    /// this one fills (see `prefault`).
    prefetch: Prefetch,
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
            spare: None,
            prefetch: Prefetch::default(),
            bytes: 0,
        }
    }

    /// End of the logical byte stream (one past the newest payload byte).
    #[inline]
    fn end(&self) -> u64 {
        self.active_base + self.active.len() as u64
    }

    /// Payload length of `entries[i]`, which must exist.
    #[inline]
    fn len_at(&self, i: usize) -> u64 {
        let next = self.entries.get(i + 1).map_or_else(|| self.end(), |e| e.pos);
        next - self.entries[i].pos
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
        let i = usize::try_from(i).ok()?;
        self.entries.get(i).map(|e| (self.len_at(i), e.ts_nanos))
    }

    /// Append a record; returns its seq.
    #[inline]
    pub fn push(&mut self, payload: &[u8], ts_nanos: u64) -> u64 {
        let room = self.active.capacity() - self.active.len();
        if room < payload.len() {
            self.new_chunk(payload.len());
        } else if room < CHUNK / 2 && self.active.capacity() >= CHUNK && self.spare.is_none() {
            // Past half of a standard chunk (never the small first one): a
            // log this large will want the next, so have it faulted in.
            self.prefetch.request(CHUNK);
        }
        let pos = self.end();
        self.active.extend_from_slice(payload);
        self.entries.push_back(Entry { pos, ts_nanos });
        self.bytes += payload.len() as u64;
        self.next_seq() - 1
    }

    #[cold]
    fn new_chunk(&mut self, at_least: usize) {
        let end = self.end();
        let fresh = match self.spare.take().or_else(|| self.prefetch.take(at_least)) {
            Some(spare) if spare.capacity() >= at_least => spare,
            _ if end == 0 && at_least <= FIRST_CHUNK => BytesMut::with_capacity(FIRST_CHUNK),
            _ => fresh_chunk(CHUNK.max(at_least)),
        };
        let full = std::mem::replace(&mut self.active, fresh);
        if !full.is_empty() {
            // `freeze` hands the written bytes over without copying them.
            self.sealed.push_back((self.active_base, full.freeze()));
        }
        self.active_base = end;
    }

    /// Keep `chunk` (a sealed chunk retention dropped) as the spare if no
    /// reader still holds a slice of it and it is a standard chunk.
    fn recycle(&mut self, chunk: Bytes) {
        if self.spare.is_some() || chunk.len() > CHUNK {
            return;
        }
        if let Ok(mut buf) = chunk.try_into_mut() {
            buf.clear();
            if buf.capacity() >= CHUNK {
                self.spare = Some(buf);
            }
        }
    }

    /// Forget the `n` oldest records.
    pub fn evict_front(&mut self, n: u64) {
        let n = n.min(self.len()) as usize;
        if n == 0 {
            return;
        }
        let old_start = self.entries[0].pos;
        self.entries.drain(..n);
        self.first_seq += n as u64;
        match self.entries.front() {
            Some(first) => {
                let keep_from = first.pos;
                self.bytes -= keep_from - old_start;
                while self.sealed.front().is_some_and(|(base, b)| base + b.len() as u64 <= keep_from) {
                    let (_, chunk) = self.sealed.pop_front().expect("checked non-empty");
                    self.recycle(chunk);
                }
            }
            None => {
                self.bytes = 0;
                while let Some((_, chunk)) = self.sealed.pop_front() {
                    self.recycle(chunk);
                }
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
        let mut entries = self.entries.range(start..start + count).peekable();
        let mut seq = from;
        while let Some(e) = entries.next() {
            // The record ends where the next one (read or not) starts.
            let end = match entries.peek() {
                Some(next) => next.pos,
                None => self.entries.get(start + count).map_or_else(|| self.end(), |n| n.pos),
            };
            let len = (end - e.pos) as usize;
            let payload = if e.pos >= self.active_base {
                let off = (e.pos - self.active_base) as usize;
                Bytes::copy_from_slice(&self.active[off..off + len])
            } else {
                while {
                    let (base, b) = &self.sealed[chunk];
                    e.pos >= base + b.len() as u64
                } {
                    chunk += 1;
                }
                let (base, b) = &self.sealed[chunk];
                let off = (e.pos - base) as usize;
                b.slice(off..off + len)
            };
            out.push_back(RedexEvent { seq, timestamp_nanos: e.ts_nanos, payload });
            seq += 1;
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

    #[test]
    fn evicted_chunks_are_reused_unless_a_reader_holds_them() {
        let mut log = MemLog::new(0);
        let rec = vec![1u8; CHUNK / 4];
        for i in 0..8u64 {
            log.push(&rec, i); // four records fill a chunk
        }
        assert_eq!(log.sealed.len(), 1);
        let sealed_ptr = log.sealed[0].1.as_ptr();
        // A reader holds a slice of the sealed chunk: eviction may not reuse it.
        let mut held = VecDeque::new();
        log.read_into(0, 1, 1, &mut held);
        log.evict_front(4);
        assert!(log.spare.is_none());
        assert_eq!(held[0].payload, rec);
        // Without readers the evicted chunk becomes the spare, and the next
        // chunk is that memory.
        log.push(&[2u8; 10], 8);
        let next_sealed = log.sealed.back().unwrap().1.as_ptr();
        log.evict_front(4);
        assert!(log.spare.is_some());
        assert_eq!(log.bytes(), 10);
        let before = log.spare.as_ref().unwrap().as_ptr();
        assert_eq!(before, next_sealed);
        for i in 0..4u64 {
            log.push(&[3u8; 1000], 100 + i);
        }
        while log.spare.is_some() {
            log.push(&rec, 200);
        }
        assert_ne!(sealed_ptr, before);
        assert_eq!(log.active.as_ptr(), before);
        // Contents read back intact across all of it.
        let all = read(&log, 0, u64::MAX);
        assert_eq!(all.len() as u64, log.len());
        assert_eq!(all.iter().map(|r| r.1.len() as u64).sum::<u64>(), log.bytes());
        assert_eq!(all[0].1, vec![2u8; 10]);
        assert_eq!(all.last().unwrap().1, rec);
    }

    #[test]
    fn lengths_follow_from_positions() {
        let mut log = MemLog::new(0);
        for (i, n) in [0usize, 5, 0, 7, CHUNK, 3].into_iter().enumerate() {
            log.push(&vec![i as u8; n], i as u64);
        }
        let lens: Vec<u64> = (0..6).map(|i| log.entry(i).unwrap().0).collect();
        assert_eq!(lens, vec![0, 5, 0, 7, CHUNK as u64, 3]);
        assert_eq!(log.bytes(), 15 + CHUNK as u64);
        let all = read(&log, 0, u64::MAX);
        for (i, (seq, p)) in all.iter().enumerate() {
            assert_eq!(*seq, i as u64);
            assert_eq!(p.len() as u64, lens[i]);
            assert!(p.iter().all(|b| *b == i as u8));
        }
        log.evict_front(2);
        assert_eq!(log.bytes(), 10 + CHUNK as u64);
        assert_eq!(read(&log, 3, 4), vec![(3, vec![3u8; 7])]);
    }

    #[test]
    fn a_small_log_stays_in_ordinary_pages_and_a_growing_one_gets_aligned_chunks() {
        let mut log = MemLog::new(0);
        log.push(b"first", 1);
        assert_eq!(log.active.capacity(), FIRST_CHUNK);
        let rec = vec![5u8; 1000];
        while log.sealed.is_empty() {
            log.push(&rec, 2);
        }
        assert_eq!(log.active.capacity(), CHUNK);
        assert_eq!(log.active.as_ptr().align_offset(HUGE_PAGE), 0, "huge-page chunks start on a 2 MiB boundary");
        let all = read(&log, 0, u64::MAX);
        assert_eq!(all[0].1, b"first");
        assert!(all[1..].iter().all(|r| r.1 == rec));
        assert_eq!(all.iter().map(|r| r.1.len() as u64).sum::<u64>(), log.bytes());
    }
}
