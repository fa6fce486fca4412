//! [`CausalEvent`], [`CausalLink`], [`ChainHead`] and the chain check
//! [`verify_chain`] / [`verify_chain_from`].
//!
//! Every output of a daemon is wrapped in a fresh link: the daemon's origin
//! hash, a sequence that grows by one from 1, and the blake3 hash of the
//! previous link (for sequence 1, a genesis hash derived from the origin).
//! A link's hash covers its origin, sequence, parent hash and payload, so
//! altering any of them, or dropping an event, breaks the next link.

use bytes::Bytes;

use super::error::ChainError;

const GENESIS_DOMAIN: &[u8] = b"net.compute.chain.genesis.v1";
const LINK_DOMAIN: &[u8] = b"net.compute.chain.link.v1";

/// Where an event sits in its origin's causal chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CausalLink {
    /// 64-bit origin hash of the emitting entity.
    pub origin_hash: u64,
    /// Position in the origin's chain, from 1.
    pub sequence: u64,
    /// blake3 hash of the previous link (the genesis hash for sequence 1);
    /// all zero on an event that was not produced by a chain (ingress).
    pub parent_hash: [u8; 32],
}

/// One event: its link and its payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CausalEvent {
    /// Its place in the origin's chain.
    pub link: CausalLink,
    /// Opaque payload bytes.
    pub payload: Bytes,
}

impl CausalEvent {
    /// An ingress event: `origin_hash` and `sequence` as given, no parent
    /// (the parent hash is all zero). Daemon outputs carry real links.
    pub fn new(origin_hash: u64, sequence: u64, payload: Bytes) -> Self {
        CausalEvent { link: CausalLink { origin_hash, sequence, parent_hash: [0; 32] }, payload }
    }

    /// The emitting entity's origin hash.
    pub fn origin_hash(&self) -> u64 {
        self.link.origin_hash
    }

    /// The sequence number in the emitter's chain.
    pub fn sequence(&self) -> u64 {
        self.link.sequence
    }

    /// This event's link hash: what the next event's `parent_hash` must be.
    pub fn hash(&self) -> [u8; 32] {
        link_hash(&self.link, &self.payload)
    }
}

/// The end of a chain: the last link's origin, sequence and hash. A fresh
/// chain's head is [`ChainHead::genesis`]; snapshots carry the head so a
/// restored daemon continues its chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChainHead {
    /// The chain's origin hash.
    pub origin_hash: u64,
    /// The last sequence emitted (0 before the first).
    pub sequence: u64,
    /// The last link's hash (the genesis hash before the first).
    pub hash: [u8; 32],
}

impl ChainHead {
    /// The head of an empty chain of `origin_hash`.
    pub fn genesis(origin_hash: u64) -> Self {
        let mut h = blake3::Hasher::new();
        h.update(GENESIS_DOMAIN);
        h.update(&origin_hash.to_le_bytes());
        ChainHead { origin_hash, sequence: 0, hash: *h.finalize().as_bytes() }
    }

    /// Append `payload`: the new event, with the head moved past it.
    pub fn append(&mut self, payload: Bytes) -> CausalEvent {
        self.sequence += 1;
        let link = CausalLink { origin_hash: self.origin_hash, sequence: self.sequence, parent_hash: self.hash };
        self.hash = link_hash(&link, &payload);
        CausalEvent { link, payload }
    }
}

/// Bytes hashed before the payload: domain, origin, sequence, parent, length.
const LINK_FIXED: usize = LINK_DOMAIN.len() + 8 + 8 + 32 + 8;
/// Inputs up to this size are hashed from one stack buffer in one call.
const LINK_BUF: usize = 256;

