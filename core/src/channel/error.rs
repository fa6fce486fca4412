//! Errors of channel names.

/// Why a channel name was refused; kind `invalid_channel` in every face.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChannelNameError {
    #[error("channel name is empty")]
    Empty,
    #[error("channel name is {0} bytes; the limit is 255")]
    TooLong(usize),
    #[error("channel name has an empty segment (leading, trailing or doubled '/')")]
    EmptySegment,
    #[error("channel name contains {0:?}; allowed are ASCII letters, digits and - _ . : / ")]
    InvalidCharacter(char),
}

impl ChannelNameError {
    /// The stable, cross-language kind string.
    pub fn kind(&self) -> &'static str {
        "invalid_channel"
    }
}
