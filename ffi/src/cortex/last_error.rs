//! The thread-local last-error pair of `net_cortex.h`
//! (`net_cortex_last_error_message()`, `net_cortex_last_error_kind()`),
//! separate from `net.h`'s so a program using both headers never sees one
//! header's error through the other's functions.

use std::cell::RefCell;
use std::ffi::{c_char, CString};

use super::status::CortexFfiError;

#[derive(Default)]
struct LastError {
    message: Option<CString>,
    kind: Option<CString>,
}

thread_local! {
    static LAST_ERROR: RefCell<LastError> = RefCell::new(LastError::default());
}

pub(crate) fn record(err: &CortexFfiError) {
    // A message with an interior NUL is cut there rather than lost.
    let message = CString::new(err.message.replace('\0', " ")).unwrap_or_default();
    let kind = CString::new(err.kind).unwrap_or_default();
    LAST_ERROR.with(|slot| *slot.borrow_mut() = LastError { message: Some(message), kind: Some(kind) });
}

pub(crate) fn clear() {
    LAST_ERROR.with(|slot| *slot.borrow_mut() = LastError::default());
}

fn pointer_of(pick: fn(&LastError) -> &Option<CString>) -> *const c_char {
    LAST_ERROR.with(|slot| pick(&slot.borrow()).as_ref().map_or(std::ptr::null(), |s| s.as_ptr()))
}

/// The human-readable message of the last failing `net_redex_*` /
/// `net_netdb_*` call on this thread, or NULL if it succeeded. Owned by the
/// library: valid until the next such call on this thread; do not free.
#[no_mangle]
pub extern "C" fn net_cortex_last_error_message() -> *const c_char {
    pointer_of(|e| &e.message)
}

/// The stable kind string of that failure (`"redex:corrupt"`,
/// `"cortex:not_found"`, `"netdb:bundle"`, ...), or NULL. Same lifetime
/// rules as the message.
#[no_mangle]
pub extern "C" fn net_cortex_last_error_kind() -> *const c_char {
    pointer_of(|e| &e.kind)
}

/// Forget this thread's last `net_cortex.h` error.
#[no_mangle]
pub extern "C" fn net_cortex_clear_last_error() {
    clear();
}
