//! Ingestion: `net_ingest_raw`, `net_ingest_raw_ex`, `net_ingest`,
//! `net_ingest_raw_batch`, `net_ingest_batch`.
//!
//! Events are text (JSON by convention): every payload is checked to be
//! UTF-8 and copied, because the caller keeps ownership of its buffer.

use std::ffi::{c_char, c_int};

use bytes::Bytes;
use net_sdk::Receipt;

use crate::node::{with_net, net_handle_t};
use crate::status::{FfiError, NetStatus};
use crate::{args, guard};

/// Receipt of one ingested event.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct NetReceipt {
    /// Shard the event went to.
    pub shard_id: u16,
    /// Insertion time, nanoseconds since the Unix epoch.
    pub timestamp: u64,
}

fn ingest_error(e: net_sdk::SdkError) -> FfiError {
    FfiError::from_sdk(e, NetStatus::NET_ERR_INGESTION_FAILED)
}

fn emit_one(handle: net_handle_t, raw: *const c_char, len: usize, validate_json: bool) -> Result<Receipt, FfiError> {
    let text = args::text(raw, len, "raw")?;
    if validate_json {
        serde_json::from_str::<serde::de::IgnoredAny>(text).map_err(|e| {
            FfiError::new(NetStatus::NET_ERR_INVALID_JSON, "invalid_json", format!("event is not JSON: {e}"))
        })?;
    }
    with_net(handle, |net| net.emit_raw_copy(text.as_bytes()).map_err(ingest_error))
}

/// Ingest one event of `len` bytes (UTF-8; need not be NUL-terminated).
/// The bytes are copied. Returns 0, or a negative code: e.g.
/// `NET_ERR_BACKPRESSURE` when the ring is full under `fail_producer`,
/// `NET_ERR_SHUTTING_DOWN`, `NET_ERR_INVALID_UTF8`.
#[no_mangle]
pub extern "C" fn net_ingest_raw(handle: net_handle_t, raw: *const c_char, len: usize) -> c_int {
    guard::status(|| emit_one(handle, raw, len, false).map(drop))
}

/// As `net_ingest_raw`, and writes the receipt to `out` when it is not NULL.
#[no_mangle]
pub extern "C" fn net_ingest_raw_ex(handle: net_handle_t, raw: *const c_char, len: usize, out: *mut NetReceipt) -> c_int {
    guard::status(|| {
        let receipt = emit_one(handle, raw, len, false)?;
        if let Some(out) = unsafe { out.as_mut() } {
            *out = NetReceipt { shard_id: receipt.shard_id, timestamp: receipt.timestamp };
        }
        Ok(())
    })
}

/// As `net_ingest_raw`, but first checks that the event is valid JSON
/// (`NET_ERR_INVALID_JSON` otherwise).
#[no_mangle]
pub extern "C" fn net_ingest(handle: net_handle_t, event_json: *const c_char, len: usize) -> c_int {
    guard::status(|| emit_one(handle, event_json, len, true).map(drop))
}

/// Ingest `count` events, `raws[i]` of `lens[i]` bytes, into one shard in
/// order. Every event is checked before any is ingested, so a bad one
/// ingests nothing. Returns how many were accepted (fewer than `count` when
/// the ring fills under `fail_producer` or `drop_newest`), or a negative code.
#[no_mangle]
pub extern "C" fn net_ingest_raw_batch(
    handle: net_handle_t,
    raws: *const *const c_char,
    lens: *const usize,
    count: usize,
) -> c_int {
    guard::count(|| {
        let raws = args::slice(raws, count, "raws")?;
        let lens = args::slice(lens, count, "lens")?;
        // Check every event first (nothing is ingested if one is bad), then
        // copy them all into ONE allocation and hand out slices of it: one
        // malloc per batch instead of one per event.
        let mut total = 0usize;
        for (i, (&raw, &len)) in raws.iter().zip(lens).enumerate() {
            let text = args::text(raw, len, "raws[i]").map_err(|e| e.at_index(i))?;
            total += text.len();
        }
        let mut block = Vec::with_capacity(total);
        for (&raw, &len) in raws.iter().zip(lens) {
            // SAFETY: checked non-NULL with `len` readable bytes just above.
            block.extend_from_slice(unsafe { std::slice::from_raw_parts(raw.cast::<u8>(), len) });
        }
        let block = Bytes::from(block);
        let mut start = 0;
        let batch = lens
            .iter()
            .map(|&len| {
                start += len;
                block.slice(start - len..start)
            })
            .collect();
        with_net(handle, |net| net.emit_raw_batch(batch).map_err(ingest_error))
    })
}

/// Ingest the elements of a JSON array (NUL-terminated text), in order,
/// into one shard. Returns how many were accepted, or a negative code
/// (`NET_ERR_INVALID_JSON` when the text is not a JSON array).
#[no_mangle]
pub extern "C" fn net_ingest_batch(handle: net_handle_t, events_json: *const c_char) -> c_int {
    guard::count(|| {
        let text = args::optional_cstr(events_json, "events_json")?.ok_or_else(|| FfiError::null("events_json"))?;
        let items: Vec<Box<serde_json::value::RawValue>> = serde_json::from_str(text).map_err(|e| {
            FfiError::new(NetStatus::NET_ERR_INVALID_JSON, "invalid_json", format!("events_json is not a JSON array: {e}"))
        })?;
        let batch = items.iter().map(|item| Bytes::copy_from_slice(item.get().as_bytes())).collect();
        with_net(handle, |net| net.emit_raw_batch(batch).map_err(ingest_error))
    })
}
