//! [`Identity`]: an ed25519 keypair that signs and issues permission tokens.

use std::fmt;
use std::time::Duration;

use ed25519_dalek::{Signer, SigningKey};
use rand::rngs::OsRng;
use rand::RngCore;

use super::{EntityId, IdentityError, PermissionToken, TokenError, TokenScope};
use crate::channel::{ChannelHash, ChannelName};
use crate::clock::Clock;

/// A node's or user's secret identity: an ed25519 signing key derived from
/// a 32-byte seed, plus the ids derived from its public half.
///
/// The seed is the whole secret and the persisted form
/// ([`to_bytes`](Self::to_bytes) / [`from_seed`](Self::from_seed)); where
/// it is stored is the caller's choice. The key is zeroized on drop and
/// `Debug` prints only the public [`EntityId`].
///
/// An identity carries a [`Clock`] for the "now" of the tokens it issues
/// (the system clock unless [`with_clock`](Self::with_clock) says
/// otherwise), so tests can issue tokens at a mocked time.
///
/// ```
/// use std::time::Duration;
/// use net_sdk::{ChannelName, Identity, PermissionToken, TokenCache, TokenScope};
///
/// let id = Identity::from_seed([0x42; 32]);
/// let peer = Identity::generate();
/// let channel = ChannelName::new("sensors/temp").unwrap();
/// let token = id
///     .try_issue_token(*peer.entity_id(), TokenScope::SUBSCRIBE, &channel, Duration::from_secs(300), 0)
///     .unwrap();
///
/// // Ship the 161 bytes; the receiver parses, verifies and caches them.
/// let wire = token.to_bytes();
/// let received = PermissionToken::from_bytes(&wire).unwrap();
/// let cache = TokenCache::new();
/// cache.install(received).unwrap();
/// assert!(cache.check(peer.entity_id(), channel.hash(), TokenScope::SUBSCRIBE).is_ok());
/// assert!(cache.check(peer.entity_id(), channel.hash(), TokenScope::PUBLISH).is_err());
/// ```
#[derive(Clone)]
pub struct Identity {
    key: SigningKey,
    entity_id: EntityId,
    node_id: u64,
    origin_hash: u64,
    clock: Clock,
}

impl Identity {
    /// A fresh identity from the operating system's random generator.
    pub fn generate() -> Identity {
        let mut seed = [0u8; 32];
        OsRng.fill_bytes(&mut seed);
        let id = Identity::from_seed(seed);
        zeroize::Zeroize::zeroize(&mut seed);
        id
    }

    /// The identity of a 32-byte seed: the same seed always yields the same
    /// keys, entity id, node id and origin hash.
    pub fn from_seed(seed: [u8; 32]) -> Identity {
        let key = SigningKey::from_bytes(&seed);
        let entity_id = EntityId::from_verifying_key(&key.verifying_key());
        // Both ids are cached: they are read on hot paths (event stamping,
        // routing) and each costs a blake3 derivation.
        Identity {
            node_id: entity_id.node_id(),
            origin_hash: entity_id.origin_hash(),
            entity_id,
            key,
            clock: Clock::system(),
        }
    }

    /// [`from_seed`](Self::from_seed) for a seed of unchecked length
    /// (the form the C ABI and bindings hand over).
    ///
    /// # Errors
    /// [`IdentityError::InvalidLength`] when `seed` is not 32 bytes.
    pub fn from_seed_slice(seed: &[u8]) -> Result<Identity, IdentityError> {
        let arr: [u8; 32] = seed.try_into().map_err(|_| IdentityError::InvalidLength {
            what: "seed",
            expected: 32,
            actual: seed.len(),
        })?;
        Ok(Identity::from_seed(arr))
    }

    /// Replaces the clock used for the "now" of issued tokens.
    pub fn with_clock(mut self, clock: Clock) -> Identity {
        self.clock = clock;
        self
    }

    /// The clock this identity reads "now" from.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The 32-byte secret seed. Treat it as secret material: anyone holding
    /// it is this identity.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// The public key.
    pub fn entity_id(&self) -> &EntityId {
        &self.entity_id
    }

    /// The 64-bit node id ([`EntityId::node_id`]).
    pub fn node_id(&self) -> u64 {
        self.node_id
    }

    /// The 64-bit origin hash ([`EntityId::origin_hash`]).
    pub fn origin_hash(&self) -> u64 {
        self.origin_hash
    }

