//! The thread-local last-error pair (`net_last_error_message()`,
//! `net_last_error_kind()`).
//!
//! Both strings are owned by this thread's slot and stay valid until the
//! next `net_*` call on the same thread; the caller never frees them.
//! Every entry point clears the slot on entry (see `guard`), so a stale
//! error never outlives the call that produced it.

use std::cell::{Cell, RefCell};
use std::ffi::{c_char, CString};

use crate::status::FfiError;

#[derive(Default)]
struct LastError {
    message: Option<CString>,
    kind: Option<CString>,
}

thread_local! {
    static LAST_ERROR: RefCell<LastError> = RefCell::new(LastError::default());
    /// Whether `LAST_ERROR` holds anything: a plain flag with a constant
    /// initialiser and no destructor, so the check every call makes on
    /// entry skips the lazily initialised slot.
    static HAS_ERROR: Cell<bool> = const { Cell::new(false) };
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
    HAS_ERROR.with(|flag| flag.set(true));
}

/// Forget this thread's last error.
#[inline]
pub(crate) fn clear() {
    // The common case — the previous call succeeded — touches only the flag.
    if HAS_ERROR.with(|flag| flag.replace(false)) {
        LAST_ERROR.with(|slot| *slot.borrow_mut() = LastError::default());
    }
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
