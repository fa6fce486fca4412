//! Delegation: a token's subject issuing narrower child tokens, and the
//! verification of the resulting chains.
//!
//! A chain `[root, child, grandchild, ...]` is valid when every link
//! verifies on its own and each child is a strict narrowing of its parent:
//! issued by the parent's subject, allowed by the parent's DELEGATE right
//! and depth, no wider in scope, on the same channel, and expiring no later.

use std::time::Duration;

use super::keypair::not_after_for;
use super::{Identity, PermissionToken, TokenError, TokenScope};

impl Identity {
    /// Issues a child of `parent` to `subject`, valid from now.
    ///
    /// The child keeps the parent's channel, has depth `parent depth - 1`,
    /// and expires at `min(now + ttl, parent.not_after)` so delegation can
    /// never extend a grant. The parent is verified first: a child of a
    /// forged or lapsed parent would be useless.
    ///
    /// # Errors
    /// In this order: [`TokenError::ZeroTtl`] for a sub-second `ttl`;
    /// [`TokenError::DelegationNotAllowed`] when `self` is not the parent's
    /// subject or the parent lacks [`TokenScope::DELEGATE`];
    /// [`TokenError::DelegationExhausted`] when the parent's depth is 0;
    /// [`TokenError::DelegationNotAllowed`] when `scope` is wider than the
    /// parent's; then the parent's own [`verify_at`](PermissionToken::verify_at) errors.
    pub fn delegate(
        &self,
        parent: &PermissionToken,
        subject: super::EntityId,
        scope: TokenScope,
        ttl: Duration,
    ) -> Result<PermissionToken, TokenError> {
        let now = self.clock().now_secs();
        let until = not_after_for(now, ttl)?;
        if parent.subject != *self.entity_id() || !parent.scope.contains(TokenScope::DELEGATE) {
            return Err(TokenError::DelegationNotAllowed);
        }
        if parent.delegation_depth == 0 {
            return Err(TokenError::DelegationExhausted);
        }
        if !parent.scope.contains(scope) {
            return Err(TokenError::DelegationNotAllowed);
        }
        parent.verify_at(now)?;
        Ok(self.issue_token_at(
            subject,
            scope,
            parent.channel_hash,
            now,
            until.min(parent.not_after),
            parent.delegation_depth - 1,
            rand::random(),
        ))
    }
}

impl PermissionToken {
    /// Verifies a delegation chain at `now_secs`; `chain[0]` is the root.
    ///
    /// Links are checked in order; for each one, first
    /// [`verify_at`](Self::verify_at) (signature, then time), then — for every
    /// link after the root — its relation to the previous link:
    /// issuer == parent's subject and parent holds DELEGATE (else
    /// [`TokenError::DelegationNotAllowed`]); parent depth > 0 (else
    /// [`TokenError::DelegationExhausted`]); child depth == parent depth - 1,
    /// scope a subset of the parent's, same channel and `not_after` no later
    /// than the parent's (else [`TokenError::DelegationNotAllowed`]).
    ///
    /// The root's issuer is not judged here: whether it is trusted for the
    /// channel is the caller's policy.
    ///
    /// # Errors
    /// [`TokenError::InvalidFormat`] for an empty chain, else the first
    /// failure found as described.
    pub fn verify_chain(chain: &[PermissionToken], now_secs: u64) -> Result<(), TokenError> {
        let (root, _) = chain.split_first().ok_or(TokenError::InvalidFormat)?;
        root.verify_at(now_secs)?;
        for pair in chain.windows(2) {
            let (parent, child) = (&pair[0], &pair[1]);
            child.verify_at(now_secs)?;
            check_link(parent, child)?;
        }
        Ok(())
    }
}

/// The structural rules between one parent and its child.
fn check_link(parent: &PermissionToken, child: &PermissionToken) -> Result<(), TokenError> {
    if child.issuer != parent.subject || !parent.scope.contains(TokenScope::DELEGATE) {
        return Err(TokenError::DelegationNotAllowed);
    }
    if parent.delegation_depth == 0 {
        return Err(TokenError::DelegationExhausted);
    }
    let narrowing = child.delegation_depth == parent.delegation_depth - 1
        && parent.scope.contains(child.scope)
        && child.channel_hash == parent.channel_hash
        && child.not_after <= parent.not_after;
    if !narrowing {
        return Err(TokenError::DelegationNotAllowed);
    }
    Ok(())
}
