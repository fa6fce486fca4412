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
        if key.is_weak() {
            return Err(IdentityError::InvalidSignature);
        }
        verify_strict_with(&key, msg, sig)
    }
}

/// The canonical encodings of the eight points of small order (the
/// 8-torsion subgroup): the identity, the point of order 2, two of order 4
/// and four of order 8.
const SMALL_ORDER_ENCODINGS: [[u8; 32]; 8] = [
    hex32("0100000000000000000000000000000000000000000000000000000000000000"),
    hex32("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    hex32("0000000000000000000000000000000000000000000000000000000000000000"),
    hex32("0000000000000000000000000000000000000000000000000000000000000080"),
    hex32("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
    hex32("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa"),
    hex32("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
    hex32("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85"),
];

const fn hex32(text: &str) -> [u8; 32] {
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("not lowercase hex"),
        }
    }
    let t = text.as_bytes();
    assert!(t.len() == 64);
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = nibble(t[2 * i]) << 4 | nibble(t[2 * i + 1]);
        i += 1;
    }
    out
}

/// The strict check of [`EntityId::verify_array`] with a key already
/// decompressed (and checked not weak, as every `EntityId`'s is).
///
/// It accepts exactly what ed25519-dalek's `verify_strict` accepts, for one
/// square root less: `verify_strict` is the plain (cofactorless) check —
/// canonical `S`, and `[S]B - [k]A` must compress to the signature's `R`
/// bytes — plus "`A` and `R` are not of small order". `A` was checked when
/// the key was parsed. The plain check only passes when `R` is the
/// canonical encoding of a point (a compression always is), so "`R` is of
/// small order" reduces to "`R` is one of the eight canonical small-order
/// encodings": a byte comparison instead of decompressing `R`.
pub(crate) fn verify_strict_with(key: &VerifyingKey, msg: &[u8], sig: &[u8; 64]) -> Result<(), IdentityError> {
    use ed25519_dalek::Verifier;
    let r: &[u8] = &sig[..32];
    if SMALL_ORDER_ENCODINGS.iter().any(|small| small[..] == *r) {
        return Err(IdentityError::InvalidSignature);
    }
    key.verify(msg, &Signature::from_bytes(sig)).map_err(|_| IdentityError::InvalidSignature)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Identity;

    #[test]
    fn small_order_list_is_the_whole_eight_torsion() {
        // Eight distinct encodings, each a valid point of small order: that
        // is every point of the 8-torsion subgroup, canonically encoded.
        for (i, enc) in SMALL_ORDER_ENCODINGS.iter().enumerate() {
            let key = VerifyingKey::from_bytes(enc).unwrap_or_else(|_| panic!("encoding {i} is not a point"));
            assert!(key.is_weak(), "encoding {i} is not of small order");
            assert_eq!(&key.to_bytes(), enc, "encoding {i} is not canonical");
            assert!(SMALL_ORDER_ENCODINGS[..i].iter().all(|e| e != enc), "encoding {i} repeats");
        }
    }

    #[test]
    fn verify_strict_with_agrees_with_dalek_verify_strict() {
        let id = Identity::from_seed([9; 32]);
        let (entity, key) = EntityId::from_bytes_with_key(id.entity_id().as_bytes()).unwrap();
        assert_eq!(&entity, id.entity_id());
        let msg = b"net capability v1 some body".to_vec();
        let sig = id.sign_raw(&msg);
        let strict = |m: &[u8], s: &[u8; 64]| key.verify_strict(m, &Signature::from_bytes(s)).is_ok();
        assert!(strict(&msg, &sig));
        assert!(verify_strict_with(&key, &msg, &sig).is_ok());
        // Every single-bit flip of the signature or the message, and every
        // small-order R: the two checks give the same verdict.
        let mut cases: Vec<(Vec<u8>, [u8; 64])> = Vec::new();
        for bit in 0..512 {
            let mut s = sig;
            s[bit / 8] ^= 1 << (bit % 8);
            cases.push((msg.clone(), s));
        }
        for bit in 0..msg.len() * 8 {
            let mut m = msg.clone();
            m[bit / 8] ^= 1 << (bit % 8);
            cases.push((m, sig));
        }
        for small in SMALL_ORDER_ENCODINGS {
            let mut s = sig;
            s[..32].copy_from_slice(&small);
            cases.push((msg.clone(), s));
        }
        for (m, s) in &cases {
            assert_eq!(strict(m, s), verify_strict_with(&key, m, s).is_ok());
            assert!(verify_strict_with(&key, m, s).is_err());
        }
    }
}
