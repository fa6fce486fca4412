//! Turning raw C arguments into Rust values, one helper per shape, so NULL,
//! length and UTF-8 checks live in one place instead of being scattered.

use std::ffi::{c_char, CStr};

use crate::status::{FfiError, NetStatus};

/// `(ptr, len)` as a byte slice. NULL is allowed only when `len` is 0.
#[inline]
pub(crate) fn bytes<'a>(ptr: *const u8, len: usize, what: &str) -> Result<&'a [u8], FfiError> {
    if ptr.is_null() {
        return if len == 0 { Ok(&[]) } else { Err(FfiError::null(what)) };
    }
    if len > isize::MAX as usize {
        return Err(FfiError::invalid_argument(format!("{what}: length {len} is out of range")));
    }
    // SAFETY: the caller promises `ptr` points to `len` readable bytes that
    // stay valid for the call; NULL and absurd lengths were ruled out above.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// `(ptr, len)` as UTF-8 text (need not be NUL-terminated).
#[inline]
pub(crate) fn text<'a>(ptr: *const c_char, len: usize, what: &str) -> Result<&'a str, FfiError> {
    utf8(bytes(ptr.cast(), len, what)?, what)
}

/// Check that `raw` is UTF-8.
#[inline]
pub(crate) fn utf8<'a>(raw: &'a [u8], what: &str) -> Result<&'a str, FfiError> {
    // Events are mostly ASCII JSON: the inlined word-at-a-time ASCII scan
    // costs a fraction of a full UTF-8 validation call for short events.
    if raw.is_ascii() {
        // SAFETY: ASCII is valid UTF-8.
        return Ok(unsafe { std::str::from_utf8_unchecked(raw) });
    }
    std::str::from_utf8(raw).map_err(|e| {
        FfiError::new(NetStatus::NET_ERR_INVALID_UTF8, "invalid_utf8", format!("{what} is not valid UTF-8: {e}"))
    })
}

/// A NUL-terminated C string, or `None` for NULL.
pub(crate) fn optional_cstr<'a>(ptr: *const c_char, what: &str) -> Result<Option<&'a str>, FfiError> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: the caller promises a NUL-terminated string when non-NULL.
    let raw = unsafe { CStr::from_ptr(ptr) }.to_bytes();
    utf8(raw, what).map(Some)
}

/// A fixed-size input array, e.g. a 32-byte seed.
pub(crate) fn array<const N: usize>(ptr: *const u8, len: usize, what: &str) -> Result<[u8; N], FfiError> {
    let raw = bytes(ptr, len, what)?;
    raw.try_into().map_err(|_| {
        FfiError::new(
            NetStatus::NET_ERR_INVALID_ARGUMENT,
            "invalid_length",
            format!("{what} must be {N} bytes, got {len}"),
        )
    })
}

/// A caller-owned output slot.
pub(crate) fn out<'a, T>(ptr: *mut T, what: &str) -> Result<&'a mut T, FfiError> {
    // SAFETY: non-NULL output pointers must point to writable, aligned T.
    unsafe { ptr.as_mut() }.ok_or_else(|| FfiError::null(what))
}

/// Copy `src` into the caller's buffer `(ptr, len)`, which must be big enough.
pub(crate) fn write_bytes(src: &[u8], ptr: *mut u8, len: usize, what: &str) -> Result<(), FfiError> {
    if ptr.is_null() {
        return Err(FfiError::null(what));
    }
    if len < src.len() {
        return Err(FfiError::buffer_too_small(what, src.len(), len));
    }
    // SAFETY: `ptr` is non-NULL with at least `src.len()` writable bytes.
    unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), ptr, src.len()) };
    Ok(())
}

/// `(ptr, count)` as a slice of `T`. NULL is allowed only when `count` is 0.
pub(crate) fn slice<'a, T>(ptr: *const T, count: usize, what: &str) -> Result<&'a [T], FfiError> {
    if count == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(FfiError::null(what));
    }
    if count > isize::MAX as usize / std::mem::size_of::<T>().max(1) {
        return Err(FfiError::invalid_argument(format!("{what}: count {count} is out of range")));
    }
    // SAFETY: the caller promises `count` readable, aligned elements.
    Ok(unsafe { std::slice::from_raw_parts(ptr, count) })
}
