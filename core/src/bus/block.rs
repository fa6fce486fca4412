//! [`EventBlock`]: one round of a shard's events on their way to a backend.
//!
//! A drainer pops a run of contiguous sequences from a ring and lays their
//! payloads back to back in one buffer, with a timestamp and an end offset
//! per event. A backend that keeps that layout (the memory backend) stores
//! a round with three allocations and no per-event reference count; the
//! others get [`StoredEvent`]s cut from one shared copy (see
//! [`Backend::append_block`](super::Backend::append_block)).

use bytes::Bytes;

use super::event::StoredEvent;
use super::payload::Payload;

/// Events of one shard with contiguous sequences, payloads in one buffer.
#[derive(Debug, Default)]
pub struct EventBlock {
    first_sequence: u64,
    timestamps: Vec<u64>,
    /// `ends[i]` is one past the last byte of event `i` in `data`.
    ends: Vec<usize>,
    data: Vec<u8>,
}

impl EventBlock {
    /// Number of events.
    pub fn len(&self) -> usize {
        self.timestamps.len()
    }

    /// Whether the block holds no event.
    pub fn is_empty(&self) -> bool {
        self.timestamps.is_empty()
    }

    /// The sequence of the first event (the others follow it without gaps).
    pub fn first_sequence(&self) -> u64 {
        self.first_sequence
    }

    /// Event `i`: its sequence, timestamp and payload.
    pub fn get(&self, i: usize) -> Option<(u64, u64, &[u8])> {
        let ts = *self.timestamps.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some((self.first_sequence + i as u64, ts, &self.data[start..self.ends[i]]))
    }

    /// Every event as `(sequence, timestamp, payload)`, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (u64, u64, &[u8])> + '_ {
        (0..self.len()).map(|i| self.get(i).expect("index below len"))
    }

    /// The events as [`StoredEvent`]s sharing one copy of the payloads.
    pub fn to_stored(&self) -> Vec<StoredEvent> {
        let data = Bytes::copy_from_slice(&self.data);
        let mut start = 0;
        self.timestamps
            .iter()
            .zip(&self.ends)
            .enumerate()
            .map(|(i, (&timestamp, &end))| {
                let raw = data.slice(start..end);
                start = end;
                StoredEvent { sequence: self.first_sequence + i as u64, timestamp, raw }
            })
            .collect()
    }

    pub(crate) fn timestamps(&self) -> &[u64] {
        &self.timestamps
    }

    pub(crate) fn ends(&self) -> &[usize] {
        &self.ends
    }

    pub(crate) fn data(&self) -> &[u8] {
        &self.data
    }

    /// Append a popped event; `sequence` must follow the previous one.
    #[inline(always)]
    pub(crate) fn push(&mut self, sequence: u64, timestamp: u64, payload: Payload) {
        if self.timestamps.is_empty() {
            self.first_sequence = sequence;
        }
        debug_assert_eq!(sequence, self.first_sequence + self.timestamps.len() as u64, "a block's sequences are contiguous");
        match payload {
            Payload::Inline { len, data } => {
                let start = self.data.len();
                // Copy the whole fixed-size array (a few moves, no memcpy
                // call) and cut it back to the payload's length.
                self.data.extend_from_slice(&data);
                self.data.truncate(start + len as usize);
            }
            Payload::Shared(bytes) => self.data.extend_from_slice(&bytes),
        }
        self.timestamps.push(timestamp);
        self.ends.push(self.data.len());
    }

    /// Empty the block for the next round, keeping its buffers.
    pub(crate) fn clear(&mut self) {
        self.timestamps.clear();
        self.ends.clear();
        self.data.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::payload::INLINE_MAX;

    #[test]
    fn a_block_keeps_order_bytes_and_sequences() {
        let mut block = EventBlock::default();
        assert!(block.is_empty() && block.get(0).is_none());
        let big = vec![9u8; INLINE_MAX + 5];
        block.push(7, 70, Payload::copy_from(b"ab"));
        block.push(8, 80, Payload::copy_from(&big));
        block.push(9, 90, Payload::copy_from(b""));
        block.push(10, 100, Payload::from(Bytes::from_static(b"cde")));
        let got: Vec<(u64, u64, Vec<u8>)> = block.iter().map(|(s, t, p)| (s, t, p.to_vec())).collect();
        assert_eq!(
            got,
            [(7, 70, b"ab".to_vec()), (8, 80, big.clone()), (9, 90, vec![]), (10, 100, b"cde".to_vec())]
        );
        let stored = block.to_stored();
        assert_eq!(stored.iter().map(|e| (e.sequence, e.timestamp)).collect::<Vec<_>>(), [(7, 70), (8, 80), (9, 90), (10, 100)]);
        assert_eq!(&stored[1].raw[..], &big[..]);
        // Reused for the next round: nothing carried over.
        block.clear();
        block.push(11, 110, Payload::copy_from(b"z"));
        assert_eq!((block.len(), block.first_sequence(), block.get(0).unwrap().2), (1, 11, &b"z"[..]));
    }
}
