//! [`CapabilityAnnouncement`]: a capability set signed by its origin node.
//!
//! # Signed body (canonical; all integers little-endian)
//!
//! | offset | size | field |
//! |-------:|-----:|-------|
//! | 0  | 1  | format version, `1` |
//! | 1  | 8  | origin node id (`u64`) |
//! | 9  | 32 | origin entity id (ed25519 public key) |
//! | 41 | 8  | version (`u64`, grows with every new announcement of the origin) |
//! | 49 | 4  | ttl in seconds (`u32`, at least 1) |
//! | 53 | 2  | tag count `T` (`u16`) |
//! |    |    | `T` × (`u16` length, UTF-8 bytes): the tags in set order, no duplicates |
//! |    | 2  | metadata count `M` (`u16`) |
//! |    |    | `M` × (`u16` key length, key, `u16` value length, value), keys strictly ascending bytewise |
//!
//! The signature is ed25519 (RFC 8032) by the origin's identity over
//! [`CAPABILITY_SIGNING_TAG`] (`"net capability v1"`) followed by the body.
//! The tag differs from the token and message tags, so no signature of one
//! kind verifies as another.
//!
//! # Wire message (what travels between peers)
//!
//! | offset | size | field |
//! |-------:|-----:|-------|
//! | 0 | 1 | message type, `0x01` = announcement |
//! | 1 | 1 | hop count — **not signed**: forwarders increment it |
//! | 2 | 4 | body length `B` (`u32`) |
//! | 6 | B | signed body |
//! | 6 + B | 64 | signature |
//!
//! A message must be exactly `70 + B` bytes, at most [`MAX_ANNOUNCEMENT_SIZE`].
//!
//! # Verification
//! [`verify`](CapabilityAnnouncement::verify) checks that the entity id
//! derives the origin node id (`node_id = first 8 bytes LE of
//! blake3::derive_key("net node_id v1", entity_id)`) and that the signature
//! verifies (strict RFC 8032). Whoever forwards the message cannot change
//! anything but the hop count.

use std::collections::BTreeMap;
use std::time::Duration;

use ed25519_dalek::VerifyingKey;

use super::set::CapabilitySet;
use super::tag::Tag;
use super::CapabilityError;
use crate::identity::{verify_strict_with, EntityId, Identity};

/// Domain tag signed before the body.
pub const CAPABILITY_SIGNING_TAG: &[u8] = b"net capability v1";
/// Format version of the signed body.
pub const ANNOUNCEMENT_FORMAT_VERSION: u8 = 1;
/// Message type byte of an announcement.
pub const MSG_ANNOUNCEMENT: u8 = 0x01;
/// Largest wire message, bytes (fits one mesh message).
pub const MAX_ANNOUNCEMENT_SIZE: usize = 60 * 1024;
/// Bytes of the wire header before the body.
pub const WIRE_HEADER_LEN: usize = 6;
/// Bytes of the signature.
pub const SIGNATURE_LEN: usize = 64;

/// A signed capability announcement and its (unsigned) hop count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapabilityAnnouncement {
    origin: u64,
    entity: EntityId,
    /// `entity` decompressed (once, when it was parsed or signed).
    key: VerifyingKey,
    version: u64,
    ttl_secs: u32,
    caps: CapabilitySet,
    /// [`CAPABILITY_SIGNING_TAG`] followed by the signed body: the exact
    /// message the signature covers, kept whole so verifying builds nothing.
    signed: Vec<u8>,
    signature: [u8; 64],
    /// Links travelled before the current one: the origin sends 0.
    pub hop_count: u8,
}

fn put_str(out: &mut Vec<u8>, s: &str) -> Result<(), CapabilityError> {
    let len = u16::try_from(s.len()).map_err(|_| CapabilityError::TooLarge { size: s.len(), max: u16::MAX as usize })?;
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(s.as_bytes());
    Ok(())
}

