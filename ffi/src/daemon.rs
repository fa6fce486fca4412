//! `net.h`'s daemon section: hand an event to a daemon registered through
//! `net_meshos.h` (its vtable's `process` runs), and snapshot, restore,
//! count and control it — what the seed header cannot do by itself. Every
//! function takes the `NetMeshOsSdk*` of `net_meshos.h` and reports through
//! `net.h`'s own status codes and last-error pair.

use std::ffi::{c_char, c_int, CString};

use bytes::Bytes;
use net_sdk::compute::{CausalEvent, StateSnapshot};
use net_sdk::meshos::MeshOsDaemonSdk;

use crate::args;
use crate::guard;
use crate::mesh::node::{with_mesh, NetMesh};
use crate::meshos::{config_of, control_from_wire, into_handle, NetMeshOsSdk};
use crate::status::{FfiError, NetStatus};

/// The outputs of one delivery (or of a batch, event after event), each
/// already wrapped in the daemon's chain.
pub struct NetDaemonOutputs {
    pub(crate) payloads: Vec<Bytes>,
    /// Where each delivered event's outputs end in `payloads`, in order
    /// (event `i` produced `payloads[ends[i-1]..ends[i]]`).
    pub(crate) event_ends: Vec<usize>,
}

/// A daemon's counters.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct NetDaemonStats {
    /// Events handed to `process`, failed or not.
    pub events_processed: u64,
    /// Outputs emitted.
    pub events_emitted: u64,
    /// `process` calls that failed.
    pub errors: u64,
    /// Snapshots taken.
    pub snapshots_taken: u64,
}

/// The live SDK behind `sdk`, in net.h's terms: NULL is
/// `NET_ERR_NULL_POINTER`, a shut-down SDK `NET_ERR_SHUTTING_DOWN`.
fn live_sdk(sdk: *const NetMeshOsSdk) -> Result<std::sync::Arc<MeshOsDaemonSdk>, FfiError> {
    if sdk.is_null() {
        return Err(FfiError::null("sdk"));
    }
    NetMeshOsSdk::live(sdk)
        .map_err(|_| FfiError::new(NetStatus::NET_ERR_SHUTTING_DOWN, "already_shutdown", "the MeshOS SDK was shut down"))
}

pub(crate) fn runtime_of(sdk: *const NetMeshOsSdk) -> Result<net_sdk::compute::DaemonRuntime, FfiError> {
    Ok(live_sdk(sdk)?.runtime().clone())
}

/// Start a MeshOS SDK on `mesh` (as `net_meshos_sdk_start`, which starts
/// one without a mesh): tags daemons publish with
/// `net_meshos_publish_capabilities` are committed to the mesh's capability
/// announcement (peers' `net_mesh_find_nodes` sees them), required tags are
/// checked against what the mesh announces, and metadata lists its peers.
/// `this_node` is the mesh's node id. The SDK keeps the mesh's node running
/// until it is freed; release it with `net_meshos_sdk_free`.
#[no_mangle]
pub extern "C" fn net_daemon_sdk_start_on_mesh(
    mesh: *mut NetMesh,
    tick_interval_ms: u64,
    event_queue_capacity: usize,
    action_queue_capacity: usize,
    control_capacity: usize,
    out: *mut *mut NetMeshOsSdk,
) -> c_int {
    guard::status(|| {
        let out = args::out(out, "out")?;
        let mesh = with_mesh(mesh, |m| Ok(m.clone()))?;
        let config = config_of(0, tick_interval_ms, event_queue_capacity, action_queue_capacity, control_capacity);
        *out = into_handle(MeshOsDaemonSdk::start(config, std::sync::Arc::new(mesh)));
        Ok(())
    })
}

