//! Handshake failures and their stable kind strings.

/// Why a handshake did not produce a session. Wrapped by
/// [`SdkError::Handshake`](crate::SdkError::Handshake); no session, pending
/// or otherwise, is left behind by any of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HandshakeError {
    /// The peer's reply did not authenticate under our pre-shared key:
    /// the two meshes were given different PSKs.
    #[error("handshake failed: the peer uses a different pre-shared key")]
    WrongPsk,
    /// The peer could not open our hello: the public key we dialed is not
    /// the static key of the node listening at that address.
    #[error("handshake failed: the dialed public key is not the peer's static key")]
    UnknownStaticKey,
    /// The peer's authenticated identity is not the node id we expected,
    /// or its identity does not vouch for its static key.
    #[error("handshake failed: the peer's identity does not match")]
    IdentityMismatch,
    /// The peer refused us (it rejected our identity).
    #[error("handshake refused by the peer")]
    Refused,
    /// A handshake message that is not well formed.
    #[error("handshake failed: malformed message")]
    Malformed,
}

impl HandshakeError {
    /// The stable, cross-language kind string.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::WrongPsk => "wrong_psk",
            Self::UnknownStaticKey => "unknown_static_key",
            Self::IdentityMismatch => "identity_mismatch",
            Self::Refused => "handshake_refused",
            Self::Malformed => "handshake_malformed",
        }
    }

    /// The reason byte of a `Reject` packet.
    pub(crate) fn reject_code(&self) -> u8 {
        match self {
            Self::UnknownStaticKey => 1,
            Self::IdentityMismatch => 2,
            Self::WrongPsk => 3,
            Self::Refused => 4,
            Self::Malformed => 5,
        }
    }

    /// What a received reject code tells the *other* side.
    pub(crate) fn from_reject_code(code: u8) -> Self {
        match code {
            1 => Self::UnknownStaticKey,
            // The peer refused *our* identity binding.
            2 | 4 => Self::Refused,
            3 => Self::WrongPsk,
            _ => Self::Malformed,
        }
    }
}
