//! [`TokenCache`]: the verified tokens a node holds, keyed by who they are
//! for and on which channel.

use std::collections::HashMap;

use parking_lot::RwLock;

use super::{EntityId, PermissionToken, TokenError, TokenScope};
use crate::channel::ChannelHash;
use crate::clock::Clock;

/// A thread-safe store of verified permission tokens, one per
/// `(subject, channel_hash)`.
///
/// Tokens are verified (signature and time) when installed, so lookups are
/// a map read plus a time comparison. The cache proves only that the
/// issuer signed the grant; whether that issuer may grant rights on the
/// channel is the caller's policy (the channel auth guard).
///
/// Reads vastly outnumber installs (every publish or subscribe checks), so
/// the map sits behind a read-write lock.
#[derive(Debug)]
pub struct TokenCache {
    tokens: RwLock<HashMap<(EntityId, ChannelHash), PermissionToken>>,
    clock: Clock,
}

impl TokenCache {
    /// An empty cache on the system clock.
    pub fn new() -> TokenCache {
        TokenCache::with_clock(Clock::system())
    }

    /// An empty cache reading "now" from `clock`.
    pub fn with_clock(clock: Clock) -> TokenCache {
        TokenCache { tokens: RwLock::new(HashMap::new()), clock }
    }

    /// Verifies `token` now and stores it, replacing whatever was stored for
    /// the same subject and channel: the latest install wins, so an issuer
    /// can narrow a grant as well as renew it.
    ///
    /// # Errors
    /// The token's [`verify_at`](PermissionToken::verify_at) errors; nothing
    /// is stored then.
    pub fn install(&self, token: PermissionToken) -> Result<(), TokenError> {
        token.verify_at(self.clock.now_secs())?;
        self.tokens.write().insert((token.subject, token.channel_hash), token);
        Ok(())
    }

    /// The token stored for `subject` on `channel_hash`, unless it has
    /// expired (expired tokens stay stored until [`sweep_expired`](Self::sweep_expired)).
    pub fn get(&self, subject: &EntityId, channel_hash: ChannelHash) -> Option<PermissionToken> {
        let now = self.clock.now_secs();
        self.tokens
            .read()
            .get(&(*subject, channel_hash))
            .filter(|t| t.is_valid_at(now))
            .cloned()
    }

    /// Succeeds when a live token grants `subject` every right in `scope`
    /// on `channel_hash`.
    ///
    /// # Errors
    /// [`TokenError::NotAuthorized`] when there is no token, it has expired,
    /// or it grants less than `scope`.
    pub fn check(&self, subject: &EntityId, channel_hash: ChannelHash, scope: TokenScope) -> Result<(), TokenError> {
        let now = self.clock.now_secs();
        let tokens = self.tokens.read();
        match tokens.get(&(*subject, channel_hash)) {
            Some(t) if t.is_valid_at(now) && t.grants(scope, channel_hash) => Ok(()),
            _ => Err(TokenError::NotAuthorized),
        }
    }

    /// Drops every expired token and returns how many were dropped.
    pub fn sweep_expired(&self) -> usize {
        let now = self.clock.now_secs();
        let mut tokens = self.tokens.write();
        let before = tokens.len();
        tokens.retain(|_, t| !t.is_expired_at(now));
        before - tokens.len()
    }

    /// Removes the token for `subject` on `channel_hash` (revocation of the
    /// local copy), returning it if there was one.
    pub fn remove(&self, subject: &EntityId, channel_hash: ChannelHash) -> Option<PermissionToken> {
        self.tokens.write().remove(&(*subject, channel_hash))
    }

    /// Number of stored tokens, expired ones included until swept.
    pub fn len(&self) -> usize {
        self.tokens.read().len()
    }

    /// True when nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.tokens.read().is_empty()
    }
}

impl Default for TokenCache {
    fn default() -> Self {
        TokenCache::new()
    }
}
