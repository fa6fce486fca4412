//! [`PermissionToken`]: a signed grant of rights on one channel, and its
//! 161-byte wire form.
//!
//! # Wire form
//!
//! All integers are little-endian; offsets in bytes:
//!
//! | offset | size | field |
//! |-------:|-----:|-------|
//! | 0   | 32 | `issuer` (ed25519 public key) |
//! | 32  | 32 | `subject` (ed25519 public key) |
//! | 64  | 4  | `scope` bits (`u32`) |
//! | 68  | 4  | `channel_hash` (`u32`) |
//! | 72  | 8  | `not_before`, Unix seconds (`u64`) |
//! | 80  | 8  | `not_after`, Unix seconds (`u64`) |
//! | 88  | 1  | `delegation_depth` (`u8`) |
//! | 89  | 8  | `nonce` (`u64`) |
//! | 97  | 64 | `signature` |
//!
//! The signature is ed25519 by the issuer over `b"net token v1"` followed by
//! bytes `0..97`. The domain tag keeps a token signature from ever being
//! valid as a signature over some other Net message with the same bytes.
//! The token has no separate version byte: the tag is the version, and a
//! future layout gets a new tag (and a new size).

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use super::{EntityId, TokenError, TokenScope};
use crate::channel::ChannelHash;

/// Domain tag prefixed to the signed bytes of a token (wire contract).
pub const TOKEN_SIGNING_TAG: &[u8] = b"net token v1";

/// Domain tag that [`Identity::sign`](super::Identity::sign) puts before
/// every application message. It differs from [`TOKEN_SIGNING_TAG`] in its
/// fifth byte, so no signed message can double as a token signature.
pub const MESSAGE_SIGNING_TAG: &[u8] = b"net message v1";

/// Length of the signed body of a token (every field but the signature).
pub(crate) const BODY_SIZE: usize = 97;

/// A signed grant: `issuer` allows `subject` the rights in `scope` on the
/// channel whose hash is `channel_hash`, from `not_before` (inclusive) to
/// `not_after` (exclusive), both Unix seconds.
///
/// `delegation_depth` is how many further hops of re-delegation the subject
/// may start (0 forbids it); `nonce` makes two otherwise identical grants
/// distinct. The fields are public so the bindings can read them; changing
/// one after issuing breaks the signature, which [`verify`](Self::verify)
/// then reports.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PermissionToken {
    /// Who signed the grant.
    pub issuer: EntityId,
    /// Who the grant is for.
    pub subject: EntityId,
    /// The granted rights.
    pub scope: TokenScope,
    /// The channel the rights apply to ([`crate::ChannelName::hash`]).
    pub channel_hash: ChannelHash,
    /// First valid second (Unix time, inclusive).
    pub not_before: u64,
    /// First invalid second (Unix time, exclusive).
    pub not_after: u64,
    /// Remaining re-delegation hops; 0 forbids delegation.
    pub delegation_depth: u8,
    /// Random (or, for golden vectors, chosen) value that makes grants unique.
    pub nonce: u64,
    /// ed25519 signature by `issuer`; see the module docs for what it covers.
    pub signature: [u8; 64],
}

impl PermissionToken {
    /// Size of the wire form in bytes.
    pub const WIRE_SIZE: usize = 161;

    /// The wire form (see the module docs for the layout).
    pub fn to_bytes(&self) -> [u8; Self::WIRE_SIZE] {
        let mut out = [0u8; Self::WIRE_SIZE];
        out[..BODY_SIZE].copy_from_slice(&self.body());
        out[BODY_SIZE..].copy_from_slice(&self.signature);
        out
    }