/// Encode the signing message of an announcement: the domain tag, then
/// the signed body.
fn encode_body(origin: u64, entity: &EntityId, version: u64, ttl_secs: u32, caps: &CapabilitySet) -> Result<Vec<u8>, CapabilityError> {
    let mut out = Vec::with_capacity(CAPABILITY_SIGNING_TAG.len() + 64 + caps.tags().len() * 24);
    out.extend_from_slice(CAPABILITY_SIGNING_TAG);
    out.push(ANNOUNCEMENT_FORMAT_VERSION);
    out.extend_from_slice(&origin.to_le_bytes());
    out.extend_from_slice(entity.as_bytes());
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&ttl_secs.to_le_bytes());
    let count = |n: usize, what: &str| {
        u16::try_from(n).map_err(|_| CapabilityError::Malformed(format!("{n} {what} exceed 65535")))
    };
    out.extend_from_slice(&count(caps.tags().len(), "tags")?.to_le_bytes());
    for t in caps.tags() {
        put_str(&mut out, t.as_str())?;
    }
    out.extend_from_slice(&count(caps.metadata().len(), "metadata entries")?.to_le_bytes());
    for (k, v) in caps.metadata() {
        put_str(&mut out, k)?;
        put_str(&mut out, v)?;
    }
    let size = WIRE_HEADER_LEN + out.len() - CAPABILITY_SIGNING_TAG.len() + SIGNATURE_LEN;
    if size > MAX_ANNOUNCEMENT_SIZE {
        return Err(CapabilityError::TooLarge { size, max: MAX_ANNOUNCEMENT_SIZE });
    }
    Ok(out)
}

/// A bounds-checked reader over the body.
struct Reader<'a> {
    b: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], CapabilityError> {
        if self.b.len() < n {
            return Err(CapabilityError::Malformed(format!("truncated at {what}")));
        }
        let (head, rest) = self.b.split_at(n);
        self.b = rest;
        Ok(head)
    }

    fn u16(&mut self, what: &str) -> Result<u16, CapabilityError> {
        Ok(u16::from_le_bytes(self.take(2, what)?.try_into().expect("2 bytes")))
    }

    fn u32(&mut self, what: &str) -> Result<u32, CapabilityError> {
        Ok(u32::from_le_bytes(self.take(4, what)?.try_into().expect("4 bytes")))
    }

    fn u64(&mut self, what: &str) -> Result<u64, CapabilityError> {
        Ok(u64::from_le_bytes(self.take(8, what)?.try_into().expect("8 bytes")))
    }

    fn str(&mut self, what: &str) -> Result<&'a str, CapabilityError> {
        let n = self.u16(what)? as usize;
        std::str::from_utf8(self.take(n, what)?).map_err(|_| CapabilityError::Malformed(format!("{what} is not UTF-8")))
    }
}

impl CapabilityAnnouncement {
    /// Sign `caps` as `identity`'s announcement number `version`, valid
    /// for `ttl` (whole seconds, at least 1). Fails with `TooLarge` when
    /// the encoding exceeds [`MAX_ANNOUNCEMENT_SIZE`].
    pub fn sign(identity: &Identity, caps: CapabilitySet, version: u64, ttl: Duration) -> Result<Self, CapabilityError> {
        let ttl_secs = u32::try_from(ttl.as_secs()).unwrap_or(u32::MAX).max(1);
        let entity = *identity.entity_id();
        let origin = identity.node_id();
        let signed = encode_body(origin, &entity, version, ttl_secs, &caps)?;
        let signature = identity.sign_raw(&signed);
        let key = VerifyingKey::from_bytes(entity.as_bytes()).expect("a signing key's public half is a point");
        Ok(Self { origin, entity, key, version, ttl_secs, caps, signed, signature, hop_count: 0 })
    }

    /// Bytes of the wire message announcing `caps`.
    pub fn encoded_len(caps: &CapabilitySet) -> usize {
        let tags: usize = caps.tags().iter().map(|t| 2 + t.as_str().len()).sum();
        let meta: usize = caps.metadata().iter().map(|(k, v)| 4 + k.len() + v.len()).sum();
        WIRE_HEADER_LEN + 53 + 2 + tags + 2 + meta + SIGNATURE_LEN
    }

