//! The thread-local last-error pair of `net_meshos.h`, separate from
//! `net.h`'s and `net_cortex.h`'s so one header's error never shows through
//! another's functions.

use std::cell::{Cell, RefCell};
use std::ffi::c_char;

use crate::last_error_slot::{LastError, LastErrorSlot};

thread_local! {
    static LAST_ERROR: RefCell<LastError> = RefCell::new(LastError::default());
    static HAS_ERROR: Cell<bool> = const { Cell::new(false) };
}

pub(crate) static MESHOS_LAST_ERROR: LastErrorSlot = LastErrorSlot::new(&LAST_ERROR, &HAS_ERROR);

/// The message of the last failing `net_meshos_*` call on this thread, or
/// NULL. Valid until the next `net_meshos_*` call on this thread; do not free.
#[no_mangle]
pub extern "C" fn net_meshos_last_error_message() -> *const c_char {
    MESHOS_LAST_ERROR.message()
}

/// Its stable kind (`"register_failed"`, `"queue_full"`, `"loop_closed"`,
/// `"invalid_log_level"`, `"already_shutdown"`, `"shutdown_failed"`,
/// `"runtime_panic"`, …), or NULL.
#[no_mangle]
pub extern "C" fn net_meshos_last_error_kind() -> *const c_char {
    MESHOS_LAST_ERROR.kind()
}

/// Forget this thread's last `net_meshos.h` error.
#[no_mangle]
pub extern "C" fn net_meshos_clear_last_error() {
    MESHOS_LAST_ERROR.clear();
}
