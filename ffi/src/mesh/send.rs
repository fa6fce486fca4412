//! Sending on a mesh stream: `net_mesh_send`, `net_mesh_send_batch`,
//! `net_mesh_send_with_retry`, `net_mesh_send_blocking`, and
//! `net_mesh_send_block` (the whole batch in one buffer, any retry policy,
//! cancellable).
//!
//! Every form sends the whole batch or nothing: the core admits a batch
//! into a reliable stream's window as a unit, and the retrying forms only
//! ever wait between whole attempts.

use std::ffi::c_int;
use std::sync::Arc;

use bytes::Bytes;
use net_sdk::runtime::block_on;

use super::node::mesh_error;
use super::stream::{with_stream, NetMeshStream};
use crate::cancel::{or_cancelled, token, NetCancel};
use crate::status::FfiError;
use crate::{args, guard};

/// `retries` of `net_mesh_send_block` that means "as
/// `net_mesh_send_blocking`": retry until the window lets the batch
/// through (the core bounds it at 4096 retries, about 13.7 minutes).
pub const NET_MESH_RETRY_BLOCKING: u32 = u32::MAX;

/// How long a send may wait for window room.
#[derive(Clone, Copy)]
enum Policy {
    /// Never wait: back-pressure is returned at once.
    Now,
    /// Wait and try again up to this many times.
    Retry(u32),
    /// The core's `send_blocking`.
    Blocking,
}

impl Policy {
    fn of_retries(retries: u32) -> Self {
        match retries {
            0 => Self::Now,
            NET_MESH_RETRY_BLOCKING => Self::Blocking,
            n => Self::Retry(n),
        }
    }
}

/// Send `batch` on the stream behind `stream` under `policy`.
fn send(
    stream: *mut NetMeshStream,
    batch: Vec<Bytes>,
    policy: Policy,
    cancel: Option<Arc<NetCancel>>,
) -> Result<(), FfiError> {
    with_stream(stream, |s| {
        let (mesh, stream) = (s.mesh.clone(), s.stream.clone());
        block_on(or_cancelled(cancel, "send", async move {
            let sent = match policy {
                Policy::Now => mesh.send_on_stream(&stream, &batch).await,
                Policy::Retry(n) => mesh.send_with_retry(&stream, &batch, n).await,
                Policy::Blocking => mesh.send_blocking(&stream, &batch).await,
            };
            sent.map_err(mesh_error)
        }))
    })
}

/// The messages `(ptrs[i], lens[i])` for `i < count`, copied.
fn payloads(messages: *const *const u8, lens: *const usize, count: usize) -> Result<Vec<Bytes>, FfiError> {
    let ptrs = args::slice(messages, count, "messages")?;
    let lens = args::slice(lens, count, "lens")?;
    ptrs.iter()
        .zip(lens)
        .enumerate()
        .map(|(i, (&p, &len))| args::bytes(p, len, "messages[i]").map(Bytes::copy_from_slice).map_err(|e| e.at_index(i)))
        .collect()
}

/// The messages laid back to back in `(data, data_len)`, `lens[i]` bytes
/// each: copied once into one buffer that every message shares.
fn block_payloads(data: *const u8, data_len: usize, lens: *const usize, count: usize) -> Result<Vec<Bytes>, FfiError> {
    let data = args::bytes(data, data_len, "data")?;
    let lens = args::slice(lens, count, "lens")?;
    let total = lens.iter().try_fold(0usize, |sum, &len| sum.checked_add(len));
    if total != Some(data_len) {
        return Err(FfiError::invalid_argument(format!(
            "lens add up to {} bytes but data_len is {data_len}",
            total.map_or_else(|| "more than SIZE_MAX".to_string(), |t| t.to_string())
        )));
    }
    let block = Bytes::copy_from_slice(data);
    let mut start = 0;
    Ok(lens
        .iter()
        .map(|&len| {
            start += len;
            block.slice(start - len..start)
        })
        .collect())
}

/// Send `count` messages (`messages[i]`, `lens[i]` bytes; any bytes, at
/// most 65536 each) on `stream`, coalesced into as few datagrams as fit.
/// Never waits and never queues: a reliable stream without window room
/// for the whole batch fails at once with `NET_ERR_BACKPRESSURE` and sends
/// nothing. Also `NET_ERR_NOT_CONNECTED` (peer dead or stream closed),
/// `NET_ERR_MESSAGE_TOO_LARGE`. The bytes are copied.
#[no_mangle]
pub extern "C" fn net_mesh_send_batch(
    stream: *mut NetMeshStream,
    messages: *const *const u8,
    lens: *const usize,
    count: usize,
) -> c_int {
    guard::status(|| send(stream, payloads(messages, lens, count)?, Policy::Now, None))
}

