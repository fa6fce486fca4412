//! [`CapabilityError`]: every way capability input can be refused, with
//! its stable cross-language kind.

use super::schema::ValidationReport;

/// Why capability input (an announcement, a set, a predicate, a header,
/// a subnet) was refused. [`kind`](Self::kind) is the string every face
/// reports.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CapabilityError {
    /// Announcement bytes that do not decode (truncated, bad lengths,
    /// non-canonical order, invalid UTF-8, trailing bytes).
    #[error("malformed capability announcement: {0}")]
    Malformed(String),
    /// An announcement of a format version this node does not speak.
    #[error("unsupported capability announcement format version {0}")]
    UnsupportedVersion(u8),
    /// The ed25519 signature does not verify over the signed bytes
    /// (tampered in transit, or forged with another key).
    #[error("capability announcement signature does not verify")]
    InvalidSignature,
    /// The signer's public key does not derive the claimed origin node id.
    #[error("announcement claims origin {origin:#x} but its signer derives {derived:#x}")]
    OriginMismatch {
        /// The origin node id the announcement claims.
        origin: u64,
        /// The node id derived from the signer's entity id.
        derived: u64,
    },
    /// A validly signed announcement older than one already seen from
    /// the same origin (a replay), or a second, different body under the
    /// same version.
    #[error("announcement version {got} of {origin:#x} is not newer than {known}")]
    StaleVersion {
        /// The origin node id.
        origin: u64,
        /// The version received.
        got: u64,
        /// The newest version already seen.
        known: u64,
    },
    /// The announcement travelled more than `MAX_CAPABILITY_HOPS`.
    #[error("announcement hop count {0} exceeds the limit")]
    HopLimit(u8),
    /// The encoded announcement exceeds `MAX_ANNOUNCEMENT_SIZE`.
    #[error("capability announcement of {size} bytes exceeds {max}")]
    TooLarge {
        /// Encoded size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// A capability set that fails schema validation.
    #[error("invalid capabilities: {0}")]
    Invalid(ValidationReport),
    /// A tag refused by [`Tag::from_user_string`](super::Tag::from_user_string).
    #[error("invalid tag: {0}")]
    InvalidTag(String),
    /// JSON that does not parse or has the wrong shape.
    #[error("invalid capability JSON: {0}")]
    Json(String),
    /// A predicate that is malformed (bad JSON shape, too deep, non-finite number).
    #[error("invalid predicate: {0}")]
    Predicate(String),
    /// A `net-where` header value that is not base64url of a predicate.
    #[error("invalid net-where header: {0}")]
    Header(String),
    /// A subnet id or policy out of range.
    #[error("invalid subnet: {0}")]
    Subnet(String),
}

impl CapabilityError {
    /// The stable, cross-language kind string.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "malformed_announcement",
            Self::UnsupportedVersion(_) => "unsupported_version",
            Self::InvalidSignature => "invalid_signature",
            Self::OriginMismatch { .. } => "origin_mismatch",
            Self::StaleVersion { .. } => "stale_version",
            Self::HopLimit(_) => "hop_limit",
            Self::TooLarge { .. } => "announcement_too_large",
            Self::Invalid(_) => "invalid_capabilities",
            Self::InvalidTag(_) => "invalid_tag",
            Self::Json(_) => "invalid_json",
            Self::Predicate(_) => "invalid_predicate",
            Self::Header(_) => "invalid_header",
            Self::Subnet(_) => "invalid_subnet",
        }
    }
}