    /// An ed25519 signature over [`MESSAGE_SIGNING_TAG`](super::MESSAGE_SIGNING_TAG)
    /// followed by `msg`.
    ///
    /// The tag keeps application signatures in their own domain: tokens are
    /// signed over [`TOKEN_SIGNING_TAG`](super::TOKEN_SIGNING_TAG) plus their
    /// fields, and the two tags differ, so no message a program signs here
    /// can ever be a valid token of this identity, whoever chose its bytes.
    /// Other languages verify with any RFC 8032 library over `tag || msg`.
    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        let mut tagged = Vec::with_capacity(super::MESSAGE_SIGNING_TAG.len() + msg.len());
        tagged.extend_from_slice(super::MESSAGE_SIGNING_TAG);
        tagged.extend_from_slice(msg);
        self.sign_raw(&tagged)
    }

    /// A plain ed25519 signature over `bytes`, for the crate's own
    /// domain-tagged wire forms (tokens).
    pub(crate) fn sign_raw(&self, bytes: &[u8]) -> [u8; 64] {
        self.key.sign(bytes).to_bytes()
    }

    /// Verifies a signature by this identity ([`EntityId::verify`]).
    ///
    /// # Errors
    /// [`IdentityError::InvalidLength`] or [`IdentityError::InvalidSignature`].
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), IdentityError> {
        self.entity_id.verify(msg, sig)
    }

    /// Issues a token valid from now for `ttl` (whole seconds; fractions are
    /// dropped) with a random nonce.
    ///
    /// A `ttl` under one second would mint a token that is born expired, so
    /// it is soft-clamped to one second — and `debug_assert!`s, so the
    /// misuse is loud in debug builds. Boundaries that take a TTL from
    /// outside (the C ABI, bindings) use [`try_issue_token`](Self::try_issue_token).
    pub fn issue_token(
        &self,
        subject: EntityId,
        scope: TokenScope,
        channel: &ChannelName,
        ttl: Duration,
        delegation_depth: u8,
    ) -> PermissionToken {
        debug_assert!(ttl.as_secs() > 0, "issue_token: ttl under one second is clamped to 1 s");
        let ttl = ttl.max(Duration::from_secs(1));
        self.try_issue_token(subject, scope, channel, ttl, delegation_depth)
            .expect("ttl was clamped to at least one second")
    }

    /// Issues a token valid from now for `ttl` (whole seconds) with a random nonce.
    ///
    /// # Errors
    /// [`TokenError::ZeroTtl`] when `ttl` is under one second.
    pub fn try_issue_token(
        &self,
        subject: EntityId,
        scope: TokenScope,
        channel: &ChannelName,
        ttl: Duration,
        delegation_depth: u8,
    ) -> Result<PermissionToken, TokenError> {
        let now = self.clock.now_secs();
        let not_after = not_after_for(now, ttl)?;
        Ok(self.issue_token_at(subject, scope, channel.hash(), now, not_after, delegation_depth, OsRng.next_u64()))
    }

    /// Issues a token with every field chosen by the caller: fully
    /// deterministic (ed25519 signatures are), which is what golden vectors
    /// and replayable tests need.
    ///
    /// Nothing is validated: a window with `not_after < not_before` yields a
    /// token that [`PermissionToken::from_bytes`] will refuse.
    #[allow(clippy::too_many_arguments)] // mirrors the wire fields one to one
    pub fn issue_token_at(
        &self,
        subject: EntityId,
        scope: TokenScope,
        channel_hash: ChannelHash,
        not_before: u64,
        not_after: u64,
        delegation_depth: u8,
        nonce: u64,
    ) -> PermissionToken {
        let mut token = PermissionToken {
            issuer: self.entity_id,
            subject,
            scope,
            channel_hash,
            not_before,
            not_after,
            delegation_depth,
            nonce,
            signature: [0u8; 64],
        };
        token.signature = self.sign_raw(&token.signing_message());
        token
    }
}

/// `now + ttl` in whole seconds, refusing sub-second TTLs and saturating
/// instead of overflowing for absurdly long ones.
pub(crate) fn not_after_for(now: u64, ttl: Duration) -> Result<u64, TokenError> {
    if ttl.as_secs() == 0 {
        return Err(TokenError::ZeroTtl);
    }
    Ok(now.saturating_add(ttl.as_secs()))
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the seed: Debug output ends up in logs.
        f.debug_struct("Identity")
            .field("entity_id", &self.entity_id)
            .field("node_id", &format_args!("{:#018x}", self.node_id))
            .finish_non_exhaustive()
    }
}
