//! Channel names and their hashes.

use napi_derive::napi;
use net_sdk::ChannelName;

use crate::error::{fail, Result};

/// The 32-bit hash of a channel name (carried in tokens); kind
/// `invalid_channel` for a name that breaks the naming rules.
#[napi]
pub fn channel_hash(name: String) -> Result<u32> {
    Ok(ChannelName::new(&name).map_err(fail)?.hash())
}

/// The 16-bit hash of a channel name used in packet headers.
#[napi]
pub fn channel_wire_hash(name: String) -> Result<u32> {
    Ok(u32::from(ChannelName::new(&name).map_err(fail)?.wire_hash()))
}
