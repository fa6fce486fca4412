//! The receipt scratch: where `emitRaw` writes its receipt.
//!
//! Building a JS object per emit would cost more than the emit itself, so
//! `emitRaw` stores the receipt's fields in a small per-thread array that
//! JavaScript sees as a `Uint32Array` (from `receiptScratch()`), and the
//! SDK reads them right after the call. JS runs one thread per isolate,
//! so the slot is never written while it is being read.
//!
//! Layout: `[shardId, sequenceLo, sequenceHi, timestampLo, timestampHi, dropped, evicted]`.

use std::cell::Cell;

use napi::bindgen_prelude::Env;
use napi::{sys, JsObject, NapiValue};
use napi_derive::napi;
use net_sdk::Receipt;

use crate::error::{check, Result};

/// Number of `u32` fields in the scratch.
pub const FIELDS: usize = 7;

thread_local! {
    // Leaked on purpose: V8 may hold the ArrayBuffer until its isolate is
    // torn down, after this thread's locals are gone.
    static SLOT: &'static [Cell<u32>; FIELDS] = Box::leak(Box::default());
    static VIEW: Cell<sys::napi_ref> = const { Cell::new(std::ptr::null_mut()) };
}

/// Store `r` in this thread's scratch.
#[inline]
pub fn store(r: &Receipt) {
    SLOT.with(|s| {
        s[0].set(u32::from(r.shard_id));
        s[1].set(r.sequence as u32);
        s[2].set((r.sequence >> 32) as u32);
        s[3].set(r.timestamp as u32);
        s[4].set((r.timestamp >> 32) as u32);
        s[5].set(u32::from(r.dropped));
        s[6].set(r.evicted);
    })
}

/// The receipt of the last `emitRaw` on this thread, as a plain object.
pub fn load() -> Receipt {
    SLOT.with(|s| Receipt {
        shard_id: s[0].get() as u16,
        sequence: u64::from(s[1].get()) | (u64::from(s[2].get()) << 32),
        timestamp: u64::from(s[3].get()) | (u64::from(s[4].get()) << 32),
        dropped: s[5].get() != 0,
        evicted: s[6].get(),
    })
}

/// The scratch `emitRaw` writes its receipt into:
/// `[shardId, sequenceLo, sequenceHi, timestampLo, timestampHi, dropped, evicted]`.
/// The same array is returned on every call in a thread.
#[napi(ts_return_type = "Uint32Array")]
pub fn receipt_scratch(env: Env) -> Result<JsObject> {
    let raw_env = env.raw();
    let cached = VIEW.with(Cell::get);
    let mut value = std::ptr::null_mut();
    if !cached.is_null() {
        // SAFETY: the reference was created in this thread's env below.
        check(unsafe { sys::napi_get_reference_value(raw_env, cached, &mut value) })?;
        // SAFETY: a value of this env.
        return Ok(unsafe { JsObject::from_raw_unchecked(raw_env, value) });
    }
    let data = SLOT.with(|s| s.as_ptr() as *mut std::ffi::c_void);
    let mut buffer = std::ptr::null_mut();
    // SAFETY: `data` is leaked memory of FIELDS u32s that outlives the
    // buffer; no finaliser is needed because nothing is freed.
    check(unsafe {
        sys::napi_create_external_arraybuffer(raw_env, data, FIELDS * 4, None, std::ptr::null_mut(), &mut buffer)
    })?;
    // SAFETY: a Uint32Array over the whole buffer.
    check(unsafe {
        sys::napi_create_typedarray(raw_env, sys::TypedarrayType::uint32_array, FIELDS, buffer, 0, &mut value)
    })?;
    let mut reference = std::ptr::null_mut();
    // SAFETY: a strong reference kept for the env's lifetime, so the same
    // view (and one single external buffer over the slot) is handed out.
    check(unsafe { sys::napi_create_reference(raw_env, value, 1, &mut reference) })?;
    VIEW.with(|v| v.set(reference));
    // SAFETY: a value of this env.
    Ok(unsafe { JsObject::from_raw_unchecked(raw_env, value) })
}