/// Deliver an event (from `event_origin`, numbered `sequence`) to daemon
/// `daemon_id` of `sdk`: its `process` runs on this thread. On success
/// `*out` holds its outputs, released with `net_daemon_outputs_free`.
/// A failing `process` returns `NET_ERR_DAEMON` (kind `process-failed`)
/// and counts in its `errors`; an unknown daemon is `daemon-not-found`; a
/// delivery to a daemon from inside its own `process` is `reentrant-call`.
#[no_mangle]
pub extern "C" fn net_daemon_deliver(
    sdk: *mut NetMeshOsSdk,
    daemon_id: u64,
    event_origin: u64,
    sequence: u64,
    payload: *const u8,
    payload_len: usize,
    out: *mut *mut NetDaemonOutputs,
) -> c_int {
    guard::status(|| {
        let runtime = runtime_of(sdk)?;
        let out = args::out(out, "out")?;
        let payload = Bytes::copy_from_slice(args::bytes(payload, payload_len, "payload")?);
        let event = CausalEvent::new(event_origin, sequence, payload);
        let payloads = runtime.deliver_payloads(daemon_id, &event)?;
        let event_ends = vec![payloads.len()];
        *out = Box::into_raw(Box::new(NetDaemonOutputs { payloads, event_ends }));
        Ok(())
    })
}

/// How many outputs a delivery produced (0 for NULL).
#[no_mangle]
pub extern "C" fn net_daemon_outputs_count(outputs: *const NetDaemonOutputs) -> usize {
    // SAFETY: NULL or a live pointer from `net_daemon_deliver` (contract).
    unsafe { outputs.as_ref() }.map_or(0, |o| o.payloads.len())
}

/// Output `index`: `*data` / `*len` point into `outputs` (valid until it is
/// freed). `NET_ERR_INVALID_ARGUMENT` for an index past the end.
#[no_mangle]
pub extern "C" fn net_daemon_outputs_get(
    outputs: *const NetDaemonOutputs,
    index: usize,
    data: *mut *const u8,
    len: *mut usize,
) -> c_int {
    guard::status(|| {
        // SAFETY: NULL or a live pointer from `net_daemon_deliver` (contract).
        let o = unsafe { outputs.as_ref() }.ok_or_else(|| FfiError::null("outputs"))?;
        let data = args::out(data, "data")?;
        let len = args::out(len, "len")?;
        let p = o.payloads.get(index).ok_or_else(|| {
            FfiError::invalid_argument(format!("output {index} does not exist ({} outputs)", o.payloads.len()))
        })?;
        *data = p.as_ptr();
        *len = p.len();
        Ok(())
    })
}

/// Free a delivery's outputs. NULL is a no-op.
#[no_mangle]
pub extern "C" fn net_daemon_outputs_free(outputs: *mut NetDaemonOutputs) {
    if !outputs.is_null() {
        // SAFETY: from `net_daemon_deliver`, freed once (contract).
        drop(unsafe { Box::from_raw(outputs) });
    }
}

/// Snapshot daemon `daemon_id` now (its vtable's `snapshot` runs). On
/// success `*out` / `*out_len` hold the snapshot bytes (daemon state plus
/// where its chain stands), released with `net_daemon_bytes_free`; a
/// stateless daemon (no `snapshot` callback, or one that emitted nothing)
/// gives `*out = NULL`, `*out_len = 0`.
#[no_mangle]
pub extern "C" fn net_daemon_snapshot(
    sdk: *mut NetMeshOsSdk,
    daemon_id: u64,
    out: *mut *mut u8,
    out_len: *mut usize,
) -> c_int {
    guard::status(|| {
        let runtime = runtime_of(sdk)?;
        let out = args::out(out, "out")?;
        let out_len = args::out(out_len, "out_len")?;
        match runtime.snapshot(daemon_id)? {
            Some(snap) => {
                let bytes = snap.to_bytes().into_boxed_slice();
                *out_len = bytes.len();
                *out = Box::into_raw(bytes).cast::<u8>();
            }
            None => {
                *out = std::ptr::null_mut();
                *out_len = 0;
            }
        }
        Ok(())
    })
}

/// Free snapshot bytes (pass the length `net_daemon_snapshot` gave). NULL
/// is a no-op.
#[no_mangle]
pub extern "C" fn net_daemon_bytes_free(bytes: *mut u8, len: usize) {
    if !bytes.is_null() {
        // SAFETY: a boxed slice of `len` bytes from `net_daemon_snapshot`.
        drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(bytes, len)) });
    }
}

