//! Ingestion: `net_ingest_raw`, `net_ingest_raw_ex`, `net_ingest`,
//! `net_ingest_raw_batch`, `net_ingest_raw_block`, `net_ingest_batch`.
//!
//! Events are text (JSON by convention): every payload is checked to be
//! UTF-8 and copied, because the caller keeps ownership of its buffer.

use std::ffi::{c_char, c_int};

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
    /// The event's per-shard sequence (`UINT64_MAX` when `dropped`).
    pub sequence: u64,
    /// 1 when the ring was full under `drop_newest` and the event was
    /// discarded (and counted as dropped), 0 otherwise.
    pub dropped: u8,
    /// Older events this ingest discarded to make room for itself (only
    /// under `drop_oldest`; also counted as dropped), 0 otherwise.
    pub evicted: u32,
}

impl From<Receipt> for NetReceipt {
    fn from(r: Receipt) -> Self {
        Self {
            shard_id: r.shard_id,
            timestamp: r.timestamp,
            sequence: r.sequence,
            dropped: u8::from(r.dropped),
            evicted: r.evicted,
        }
    }
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
/// `NET_ERR_BACKPRESSURE` when the ring is full under `fail_producer`, or
/// still full after `block_timeout_ms` under `block` (the default),
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
            *out = receipt.into();
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

/// The events of a batch as checked text. The common case — every event
/// present and ASCII — is one tight pass; anything else takes the precise
/// path that names the first bad element.
fn batch_texts<'a>(raws: &[*const c_char], lens: &[usize]) -> Result<Vec<&'a [u8]>, FfiError> {
    let mut batch = Vec::with_capacity(raws.len());
    for (&raw, &len) in raws.iter().zip(lens) {
        if raw.is_null() || len > isize::MAX as usize {
            break;
        }
        // SAFETY: the caller promises `lens[i]` readable bytes at `raws[i]`
        // (non-NULL and in range, checked above).
        let bytes = unsafe { std::slice::from_raw_parts(raw.cast::<u8>(), len) };
        if !bytes.is_ascii() {
            break;
        }
        batch.push(bytes);
    }
    if batch.len() == raws.len() {
        return Ok(batch);
    }
    batch.clear();
    for (i, (&raw, &len)) in raws.iter().zip(lens).enumerate() {
        batch.push(args::text(raw, len, "raws[i]").map_err(|e| e.at_index(i))?.as_bytes());
    }
    Ok(batch)
}

/// Ingest `count` events, `raws[i]` of `lens[i]` bytes, into one shard in
/// order. Every event is checked before any is ingested, so a bad one
/// ingests nothing. Returns how many were accepted (fewer than `count` when
/// the ring fills under `fail_producer` or `drop_newest`, or stays full for
/// `block_timeout_ms` under `block`), or a negative code.
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
        // Check every event before any is ingested: one bad event ingests nothing.
        let batch = batch_texts(raws, lens)?;
        with_net(handle, |net| net.emit_raw_copy_batch(&batch).map_err(ingest_error))
    })
}

/// Ingest `count` events that lie back to back in `block` — event `i` is
/// the next `lens[i]` bytes — into one shard in order: `net_ingest_raw_batch`
/// for a caller that already holds its events in one buffer (it is checked
/// in one pass and copied once). `block` may be NULL only when every length
/// is 0. The same checks and results as `net_ingest_raw_batch`: a bad event
/// (named `events[i]`) ingests nothing; returns how many were accepted, or
/// a negative code.
#[no_mangle]
pub extern "C" fn net_ingest_raw_block(
    handle: net_handle_t,
    block: *const c_char,
    lens: *const usize,
    count: usize,
) -> c_int {
    guard::count(|| {
        let lens = args::slice(lens, count, "lens")?;
        let total = lens
            .iter()
            .try_fold(0usize, |sum, &len| sum.checked_add(len))
            .ok_or_else(|| FfiError::invalid_argument("lens: the lengths add up to more than a size_t holds"))?;
        let block = args::bytes(block.cast(), total, "block")?;
        // Check every event before any is ingested. An ASCII block is valid
        // whatever its cuts; otherwise each event must be UTF-8 on its own
        // (a character may not straddle two events).
        if !block.is_ascii() {
            let mut start = 0;
            for (i, &len) in lens.iter().enumerate() {
                args::utf8(&block[start..start + len], "events[i]").map_err(|e| e.at_index(i))?;
                start += len;
            }
        }
        with_net(handle, |net| net.emit_raw_copy_block(block, lens).map_err(ingest_error))
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
        let batch: Vec<&[u8]> = items.iter().map(|item| item.get().as_bytes()).collect();
        with_net(handle, |net| net.emit_raw_copy_batch(&batch).map_err(ingest_error))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(events: &[&[u8]]) -> Result<Vec<Vec<u8>>, FfiError> {
        let raws: Vec<*const c_char> = events.iter().map(|e| e.as_ptr().cast()).collect();
        let lens: Vec<usize> = events.iter().map(|e| e.len()).collect();
        batch_texts(&raws, &lens).map(|b| b.iter().map(|e| e.to_vec()).collect())
    }

    #[test]
    fn batches_of_text_pass_whole_and_in_order() {
        let ascii: [&[u8]; 3] = [b"{\"a\":1}", b"", b"[2]"];
        assert_eq!(texts(&ascii).unwrap(), ascii.map(<[u8]>::to_vec));
        // Valid UTF-8 beyond ASCII takes the slow path and still passes.
        let utf8: [&[u8]; 2] = [b"\"plain\"", "\"caf\u{e9} \u{1f600}\"".as_bytes()];
        assert_eq!(texts(&utf8).unwrap(), utf8.map(<[u8]>::to_vec));
    }

    #[test]
    fn the_first_bad_element_is_named() {
        let err = texts(&[b"{}", b"{}", b"\xff\xfe"]).unwrap_err();
        assert_eq!(err.kind, "invalid_utf8");
        assert!(err.message.contains("raws[2]"), "{}", err.message);
        let raws = [b"{}".as_ptr().cast::<c_char>(), std::ptr::null()];
        let err = batch_texts(&raws, &[2, 5]).unwrap_err();
        assert_eq!(err.kind, "null_parameter");
        assert!(err.message.contains("raws[1]"), "{}", err.message);
        // NULL with length 0 is an empty event, as for a single ingest.
        assert_eq!(batch_texts(&[std::ptr::null()], &[0]).unwrap(), vec![&b""[..]]);
    }
}
