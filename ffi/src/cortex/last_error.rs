//! The thread-local last-error pair of `net_cortex.h`
//! (`net_cortex_last_error_message()`, `net_cortex_last_error_kind()`),
//! separate from `net.h`'s so a program using both headers never sees one
//! header's error through the other's functions.

use std::cell::{Cell, RefCell};
use std::ffi::c_char;

use crate::last_error_slot::{LastError, LastErrorSlot};

thread_local! {
    static LAST_ERROR: RefCell<LastError> = RefCell::new(LastError::default());
    static HAS_ERROR: Cell<bool> = const { Cell::new(false) };
}

/// `net_cortex.h`'s pair, which this header's `guard` records to.
pub(crate) static CORTEX_LAST_ERROR: LastErrorSlot = LastErrorSlot::new(&LAST_ERROR, &HAS_ERROR);

/// The human-readable message of the last failing `net_redex_*` /
/// `net_netdb_*` call on this thread, or NULL if it succeeded. Owned by the
/// library: valid until the next such call on this thread; do not free.
#[no_mangle]
pub extern "C" fn net_cortex_last_error_message() -> *const c_char {
    CORTEX_LAST_ERROR.message()
}

/// The stable kind string of that failure (`"redex:corrupt"`,
/// `"cortex:not_found"`, `"netdb:bundle"`, ...), or NULL. Same lifetime
/// rules as the message.
#[no_mangle]
pub extern "C" fn net_cortex_last_error_kind() -> *const c_char {
    CORTEX_LAST_ERROR.kind()
}

/// Forget this thread's last `net_cortex.h` error.
#[no_mangle]
pub extern "C" fn net_cortex_clear_last_error() {
    CORTEX_LAST_ERROR.clear();
}
