//! Coalescing frames into datagrams.
//!
//! A [`Packer`] fills datagram buffers up to the configured size, leaving
//! room for the header in front and the tag behind; a frame that does not
//! fit starts the next datagram. Many small messages and acks therefore
//! share one datagram: one AEAD pass, one tag, one slot of a `sendmmsg`.

use super::frame::{encode_stream, Frame};
use super::packet::{HEADER_LEN, TAG_LEN};

/// Emptied datagram buffers a packer keeps for reuse: enough for a full
/// GSO batch, so a session's steady traffic allocates none.
const SPARE_BUFFERS: usize = 64;
/// Largest datagram size whose buffers are allocated whole.
const FULL_SIZE_UP_TO: usize = 16 * 1024;

/// Datagrams under construction for one peer.
pub struct Packer {
    max_datagram: usize,
    pub(crate) datagrams: Vec<Vec<u8>>,
    /// Buffers of datagrams already sent, cleared, ready for new frames.
    spare: Vec<Vec<u8>>,
    /// The list a flush moves ready datagrams into (kept for its capacity).
    batch: Vec<Vec<u8>>,
}

impl Packer {
    /// An empty packer for datagrams of at most `max_datagram` bytes.
    pub fn new(max_datagram: usize) -> Self {
        Self { max_datagram, datagrams: Vec::new(), spare: Vec::new(), batch: Vec::new() }
    }

    /// Take the datagrams that are ready to seal: all of them, or all but
    /// the last (still open for frames) when `keep_last`. Their buffers
    /// should come back through [`recycle`](Self::recycle).
    pub(crate) fn take_ready(&mut self, keep_last: bool) -> Vec<Vec<u8>> {
        let n = self.datagrams.len() - usize::from(keep_last && !self.datagrams.is_empty());
        let mut ready = std::mem::take(&mut self.batch);
        ready.extend(self.datagrams.drain(..n));
        ready
    }

    /// Datagrams no new frame will join (every one but the last).
    pub(crate) fn closed_datagrams(&self) -> usize {
        self.datagrams.len().saturating_sub(1)
    }

    /// Keep the buffers of sent datagrams for the next frames.
    pub(crate) fn recycle(&mut self, mut sent: Vec<Vec<u8>>) {
        for mut d in sent.drain(..) {
            if self.spare.len() < SPARE_BUFFERS {
                d.clear();
                self.spare.push(d);
            }
        }
        if sent.capacity() > self.batch.capacity() {
            self.batch = sent;
        }
    }

    /// The datagrams built so far (header space in front, no tag yet).
    pub fn datagrams_mut(&mut self) -> &mut Vec<Vec<u8>> {
        &mut self.datagrams
    }

    /// Whether no frame has been added.
    pub fn is_empty(&self) -> bool {
        self.datagrams.is_empty()
    }

    fn room(&mut self, need: usize) -> &mut Vec<u8> {
        let fits = self.datagrams.last().is_some_and(|d| d.len() + need + TAG_LEN <= self.max_datagram);
        if !fits {
            // Small first, grown as frames arrive: an ack must not cost a
            // 64 KiB allocation when datagrams may be that large.
            let mut d = self.spare.pop().unwrap_or_else(|| {
                // Datagrams up to 16 KiB get their full size at once (they
                // are reused, so a growing one would reallocate again and
                // again while the pool fills); larger ones start small, so
                // an ack does not cost 64 KiB.
                let size = if self.max_datagram <= FULL_SIZE_UP_TO { self.max_datagram } else { HEADER_LEN + need + TAG_LEN };
                Vec::with_capacity(size.max(1500).min(self.max_datagram))
            });
            d.resize(HEADER_LEN, 0);
            self.datagrams.push(d);
        }
        self.datagrams.last_mut().expect("just ensured")
    }

    /// Add a STREAM frame.
    #[inline]
    pub fn stream(&mut self, flags: u8, stream: u64, seq: u64, data: &[u8]) {
        let d = self.room(super::frame::STREAM_OVERHEAD + data.len());
        encode_stream(d, flags, stream, seq, data);
    }

    /// Add any other frame.
    pub fn frame(&mut self, frame: Frame<'_>) {
        let d = self.room(frame.encoded_len());
        frame.encode(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mesh::frame::{frames, STREAM_OVERHEAD};

    #[test]
    fn coalesces_until_full_then_starts_a_new_datagram() {
        let mut p = Packer::new(200);
        for i in 0..10u64 {
            p.stream(0, 1, i, &[7u8; 20]);
        }
        p.frame(Frame::Heartbeat);
        // (200 - 16 header - 16 tag) / 40 bytes per frame = 4 frames per datagram.
        let per = (200 - HEADER_LEN - TAG_LEN) / (STREAM_OVERHEAD + 20);
        assert_eq!(per, 4);
        assert_eq!(p.datagrams.len(), 3);
        let mut seqs = Vec::new();
        for d in &p.datagrams {
            assert!(d.len() + TAG_LEN <= 200);
            for f in frames(&d[HEADER_LEN..]) {
                if let Frame::Stream { seq, .. } = f.unwrap() {
                    seqs.push(seq);
                }
            }
        }
        assert_eq!(seqs, (0..10).collect::<Vec<_>>());
    }
}
