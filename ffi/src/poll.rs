//! Consumption: `net_poll_ex` / `net_free_poll_result` (structured) and
//! `net_poll` (JSON into a caller buffer).
//!
//! A structured result lives in ONE `malloc` block: the event array first,
//! then every id and payload, each followed by a NUL so `%s` is safe too.
//! Freeing is then a single `free`, and the result struct needs no hidden
//! owner field (its shape is fixed by the ABI).

use std::ffi::{c_char, c_int};

use net_sdk::{Event, PollRequest, PollResponse};
use serde::Serialize;

use crate::node::{block_on_net, net_handle_t, NODES};
use crate::status::{FfiError, NetStatus};
use crate::{args, guard};

/// One polled event; its strings live inside the poll result.
#[repr(C)]
#[derive(Debug)]
pub struct NetEvent {
    /// Event id, `"<shard>:<sequence>"` (NUL-terminated; `id_len` excludes the NUL).
    pub id: *const c_char,
    pub id_len: usize,
    /// The event's bytes as ingested (followed by a NUL not counted in `raw_len`).
    pub raw: *const c_char,
    pub raw_len: usize,
    /// Insertion time, nanoseconds since the Unix epoch.
    pub insertion_ts: u64,
    pub shard_id: u16,
}

/// Result of `net_poll_ex`; release with `net_free_poll_result`.
#[repr(C)]
#[derive(Debug)]
pub struct NetPollResult {
    /// `count` events (NULL when `count` is 0).
    pub events: *mut NetEvent,
    pub count: usize,
    /// Cursor to resume after these events (NUL-terminated, never NULL on success).
    pub next_id: *mut c_char,
    /// 1 if more events were already available, 0 otherwise.
    pub has_more: c_int,
}

fn poll(handle: net_handle_t, limit: usize, cursor: Option<&str>) -> Result<PollResponse, FfiError> {
    let node = NODES.get(handle, "handle")?;
    let request = PollRequest { limit, cursor: cursor.map(str::to_owned) };
    block_on_net(&node, NetStatus::NET_ERR_POLL_FAILED, |net| async move { net.poll(request).await })
}

fn malloc_bytes(len: usize) -> Result<*mut u8, FfiError> {
    // SAFETY: plain allocation; checked for NULL below.
    let block = unsafe { libc::malloc(len.max(1)) }.cast::<u8>();
    if block.is_null() {
        return Err(FfiError::new(NetStatus::NET_ERR_UNKNOWN, "out_of_memory", format!("could not allocate {len} bytes")));
    }
    Ok(block)
}

/// Copy `bytes` into a new malloc'd block (never NULL, even when empty).
pub(crate) fn malloc_copy(bytes: &[u8]) -> Result<*mut u8, FfiError> {
    let block = malloc_bytes(bytes.len())?;
    // SAFETY: `block` has at least `bytes.len()` writable bytes.
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), block, bytes.len()) };
    Ok(block)
}

/// Copy `text` into a new malloc'd NUL-terminated string.
pub(crate) fn malloc_cstring(text: &str) -> Result<*mut c_char, FfiError> {
    let block = malloc_bytes(text.len() + 1)?;
    // SAFETY: `block` has `len + 1` writable bytes.
    unsafe {
        std::ptr::copy_nonoverlapping(text.as_ptr(), block, text.len());
        *block.add(text.len()) = 0;
    }
    Ok(block.cast())
}

/// Lay the events out in one malloc block (see the module doc).
fn events_block(events: &[Event]) -> Result<*mut NetEvent, FfiError> {
    if events.is_empty() {
        return Ok(std::ptr::null_mut());
    }
    let mut ids = String::with_capacity(events.len() * 12);
    let mut id_ends = Vec::with_capacity(events.len());
    for event in events {
        use std::fmt::Write as _;
        let _ = write!(ids, "{}", event.id);
        id_ends.push(ids.len());
    }
    let header = events.len() * std::mem::size_of::<NetEvent>();
    let strings: usize = ids.len() + events.iter().map(|e| e.raw.len()).sum::<usize>() + 2 * events.len();
    let block = malloc_bytes(header + strings)?;
    // SAFETY: the block holds `events.len()` NetEvents (malloc aligns for
    // any type) followed by `strings` bytes, exactly what is written below.
    unsafe {
        let table = block.cast::<NetEvent>();
        let mut cursor = block.add(header);
        let mut id_start = 0;
        for (i, event) in events.iter().enumerate() {
            let id = &ids.as_bytes()[id_start..id_ends[i]];
            id_start = id_ends[i];
            let id_ptr = cursor;
            std::ptr::copy_nonoverlapping(id.as_ptr(), cursor, id.len());
            *cursor.add(id.len()) = 0;
            cursor = cursor.add(id.len() + 1);
            let raw_ptr = cursor;
            std::ptr::copy_nonoverlapping(event.raw.as_ptr(), cursor, event.raw.len());
            *cursor.add(event.raw.len()) = 0;
            cursor = cursor.add(event.raw.len() + 1);
            table.add(i).write(NetEvent {
                id: id_ptr.cast(),
                id_len: id.len(),
                raw: raw_ptr.cast(),
                raw_len: event.raw.len(),
                insertion_ts: event.insertion_ts,
                shard_id: event.shard_id,
            });
        }
        Ok(table)
    }
}

