//! Statistics: `net_stats_ex` (structured) and `net_stats` (JSON).

use std::ffi::{c_char, c_int};

use serde::Serialize;

use crate::node::{with_net, net_handle_t};
use crate::{args, guard};

/// Ingestion counters of a node.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct NetStats {
    /// Events accepted into a ring.
    pub events_ingested: u64,
    /// Events discarded by `drop_oldest` / `drop_newest`.
    pub events_dropped: u64,
    /// Batches handed to the backend.
    pub batches_dispatched: u64,
}

/// Write the node's counters to `*out`.
#[no_mangle]
pub extern "C" fn net_stats_ex(handle: net_handle_t, out: *mut NetStats) -> c_int {
    guard::status(|| {
        let out = args::out(out, "out")?;
        let stats = with_net(handle, |net| Ok(net.stats()))?;
        *out = NetStats {
            events_ingested: stats.events_ingested,
            events_dropped: stats.events_dropped,
            batches_dispatched: stats.batches_dispatched,
        };
        Ok(())
    })
}

#[derive(Serialize)]
struct JsonStats {
    events_ingested: u64,
    events_dropped: u64,
    batches_dispatched: u64,
    shard_depths: Vec<usize>,
    backend_errors: u64,
    reconnects: u64,
    since_last_success_ms: Option<u64>,
    forward_failures: u64,
    remote_events: u64,
}

/// Write the node's counters as JSON
/// (`{"events_ingested","events_dropped","batches_dispatched","shard_depths",
/// "backend_errors","reconnects","since_last_success_ms","forward_failures",
/// "remote_events"}`; `since_last_success_ms` is `null` before the first
/// successful append, and the last two count events not delivered to and
/// received from mesh peers),
/// NUL-terminated, into `out_buffer`. Returns the bytes written without the
/// NUL, or a negative code (`NET_ERR_BUFFER_TOO_SMALL`).
#[no_mangle]
pub extern "C" fn net_stats(handle: net_handle_t, out_buffer: *mut c_char, buffer_len: usize) -> c_int {
    guard::count(|| {
        let stats = with_net(handle, |net| Ok(net.stats()))?;
        let body = JsonStats {
            events_ingested: stats.events_ingested,
            events_dropped: stats.events_dropped,
            batches_dispatched: stats.batches_dispatched,
            shard_depths: stats.shard_depths,
            backend_errors: stats.backend_errors,
            reconnects: stats.reconnects,
            since_last_success_ms: stats.since_last_success.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            forward_failures: stats.forward_failures,
            remote_events: stats.remote_events,
        };
        crate::poll::write_json(&body, out_buffer, buffer_len)
    })
}
