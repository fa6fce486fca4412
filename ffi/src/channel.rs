//! Channel names: `net_channel_hash`.

use std::ffi::{c_char, c_int};

use net_sdk::ChannelName;

use crate::{args, guard};

/// Validate a channel name and write its canonical 32-bit hash to
/// `*out_hash` and its 16-bit wire hash to `*out_wire_hash` (either may be
/// NULL). `NET_ERR_CHANNEL` (kind `invalid_channel`) for a bad name.
#[no_mangle]
pub extern "C" fn net_channel_hash(name: *const c_char, len: usize, out_hash: *mut u32, out_wire_hash: *mut u16) -> c_int {
    guard::status(|| {
        let channel = ChannelName::new(args::text(name, len, "name")?)?;
        // SAFETY: NULL or writable outputs.
        if let Some(out) = unsafe { out_hash.as_mut() } {
            *out = channel.hash();
        }
        if let Some(out) = unsafe { out_wire_hash.as_mut() } {
            *out = channel.wire_hash();
        }
        Ok(())
    })
}