/// A result holding nothing, as failures leave it.
pub(crate) fn empty_result() -> NetPollResult {
    NetPollResult { events: std::ptr::null_mut(), count: 0, next_id: std::ptr::null_mut(), has_more: 0 }
}

/// Copy `events` (and `next_id`, when given) into library memory owned by
/// `*out`, released with `net_free_poll_result`.
pub(crate) fn fill_result(out: &mut NetPollResult, events: &[Event], next_id: Option<&str>, has_more: bool) -> Result<(), FfiError> {
    let next_id = match next_id {
        Some(id) => malloc_cstring(id)?,
        None => std::ptr::null_mut(),
    };
    let table = match events_block(events) {
        Ok(table) => table,
        Err(e) => {
            // SAFETY: NULL or `next_id` from malloc just above.
            unsafe { libc::free(next_id.cast()) };
            return Err(e);
        }
    };
    *out = NetPollResult { events: table, count: events.len(), next_id, has_more: c_int::from(has_more) };
    Ok(())
}

/// Poll up to `limit` events after `cursor` (NUL-terminated; NULL starts
/// at the oldest retained event) into `*out`. On success `*out` owns
/// library memory: release it with `net_free_poll_result`. On failure
/// `*out` is zeroed. A `limit` of 0 succeeds with no events and returns
/// the same position as `next_id`.
#[no_mangle]
pub extern "C" fn net_poll_ex(handle: net_handle_t, limit: usize, cursor: *const c_char, out: *mut NetPollResult) -> c_int {
    guard::status(|| {
        let out = args::out(out, "out")?;
        *out = empty_result();
        let cursor = args::optional_cstr(cursor, "cursor")?;
        let response = poll(handle, limit, cursor)?;
        fill_result(out, &response.events, Some(&response.next_id), response.has_more)
    })
}

/// Release what `net_poll_ex` put in `*result` and zero it, so freeing the
/// same result twice is harmless. NULL is a no-op.
#[no_mangle]
pub extern "C" fn net_free_poll_result(result: *mut NetPollResult) {
    guard::guarded(
        |_| (),
        || {
            // SAFETY: NULL or a result filled by `net_poll_ex`.
            if let Some(result) = unsafe { result.as_mut() } {
                unsafe {
                    libc::free(result.events.cast());
                    libc::free(result.next_id.cast());
                }
                *result = empty_result();
            }
            Ok(())
        },
    )
}

/// Release a string returned by this library. NULL is a no-op.
#[no_mangle]
pub extern "C" fn net_free_string(s: *mut c_char) {
    // SAFETY: NULL or a string this library allocated with malloc.
    unsafe { libc::free(s.cast()) }
}

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct JsonPollRequest {
    limit: Option<usize>,
    cursor: Option<String>,
}

#[derive(Serialize)]
struct JsonEvent<'a> {
    id: String,
    raw: std::borrow::Cow<'a, str>,
    insertion_ts: u64,
    shard_id: u16,
}

#[derive(Serialize)]
struct JsonPollResponse<'a> {
    events: Vec<JsonEvent<'a>>,
    next_id: &'a str,
    has_more: bool,
}

/// Write `value` as JSON plus a NUL into `(buffer, len)`; returns the
/// number of bytes written, not counting the NUL.
pub(crate) fn write_json(value: &impl Serialize, buffer: *mut c_char, len: usize) -> Result<usize, FfiError> {
    let mut text = serde_json::to_vec(value)
        .map_err(|e| FfiError::new(NetStatus::NET_ERR_UNKNOWN, "serialization", e.to_string()))?;
    let written = text.len();
    text.push(0);
    args::write_bytes(&text, buffer.cast(), len, "out_buffer")?;
    Ok(written)
}

/// Poll as JSON. `request_json` (NUL-terminated or NULL) is
/// `{"limit": n, "cursor": "..."}`; the response
/// `{"events":[{"id","raw","insertion_ts","shard_id"}],"next_id","has_more"}`
/// is written NUL-terminated into `out_buffer`. Returns the bytes written
/// (without the NUL), or a negative code; `NET_ERR_BUFFER_TOO_SMALL` loses
/// nothing, as polling does not consume events.
#[no_mangle]
pub extern "C" fn net_poll(handle: net_handle_t, request_json: *const c_char, out_buffer: *mut c_char, buffer_len: usize) -> c_int {
    guard::count(|| {
        let request: JsonPollRequest = match args::optional_cstr(request_json, "request_json")? {
            None => JsonPollRequest::default(),
            Some(text) => serde_json::from_str(text).map_err(|e| {
                FfiError::new(NetStatus::NET_ERR_INVALID_JSON, "invalid_json", format!("request_json: {e}"))
            })?,
        };
        let response = poll(handle, request.limit.unwrap_or(100), request.cursor.as_deref())?;
        let events = response
            .events
            .iter()
            .map(|e| JsonEvent {
                id: e.id.to_string(),
                raw: String::from_utf8_lossy(&e.raw),
                insertion_ts: e.insertion_ts,
                shard_id: e.shard_id,
            })
            .collect();
        let body = JsonPollResponse { events, next_id: &response.next_id, has_more: response.has_more };
        write_json(&body, out_buffer, buffer_len)
    })
}

