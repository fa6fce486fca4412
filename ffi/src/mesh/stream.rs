//! Mesh stream handles: `net_mesh_open_stream`, `net_mesh_stream_stats`,
//! `net_mesh_stream_close` and `net_mesh_stream_free`. Sending is in
//! `send`, receiving in `recv`.

use std::ffi::c_int;

use net_sdk::mesh::{Mesh, MeshStream, Reliability, StreamConfig};
use net_sdk::SdkError;

use super::node::{mesh_error, with_mesh, NetMesh};
use crate::registry::Registry;
use crate::status::FfiError;
use crate::{args, guard};

/// One stream with one peer (opaque). Created by `net_mesh_open_stream`,
/// released by `net_mesh_stream_free`. It keeps its node alive.
pub struct NetMeshStream {
    pub(crate) mesh: Mesh,
    pub(crate) stream: MeshStream,
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

/// Run `f` with a counted reference to a live stream.
pub(crate) fn with_stream<R>(stream: *mut NetMeshStream, f: impl FnOnce(&NetMeshStream) -> Result<R, FfiError>) -> Result<R, FfiError> {
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
