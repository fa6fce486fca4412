//! [`RedexError`]: everything a RedEX file can refuse or fail at.

use std::path::PathBuf;

use crate::channel::ChannelNameError;

/// Why a RedEX operation failed. Each variant has a stable kind string
/// ([`RedexError::kind`]) shared by every face.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RedexError {
    /// The file name is not a valid channel name.
    #[error("invalid RedEX file name: {0}")]
    InvalidName(#[from] ChannelNameError),
    /// The file configuration is contradictory or out of range, or asks for
    /// persistence on a manager without a directory.
    #[error("invalid RedEX file configuration: {0}")]
    Config(String),
    /// A record in the middle of a log does not check out. Nothing was
    /// changed on disk; reopen with `recover` to cut the log at the last
    /// good record.
    #[error("corrupt RedEX log {}: at byte offset {offset}: {reason}", file.display())]
    Corrupt {
        /// The segment file holding the bad record.
        file: PathBuf,
        /// Byte offset of the bad record inside that file.
        offset: u64,
        /// What failed (checksum, sequence, length).
        reason: String,
    },
    /// Another process (or another manager in this one) holds the file's
    /// directory lock.
    #[error("RedEX file {name:?} is already open by another owner ({})", dir.display())]
    Locked { name: String, dir: PathBuf },
    /// A payload or idempotency key too large for the record format.
    #[error("{what} of {size} bytes exceeds the maximum of {max}")]
    TooLarge { what: &'static str, size: usize, max: usize },
    /// `append_idempotent` was given an empty key.
    #[error("idempotency key must not be empty")]
    EmptyKey,
    /// The file was closed; appends and syncs are refused.
    #[error("RedEX file {0:?} is closed")]
    Closed(String),
    /// A tail asked for records that retention has already evicted; the
    /// stream continues from `oldest`.
    #[error("tail fell behind retention: wanted seq {requested}, oldest retained is {oldest}")]
    TailLagged { requested: u64, oldest: u64 },
    /// The operating system refused a read, write, fsync or rename.
    #[error("RedEX i/o error on {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl RedexError {
    /// The stable, cross-language kind string.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::InvalidName(e) => e.kind(),
            Self::Config(_) => "redex:config",
            Self::Corrupt { .. } => "redex:corrupt",
            Self::Locked { .. } => "redex:locked",
            Self::TooLarge { .. } => "redex:too_large",
            Self::EmptyKey => "redex:invalid_key",
            Self::Closed(_) => "redex:closed",
            Self::TailLagged { .. } => "redex:tail_lagged",
            Self::Io { .. } => "redex:io",
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io { path: path.into(), source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrupt_names_file_and_offset() {
        let e = RedexError::Corrupt { file: "/x/0.log".into(), offset: 96, reason: "bad checksum".into() };
        assert_eq!(e.kind(), "redex:corrupt");
        let text = e.to_string();
        assert!(text.contains("/x/0.log") && text.contains("96"), "{text}");
        assert_eq!(RedexError::from(ChannelNameError::Empty).kind(), "invalid_channel");
    }
}
