//! Errors of identities and permission tokens, with their stable kinds.

/// Why a permission token was refused. The [`kind`](TokenError::kind)
/// strings are part of the cross-language contract: every binding reports
/// the same spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The bytes are not a well-formed 161-byte token.
    #[error("token is malformed")]
    InvalidFormat,
    /// The ed25519 signature does not match the issuer and the fields.
    #[error("token signature does not verify")]
    InvalidSignature,
    /// `not_after` has passed.
    #[error("token has expired")]
    Expired,
    /// `not_before` is still in the future.
    #[error("token is not yet valid")]
    NotYetValid,
    /// A child token was asked of a parent whose delegation depth is 0.
    #[error("token delegation depth is exhausted")]
    DelegationExhausted,
    /// A child token was asked of a parent without the DELEGATE scope, or
    /// by someone who is not the parent's subject, or for wider rights.
    #[error("token does not allow delegation")]
    DelegationNotAllowed,
    /// No valid token grants the requested scope on the channel.
    #[error("not authorized for this channel and scope")]
    NotAuthorized,
    /// `try_issue_token` was given a zero time-to-live.
    #[error("token time-to-live must be at least one second")]
    ZeroTtl,
}

impl TokenError {
    /// The stable, cross-language kind string.
    pub fn kind(&self) -> &'static str {
        match self {
            TokenError::InvalidFormat => "invalid_format",
            TokenError::InvalidSignature => "invalid_signature",
            TokenError::Expired => "expired",
            TokenError::NotYetValid => "not_yet_valid",
            TokenError::DelegationExhausted => "delegation_exhausted",
            TokenError::DelegationNotAllowed => "delegation_not_allowed",
            TokenError::NotAuthorized => "not_authorized",
            TokenError::ZeroTtl => "zero_ttl",
        }
    }
}

/// Malformed identity inputs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// A seed, entity id or signature had the wrong number of bytes.
    #[error("{what} must be {expected} bytes, got {actual}")]
    InvalidLength { what: &'static str, expected: usize, actual: usize },
    /// 32 bytes that are not a valid ed25519 public key.
    #[error("entity id is not a valid ed25519 public key")]
    InvalidEntityId,
    /// A signature that does not verify.
    #[error("signature does not verify")]
    InvalidSignature,
    /// A scope name that is not one of the known scopes.
    #[error("unknown token scope {0:?}")]
    UnknownScope(String),
}

impl IdentityError {
    /// The stable, cross-language kind string.
    pub fn kind(&self) -> &'static str {
        match self {
            IdentityError::InvalidLength { .. } => "invalid_length",
            IdentityError::InvalidEntityId => "invalid_entity_id",
            IdentityError::InvalidSignature => "invalid_signature",
            IdentityError::UnknownScope(_) => "unknown_scope",
        }
    }
}
