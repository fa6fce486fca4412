//! Receiving from a mesh stream: `net_mesh_recv` (one message into
//! library memory) / `net_mesh_free_message`, and `net_mesh_recv_batch`
//! (as many messages as fit, straight into the caller's buffer,
//! cancellable).

use std::ffi::c_int;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use net_sdk::runtime::block_on;
use net_sdk::SdkError;

use super::node::mesh_error;
use super::stream::{with_stream, NetMeshStream};
use crate::cancel::{or_cancelled, token, NetCancel};
use crate::status::FfiError;
use crate::{args, guard};

/// `timeout_ms` of `net_mesh_recv_batch` that waits without a time limit
/// (until a message, the stream's end, or the cancellation token).
pub const NET_MESH_WAIT_FOREVER: u32 = u32::MAX;

/// A received message in library-owned memory; release it with
/// `net_mesh_free_message`.
#[repr(C)]
#[derive(Debug)]
pub struct NetMeshMessage {
    /// The message's bytes (a valid pointer even when `len` is 0).
    pub data: *mut u8,
    pub len: usize,
}

/// A message that is already here (one a too-small buffer returned to the
/// stream comes first).
fn take(s: &NetMeshStream) -> Result<Option<Bytes>, FfiError> {
    s.mesh.try_recv(&s.stream).map_err(mesh_error)
}

/// The next message: one already here, else wait up to `timeout_ms`
/// (0: do not wait, `None`) or until `cancel` fires. A stream that ended
/// with nothing queued is `NotConnected`.
fn next(
    s: &NetMeshStream,
    timeout_ms: u32,
    cancel: Option<Arc<NetCancel>>,
) -> Result<Option<Bytes>, FfiError> {
    if let Some(m) = take(s)? {
        return Ok(Some(m));
    }
    if timeout_ms == 0 {
        return if s.stream.is_open() { Ok(None) } else { Err(mesh_error(SdkError::NotConnected)) };
    }
    let (mesh, stream) = (s.mesh.clone(), s.stream.clone());
    block_on(or_cancelled(cancel, "receive", async move {
        let received = if timeout_ms == NET_MESH_WAIT_FOREVER {
            mesh.recv(&stream).await
        } else {
            mesh.recv_timeout(&stream, Duration::from_millis(u64::from(timeout_ms))).await
        };
        received.map(Some).map_err(mesh_error)
    }))
}

/// Receive the next message of `stream` into `*out`, waiting at most
/// `timeout_ms` (0: only take a message that is already there). On
/// success `*out` owns library memory: release it with
/// `net_mesh_free_message`. On failure `*out` is zeroed and the call
/// returns `NET_ERR_TIMEOUT` (nothing arrived in time) or
/// `NET_ERR_NOT_CONNECTED` (the stream or its peer closed and every queued
/// message has been taken).
#[no_mangle]
pub extern "C" fn net_mesh_recv(stream: *mut NetMeshStream, timeout_ms: u32, out: *mut NetMeshMessage) -> c_int {
    guard::status(|| {
        let out = args::out(out, "out")?;
        *out = NetMeshMessage { data: std::ptr::null_mut(), len: 0 };
        // NET_MESH_WAIT_FOREVER is only a batch receive's; here it stays
        // the longest wait it always was.
        let limit = timeout_ms.min(NET_MESH_WAIT_FOREVER - 1);
        let message = with_stream(stream, |s| next(s, limit, None))?
            .ok_or_else(|| mesh_error(SdkError::Timeout(format!("no message within {timeout_ms} ms"))))?;
        *out = NetMeshMessage { data: crate::poll::malloc_copy(&message)?, len: message.len() };
        Ok(())
    })
}

/// Release the bytes of a message from `net_mesh_recv` and zero it, so
/// freeing it twice is harmless. NULL is a no-op.
#[no_mangle]
pub extern "C" fn net_mesh_free_message(message: *mut NetMeshMessage) {
    // SAFETY: NULL or a message filled by `net_mesh_recv`.
    if let Some(message) = unsafe { message.as_mut() } {
        unsafe { libc::free(message.data.cast()) };
        *message = NetMeshMessage { data: std::ptr::null_mut(), len: 0 };
    }
}

/// Receive up to `max_count` messages of `stream` into the caller's
/// buffer: message `i` is written at `buf` + the sum of `lens[0..i]`,
/// `lens[i]` bytes, back to back. Waits for the first message at most
/// `timeout_ms` (0: do not wait; `NET_MESH_WAIT_FOREVER`: no limit), or
/// until `cancel` (may be NULL) is triggered; then takes whatever else is
/// already queued that fits, without waiting.
///
/// Returns how many messages were written: at least 1, or 0 only when
/// `timeout_ms` is 0 and none was waiting. Errors: `NET_ERR_TIMEOUT`
/// (none within `timeout_ms`), `NET_ERR_CANCELLED`, `NET_ERR_NOT_CONNECTED`
/// (the stream or its peer closed and every message was taken),
/// `NET_ERR_BUFFER_TOO_SMALL` when the next message alone is larger than
/// `buf_len` — its length is then in `lens[0]`: call again with a buffer
/// that big. A message that does not fit is never lost: this handle keeps
/// it and hands it out first on its next receive.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn net_mesh_recv_batch(
    stream: *mut NetMeshStream,
    buf: *mut u8,
    buf_len: usize,
    lens: *mut usize,
    max_count: usize,
    timeout_ms: u32,
    cancel: *const NetCancel,
) -> c_int {
    guard::count(|| {
        if max_count == 0 {
            return Err(FfiError::invalid_argument("max_count must be at least 1"));
        }
        if lens.is_null() {
            return Err(FfiError::null("lens"));
        }
        if buf.is_null() && buf_len != 0 {
            return Err(FfiError::null("buf"));
        }
        let cancel = token(cancel)?;
        with_stream(stream, |s| {
            let Some(mut message) = next(s, timeout_ms, cancel)? else { return Ok(0) };
            let (mut used, mut count) = (0usize, 0usize);
            loop {
                let len = message.len();
                if len > buf_len - used {
                    // It stays the stream's next message: not lost, not reordered.
                    s.mesh.put_back(&s.stream, message);
                    if count > 0 {
                        return Ok(count);
                    }
                    // SAFETY: `lens` is non-NULL with room for `max_count` >= 1.
                    unsafe { lens.write(len) };
                    return Err(FfiError::buffer_too_small("buf", len, buf_len));
                }
                // SAFETY: `buf` has `buf_len` writable bytes and the message
                // fits in what is left (an empty one is not copied, so a NULL
                // `buf` of length 0 is never written); `lens` has
                // `max_count` slots.
                unsafe {
                    if len > 0 {
                        std::ptr::copy_nonoverlapping(message.as_ptr(), buf.add(used), len);
                    }
                    lens.add(count).write(len);
                }
                used += len;
                count += 1;
                if count == max_count {
                    return Ok(count);
                }
                match take(s)? {
                    Some(m) => message = m,
                    None => return Ok(count),
                }
            }
        })
    })
}