    /// Parses the wire form. This checks shape only and does NOT verify the
    /// signature or the time window: call [`verify`](Self::verify) (or hand
    /// the token to a [`TokenCache`](super::TokenCache)) before trusting it.
    ///
    /// # Errors
    /// [`TokenError::InvalidFormat`] when `bytes` is not exactly 161 long,
    /// the scope has unknown bits, `not_after < not_before`, or the issuer
    /// or subject is not a valid entity id.
    pub fn from_bytes(bytes: &[u8]) -> Result<PermissionToken, TokenError> {
        let bytes: &[u8; Self::WIRE_SIZE] = bytes.try_into().map_err(|_| TokenError::InvalidFormat)?;
        let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
        let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));

        let scope = TokenScope::from_bits(u32_at(64)).ok_or(TokenError::InvalidFormat)?;
        let not_before = u64_at(72);
        let not_after = u64_at(80);
        if not_after < not_before {
            return Err(TokenError::InvalidFormat);
        }
        // The point checks are the expensive part, so they come last.
        let issuer = EntityId::from_bytes(&bytes[0..32]).map_err(|_| TokenError::InvalidFormat)?;
        let subject = EntityId::from_bytes(&bytes[32..64]).map_err(|_| TokenError::InvalidFormat)?;
        let mut signature = [0u8; 64];
        signature.copy_from_slice(&bytes[BODY_SIZE..]);
        Ok(PermissionToken {
            issuer,
            subject,
            scope,
            channel_hash: u32_at(68),
            not_before,
            not_after,
            delegation_depth: bytes[88],
            nonce: u64_at(89),
            signature,
        })
    }

    /// The 97 signed bytes (every field but the signature).
    pub(crate) fn body(&self) -> [u8; BODY_SIZE] {
        let mut b = [0u8; BODY_SIZE];
        b[0..32].copy_from_slice(self.issuer.as_bytes());
        b[32..64].copy_from_slice(self.subject.as_bytes());
        b[64..68].copy_from_slice(&self.scope.bits().to_le_bytes());
        b[68..72].copy_from_slice(&self.channel_hash.to_le_bytes());
        b[72..80].copy_from_slice(&self.not_before.to_le_bytes());
        b[80..88].copy_from_slice(&self.not_after.to_le_bytes());
        b[88] = self.delegation_depth;
        b[89..97].copy_from_slice(&self.nonce.to_le_bytes());
        b
    }

    /// The exact message the issuer signs: the domain tag then the body.
    pub fn signing_message(&self) -> Vec<u8> {
        let mut msg = Vec::with_capacity(TOKEN_SIGNING_TAG.len() + BODY_SIZE);
        msg.extend_from_slice(TOKEN_SIGNING_TAG);
        msg.extend_from_slice(&self.body());
        msg
    }

    /// Verifies the signature, then the time window against the system's
    /// wall clock.
    ///
    /// This reads `SystemTime` directly rather than building a
    /// [`Clock`](crate::Clock): a fresh clock calibrates its counter, which
    /// costs more than the verification. Code that needs testable time uses
    /// [`verify_at`](Self::verify_at) with its own clock.
    ///
    /// # Errors
    /// As [`verify_at`](Self::verify_at).
    pub fn verify(&self) -> Result<(), TokenError> {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        self.verify_at(now)
    }

    /// Verifies the signature, then that `now_secs` (Unix seconds) lies in
    /// `[not_before, not_after)`.
    ///
    /// The signature comes first so that a forged token is always reported
    /// as forged, never as merely expired.
    ///
    /// # Errors
    /// [`TokenError::InvalidSignature`], then [`TokenError::NotYetValid`]
    /// when `now_secs < not_before`, then [`TokenError::Expired`] when
    /// `now_secs >= not_after`.
    pub fn verify_at(&self, now_secs: u64) -> Result<(), TokenError> {
        self.verify_signature()?;
        if now_secs < self.not_before {
            return Err(TokenError::NotYetValid);
        }
        if self.is_expired_at(now_secs) {
            return Err(TokenError::Expired);
        }
        Ok(())
    }

    /// Checks only the issuer's signature over the fields.
    ///
    /// # Errors
    /// [`TokenError::InvalidSignature`] when it does not verify.
    pub fn verify_signature(&self) -> Result<(), TokenError> {
        self.issuer
            .verify_array(&self.signing_message(), &self.signature)
            .map_err(|_| TokenError::InvalidSignature)
    }

    /// True when `now_secs >= not_after`.
    pub fn is_expired_at(&self, now_secs: u64) -> bool {
        now_secs >= self.not_after
    }

    /// True when `now_secs` lies in `[not_before, not_after)`.
    pub fn is_valid_at(&self, now_secs: u64) -> bool {
        now_secs >= self.not_before && !self.is_expired_at(now_secs)
    }

    /// True when this token's scope contains `scope` on `channel_hash`.
    ///
    /// A pure field comparison: it checks neither the signature nor the
    /// time, which callers establish once with [`verify_at`](Self::verify_at).
    pub fn grants(&self, scope: TokenScope, channel_hash: ChannelHash) -> bool {
        self.channel_hash == channel_hash && self.scope.contains(scope)
    }
}

impl fmt::Debug for PermissionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PermissionToken")
            .field("issuer", &self.issuer)
            .field("subject", &self.subject)
            .field("scope", &self.scope)
            .field("channel_hash", &format_args!("{:#010x}", self.channel_hash))
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .field("delegation_depth", &self.delegation_depth)
            .field("nonce", &self.nonce)
            .field("signature", &format_args!("{}", hex::encode(self.signature)))
            .finish()
    }
}

impl TryFrom<&[u8]> for PermissionToken {
    type Error = TokenError;

    fn try_from(bytes: &[u8]) -> Result<Self, Self::Error> {
        PermissionToken::from_bytes(bytes)
    }
}
