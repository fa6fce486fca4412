//! [`EntityId`]: the public half of an identity, and the ids derived from it.

use std::fmt;

use ed25519_dalek::{Signature, VerifyingKey};

use super::IdentityError;

/// blake3 `derive_key` context of [`EntityId::node_id`]. Part of the wire
/// contract (golden vectors pin it): changing it renumbers every node.
pub(crate) const NODE_ID_CONTEXT: &str = "net node_id v1";
/// blake3 `derive_key` context of [`EntityId::origin_hash`]; distinct from
/// the node id's so the two 64-bit values are independent.
pub(crate) const ORIGIN_HASH_CONTEXT: &str = "net origin_hash v1";

/// The public identity of a node or user: its 32-byte ed25519 public key.
///
/// An `EntityId` is always a valid ed25519 point — [`EntityId::from_bytes`]
/// refuses anything else — so holders never have to re-check it before
/// verifying a signature. `Debug` and `Display` print lowercase hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntityId([u8; 32]);

impl EntityId {
    /// Parses 32 bytes of an ed25519 public key.
    ///
    /// # Errors
    /// [`IdentityError::InvalidLength`] when `bytes` is not 32 long;
    /// [`IdentityError::InvalidEntityId`] when the bytes are not a point on
    /// the curve, or are one of the small-order ("weak") points: a weak key
    /// is satisfied by forged signatures, so it can never name an entity.
    pub fn from_bytes(bytes: &[u8]) -> Result<EntityId, IdentityError> {
        Self::from_bytes_with_key(bytes).map(|(id, _)| id)
    }

    /// [`from_bytes`](Self::from_bytes), also returning the decompressed
    /// key it checked, so a caller that verifies signatures next does not
    /// decompress the point a second time (a square root in the field: a
    /// third of a signature check).
    pub(crate) fn from_bytes_with_key(bytes: &[u8]) -> Result<(EntityId, VerifyingKey), IdentityError> {
        let arr: [u8; 32] = bytes.try_into().map_err(|_| IdentityError::InvalidLength {
            what: "entity id",
            expected: 32,
            actual: bytes.len(),
        })?;
        let key = VerifyingKey::from_bytes(&arr).map_err(|_| IdentityError::InvalidEntityId)?;
        if key.is_weak() {
            return Err(IdentityError::InvalidEntityId);
        }
        Ok((EntityId(arr), key))
    }

    /// Parses the 64-character hex form that `Display` prints.
    ///
    /// # Errors
    /// [`IdentityError::InvalidEntityId`] for text that is not hex, then the
    /// same errors as [`EntityId::from_bytes`].
    pub fn from_hex(text: &str) -> Result<EntityId, IdentityError> {
        let bytes = hex::decode(text).map_err(|_| IdentityError::InvalidEntityId)?;
        EntityId::from_bytes(&bytes)
    }

    /// Wraps a key that is known to be valid (it came from a signing key).
    pub(crate) fn from_verifying_key(key: &VerifyingKey) -> EntityId {
        EntityId(key.to_bytes())
    }

    /// The 32 bytes of the public key.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The node's 64-bit id: the first 8 bytes (little-endian) of
    /// `blake3::derive_key("net node_id v1", entity_id)`.
    ///
    /// It is a pure function of the public key, so a node that keeps its
    /// seed keeps its id across restarts.
    pub fn node_id(&self) -> u64 {
        derive_u64(NODE_ID_CONTEXT, &self.0)
    }

    /// The 64-bit origin hash stamped on events this entity emits: the first
    /// 8 bytes (little-endian) of `blake3::derive_key("net origin_hash v1", entity_id)`.
    pub fn origin_hash(&self) -> u64 {
        derive_u64(ORIGIN_HASH_CONTEXT, &self.0)
    }

    /// Checks a signature made by [`Identity::sign`](super::Identity::sign):
    /// ed25519 by this entity over [`MESSAGE_SIGNING_TAG`](super::MESSAGE_SIGNING_TAG)
    /// followed by `msg`.
    ///
    /// Verification is strict (RFC 8032 plus canonical-`S` and no small-order
    /// `R`), so every message has at most one accepted signature per key and
    /// a token's bytes cannot be re-signed into a second valid form.
    ///
    /// # Errors
    /// [`IdentityError::InvalidLength`] when `sig` is not 64 bytes;
    /// [`IdentityError::InvalidSignature`] when it does not verify.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), IdentityError> {
        let sig: [u8; 64] = sig.try_into().map_err(|_| IdentityError::InvalidLength {
            what: "signature",
            expected: 64,
            actual: sig.len(),
        })?;
        let mut tagged = Vec::with_capacity(super::MESSAGE_SIGNING_TAG.len() + msg.len());
        tagged.extend_from_slice(super::MESSAGE_SIGNING_TAG);
        tagged.extend_from_slice(msg);
        self.verify_array(&tagged, &sig)
    }

    /// A plain ed25519 check of `sig` over exactly `msg` (no tag), for the
    /// crate's own domain-tagged wire forms.
    pub(crate) fn verify_array(&self, msg: &[u8], sig: &[u8; 64]) -> Result<(), IdentityError> {
        // The constructor checked the point, so decompression only fails if
        // someone built an EntityId around the checks; treat that as a bad
        // signature rather than panicking.
        let key = VerifyingKey::from_bytes(&self.0).map_err(|_| IdentityError::InvalidSignature)?;
        verify_strict_with(&key, msg, sig)
    }
}

/// ed25519-dalek's strict check with a key already decompressed (and
/// checked not weak, as every `EntityId`'s is), so verifying a known
/// signer costs no second decompression of its key.
pub(crate) fn verify_strict_with(key: &VerifyingKey, msg: &[u8], sig: &[u8; 64]) -> Result<(), IdentityError> {
    key.verify_strict(msg, &Signature::from_bytes(sig)).map_err(|_| IdentityError::InvalidSignature)
}

/// First 8 bytes, little-endian, of a blake3 derived key.
fn derive_u64(context: &str, material: &[u8]) -> u64 {
    let key = blake3::derive_key(context, material);
    let mut first = [0u8; 8];
    first.copy_from_slice(&key[..8]);
    u64::from_le_bytes(first)
}

impl fmt::Display for EntityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for EntityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EntityId({})", hex::encode(self.0))
    }
}

impl std::str::FromStr for EntityId {
    type Err = IdentityError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EntityId::from_hex(s)
    }
}

impl TryFrom<&[u8]> for EntityId {
    type Error = IdentityError;

    fn try_from(bytes: &[u8]) -> Result<Self, Self::Error> {
        EntityId::from_bytes(bytes)
    }
}

impl AsRef<[u8]> for EntityId {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}
