//! [`StateSnapshot`]: a daemon's state at a point of its chain, and its
//! byte form.
//!
//! Bytes (little-endian): version `1` (u8), kind length (u16) and UTF-8
//! kind, origin hash (u64), entity id (32), chain sequence (u64), chain
//! hash (32), state length (u32) and state. Every length is checked
//! before it is read; trailing bytes are refused, and the origin hash must
//! derive from the entity id.

use bytes::Bytes;

use super::error::ComputeDaemonError;
use super::event::ChainHead;
use crate::identity::EntityId;

const VERSION: u8 = 1;

/// A daemon's state and where its chain stood when it was taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateSnapshot {
    /// The daemon's kind (its factory).
    pub kind: String,
    /// The daemon's entity id (ed25519 public key).
    pub entity_id: EntityId,
    /// The chain head at the snapshot point (carries the origin hash).
    pub head: ChainHead,
    /// What the daemon's `snapshot` returned.
    pub state: Bytes,
}

impl StateSnapshot {
    /// The daemon's origin hash.
    pub fn origin_hash(&self) -> u64 {
        self.head.origin_hash
    }

    /// The byte form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 + 2 + self.kind.len() + 8 + 32 + 8 + 32 + 4 + self.state.len());
        out.push(VERSION);
        out.extend_from_slice(&(self.kind.len() as u16).to_le_bytes());
        out.extend_from_slice(self.kind.as_bytes());
        out.extend_from_slice(&self.head.origin_hash.to_le_bytes());
        out.extend_from_slice(self.entity_id.as_bytes());
        out.extend_from_slice(&self.head.sequence.to_le_bytes());
        out.extend_from_slice(&self.head.hash);
        out.extend_from_slice(&(self.state.len() as u32).to_le_bytes());
        out.extend_from_slice(&self.state);
        out
    }

    /// Parse the byte form.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ComputeDaemonError> {
        let mut r = Reader(bytes);
        let version = r.take(1)?[0];
        if version != VERSION {
            return Err(decode(format!("unknown version {version}")));
        }
        let kind_len = u16::from_le_bytes(r.array()?) as usize;
        let kind = std::str::from_utf8(r.take(kind_len)?).map_err(|_| decode("kind is not UTF-8"))?.to_owned();
        let origin_hash = u64::from_le_bytes(r.array()?);
        let entity_id = EntityId::from_bytes(r.take(32)?).map_err(|e| decode(format!("entity id: {e}")))?;
        if entity_id.origin_hash() != origin_hash {
            return Err(decode("origin hash does not derive from the entity id"));
        }
        let sequence = u64::from_le_bytes(r.array()?);
        let hash: [u8; 32] = r.array()?;
        let state_len = u32::from_le_bytes(r.array()?) as usize;
        let state = Bytes::copy_from_slice(r.take(state_len)?);
        if !r.0.is_empty() {
            return Err(decode(format!("{} trailing bytes", r.0.len())));
        }
        Ok(StateSnapshot { kind, entity_id, head: ChainHead { origin_hash, sequence, hash }, state })
    }
}

fn decode(msg: impl Into<String>) -> ComputeDaemonError {
    ComputeDaemonError::SnapshotDecode(msg.into())
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ComputeDaemonError> {
        if self.0.len() < n {
            return Err(decode(format!("truncated: need {n} bytes, {} left", self.0.len())));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], ComputeDaemonError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Identity;

    fn sample() -> StateSnapshot {
        let id = Identity::from_seed([3; 32]);
        let mut head = ChainHead::genesis(id.origin_hash());
        head.append(Bytes::from_static(b"one"));
        StateSnapshot { kind: "counter".into(), entity_id: *id.entity_id(), head, state: Bytes::from_static(b"\x05\x00") }
    }

    #[test]
    fn bytes_round_trip() {
        let s = sample();
        assert_eq!(StateSnapshot::from_bytes(&s.to_bytes()).unwrap(), s);
    }

    #[test]
    fn truncated_extended_and_unknown_versions_are_refused() {
        let b = sample().to_bytes();
        for n in 0..b.len() {
            assert!(matches!(StateSnapshot::from_bytes(&b[..n]), Err(ComputeDaemonError::SnapshotDecode(_))), "len {n}");
        }
        let mut longer = b.clone();
        longer.push(0);
        assert!(StateSnapshot::from_bytes(&longer).is_err());
        let mut v2 = b.clone();
        v2[0] = 2;
        assert!(StateSnapshot::from_bytes(&v2).is_err());
        let mut wrong_origin = b;
        wrong_origin[1 + 2 + 7] ^= 1;
        assert!(StateSnapshot::from_bytes(&wrong_origin).is_err());
    }
}