    /// Decode a wire message (no signature check: see [`verify`](Self::verify)).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CapabilityError> {
        Self::from_bytes_with(bytes, |_| None)
    }

    /// [`from_bytes`](Self::from_bytes), where `known(origin)` may offer the
    /// already-checked key of an entity seen before: it is used when the
    /// message's entity id is that key's, saving the point decompression.
    pub(crate) fn from_bytes_with(bytes: &[u8], known: impl FnOnce(u64) -> Option<VerifyingKey>) -> Result<Self, CapabilityError> {
        if bytes.len() > MAX_ANNOUNCEMENT_SIZE {
            return Err(CapabilityError::TooLarge { size: bytes.len(), max: MAX_ANNOUNCEMENT_SIZE });
        }
        if bytes.len() < WIRE_HEADER_LEN + SIGNATURE_LEN {
            return Err(CapabilityError::Malformed(format!("{} bytes is shorter than any announcement", bytes.len())));
        }
        if bytes[0] != MSG_ANNOUNCEMENT {
            return Err(CapabilityError::Malformed(format!("unknown message type {:#04x}", bytes[0])));
        }
        let hop_count = bytes[1];
        let body_len = u32::from_le_bytes(bytes[2..6].try_into().expect("4 bytes")) as usize;
        if bytes.len() != WIRE_HEADER_LEN + body_len + SIGNATURE_LEN {
            return Err(CapabilityError::Malformed(format!(
                "body length {body_len} does not match a message of {} bytes",
                bytes.len()
            )));
        }
        let body = &bytes[WIRE_HEADER_LEN..WIRE_HEADER_LEN + body_len];
        let signature: [u8; 64] = bytes[WIRE_HEADER_LEN + body_len..].try_into().expect("64 bytes");
        let mut announcement = Self::decode_body(body, signature, known)?;
        announcement.hop_count = hop_count;
        Ok(announcement)
    }

    fn decode_body(body: &[u8], signature: [u8; 64], known: impl FnOnce(u64) -> Option<VerifyingKey>) -> Result<Self, CapabilityError> {
        let mut r = Reader { b: body };
        let format = r.take(1, "format version")?[0];
        if format != ANNOUNCEMENT_FORMAT_VERSION {
            return Err(CapabilityError::UnsupportedVersion(format));
        }
        let origin = r.u64("origin")?;
        let entity_bytes = r.take(32, "entity id")?;
        let (entity, key) = match known(origin) {
            // The cached key was checked (a point, not weak) when first parsed.
            Some(key) if key.as_bytes()[..] == *entity_bytes => (EntityId::from_verifying_key(&key), key),
            _ => EntityId::from_bytes_with_key(entity_bytes)
                .map_err(|_| CapabilityError::Malformed("entity id is not a valid ed25519 key".into()))?,
        };
        let version = r.u64("version")?;
        let ttl_secs = r.u32("ttl")?;
        if ttl_secs == 0 {
            return Err(CapabilityError::Malformed("ttl must be at least 1 second".into()));
        }
        let tag_count = r.u16("tag count")? as usize;
        let mut tags: Vec<Tag> = Vec::with_capacity(tag_count.min(1024));
        for _ in 0..tag_count {
            let t = r.str("tag")?;
            if tags.iter().any(|x| x.as_str() == t) {
                return Err(CapabilityError::Malformed(format!("duplicate tag {t:?}")));
            }
            tags.push(Tag::parse(t));
        }
        let meta_count = r.u16("metadata count")? as usize;
        let mut metadata = BTreeMap::new();
        let mut last: Option<&str> = None;
        for _ in 0..meta_count {
            let k = r.str("metadata key")?;
            let v = r.str("metadata value")?;
            if last.is_some_and(|l| l.as_bytes() >= k.as_bytes()) {
                return Err(CapabilityError::Malformed("metadata keys are not strictly ascending".into()));
            }
            last = Some(k);
            metadata.insert(k.to_owned(), v.to_owned());
        }
        if !r.b.is_empty() {
            return Err(CapabilityError::Malformed(format!("{} trailing bytes after the body", r.b.len())));
        }
        let caps = CapabilitySet::from_parts(tags, metadata);
        let mut signed = Vec::with_capacity(CAPABILITY_SIGNING_TAG.len() + body.len());
        signed.extend_from_slice(CAPABILITY_SIGNING_TAG);
        signed.extend_from_slice(body);
        Ok(Self { origin, entity, key, version, ttl_secs, caps, signed, signature, hop_count: 0 })
    }

    /// The wire message with the current hop count.
    pub fn to_bytes(&self) -> Vec<u8> {
        let body = self.signed_bytes();
        let mut out = Vec::with_capacity(WIRE_HEADER_LEN + body.len() + SIGNATURE_LEN);
        out.push(MSG_ANNOUNCEMENT);
        out.push(self.hop_count);
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(&self.signature);
        out
    }

    /// The exact bytes signed, without the domain tag.
    pub fn signed_bytes(&self) -> &[u8] {
        &self.signed[CAPABILITY_SIGNING_TAG.len()..]
    }

    /// The domain tag followed by the signed bytes.
    pub fn signing_message(&self) -> Vec<u8> {
        self.signed.clone()
    }

    /// Check that the entity id derives the origin node id, then the signature.
    pub fn verify(&self) -> Result<(), CapabilityError> {
        let derived = self.entity.node_id();
        if derived != self.origin {
            return Err(CapabilityError::OriginMismatch { origin: self.origin, derived });
        }
        self.verify_signature()
    }

    /// The signature check alone (strict, as `verify`), for a caller that
    /// already checked the origin.
    pub(crate) fn verify_signature(&self) -> Result<(), CapabilityError> {
        verify_strict_with(&self.key, &self.signed, &self.signature).map_err(|_| CapabilityError::InvalidSignature)
    }

    /// The decompressed key of the signer.
    pub(crate) fn verifying_key(&self) -> &VerifyingKey {
        &self.key
    }

    /// What the signature covers: the domain tag and the signed body.
    pub(crate) fn signed_message(&self) -> &[u8] {
        &self.signed
    }

    /// blake3 of the signed bytes and the signature: equal digests are the
    /// same announcement whatever the hop count.
    pub fn digest(&self) -> [u8; 32] {
        let mut h = blake3::Hasher::new();
        h.update(self.signed_bytes());
        h.update(&self.signature);
        *h.finalize().as_bytes()
    }

    /// A copy with another hop count.
    pub fn with_hop_count(mut self, hops: u8) -> Self {
        self.hop_count = hops;
        self
    }

    /// The origin node id.
    pub fn origin(&self) -> u64 {
        self.origin
    }

    /// The origin's entity id (the signer).
    pub fn entity_id(&self) -> &EntityId {
        &self.entity
    }

    /// The version.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The time to live from receipt.
    pub fn ttl(&self) -> Duration {
        Duration::from_secs(u64::from(self.ttl_secs))
    }

    /// The ttl in seconds.
    pub fn ttl_secs(&self) -> u32 {
        self.ttl_secs
    }

    /// The announced capabilities.
    pub fn capabilities(&self) -> &CapabilitySet {
        &self.caps
    }

    /// The signature.
    pub fn signature(&self) -> &[u8; 64] {
        &self.signature
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed() -> CapabilityAnnouncement {
        let id = Identity::from_seed([0x42; 32]);
        let caps = CapabilitySet::new().add_tag("gpu").add_tag("hardware.memory_gb=64").with_metadata("b", "2").with_metadata("a", "1");
        CapabilityAnnouncement::sign(&id, caps, 7, Duration::from_secs(300)).unwrap()
    }

    #[test]
    fn round_trips_and_verifies() {
        let a = signed().with_hop_count(3);
        let wire = a.to_bytes();
        let back = CapabilityAnnouncement::from_bytes(&wire).unwrap();
        assert_eq!(back, a);
        back.verify().unwrap();
        assert_eq!(back.hop_count, 3);
        // The hop count is outside the signature.
        let mut hopped = wire.clone();
        hopped[1] = 9;
        CapabilityAnnouncement::from_bytes(&hopped).unwrap().verify().unwrap();
    }

    #[test]
    fn every_signed_byte_is_covered() {
        let wire = signed().to_bytes();
        for i in WIRE_HEADER_LEN..wire.len() {
            let mut bad = wire.clone();
            bad[i] ^= 0x01;
            let outcome = CapabilityAnnouncement::from_bytes(&bad).and_then(|a| a.verify());
            assert!(outcome.is_err(), "flipping byte {i} went unnoticed");
        }
    }

    #[test]
    fn forged_origin_is_refused() {
        let a = signed();
        let mut body = a.signed_bytes().to_vec();
        body[1] ^= 0xff;
        let forged = CapabilityAnnouncement::decode_body(&body, *a.signature(), |_| None).unwrap();
        assert!(matches!(forged.verify(), Err(CapabilityError::OriginMismatch { .. })));
    }

    #[test]
    fn bad_bytes_give_typed_errors() {
        assert_eq!(CapabilityAnnouncement::from_bytes(&[]).unwrap_err().kind(), "malformed_announcement");
        let mut wire = signed().to_bytes();
        wire[WIRE_HEADER_LEN] = 2;
        assert_eq!(CapabilityAnnouncement::from_bytes(&wire).unwrap_err().kind(), "unsupported_version");
        let mut wire = signed().to_bytes();
        wire.push(0);
        assert_eq!(CapabilityAnnouncement::from_bytes(&wire).unwrap_err().kind(), "malformed_announcement");
        let big = CapabilitySet::new().with_metadata("k", "v".repeat(MAX_ANNOUNCEMENT_SIZE));
        let id = Identity::from_seed([1; 32]);
        assert_eq!(CapabilityAnnouncement::sign(&id, big, 1, Duration::from_secs(1)).unwrap_err().kind(), "announcement_too_large");
    }
}
