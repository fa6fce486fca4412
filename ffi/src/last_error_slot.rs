//! [`LastErrorSlot`]: a thread-local message/kind pair, as each C header
//! keeps one of its own (`net.h`'s `net_last_error_*`, `net_cortex.h`'s
//! `net_cortex_last_error_*`). The header's module declares the two
//! thread-locals and exports the functions; recording, clearing and handing
//! out the strings happens here.
//!
//! Both strings are owned by the slot and stay valid until the next call
//! that clears or records on the same thread; the caller never frees them.

use std::cell::{Cell, RefCell};
use std::ffi::{c_char, CString};
use std::thread::LocalKey;

/// What a slot holds: nothing after a success, both strings after an error.
#[derive(Default)]
pub(crate) struct LastError {
    message: Option<CString>,
    kind: Option<CString>,
}

/// One header's pair: the strings, and a flag saying whether they hold
/// anything. The flag is a plain `Cell<bool>` with a constant initialiser
/// and no destructor, so the clear every call makes on entry skips the
/// lazily initialised strings in the common case (the previous call
/// succeeded).
pub(crate) struct LastErrorSlot {
    error: &'static LocalKey<RefCell<LastError>>,
    has_error: &'static LocalKey<Cell<bool>>,
}

impl LastErrorSlot {
    pub(crate) const fn new(
        error: &'static LocalKey<RefCell<LastError>>,
        has_error: &'static LocalKey<Cell<bool>>,
    ) -> Self {
        Self { error, has_error }
    }

    /// Record an error as this thread's last one.
    pub(crate) fn record(&self, kind: &str, message: &str) {
        // A message with an interior NUL is cut there rather than lost.
        let message = CString::new(message.replace('\0', " ")).unwrap_or_default();
        let kind = CString::new(kind).unwrap_or_default();
        self.error.with(|slot| *slot.borrow_mut() = LastError { message: Some(message), kind: Some(kind) });
        self.has_error.with(|flag| flag.set(true));
    }

    /// Forget this thread's last error.
    #[inline]
    pub(crate) fn clear(&self) {
        if self.has_error.with(|flag| flag.replace(false)) {
            self.error.with(|slot| *slot.borrow_mut() = LastError::default());
        }
    }

    /// The last error's message, or NULL after a success.
    pub(crate) fn message(&self) -> *const c_char {
        self.pointer_of(|e| &e.message)
    }

    /// The last error's kind, or NULL after a success.
    pub(crate) fn kind(&self) -> *const c_char {
        self.pointer_of(|e| &e.kind)
    }

    fn pointer_of(&self, pick: fn(&LastError) -> &Option<CString>) -> *const c_char {
        self.error.with(|slot| pick(&slot.borrow()).as_ref().map_or(std::ptr::null(), |s| s.as_ptr()))
    }
}
