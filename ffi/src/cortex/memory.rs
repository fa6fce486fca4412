//! Memory `net_cortex.h` hands to C: event arrays (`net_redex_events_t`,
//! released by `net_redex_events_free`) and strings (released by
//! `net_cortex_free_string`). Each is one `malloc` block, so one `free`
//! releases it and a C caller may even use `free` directly.

use std::ffi::c_char;

use net_sdk::cortex::RedexEvent;

use super::guard;
use super::status::{CortexFfiError, NetCortexStatus};

/// One record of a RedEX file, as returned by `net_redex_file_read` and
/// `net_redex_tail_next`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NetRedexEvent {
    /// Position in the file (0 for the first record ever appended).
    pub seq: u64,
    /// Append time, nanoseconds since the Unix epoch.
    pub timestamp_nanos: u64,
    /// `payload_len` bytes, owned by the enclosing `net_redex_events_t`.
    pub payload: *const u8,
    pub payload_len: usize,
}

/// An array of records in library memory.
#[repr(C)]
#[derive(Debug)]
pub struct NetRedexEvents {
    /// `count` records (NULL when `count` is 0).
    pub events: *mut NetRedexEvent,
    pub count: usize,
}

pub(crate) fn empty_events() -> NetRedexEvents {
    NetRedexEvents { events: std::ptr::null_mut(), count: 0 }
}

fn out_of_memory(len: usize) -> CortexFfiError {
    CortexFfiError::new(NetCortexStatus::NET_CORTEX_ERR_IO, "out_of_memory", format!("could not allocate {len} bytes"))
}

/// Copy `events` into one malloc block: the table, then every payload.
pub(crate) fn fill_events(out: &mut NetRedexEvents, events: &[RedexEvent]) -> Result<(), CortexFfiError> {
    *out = empty_events();
    if events.is_empty() {
        return Ok(());
    }
    let table_len = std::mem::size_of::<NetRedexEvent>() * events.len();
    let total = events.iter().try_fold(table_len, |acc, e| acc.checked_add(e.payload.len())).ok_or_else(|| out_of_memory(usize::MAX))?;
    // SAFETY: plain allocation, checked for NULL; malloc's alignment suits
    // the table, and the payload bytes after it need none.
    let block = unsafe { libc::malloc(total) }.cast::<u8>();
    if block.is_null() {
        return Err(out_of_memory(total));
    }
    let table = block.cast::<NetRedexEvent>();
    let mut cursor = table_len;
    for (i, e) in events.iter().enumerate() {
        // SAFETY: `cursor + len <= total` by construction of `total`, and
        // entry `i` is inside the table part of the block.
        unsafe {
            let dst = block.add(cursor);
            std::ptr::copy_nonoverlapping(e.payload.as_ptr(), dst, e.payload.len());
            table.add(i).write(NetRedexEvent {
                seq: e.seq,
                timestamp_nanos: e.timestamp_nanos,
                payload: dst,
                payload_len: e.payload.len(),
            });
        }
        cursor += e.payload.len();
    }
    *out = NetRedexEvents { events: table, count: events.len() };
    Ok(())
}

/// Release the records of `*events` and zero it. NULL, and an already
/// released or zeroed array, are no-ops.
#[no_mangle]
pub extern "C" fn net_redex_events_free(events: *mut NetRedexEvents) {
    guard::release(|| {
        // SAFETY: NULL or an array filled by this library.
        if let Some(events) = unsafe { events.as_mut() } {
            // SAFETY: NULL or the block `fill_events` allocated.
            unsafe { libc::free(events.events.cast()) };
            *events = empty_events();
        }
    })
}

/// `text` as a malloc'd NUL-terminated string.
pub(crate) fn malloc_string(text: &str) -> Result<*mut c_char, CortexFfiError> {
    if text.as_bytes().contains(&0) {
        return Err(CortexFfiError::new(NetCortexStatus::NET_CORTEX_ERR_INVALID_ARG, "interior_nul", "text contains a NUL byte"));
    }
    // SAFETY: plain allocation, checked for NULL, then filled in bounds.
    unsafe {
        let block = libc::malloc(text.len() + 1).cast::<u8>();
        if block.is_null() {
            return Err(out_of_memory(text.len() + 1));
        }
        std::ptr::copy_nonoverlapping(text.as_ptr(), block, text.len());
        *block.add(text.len()) = 0;
        Ok(block.cast())
    }
}

/// Write `text` to the caller's `*out` as a library string.
pub(crate) fn write_string(out: *mut *mut c_char, text: &str) -> Result<(), CortexFfiError> {
    let slot = crate::args::out(out, "out_json")?;
    *slot = malloc_string(text)?;
    Ok(())
}

/// Release a string returned by a `net_cortex.h` function. NULL is a no-op.
#[no_mangle]
pub extern "C" fn net_cortex_free_string(s: *mut c_char) {
    // SAFETY: NULL or a string this library allocated with malloc.
    unsafe { libc::free(s.cast()) }
}
