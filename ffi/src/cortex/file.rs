//! RedEX files: `net_redex_open_file`, appends, reads, sync, close, free.

use std::ffi::{c_char, c_int};

use net_sdk::cortex::RedexFile;

use super::config::file_config;
use super::manager::redex_of;
use super::memory::{fill_events, write_string, NetRedexEvents};
use super::status::CortexFfiError;
use super::{guard, manager::NetRedex};
use crate::args;
use crate::registry::Registry;

/// An open RedEX file (opaque). Created by `net_redex_open_file`, released
/// by `net_redex_file_free`.
pub struct NetRedexFile {
    pub(crate) file: RedexFile,
}

pub(crate) static FILES: Registry<NetRedexFile> = Registry::new();

fn with_file<R>(file: *mut NetRedexFile, f: impl FnOnce(&RedexFile) -> Result<R, CortexFfiError>) -> Result<R, CortexFfiError> {
    FILES.with(file, "file", |h| f(&h.file))?
}

/// What a file holds now.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct NetRedexFileInfo {
    /// Seq the next append gets.
    pub next_seq: u64,
    /// Seq of the oldest retained record (`next_seq` when none is).
    pub first_seq: u64,
    /// Retained records.
    pub len: u64,
    /// Payload bytes of the retained records.
    pub retained_bytes: u64,
    /// 1 once closed.
    pub closed: c_int,
}

/// Open the file `name` (`name_len` bytes, a channel name such as
/// `"analytics/clicks"`) with `config_json` (NUL-terminated; NULL or ""
/// for the defaults): `{"persistent": true, "fsync_every_n": n |
/// "fsync_interval_ms": n | "fsync": "never", "retention_max_events": n,
/// "retention_max_bytes": n, "retention_max_age_ms": n,
/// "segment_max_bytes": n, "recover": false}`.
///
/// A persistent file is verified on open: a torn final record is cut (see
/// `net_redex_file_repair_report`); damage anywhere else fails with
/// `NET_CORTEX_ERR_CORRUPT`, the message naming the segment and byte
/// offset, unless `"recover": true`.
///
/// Returns a handle owned by the caller, released with
/// `net_redex_file_free`, or NULL on failure (kinds `invalid_channel`,
/// `redex:config`, `redex:corrupt`, `redex:locked`, `redex:io`,
/// `invalid_json`).
#[no_mangle]
pub extern "C" fn net_redex_open_file(
    redex: *mut NetRedex,
    name: *const c_char,
    name_len: usize,
    config_json: *const c_char,
) -> *mut NetRedexFile {
    guard::pointer(|| {
        let redex = redex_of(redex)?;
        let name = args::text(name, name_len, "name")?;
        let config = file_config(args::optional_cstr(config_json, "config_json")?)?;
        let file = redex.open_file(name, config)?;
        Ok(FILES.insert(NetRedexFile { file })?)
    })
}

/// Append `payload` (`len` bytes; NULL allowed when `len` is 0) and write
/// its seq to `*out_seq` (may be NULL).
#[no_mangle]
pub extern "C" fn net_redex_file_append(file: *mut NetRedexFile, payload: *const u8, len: usize, out_seq: *mut u64) -> c_int {
    guard::status(|| {
        let payload = args::bytes(payload, len, "payload")?;
        let seq = with_file(file, |f| Ok(f.append(payload)?))?;
        if let Some(out) = unsafe { out_seq.as_mut() } {
            *out = seq;
        }
        Ok(())
    })
}

/// Append `count` payloads (`payloads[i]`, `lens[i]` bytes) with
/// consecutive seqs under one lock. Returns the number appended (`count`)
/// and writes the first seq to `*out_first_seq` (may be NULL); for
/// `count == 0` nothing is appended, 0 is returned and `*out_first_seq` is
/// left alone.
#[no_mangle]
pub extern "C" fn net_redex_file_append_batch(
    file: *mut NetRedexFile,
    payloads: *const *const u8,
    lens: *const usize,
    count: usize,
    out_first_seq: *mut u64,
) -> c_int {
    guard::count(|| {
        let ptrs = args::slice(payloads, count, "payloads")?;
        let lens = args::slice(lens, count, "lens")?;
        let mut items = Vec::with_capacity(count);
        for (i, (p, l)) in ptrs.iter().zip(lens).enumerate() {
            items.push(args::bytes(*p, *l, "payloads[i]").map_err(|e| e.at_index(i))?);
        }
        let first = with_file(file, |f| Ok(f.append_batch(items)?))?;
        if let (Some(seq), Some(out)) = (first, unsafe { out_first_seq.as_mut() }) {
            *out = seq;
        }
        Ok(count)
    })
}

