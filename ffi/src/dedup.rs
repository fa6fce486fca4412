//! The Redis Streams consumer-side dedup helper: `net_redis_dedup_*`, the
//! C face of the core's `RedisStreamDedup` (an LRU of the `dedup_id`
//! fields the Redis backend writes on every entry).

use std::ffi::{c_char, c_int};

use net_sdk::RedisStreamDedup;
use parking_lot::Mutex;

use crate::status::FfiError;
use crate::{args, guard};

/// A dedup filter (opaque). Created by `net_redis_dedup_new`, released by
/// `net_redis_dedup_free`. Safe to share between threads: calls on one
/// filter are serialised by a lock inside.
pub struct NetRedisDedup {
    inner: Mutex<RedisStreamDedup>,
}

/// The capacity `net_redis_dedup_new(0)` uses.
pub const NET_REDIS_DEDUP_DEFAULT_CAPACITY: usize = 4096;

fn dedup<'a>(d: *const NetRedisDedup) -> Result<&'a NetRedisDedup, FfiError> {
    // SAFETY: NULL or a live filter from `net_redis_dedup_new`.
    unsafe { d.as_ref() }.ok_or_else(|| FfiError::null("dedup"))
}

/// A filter remembering the `capacity` most recently seen dedup ids
/// (`0`: `NET_REDIS_DEDUP_DEFAULT_CAPACITY`). Owned by the caller; release
/// with `net_redis_dedup_free`.
#[no_mangle]
pub extern "C" fn net_redis_dedup_new(capacity: usize) -> *mut NetRedisDedup {
    guard::pointer(|| {
        let capacity = if capacity == 0 { NET_REDIS_DEDUP_DEFAULT_CAPACITY } else { capacity };
        Ok(Box::into_raw(Box::new(NetRedisDedup { inner: Mutex::new(RedisStreamDedup::with_capacity(capacity)) })))
    })
}

/// Release a filter. NULL is a no-op.
#[no_mangle]
pub extern "C" fn net_redis_dedup_free(d: *mut NetRedisDedup) {
    guard::guarded(
        |_| (),
        || {
            if !d.is_null() {
                // SAFETY: non-NULL pointers come from `Box::into_raw` above.
                drop(unsafe { Box::from_raw(d) });
            }
            Ok(())
        },
    )
}

/// Test-and-insert the dedup id `(id, id_len)` (UTF-8, need not be
/// NUL-terminated): returns 1 if it was seen among the `capacity` most
/// recent ids (a duplicate: skip the entry), 0 if not (it is remembered
/// now), or a negative code.
#[no_mangle]
pub extern "C" fn net_redis_dedup_is_duplicate(d: *const NetRedisDedup, id: *const c_char, id_len: usize) -> c_int {
    guard::count(|| {
        let d = dedup(d)?;
        let id = args::text(id, id_len, "id")?;
        Ok(usize::from(d.inner.lock().is_duplicate(id)))
    })
}

/// Write the number of ids remembered to `*out`.
#[no_mangle]
pub extern "C" fn net_redis_dedup_len(d: *const NetRedisDedup, out: *mut usize) -> c_int {
    guard::status(|| {
        let out = args::out(out, "out")?;
        *out = dedup(d)?.inner.lock().len();
        Ok(())
    })
}

/// Write the most ids remembered at once to `*out`.
#[no_mangle]
pub extern "C" fn net_redis_dedup_capacity(d: *const NetRedisDedup, out: *mut usize) -> c_int {
    guard::status(|| {
        let out = args::out(out, "out")?;
        *out = dedup(d)?.inner.lock().capacity();
        Ok(())
    })
}

/// Returns 1 if no id is remembered, 0 if some are, or a negative code.
#[no_mangle]
pub extern "C" fn net_redis_dedup_is_empty(d: *const NetRedisDedup) -> c_int {
    guard::count(|| Ok(usize::from(dedup(d)?.inner.lock().is_empty())))
}

/// Forget every id.
#[no_mangle]
pub extern "C" fn net_redis_dedup_clear(d: *const NetRedisDedup) -> c_int {
    guard::status(|| {
        dedup(d)?.inner.lock().clear();
        Ok(())
    })
}
