//! The thread-local last-error pair (`net_last_error_message()`,
//! `net_last_error_kind()`).
//!
//! Both strings are owned by this thread's slot and stay valid until the
//! next `net_*` call on the same thread; the caller never frees them.
//! Every entry point clears the slot on entry (see `guard`), so a stale
//! error never outlives the call that produced it.

use std::cell::RefCell;
use std::ffi::{c_char, CString};

use crate::status::FfiError;

#[derive(Default)]
struct LastError {
    message: Option<CString>,
    kind: Option<CString>,
}

thread_local! {
    static LAST_ERROR: RefCell<LastError> = RefCell::new(LastError::default());
}

/// Record `err` as this thread's last error.
pub(crate) fn record(err: &FfiError) {
    // A message with an interior NUL is cut there rather than lost.
    let message = CString::new(err.message.replace('\0', " ")).unwrap_or_default();
    let kind = CString::new(err.kind).unwrap_or_default();
    LAST_ERROR.with(|slot| {
        let mut slot = slot.borrow_mut();
        slot.message = Some(message);
        slot.kind = Some(kind);
    });
}

/// Forget this thread's last error.
pub(crate) fn clear() {
    LAST_ERROR.with(|slot| {
        let mut slot = slot.borrow_mut();
        // Only drop when set: the common success path stays allocation-free.
        if slot.message.is_some() {
            *slot = LastError::default();
        }
    });
}

fn pointer_of(pick: fn(&LastError) -> &Option<CString>) -> *const c_char {
    LAST_ERROR.with(|slot| pick(&slot.borrow()).as_ref().map_or(std::ptr::null(), |s| s.as_ptr()))
}

/// The human-readable message of the last failing `net_*` call on this
/// thread, or NULL if the last call succeeded. Owned by the library: valid
/// until the next `net_*` call on this thread; do not free.
#[no_mangle]
pub extern "C" fn net_last_error_message() -> *const c_char {
    pointer_of(|e| &e.message)
}

/// The stable kind string of the last failing `net_*` call on this thread
/// (e.g. `"backpressure"`, `"invalid_signature"`, `"runtime_panic"`), or
/// NULL if the last call succeeded. Same lifetime rules as the message.
#[no_mangle]
pub extern "C" fn net_last_error_kind() -> *const c_char {
    pointer_of(|e| &e.kind)
}

/// Forget this thread's last error.
#[no_mangle]
pub extern "C" fn net_clear_last_error() {
    clear();
}