/// Append `payload` identified by `key` (`key_len` > 0 bytes) once: a
/// retry with a key whose record is still retained writes that record's
/// seq to `*out_seq` and appends nothing (also across reopen).
#[no_mangle]
pub extern "C" fn net_redex_file_append_idempotent(
    file: *mut NetRedexFile,
    key: *const u8,
    key_len: usize,
    payload: *const u8,
    len: usize,
    out_seq: *mut u64,
) -> c_int {
    guard::status(|| {
        let key = args::bytes(key, key_len, "key")?;
        let payload = args::bytes(payload, len, "payload")?;
        let seq = with_file(file, |f| Ok(f.append_idempotent(key, payload)?))?;
        if let Some(out) = unsafe { out_seq.as_mut() } {
            *out = seq;
        }
        Ok(())
    })
}

/// Copy the retained records with `from <= seq < to` (use `UINT64_MAX` for
/// "to the end") into `*out`, released with `net_redex_events_free`.
/// Returns the number of records. Works on a closed file too.
#[no_mangle]
pub extern "C" fn net_redex_file_read(file: *mut NetRedexFile, from: u64, to: u64, out: *mut NetRedexEvents) -> c_int {
    guard::count(|| {
        let out = args::out(out, "out")?;
        *out = super::memory::empty_events();
        let events = with_file(file, |f| Ok(f.read(from..to)))?;
        fill_events(out, &events)?;
        Ok(events.len())
    })
}

/// Fill `*out` with what the file holds now.
#[no_mangle]
pub extern "C" fn net_redex_file_info(file: *mut NetRedexFile, out: *mut NetRedexFileInfo) -> c_int {
    guard::status(|| {
        let out = args::out(out, "out")?;
        *out = with_file(file, |f| {
            Ok(NetRedexFileInfo {
                next_seq: f.next_seq(),
                first_seq: f.first_seq(),
                len: f.len(),
                retained_bytes: f.retained_bytes(),
                closed: c_int::from(f.is_closed()),
            })
        })?;
        Ok(())
    })
}

/// What opening the file had to cut, as JSON in `*out_json` (released with
/// `net_cortex_free_string`): `{"kind": "torn_tail" | "corruption",
/// "file": "...", "offset": n, "reason": "...", "bytes_cut": n,
/// "segments_removed": n}`. Returns 1 when there is a report, 0 (and
/// `*out_json` NULL) when the open cut nothing.
#[no_mangle]
pub extern "C" fn net_redex_file_repair_report(file: *mut NetRedexFile, out_json: *mut *mut c_char) -> c_int {
    guard::count(|| {
        let slot = args::out(out_json, "out_json")?;
        *slot = std::ptr::null_mut();
        let report = with_file(file, |f| Ok(f.repair_report().cloned()))?;
        let Some(r) = report else { return Ok(0) };
        let json = serde_json::json!({
            "kind": match r.kind {
                net_sdk::cortex::RepairKind::TornTail => "torn_tail",
                _ => "corruption",
            },
            "file": r.file.display().to_string(),
            "offset": r.offset,
            "reason": r.reason,
            "bytes_cut": r.bytes_cut,
            "segments_removed": r.segments_removed,
        });
        write_string(out_json, &json.to_string())?;
        Ok(1)
    })
}

/// Write and fsync everything appended so far (a no-op in memory).
#[no_mangle]
pub extern "C" fn net_redex_file_sync(file: *mut NetRedexFile) -> c_int {
    guard::status(|| with_file(file, |f| Ok(f.sync()?)))
}

/// Close the file for every handle: sync it, release its directory lock,
/// end its tails once they delivered everything. Later appends fail with
/// `NET_CORTEX_ERR_CLOSED` (kind `redex:closed`); reads still work.
/// Closing again succeeds. The handle itself is still released with
/// `net_redex_file_free`.
#[no_mangle]
pub extern "C" fn net_redex_file_close(file: *mut NetRedexFile) -> c_int {
    guard::status(|| with_file(file, |f| Ok(f.close()?)))
}

/// Release a file handle (the file stays open through other handles; the
/// last one going away syncs it). NULL is a no-op; a stale handle is
/// ignored.
#[no_mangle]
pub extern "C" fn net_redex_file_free(file: *mut NetRedexFile) {
    guard::release(|| {
        if !file.is_null() {
            let _ = FILES.remove(file, "file");
        }
    })
}
