//! Mesh streams: `net_mesh_open_stream`, `net_mesh_send*`,
//! `net_mesh_recv` / `net_mesh_free_message`, `net_mesh_stream_stats`,
//! `net_mesh_stream_close` and `net_mesh_stream_free`.

use std::ffi::c_int;
use std::time::Duration;

use bytes::Bytes;
use net_sdk::mesh::{Mesh, MeshStream, Reliability, StreamConfig};
use net_sdk::runtime::block_on;
use net_sdk::SdkError;

use super::node::{mesh_error, with_mesh, NetMesh};
use crate::registry::Registry;
use crate::status::FfiError;
use crate::{args, guard};

/// One stream with one peer (opaque). Created by `net_mesh_open_stream`,
/// released by `net_mesh_stream_free`. It keeps its node alive.
pub struct NetMeshStream {
    mesh: Mesh,
    stream: MeshStream,
}

static STREAMS: Registry<NetMeshStream> = Registry::new();

/// Reliable delivery: every message exactly once and in order.
pub const NET_MESH_RELIABLE: c_int = 0;
/// Fire-and-forget: sent once, never retransmitted.
pub const NET_MESH_FIRE_AND_FORGET: c_int = 1;

/// How a stream behaves. Zeroed fields take the defaults (reliable,
/// window 256 packets, receive capacity 8192 messages).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct NetMeshStreamConfig {
    /// `NET_MESH_RELIABLE` or `NET_MESH_FIRE_AND_FORGET`.
    pub reliability: c_int,
    /// Unacknowledged packets a reliable stream may have in flight; a send
    /// beyond it fails at once with `NET_ERR_BACKPRESSURE`.
    pub window: u32,
    /// Received messages queued for `net_mesh_recv` before this side stops
    /// acknowledging (flow control back to the sender).
    pub receive_capacity: u32,
}

/// Live counters of one stream.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct NetMeshStreamStats {
    /// Next sequence number this side will send.
    pub tx_seq: u64,
    /// Next sequence number this side expects to receive.
    pub rx_seq: u64,
    /// Packets sent and not yet acknowledged.
    pub in_flight: u64,
    /// The in-flight window.
    pub window: u32,
    /// Sends refused with back-pressure, cumulative.
    pub backpressure_events: u64,
    /// Packets sent again after a timeout.
    pub retransmits: u64,
    /// Messages accepted for sending.
    pub messages_sent: u64,
    /// Messages delivered to this side's inbox.
    pub messages_received: u64,
    /// Messages waiting for `net_mesh_recv`.
    pub inbox: u64,
    /// Smoothed round-trip time, microseconds (0 before a sample).
    pub srtt_us: u64,
}

/// A received message in library-owned memory; release it with
/// `net_mesh_free_message`.
#[repr(C)]
#[derive(Debug)]
pub struct NetMeshMessage {
    /// The message's bytes (a valid pointer even when `len` is 0).
    pub data: *mut u8,
    pub len: usize,
}

