//! Emitters bound to one node: the hot paths without napi-derive's
//! per-call overhead.
//!
//! A class method finds its Rust object through `napi_unwrap`, a property
//! lookup on `this` that costs about as much as the emit itself. These
//! functions are created with the node's `Net` as their callback data, so
//! a call is `napi_get_cb_info`, the argument read, the emit and the
//! result: nothing else. Each function owns a clone of the `Net` (an Arc),
//! dropped by a finaliser when the function is collected.

use std::ffi::{c_void, CString};
use std::ptr;

use napi::sys;
use net_sdk::{Net, Receipt, SdkError};

use crate::error::{check, error, fail, Error, Result};
use crate::{receipt, text};

/// One bound emitter: its JS name and callback.
struct Emitter {
    name: &'static str,
    call: unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value,
}

const EMITTERS: [Emitter; 3] = [
    Emitter { name: "emitBuffer", call: emit_buffer },
    Emitter { name: "emitRaw", call: emit_raw },
    Emitter { name: "fire", call: fire },
];

/// `{ emitBuffer, emitRaw, fire }` bound to `net`.
pub fn bind(env: sys::napi_env, net: &Net) -> Result<sys::napi_value> {
    let mut object = ptr::null_mut();
    check(unsafe { sys::napi_create_object(env, &mut object) })?;
    for e in EMITTERS {
        let data = Box::into_raw(Box::new(net.clone()));
        let mut function = ptr::null_mut();
        // SAFETY: `data` stays valid until the finaliser below frees it,
        // which napi runs only once the function is unreachable.
        let created = unsafe {
            sys::napi_create_function(env, e.name.as_ptr().cast(), e.name.len(), Some(e.call), data.cast(), &mut function)
        };
        if created != sys::Status::napi_ok {
            // SAFETY: not handed to napi; reclaim it.
            drop(unsafe { Box::from_raw(data) });
            return Err(error("internal", "napi_create_function failed"));
        }
        check(unsafe { sys::napi_add_finalizer(env, function, data.cast(), Some(drop_net), ptr::null_mut(), ptr::null_mut()) })?;
        let name = CString::new(e.name).expect("no NUL in emitter names");
        check(unsafe { sys::napi_set_named_property(env, object, name.as_ptr(), function) })?;
    }
    Ok(object)
}

unsafe extern "C" fn drop_net(_env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
    // SAFETY: `data` is the Box<Net> made in `bind`, finalised once.
    drop(unsafe { Box::from_raw(data.cast::<Net>()) });
}

/// The callback's bound `Net` and first argument.
///
/// # Safety
/// `info` must be the callback info of a function made by `bind`.
unsafe fn args(env: sys::napi_env, info: sys::napi_callback_info) -> Result<(&'static Net, sys::napi_value)> {
    let mut argc = 1usize;
    let mut argv = [ptr::null_mut(); 1];
    let mut data = ptr::null_mut();
    check(unsafe { sys::napi_get_cb_info(env, info, &mut argc, argv.as_mut_ptr(), ptr::null_mut(), &mut data) })?;
    // SAFETY: the data of a bound emitter is its Box<Net>, alive while the
    // function runs (it is reachable: it is being called).
    Ok((unsafe { &*data.cast::<Net>() }, argv[0]))
}

/// Runs `f` and turns its outcome into a JS value or a thrown error.
/// Panics are caught here: none may unwind into the JS engine.
fn settle(env: sys::napi_env, f: impl FnOnce() -> Result<bool>) -> sys::napi_value {
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(error("runtime_panic", "the Net core panicked")));
    let mut value = ptr::null_mut();
    match outcome {
        // SAFETY: a live env; on failure `value` stays NULL (undefined).
        Ok(b) => unsafe {
            sys::napi_get_boolean(env, b, &mut value);
        },
        Err(e) => throw(env, &e),
    }
    value
}

fn throw(env: sys::napi_env, e: &Error) {
    let code = CString::new(e.status.0).unwrap_or_default();
    let message = CString::new(e.reason.replace('\0', " ")).unwrap_or_default();
    // SAFETY: NUL-terminated strings that outlive the call.
    unsafe { sys::napi_throw_error(env, code.as_ptr(), message.as_ptr()) };
}

fn stored(r: std::result::Result<Receipt, SdkError>) -> Result<bool> {
    r.map(|r| !r.dropped).map_err(fail)
}

unsafe extern "C" fn emit_buffer(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    settle(env, || {
        // SAFETY: napi calls this with the info of a bound emitter.
        let (net, arg) = unsafe { args(env, info) }?;
        let mut data = ptr::null_mut();
        let mut len = 0usize;
        // SAFETY: napi fills data/len for any ArrayBufferView.
        if unsafe { sys::napi_get_buffer_info(env, arg, &mut data, &mut len) } != sys::Status::napi_ok {
            return Err(crate::error::invalid("emitBuffer expects a Buffer or Uint8Array"));
        }
        let bytes = if len == 0 { &[][..] } else { unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) } };
        stored(net.emit_raw_copy(bytes))
    })
}

unsafe extern "C" fn emit_raw(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    settle(env, || {
        // SAFETY: as in emit_buffer.
        let (net, arg) = unsafe { args(env, info) }?;
        let r = text::with_utf8(env, arg, |b| net.emit_raw_copy(b))?.map_err(fail)?;
        receipt::store(&r);
        Ok(!r.dropped)
    })
}

unsafe extern "C" fn fire(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    settle(env, || {
        // SAFETY: as in emit_buffer.
        let (net, arg) = unsafe { args(env, info) }?;
        match text::with_utf8(env, arg, |b| net.emit_raw_copy(b))? {
            Err(SdkError::Backpressure) => Ok(false),
            r => stored(r),
        }
    })
}
