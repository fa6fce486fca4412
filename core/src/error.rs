//! The SDK's error type and its stable kind strings.
//!
//! Every failure the core can report is an [`SdkError`]; its
//! [`kind`](SdkError::kind) is the string the C ABI's
//! `net_last_error_kind()` and every binding's typed error carry, so a kind
//! is spelled once, here (or in the module error it wraps).

use crate::capabilities::CapabilityError;
use crate::channel::ChannelNameError;
use crate::identity::{IdentityError, TokenError};
#[cfg(feature = "net")]
use crate::mesh::HandshakeError;

/// Result alias used throughout the SDK.
pub type Result<T, E = SdkError> = std::result::Result<T, E>;

/// Everything that can go wrong in the SDK.
///
/// `#[non_exhaustive]`: always keep a wildcard arm when matching, so adding
/// a variant stays a minor-version change.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SdkError {
    /// A shard's ring is full and the policy is `FailProducer`, or a mesh
    /// stream's in-flight window has no room.
    #[error("backpressure: the shard's ring buffer is full or the stream's window is exhausted")]
    Backpressure,
    /// The node has been shut down.
    #[error("the node is shut down")]
    Closed,
    /// A builder or JSON configuration value is out of range or malformed.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
    /// A poll cursor that this node did not produce, or for another shard count.
    #[error("invalid cursor: {0}")]
    InvalidCursor(String),
    /// An argument that is not acceptable (e.g. text that is not UTF-8).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// An event could not be serialized to JSON.
    #[error("serialization failed: {0}")]
    Serialization(String),
    /// An event's bytes could not be deserialized into the requested type.
    #[error("deserialization failed: {0}")]
    Deserialization(String),
    /// The storage backend failed.
    #[error("backend failure: {0}")]
    Backend(String),
    /// A token was refused.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// An identity input was malformed.
    #[error(transparent)]
    Identity(#[from] IdentityError),
    /// A channel name was refused.
    #[error(transparent)]
    Channel(#[from] ChannelNameError),
    /// The peer is dead, closed, or never completed a handshake, or the
    /// stream was closed.
    #[error("not connected: the peer is gone or the stream is closed")]
    NotConnected,
    /// A mesh handshake failed.
    #[error(transparent)]
    #[cfg(feature = "net")]
    Handshake(#[from] HandshakeError),
    /// A message larger than the transport accepts.
    #[error("message of {size} bytes exceeds the maximum of {max}")]
    MessageTooLarge { size: usize, max: usize },
    /// An operation did not complete in time.
    #[error("timed out: {0}")]
    Timeout(String),
    /// A socket or other operating-system failure.
    #[error("i/o error: {0}")]
    Io(String),
    /// Capability input was refused (announcement, set, predicate, header, subnet).
    #[error(transparent)]
    Capability(#[from] CapabilityError),
    /// The producer nonce file exists but does not hold a nonce; it is left
    /// as it is (a new nonce would defeat deduplication across restarts).
    #[error("corrupt producer nonce file {0}")]
    CorruptNonce(String),
    /// A Redis or NATS server refused the credentials (the message names
    /// the server's URL without its password).
    #[error("authentication failed: {0}")]
    AuthFailed(String),
}

impl SdkError {
    /// The stable, cross-language kind string.
    pub fn kind(&self) -> &'static str {
        match self {
            SdkError::Backpressure => "backpressure",
            SdkError::Closed => "closed",
            SdkError::InvalidConfig(_) => "invalid_config",
            SdkError::InvalidCursor(_) => "invalid_cursor",
            SdkError::InvalidArgument(_) => "invalid_argument",
            SdkError::Serialization(_) => "serialization",
            SdkError::Deserialization(_) => "deserialization",
            SdkError::Backend(_) => "backend",
            SdkError::Token(e) => e.kind(),
            SdkError::Identity(e) => e.kind(),
            SdkError::Channel(e) => e.kind(),
            SdkError::NotConnected => "not_connected",
            #[cfg(feature = "net")]
            SdkError::Handshake(e) => e.kind(),
            SdkError::MessageTooLarge { .. } => "message_too_large",
            SdkError::Timeout(_) => "timeout",
            SdkError::Io(_) => "io",
            SdkError::Capability(e) => e.kind(),
            SdkError::CorruptNonce(_) => "corrupt_nonce",
            SdkError::AuthFailed(_) => "auth_failed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_the_contract_spellings() {
        assert_eq!(SdkError::Backpressure.kind(), "backpressure");
        assert_eq!(SdkError::Closed.kind(), "closed");
        assert_eq!(SdkError::from(TokenError::Expired).kind(), "expired");
        assert_eq!(SdkError::from(TokenError::InvalidSignature).kind(), "invalid_signature");
        assert_eq!(SdkError::from(ChannelNameError::Empty).kind(), "invalid_channel");
        let e = SdkError::from(IdentityError::InvalidLength { what: "seed", expected: 32, actual: 3 });
        assert_eq!(e.kind(), "invalid_length");
        assert_eq!(e.to_string(), "seed must be 32 bytes, got 3");
        assert_eq!(SdkError::NotConnected.kind(), "not_connected");
        assert_eq!(SdkError::MessageTooLarge { size: 2, max: 1 }.kind(), "message_too_large");
        assert_eq!(SdkError::Timeout(String::new()).kind(), "timeout");
        assert_eq!(SdkError::Io(String::new()).kind(), "io");
        assert_eq!(SdkError::CorruptNonce(String::new()).kind(), "corrupt_nonce");
        assert_eq!(SdkError::AuthFailed(String::new()).kind(), "auth_failed");
    }

    #[cfg(feature = "net")]
    #[test]
    fn handshake_kinds_are_the_mesh_ones() {
        assert_eq!(SdkError::from(HandshakeError::WrongPsk).kind(), "wrong_psk");
        assert_eq!(SdkError::from(HandshakeError::UnknownStaticKey).kind(), "unknown_static_key");
        assert_eq!(SdkError::from(HandshakeError::IdentityMismatch).kind(), "identity_mismatch");
        assert_eq!(SdkError::from(HandshakeError::Refused).kind(), "handshake_refused");
    }
}