fn stream_config(config: *const NetMeshStreamConfig) -> Result<StreamConfig, FfiError> {
    // SAFETY: NULL or a readable config struct.
    let raw = unsafe { config.as_ref() }.copied().unwrap_or_default();
    let mut out = StreamConfig::new();
    out = out.with_reliability(match raw.reliability {
        NET_MESH_RELIABLE => Reliability::Reliable,
        NET_MESH_FIRE_AND_FORGET => Reliability::FireAndForget,
        other => return Err(FfiError::invalid_argument(format!("config.reliability {other} is not a NET_MESH_* value"))),
    });
    if raw.window != 0 {
        out = out.with_window_bytes(raw.window);
    }
    if raw.receive_capacity != 0 {
        out = out.with_receive_capacity(raw.receive_capacity as usize);
    }
    Ok(out)
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

/// Run `f` with a counted reference to a live stream.
fn with_stream<R>(stream: *mut NetMeshStream, f: impl FnOnce(&NetMeshStream) -> Result<R, FfiError>) -> Result<R, FfiError> {
    let handle = STREAMS.get(stream, "stream")?;
    f(&handle)
}

/// Open (or re-open with a new window) stream `stream_id` with
/// `peer_node_id`; `config` may be NULL for the defaults. Both sides use
/// the same id. Returns a handle owned by the caller, released with
/// `net_mesh_stream_free`, or NULL on failure (kind `not_connected` when
/// there is no live session with the peer, `invalid_argument`).
#[no_mangle]
pub extern "C" fn net_mesh_open_stream(
    mesh: *mut NetMesh,
    peer_node_id: u64,
    stream_id: u64,
    config: *const NetMeshStreamConfig,
) -> *mut NetMeshStream {
    guard::pointer(|| {
        let config = stream_config(config)?;
        let (mesh, stream) = with_mesh(mesh, |m| {
            let stream = m.open_stream(peer_node_id, stream_id, config).map_err(mesh_error)?;
            Ok((m.clone(), stream))
        })?;
        STREAMS.insert(NetMeshStream { mesh, stream })
    })
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
    guard::status(|| {
        let batch = payloads(messages, lens, count)?;
        with_stream(stream, |s| {
            let (mesh, stream) = (s.mesh.clone(), s.stream.clone());
            block_on(async move { mesh.send_on_stream(&stream, &batch).await }).map_err(mesh_error)
        })
    })
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
    guard::status(|| {
        let batch = payloads(messages, lens, count)?;
        with_stream(stream, |s| {
            let (mesh, stream) = (s.mesh.clone(), s.stream.clone());
            block_on(async move { mesh.send_with_retry(&stream, &batch, max_retries).await }).map_err(mesh_error)
        })
    })
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
        let message = with_stream(stream, |s| {
            let (mesh, stream) = (s.mesh.clone(), s.stream.clone());
            let limit = Duration::from_millis(u64::from(timeout_ms));
            let received = block_on(async move {
                match tokio::time::timeout(limit, mesh.recv(&stream)).await {
                    Ok(result) => result,
                    Err(_) => Err(SdkError::Timeout(format!("no message within {timeout_ms} ms"))),
                }
            });
            received.map_err(mesh_error)
        })?;
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

/// Write the live counters of stream `stream_id` with `peer_node_id` to
/// `*out`. Fails with `NET_ERR_NOT_CONNECTED` when that stream was closed
/// or never opened on the peer's current session.
#[no_mangle]
pub extern "C" fn net_mesh_stream_stats(
    mesh: *const NetMesh,
    peer_node_id: u64,
    stream_id: u64,
    out: *mut NetMeshStreamStats,
) -> c_int {
    guard::status(|| {
        let out = args::out(out, "out")?;
        let s = with_mesh(mesh, |m| {
            // The core's `None` means what its `NotConnected` means: one
            // status and kind, spelled by the core.
            m.stream_stats(peer_node_id, stream_id).ok_or_else(|| mesh_error(SdkError::NotConnected))
        })?;
        *out = NetMeshStreamStats {
            tx_seq: s.tx_seq,
            rx_seq: s.rx_seq,
            in_flight: s.in_flight,
            window: s.window,
            backpressure_events: s.backpressure_events,
            retransmits: s.retransmits,
            messages_sent: s.messages_sent,
            messages_received: s.messages_received,
            inbox: s.inbox,
            srtt_us: s.srtt_us,
        };
        Ok(())
    })
}

/// Close the stream on this side: later sends fail with
/// `NET_ERR_NOT_CONNECTED`; messages already received can still be taken
/// with `net_mesh_recv`. The handle stays valid until freed.
#[no_mangle]
pub extern "C" fn net_mesh_stream_close(stream: *mut NetMeshStream) -> c_int {
    guard::status(|| {
        with_stream(stream, |s| {
            s.mesh.close_stream(&s.stream);
            Ok(())
        })
    })
}

/// Release a stream handle (the stream itself stays open until
/// `net_mesh_stream_close` or its session ends). NULL is a no-op; a handle
/// that was already freed is reported as kind `invalid_handle`.
#[no_mangle]
pub extern "C" fn net_mesh_stream_free(stream: *mut NetMeshStream) {
    guard::guarded(
        |_| (),
        || {
            if !stream.is_null() {
                STREAMS.remove(stream, "stream")?;
            }
            Ok(())
        },
    )
}
