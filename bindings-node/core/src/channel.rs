//! Channel names, their hashes, and channel envelopes (from the core).

use napi_derive::napi;
use net_sdk::channel::envelope;
use net_sdk::ChannelName;

use crate::error::{fail, invalid, Result};

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

/// The bus event that carries the JSON text `payload` on channel `name`
/// (the core's channel envelope, the same bytes in every face); kinds
/// `invalid_channel`, `serialization` (payload is not one JSON value).
#[napi]
pub fn channel_wrap(name: String, payload: String) -> Result<String> {
    let channel = ChannelName::new(&name).map_err(fail)?;
    let raw = envelope::wrap(&channel, payload.as_bytes()).map_err(fail)?;
    // The envelope is the name (ASCII) and the payload (UTF-8) in JSON.
    String::from_utf8(raw).map_err(|e| invalid(e.to_string()))
}

/// The payload JSON text of `raw` when it is an envelope for channel
/// `name`, else null (another channel, or not a channel message).
#[napi]
pub fn channel_open(name: String, raw: String) -> Result<Option<String>> {
    let channel = ChannelName::new(&name).map_err(fail)?;
    Ok(envelope::open(raw.as_bytes(), &channel).map(|payload| String::from_utf8_lossy(payload).into_owned()))
}
