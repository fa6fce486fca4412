//! [`MeshOsError`]: every failure of the MeshOS daemon SDK, with a stable
//! kind. Its text is the envelope `<<meshos-sdk-kind:KIND>>MSG`, which the
//! C header splits into its last-error pair and every face parses the same
//! way ([`MeshOsError::parse_envelope`]).

use std::fmt;

/// The stable discriminator of a [`MeshOsError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MeshOsErrorKind {
    /// A daemon could not be registered (bad name, taken identity, missing
    /// capabilities, runtime refused it).
    RegisterFailed,
    /// A bounded queue (log ring, action queue) is full.
    QueueFull,
    /// The SDK's supervisor loop has stopped (the SDK was shut down).
    LoopClosed,
    /// A log level outside `0..=4`.
    InvalidLogLevel,
    /// The SDK or the handle was already shut down.
    AlreadyShutdown,
    /// Shutting down failed.
    ShutdownFailed,
    /// A panic was caught at the boundary.
    RuntimePanic,
    /// Bad input that is none of the above (bad JSON, bad tag).
    InvalidArgument,
}

impl MeshOsErrorKind {
    /// The kind as the seed spells it (`"register_failed"`, …).
    pub fn as_str(&self) -> &'static str {
        match self {
            MeshOsErrorKind::RegisterFailed => "register_failed",
            MeshOsErrorKind::QueueFull => "queue_full",
            MeshOsErrorKind::LoopClosed => "loop_closed",
            MeshOsErrorKind::InvalidLogLevel => "invalid_log_level",
            MeshOsErrorKind::AlreadyShutdown => "already_shutdown",
            MeshOsErrorKind::ShutdownFailed => "shutdown_failed",
            MeshOsErrorKind::RuntimePanic => "runtime_panic",
            MeshOsErrorKind::InvalidArgument => "invalid_argument",
        }
    }
}

/// A failure of the MeshOS daemon SDK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeshOsError {
    kind: MeshOsErrorKind,
    message: String,
}

impl MeshOsError {
    /// An error of `kind` saying `message`.
    pub fn new(kind: MeshOsErrorKind, message: impl Into<String>) -> Self {
        MeshOsError { kind, message: message.into() }
    }

    /// Its stable kind.
    pub fn kind(&self) -> MeshOsErrorKind {
        self.kind
    }

    /// The human-readable part (without the envelope).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Split an envelope `<<meshos-sdk-kind:KIND>>MSG` into `(KIND, MSG)`;
    /// `None` for text that is not one.
    pub fn parse_envelope(text: &str) -> Option<(&str, &str)> {
        let rest = text.strip_prefix("<<meshos-sdk-kind:")?;
        let end = rest.find(">>")?;
        Some((&rest[..end], &rest[end + 2..]))
    }

    pub(crate) fn already_shutdown(what: &str) -> Self {
        MeshOsError::new(MeshOsErrorKind::AlreadyShutdown, format!("{what} was already shut down"))
    }

    pub(crate) fn loop_closed() -> Self {
        MeshOsError::new(MeshOsErrorKind::LoopClosed, "the SDK's supervisor loop has stopped")
    }
}

impl fmt::Display for MeshOsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<<meshos-sdk-kind:{}>>{}", self.kind.as_str(), self.message)
    }
}

impl std::error::Error for MeshOsError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_envelope_round_trips_and_rejects_other_text() {
        let e = MeshOsError::new(MeshOsErrorKind::QueueFull, "log ring full (64)");
        let text = e.to_string();
        assert_eq!(text, "<<meshos-sdk-kind:queue_full>>log ring full (64)");
        assert_eq!(MeshOsError::parse_envelope(&text), Some(("queue_full", "log ring full (64)")));
        assert_eq!(MeshOsError::parse_envelope("queue_full: nope"), None);
        assert_eq!(MeshOsError::parse_envelope("<<meshos-sdk-kind:x"), None);
    }
}
