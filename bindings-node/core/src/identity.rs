//! `Identity`: an ed25519 identity from a 32-byte seed.

use std::time::Duration;

use napi::bindgen_prelude::{BigInt, Buffer};
use napi_derive::napi;
use net_sdk::{ChannelName, EntityId, IdentityError, TokenScope};

use crate::error::{fail, invalid, Result};
use crate::token::Token;

/// An ed25519 identity: the seed is the whole secret and the persisted
/// form (`toBytes()` / `Identity.fromSeed()`).
#[napi]
pub struct Identity {
    inner: net_sdk::Identity,
}

impl Identity {
    /// The core identity (a daemon's, for `DaemonRuntime.spawn`).
    pub(crate) fn core(&self) -> &net_sdk::Identity {
        &self.inner
    }
}

#[napi]
impl Identity {
    /// A fresh identity from the operating system's random generator.
    #[napi(factory)]
    pub fn generate() -> Self {
        Identity { inner: net_sdk::Identity::generate() }
    }

    /// The identity of a 32-byte seed (kind `invalid_length` otherwise).
    #[napi(factory)]
    pub fn from_seed(seed: &[u8]) -> Result<Self> {
        Ok(Identity { inner: net_sdk::Identity::from_seed_slice(seed).map_err(fail)? })
    }

    /// The 32-byte secret seed.
    #[napi]
    pub fn to_bytes(&self) -> Buffer {
        self.inner.to_bytes().to_vec().into()
    }

    /// The 32-byte public key.
    #[napi(getter)]
    pub fn entity_id(&self) -> Buffer {
        self.inner.entity_id().as_bytes().to_vec().into()
    }

    /// The 32-byte static key a mesh node with this identity listens
    /// under: what a peer dials (`peerPublicKey`), known from the seed
    /// before the node starts.
    #[napi(getter)]
    pub fn mesh_public_key(&self) -> Buffer {
        self.inner.mesh_public_key().to_vec().into()
    }

    /// The 64-bit node id derived from the public key.
    #[napi(getter)]
    pub fn node_id(&self) -> BigInt {
        BigInt::from(self.inner.node_id())
    }

    /// The 64-bit origin hash stamped on this entity's events.
    #[napi(getter)]
    pub fn origin_hash(&self) -> BigInt {
        BigInt::from(self.inner.origin_hash())
    }

    /// A 64-byte ed25519 signature over `"net message v1"` ‖ `message`.
    #[napi]
    pub fn sign(&self, message: &[u8]) -> Buffer {
        self.inner.sign(message).to_vec().into()
    }

    /// Issue a token to `subject` (32 bytes) for `scope` on `channel`,
    /// valid from now for `ttlSeconds` (0 is refused: kind `zero_ttl`).
    #[napi]
    pub fn issue_token(
        &self,
        subject: &[u8],
        scope: Vec<String>,
        channel: String,
        ttl_seconds: f64,
        delegation_depth: u32,
    ) -> Result<Token> {
        let (subject, scope) = grant(subject, &scope)?;
        let channel = ChannelName::new(&channel).map_err(fail)?;
        let ttl = Duration::from_secs(seconds(ttl_seconds, "ttlSeconds")?);
        let token = self.inner.try_issue_token(subject, scope, &channel, ttl, depth(delegation_depth)?).map_err(fail)?;
        Ok(Token::from(token))
    }

    /// Issue a token with every field chosen by the caller (deterministic:
    /// what golden vectors and replayable tests need).
    #[napi]
    #[allow(clippy::too_many_arguments)] // mirrors the wire fields one to one
    pub fn issue_token_at(
        &self,
        subject: &[u8],
        scope: Vec<String>,
        channel_hash: u32,
        not_before: BigInt,
        not_after: BigInt,
        delegation_depth: u32,
        nonce: BigInt,
    ) -> Result<Token> {
        let (subject, scope) = grant(subject, &scope)?;
        let token = self.inner.issue_token_at(
            subject,
            scope,
            channel_hash,
            u64_of(&not_before, "notBefore")?,
            u64_of(&not_after, "notAfter")?,
            depth(delegation_depth)?,
            u64_of(&nonce, "nonce")?,
        );
        Ok(Token::from(token))
    }

    /// Delegate: as the subject of `parent`, issue a narrower child token
    /// to `subject`.
    #[napi]
    pub fn delegate(&self, parent: &Token, subject: &[u8], scope: Vec<String>, ttl_seconds: f64) -> Result<Token> {
        let (subject, scope) = grant(subject, &scope)?;
        let ttl = Duration::from_secs(seconds(ttl_seconds, "ttlSeconds")?);
        let child = self.inner.delegate(parent.inner(), subject, scope, ttl).map_err(fail)?;
        Ok(Token::from(child))
    }
}

/// Whether `signature` is `entityId`'s signature of `message` (made by
/// `Identity.sign`). Malformed ids or signature lengths throw.
#[napi]
pub fn verify_signature(entity_id: &[u8], message: &[u8], signature: &[u8]) -> Result<bool> {
    let id = EntityId::from_bytes(entity_id).map_err(fail)?;
    match id.verify(message, signature) {
        Ok(()) => Ok(true),
        Err(IdentityError::InvalidSignature) => Ok(false),
        Err(e) => Err(fail(e)),
    }
}

/// The grantee and rights of a token from their JS forms.
fn grant(subject: &[u8], scope: &[String]) -> Result<(EntityId, TokenScope)> {
    Ok((EntityId::from_bytes(subject).map_err(fail)?, TokenScope::from_names(scope).map_err(fail)?))
}

/// A whole, non-negative number of seconds.
fn seconds(v: f64, what: &str) -> Result<u64> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= u64::MAX as f64 {
        Ok(v as u64)
    } else {
        Err(invalid(format!("{what} must be a whole number of seconds >= 0, got {v}")))
    }
}

fn depth(d: u32) -> Result<u8> {
    u8::try_from(d).map_err(|_| invalid(format!("delegationDepth must be 0..=255, got {d}")))
}

/// A bigint that must fit in a u64.
pub fn u64_of(v: &BigInt, what: &str) -> Result<u64> {
    let (negative, value, lossless) = v.get_u64();
    if negative || !lossless {
        return Err(invalid(format!("{what} must be a bigint in 0..2^64")));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_depth_and_bigints_are_range_checked() {
        assert_eq!(seconds(300.0, "t").unwrap(), 300);
        assert_eq!(seconds(0.0, "t").unwrap(), 0);
        for bad in [-1.0, 1.5, f64::NAN, f64::INFINITY] {
            assert_eq!(seconds(bad, "t").unwrap_err().status.0, "invalid_argument");
        }
        assert_eq!(depth(255).unwrap(), 255);
        assert!(depth(256).is_err());
        assert_eq!(u64_of(&BigInt::from(u64::MAX), "n").unwrap(), u64::MAX);
        assert!(u64_of(&BigInt::from(-1i64), "n").is_err());
        assert!(u64_of(&BigInt { sign_bit: false, words: vec![0, 1] }, "n").is_err());
    }
}