/// Send one message of `len` bytes; see `net_mesh_send_batch`.
#[no_mangle]
pub extern "C" fn net_mesh_send(stream: *mut NetMeshStream, data: *const u8, len: usize) -> c_int {
    net_mesh_send_batch(stream, &data, &len, 1)
}

/// As `net_mesh_send_batch`, but on back-pressure wait and try again up to
/// `max_retries` times (back-off 5 ms doubling to 200 ms). Blocks the
/// calling thread while it waits; other errors return at once.
#[no_mangle]
pub extern "C" fn net_mesh_send_with_retry(
    stream: *mut NetMeshStream,
    messages: *const *const u8,
    lens: *const usize,
    count: usize,
    max_retries: u32,
) -> c_int {
    guard::status(|| send(stream, payloads(messages, lens, count)?, Policy::Retry(max_retries), None))
}

/// As `net_mesh_send_batch`, but on back-pressure wait until the window
/// lets the whole batch through (back-off 5 ms doubling to 200 ms; the
/// core gives up after 4096 retries, about 13.7 minutes, with
/// `NET_ERR_BACKPRESSURE`). Blocks the calling thread while it waits;
/// other errors return at once. `net_mesh_send_block` with
/// `NET_MESH_RETRY_BLOCKING` is the same, cancellable.
#[no_mangle]
pub extern "C" fn net_mesh_send_blocking(
    stream: *mut NetMeshStream,
    messages: *const *const u8,
    lens: *const usize,
    count: usize,
) -> c_int {
    guard::status(|| send(stream, payloads(messages, lens, count)?, Policy::Blocking, None))
}

/// Send `count` messages laid back to back in `data` (`data_len` bytes,
/// message `i` is the next `lens[i]` bytes; the lengths must add up to
/// `data_len`, else `NET_ERR_INVALID_ARGUMENT`). One buffer instead of a
/// pointer per message suits hosts that cannot hand C an array of
/// pointers into their own memory (Go), and copies the batch once.
///
/// `retries` picks the policy: 0 never waits (as `net_mesh_send_batch`),
/// N waits and retries up to N times (as `net_mesh_send_with_retry`),
/// `NET_MESH_RETRY_BLOCKING` waits until it goes through (as
/// `net_mesh_send_blocking`). While it waits, triggering `cancel` (may be
/// NULL) returns `NET_ERR_CANCELLED` — with nothing of the batch sent.
#[no_mangle]
pub extern "C" fn net_mesh_send_block(
    stream: *mut NetMeshStream,
    data: *const u8,
    data_len: usize,
    lens: *const usize,
    count: usize,
    retries: u32,
    cancel: *const NetCancel,
) -> c_int {
    guard::status(|| {
        let batch = block_payloads(data, data_len, lens, count)?;
        send(stream, batch, Policy::of_retries(retries), token(cancel)?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_is_split_by_its_lengths() {
        let data = b"abcdef";
        let out = block_payloads(data.as_ptr(), 6, [1usize, 0, 2, 3].as_ptr(), 4).unwrap();
        assert_eq!(out, vec![Bytes::from_static(b"a"), Bytes::new(), Bytes::from_static(b"bc"), Bytes::from_static(b"def")]);
        assert!(block_payloads(std::ptr::null(), 0, std::ptr::null(), 0).unwrap().is_empty());
    }

    #[test]
    fn lengths_must_add_up_to_the_block() {
        let data = b"abcdef";
        for lens in [&[1usize, 2][..], &[4, 4], &[usize::MAX, 7]] {
            let err = block_payloads(data.as_ptr(), 6, lens.as_ptr(), lens.len()).unwrap_err();
            assert_eq!(err.kind, "invalid_argument", "{lens:?}");
        }
        assert_eq!(block_payloads(data.as_ptr(), 6, std::ptr::null(), 2).unwrap_err().kind, "null_parameter");
        assert_eq!(block_payloads(std::ptr::null(), 6, [6usize].as_ptr(), 1).unwrap_err().kind, "null_parameter");
    }
}