fn link_hash(link: &CausalLink, payload: &[u8]) -> [u8; 32] {
    let len = (payload.len() as u64).to_le_bytes();
    let parts: [&[u8]; 5] =
        [LINK_DOMAIN, &link.origin_hash.to_le_bytes(), &link.sequence.to_le_bytes(), &link.parent_hash, &len];
    if LINK_FIXED + payload.len() <= LINK_BUF {
        // One contiguous input: the one-shot hash is cheaper than the
        // incremental hasher for the small payloads most events carry.
        let mut buf = [0u8; LINK_BUF];
        let mut n = 0;
        for p in parts.iter().chain(std::iter::once(&payload)) {
            buf[n..n + p.len()].copy_from_slice(p);
            n += p.len();
        }
        return *blake3::hash(&buf[..n]).as_bytes();
    }
    let mut h = blake3::Hasher::new();
    for p in parts {
        h.update(p);
    }
    h.update(payload);
    *h.finalize().as_bytes()
}

/// Check that `events` are a chain of `origin_hash` starting at its first
/// event (sequence 1, parent = the genesis hash).
pub fn verify_chain(origin_hash: u64, events: &[CausalEvent]) -> Result<ChainHead, ChainError> {
    verify_chain_from(ChainHead::genesis(origin_hash), events)
}

/// Check that `events` continue the chain whose head is `head` (for a
/// segment after a snapshot). Returns the head after the last event.
pub fn verify_chain_from(mut head: ChainHead, events: &[CausalEvent]) -> Result<ChainHead, ChainError> {
    for (index, ev) in events.iter().enumerate() {
        if ev.link.origin_hash != head.origin_hash {
            return Err(ChainError::OriginMismatch { index, expected: head.origin_hash, found: ev.link.origin_hash });
        }
        let expected = head.sequence + 1;
        if ev.link.sequence != expected {
            return Err(ChainError::SequenceGap { index, expected, found: ev.link.sequence });
        }
        if ev.link.parent_hash != head.hash {
            return Err(ChainError::ParentMismatch { index });
        }
        head = ChainHead { origin_hash: head.origin_hash, sequence: expected, hash: ev.hash() };
    }
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize) -> Vec<CausalEvent> {
        let mut head = ChainHead::genesis(7);
        (0..n).map(|i| head.append(Bytes::from(vec![i as u8; 3]))).collect()
    }

    #[test]
    fn appended_events_verify_and_tampering_breaks_the_next_link() {
        let evs = chain(4);
        let head = verify_chain(7, &evs).unwrap();
        assert_eq!(head.sequence, 4);
        assert_eq!(head.hash, evs[3].hash());

        let mut bad = evs.clone();
        bad[1].payload = Bytes::from_static(b"xyz");
        assert_eq!(verify_chain(7, &bad), Err(ChainError::ParentMismatch { index: 2 }));

        let mut gap = evs.clone();
        gap.remove(1);
        assert_eq!(verify_chain(7, &gap), Err(ChainError::SequenceGap { index: 1, expected: 2, found: 3 }));

        assert!(matches!(verify_chain(8, &evs), Err(ChainError::OriginMismatch { index: 0, .. })));
    }

    #[test]
    fn short_and_long_payloads_hash_the_same_concatenation() {
        for size in [0, LINK_BUF - LINK_FIXED - 1, LINK_BUF - LINK_FIXED, LINK_BUF - LINK_FIXED + 1, 1000] {
            let payload = vec![0xa5u8; size];
            let link = CausalLink { origin_hash: 9, sequence: 3, parent_hash: [7; 32] };
            let mut reference = Vec::new();
            reference.extend_from_slice(LINK_DOMAIN);
            reference.extend_from_slice(&9u64.to_le_bytes());
            reference.extend_from_slice(&3u64.to_le_bytes());
            reference.extend_from_slice(&[7; 32]);
            reference.extend_from_slice(&(size as u64).to_le_bytes());
            reference.extend_from_slice(&payload);
            assert_eq!(link_hash(&link, &payload), *blake3::hash(&reference).as_bytes(), "size {size}");
        }
    }

    #[test]
    fn a_segment_verifies_from_its_head() {
        let evs = chain(5);
        let mid = verify_chain(7, &evs[..2]).unwrap();
        assert_eq!(verify_chain_from(mid, &evs[2..]).unwrap().sequence, 5);
        assert_eq!(verify_chain(7, &evs[2..]), Err(ChainError::SequenceGap { index: 0, expected: 1, found: 3 }));
    }
}
