//! Channel names and hashes.

pub mod envelope;
mod error;
mod name;

pub use error::ChannelNameError;
pub use name::{channel_hash, ChannelName, MAX_CHANNEL_NAME_LEN};

/// The canonical 32-bit hash of a channel name (see [`ChannelName::hash`]).
pub type ChannelHash = u32;
