//! Channel names and hashes.

mod error;

pub use error::ChannelNameError;

/// The canonical 32-bit hash of a channel name.
pub type ChannelHash = u32;

/// A validated channel name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChannelName(String);
