//! What a registered daemon does through its handle: receive control
//! events, publish logs and capabilities, read metadata, shut down.

use std::ffi::{c_char, c_int, CString};
use std::time::Duration;

use net_sdk::capabilities::CapabilitySet;
use net_sdk::meshos::LogLevel;

use super::guard::{self, MeshOsFfiError};
use super::handle::{text, NetMeshOsHandle};
use super::wire::{control_to_wire, NetMeshOsDaemonControl};

/// Log levels (the core's `LogLevel` numbering, checked by a test).
pub const NET_MESHOS_LOG_TRACE: c_int = 0;
/// Debug.
pub const NET_MESHOS_LOG_DEBUG: c_int = 1;
/// Info.
pub const NET_MESHOS_LOG_INFO: c_int = 2;
/// Warn.
pub const NET_MESHOS_LOG_WARN: c_int = 3;
/// Error.
pub const NET_MESHOS_LOG_ERROR: c_int = 4;

fn write_control(out: *mut NetMeshOsDaemonControl, value: NetMeshOsDaemonControl) -> Result<(), MeshOsFfiError> {
    // SAFETY: NULL or writable storage for one control (contract).
    let slot = unsafe { out.as_mut() }.ok_or_else(|| MeshOsFfiError::null_arg("out"))?;
    *slot = value;
    Ok(())
}

/// The next control event, or `kind = NONE` when there is none.
#[no_mangle]
pub extern "C" fn net_meshos_try_next_control(handle: *mut NetMeshOsHandle, out: *mut NetMeshOsDaemonControl) -> c_int {
    guard::status(|| {
        let h = NetMeshOsHandle::live(handle)?;
        if out.is_null() {
            return Err(MeshOsFfiError::null_arg("out"));
        }
        let c = h.try_next_control().map_or(NetMeshOsDaemonControl::NONE, |c| control_to_wire(&c));
        write_control(out, c)
    })
}

/// The next control event, waiting at most `timeout_ms` (0: no bound);
/// `kind = NONE` on timeout or shutdown.
#[no_mangle]
pub extern "C" fn net_meshos_next_control(
    handle: *mut NetMeshOsHandle,
    timeout_ms: u64,
    out: *mut NetMeshOsDaemonControl,
) -> c_int {
    guard::status(|| {
        let h = NetMeshOsHandle::live(handle)?;
        if out.is_null() {
            return Err(MeshOsFfiError::null_arg("out"));
        }
        let timeout = (timeout_ms > 0).then(|| Duration::from_millis(timeout_ms));
        let c = h.next_control_blocking(timeout).map_or(NetMeshOsDaemonControl::NONE, |c| control_to_wire(&c));
        write_control(out, c)
    })
}

/// Publish a log line at one of the `NET_MESHOS_LOG_*` levels.
#[no_mangle]
pub extern "C" fn net_meshos_publish_log(
    handle: *mut NetMeshOsHandle,
    level: c_int,
    message_ptr: *const c_char,
    message_len: usize,
) -> c_int {
    guard::status(|| {
        let h = NetMeshOsHandle::live(handle)?;
        let level = LogLevel::from_i32(level)?;
        let message = text(message_ptr, message_len, "message")?;
        h.publish_log(level, message).map_err(Into::into)
    })
}

/// Send the daemon `Shutdown`, wait `grace_ms` (0: 5 s), unregister it.
#[no_mangle]
pub extern "C" fn net_meshos_graceful_shutdown(handle: *mut NetMeshOsHandle, grace_ms: u64) -> c_int {
    guard::status(|| {
        let h = NetMeshOsHandle::live(handle)?;
        h.graceful_shutdown_blocking(Duration::from_millis(grace_ms)).map_err(Into::into)
    })
}

fn json_out(json: String) -> Result<*mut c_char, MeshOsFfiError> {
    CString::new(json).map(CString::into_raw).map_err(|_| MeshOsFfiError::invalid("invalid_argument", "metadata holds a NUL"))
}

/// The metadata view as JSON (cached), released with `net_meshos_free_string`.
#[no_mangle]
pub extern "C" fn net_meshos_metadata(handle: *const NetMeshOsHandle) -> *mut c_char {
    guard::guarded(std::ptr::null_mut(), || json_out(NetMeshOsHandle::live(handle)?.metadata()?.to_json()))
}

/// The metadata view rebuilt now, as JSON.
#[no_mangle]
pub extern "C" fn net_meshos_refresh_metadata(handle: *mut NetMeshOsHandle) -> *mut c_char {
    guard::guarded(std::ptr::null_mut(), || json_out(NetMeshOsHandle::live(handle)?.refresh_metadata()?.to_json()))
}

/// Free a string from `net_meshos_metadata` / `_refresh_metadata`. NULL is a no-op.
#[no_mangle]
pub extern "C" fn net_meshos_free_string(s: *mut c_char) {
    guard::release(|| {
        if !s.is_null() {
            // SAFETY: a string this library returned, freed once (contract).
            drop(unsafe { CString::from_raw(s) });
        }
    })
}

/// Replace the daemon's published tags (a JSON array of strings; NULL / 0
/// clears them) and commit them to the node's capability announcement.
#[no_mangle]
pub extern "C" fn net_meshos_publish_capabilities(
    handle: *mut NetMeshOsHandle,
    tags_json_ptr: *const c_char,
    tags_json_len: usize,
) -> c_int {
    guard::status(|| {
        let h = NetMeshOsHandle::live(handle)?;
        let tags: Vec<String> = if tags_json_ptr.is_null() || tags_json_len == 0 {
            Vec::new()
        } else {
            let json = text(tags_json_ptr, tags_json_len, "tags_json")?;
            serde_json::from_str(json).map_err(|e| {
                MeshOsFfiError::invalid("invalid_json", format!("tags must be a JSON array of strings: {e}"))
            })?
        };
        let set = tags.into_iter().fold(CapabilitySet::new(), |set, t| set.add_tag(t));
        h.publish_capabilities(set).map_err(Into::into)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_constants_are_the_core_levels() {
        let pairs = [
            (NET_MESHOS_LOG_TRACE, LogLevel::Trace),
            (NET_MESHOS_LOG_DEBUG, LogLevel::Debug),
            (NET_MESHOS_LOG_INFO, LogLevel::Info),
            (NET_MESHOS_LOG_WARN, LogLevel::Warn),
            (NET_MESHOS_LOG_ERROR, LogLevel::Error),
        ];
        for (n, level) in pairs {
            assert_eq!(LogLevel::from_i32(n).unwrap(), level);
        }
    }
}
