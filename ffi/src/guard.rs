//! The boundary every `net.h` function goes through: `crate::boundary`
//! with `net.h`'s error type, so its status codes and its last-error pair
//! (`net_last_error_*`).

use crate::boundary::{self, BoundaryError};
use crate::last_error::NET_LAST_ERROR;
use crate::last_error_slot::LastErrorSlot;
use crate::status::{FfiError, NetStatus};

impl BoundaryError for FfiError {
    const SUCCESS: i32 = NetStatus::NET_SUCCESS as i32;

    fn last_error() -> &'static LastErrorSlot {
        &NET_LAST_ERROR
    }

    fn panic(message: String) -> Self {
        FfiError::new(NetStatus::NET_ERR_PANIC, "runtime_panic", message)
    }

    fn int_overflow(message: String) -> Self {
        FfiError::new(NetStatus::NET_ERR_INT_OVERFLOW, "int_overflow", message)
    }

    fn code(&self) -> i32 {
        self.status as i32
    }

    fn kind(&self) -> &'static str {
        self.kind
    }

    fn message(&self) -> &str {
        &self.message
    }
}

/// Run `body` at the C boundary. On error or panic, record the error and
/// return `on_error(&err)`.
pub(crate) fn guarded<T>(on_error: impl FnOnce(&FfiError) -> T, body: impl FnOnce() -> Result<T, FfiError>) -> T {
    boundary::guarded(on_error, body)
}

/// For functions that return an `int` status (0 or a negative code).
pub(crate) fn status(body: impl FnOnce() -> Result<(), FfiError>) -> i32 {
    boundary::status(body)
}

/// For functions that return an `int` count or a negative code.
pub(crate) fn count(body: impl FnOnce() -> Result<usize, FfiError>) -> i32 {
    boundary::count(body)
}

/// For constructors that return a pointer, NULL on failure.
pub(crate) fn pointer<T>(body: impl FnOnce() -> Result<*mut T, FfiError>) -> *mut T {
    boundary::pointer(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::last_error;
    use std::ffi::CStr;

    fn kind() -> Option<String> {
        let p = last_error::net_last_error_kind();
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_string())
    }

    #[test]
    fn a_panic_becomes_a_runtime_panic_status() {
        let code = status(|| panic!("boom"));
        assert_eq!(code, NetStatus::NET_ERR_PANIC as i32);
        assert_eq!(kind().as_deref(), Some("runtime_panic"));
        let msg = unsafe { CStr::from_ptr(last_error::net_last_error_message()) };
        assert!(msg.to_str().unwrap().contains("boom"));
    }

    #[test]
    fn success_clears_the_previous_error() {
        assert_eq!(status(|| Err(FfiError::null("x"))), NetStatus::NET_ERR_NULL_POINTER as i32);
        assert_eq!(kind().as_deref(), Some("null_parameter"));
        assert_eq!(status(|| Ok(())), 0);
        assert_eq!(kind(), None);
        assert!(last_error::net_last_error_message().is_null());
    }

    #[test]
    fn counts_that_overflow_an_int_are_reported() {
        assert_eq!(count(|| Ok(7)), 7);
        assert_eq!(count(|| Ok(usize::MAX)), NetStatus::NET_ERR_INT_OVERFLOW as i32);
        assert_eq!(kind().as_deref(), Some("int_overflow"));
    }
}