/// Give daemon `daemon_id` back the state in a snapshot of it (its
/// vtable's `restore` runs; its chain continues from the snapshot point).
/// `snapshot-decode` for bytes that are not a snapshot, `snapshot-mismatch`
/// for another daemon's, `state-failed` when `restore` returns non-zero.
#[no_mangle]
pub extern "C" fn net_daemon_restore(
    sdk: *mut NetMeshOsSdk,
    daemon_id: u64,
    snapshot: *const u8,
    snapshot_len: usize,
) -> c_int {
    guard::status(|| {
        let runtime = runtime_of(sdk)?;
        let snap = StateSnapshot::from_bytes(args::bytes(snapshot, snapshot_len, "snapshot")?)?;
        runtime.restore(daemon_id, &snap).map_err(Into::into)
    })
}

/// Daemon `daemon_id`'s counters.
#[no_mangle]
pub extern "C" fn net_daemon_stats(sdk: *mut NetMeshOsSdk, daemon_id: u64, out: *mut NetDaemonStats) -> c_int {
    guard::status(|| {
        let runtime = runtime_of(sdk)?;
        let out = args::out(out, "out")?;
        let s = runtime.stats(daemon_id)?;
        *out = NetDaemonStats {
            events_processed: s.events_processed,
            events_emitted: s.events_emitted,
            errors: s.errors,
            snapshots_taken: s.snapshots_taken,
        };
        Ok(())
    })
}

/// Route a control event (`kind` one of `net_meshos.h`'s
/// `NET_MESHOS_CONTROL_*`, except `NONE`) to daemon `daemon_id`: its
/// `on_control` runs on the SDK's supervisor thread, then the event waits
/// on its channel. The supervisor's side, for the host that embeds the SDK
/// and for tests. `level` must be in `[0, 1]` for `BACKPRESSURE_ON`.
#[no_mangle]
pub extern "C" fn net_daemon_send_control(
    sdk: *mut NetMeshOsSdk,
    daemon_id: u64,
    kind: c_int,
    grace_period_ms: u64,
    level: f32,
) -> c_int {
    guard::status(|| {
        let live = live_sdk(sdk)?;
        let control = control_from_wire(kind, grace_period_ms, level)
            .ok_or_else(|| FfiError::invalid_argument("NET_MESHOS_CONTROL_NONE is not an event"))?;
        if !(0.0..=1.0).contains(&level) {
            return Err(FfiError::invalid_argument(format!("level {level} is outside [0, 1]")));
        }
        live.route_control(daemon_id, control).map_err(|e| {
            let status = match e.kind() {
                net_sdk::meshos::MeshOsErrorKind::QueueFull => NetStatus::NET_ERR_BACKPRESSURE,
                net_sdk::meshos::MeshOsErrorKind::LoopClosed => NetStatus::NET_ERR_SHUTTING_DOWN,
                _ => NetStatus::NET_ERR_INVALID_ARGUMENT,
            };
            FfiError::new(status, e.kind().as_str(), e.message())
        })
    })
}

/// Every log line published since the last call, as a JSON array of
/// `{"daemon_id", "daemon_name", "level", "message", "at_ms"}`, released
/// with `net_free_string`; NULL on error.
#[no_mangle]
pub extern "C" fn net_daemon_drain_logs(sdk: *mut NetMeshOsSdk) -> *mut c_char {
    guard::guarded(
        |_| std::ptr::null_mut(),
        || {
            let lines: Vec<serde_json::Value> = live_sdk(sdk)?
                .drain_logs()
                .into_iter()
                .map(|r| {
                    serde_json::json!({
                        "daemon_id": r.daemon_id,
                        "daemon_name": r.daemon_name,
                        "level": r.level.as_str(),
                        "message": r.message,
                        "at_ms": r.at_ms,
                    })
                })
                .collect();
            let text = serde_json::Value::Array(lines).to_string();
            CString::new(text).map(CString::into_raw).map_err(|_| FfiError::invalid_argument("a log line holds a NUL"))
        },
    )
}
