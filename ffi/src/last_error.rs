//! The thread-local last-error pair (`net_last_error_message()`,
//! `net_last_error_kind()`).
//!
//! Both strings are owned by this thread's slot and stay valid until the
//! next `net_*` call on the same thread; the caller never frees them.
//! Every entry point clears the slot on entry (see `guard`), so a stale
//! error never outlives the call that produced it.

use std::cell::{Cell, RefCell};
use std::ffi::c_char;

use crate::last_error_slot::{LastError, LastErrorSlot};

thread_local! {
    static LAST_ERROR: RefCell<LastError> = RefCell::new(LastError::default());
    static HAS_ERROR: Cell<bool> = const { Cell::new(false) };
}

/// `net.h`'s pair, which `guard` records to.
pub(crate) static NET_LAST_ERROR: LastErrorSlot = LastErrorSlot::new(&LAST_ERROR, &HAS_ERROR);

/// The human-readable message of the last failing `net_*` call on this
/// thread, or NULL if the last call succeeded. Owned by the library: valid
/// until the next `net_*` call on this thread; do not free.
#[no_mangle]
pub extern "C" fn net_last_error_message() -> *const c_char {
    NET_LAST_ERROR.message()
}

/// The stable kind string of the last failing `net_*` call on this thread
/// (e.g. `"backpressure"`, `"invalid_signature"`, `"runtime_panic"`), or
/// NULL if the last call succeeded. Same lifetime rules as the message.
#[no_mangle]
pub extern "C" fn net_last_error_kind() -> *const c_char {
    NET_LAST_ERROR.kind()
}

/// Forget this thread's last error.
#[no_mangle]
pub extern "C" fn net_clear_last_error() {
    NET_LAST_ERROR.clear();
}
