//! Reading JS strings as UTF-8 without allocating per call.
//!
//! Short strings (the common event) are copied into a stack buffer; longer
//! ones into a per-thread buffer that is reused. V8 writes lone surrogates
//! as U+FFFD, so the bytes are always valid UTF-8.

use std::cell::RefCell;
use std::mem::MaybeUninit;
use std::ptr;

use napi::sys;

use crate::error::{invalid, Result};

const STACK: usize = 256;
/// A UTF-8 character is at most 4 bytes: when fewer than `STACK - 4` bytes
/// came back, the next character (if any) would have fitted, so the
/// string ended. napi never splits a character at the buffer's end.
const SURELY_WHOLE: usize = STACK - 4;

thread_local! {
    static LONG: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Calls `f` with the UTF-8 bytes of the JS string `value`.
pub fn with_utf8<R>(env: sys::napi_env, value: sys::napi_value, f: impl FnOnce(&[u8]) -> R) -> Result<R> {
    let mut stack = [MaybeUninit::<u8>::uninit(); STACK];
    let mut len = 0usize;
    // SAFETY: napi writes at most STACK bytes (including a NUL) into `stack`.
    let status = unsafe { sys::napi_get_value_string_utf8(env, value, stack.as_mut_ptr().cast(), STACK, &mut len) };
    if status != sys::Status::napi_ok {
        return Err(invalid("expected a string"));
    }
    if len < SURELY_WHOLE {
        // SAFETY: napi initialised the first `len` bytes.
        let bytes = unsafe { std::slice::from_raw_parts(stack.as_ptr().cast::<u8>(), len) };
        return Ok(f(bytes));
    }
    let full = utf8_len(env, value)?;
    LONG.with(|cell| {
        // A re-entrant call (f calling back into JS) gets its own buffer.
        let mut own = Vec::new();
        let mut borrowed = cell.try_borrow_mut();
        let buf = match borrowed.as_deref_mut() {
            Ok(b) => b,
            Err(_) => &mut own,
        };
        read_into(env, value, full, buf)?;
        Ok(f(buf))
    })
}

/// The UTF-8 length of a JS string.
pub fn utf8_len(env: sys::napi_env, value: sys::napi_value) -> Result<usize> {
    let mut len = 0usize;
    // SAFETY: a NULL buffer asks napi for the length only.
    let status = unsafe { sys::napi_get_value_string_utf8(env, value, ptr::null_mut(), 0, &mut len) };
    if status != sys::Status::napi_ok {
        return Err(invalid("expected a string"));
    }
    Ok(len)
}

/// Replaces `buf`'s contents with the `len` UTF-8 bytes of `value`.
pub fn read_into(env: sys::napi_env, value: sys::napi_value, len: usize, buf: &mut Vec<u8>) -> Result<()> {
    buf.clear();
    buf.reserve(len + 1);
    let mut written = 0usize;
    // SAFETY: the buffer has room for `len + 1` bytes (text plus NUL).
    let status = unsafe { sys::napi_get_value_string_utf8(env, value, buf.as_mut_ptr().cast(), len + 1, &mut written) };
    if status != sys::Status::napi_ok {
        return Err(invalid("expected a string"));
    }
    // SAFETY: napi initialised `written <= len` bytes.
    unsafe { buf.set_len(written) };
    Ok(())
}
