//! The one boundary every exported function goes through.
//!
//! `guarded` clears the last error, runs the body, catches any panic (a
//! panic must never unwind into C, and with `panic = "unwind"` it can be
//! caught), and turns an error into the function's failure value while
//! recording the message/kind pair — so the code and the pair can never
//! disagree.

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::last_error;
use crate::status::{FfiError, NetStatus};

/// Run `body` at the C boundary. On error or panic, record the error and
/// return `on_error(&err)`.
pub(crate) fn guarded<T>(on_error: impl FnOnce(&FfiError) -> T, body: impl FnOnce() -> Result<T, FfiError>) -> T {
    last_error::clear();
    let err = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(value)) => return value,
        Ok(Err(err)) => err,
        Err(payload) => {
            let detail = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic payload".to_string());
            FfiError::new(NetStatus::NET_ERR_PANIC, "runtime_panic", format!("internal panic: {detail}"))
        }
    };
    last_error::record(&err);
    on_error(&err)
}

/// `guarded` for functions that return an `int` status (0 or a negative code).
pub(crate) fn status(body: impl FnOnce() -> Result<(), FfiError>) -> i32 {
    guarded(|e| e.status as i32, || body().map(|()| NetStatus::NET_SUCCESS as i32))
}

/// `guarded` for functions that return an `int` count or a negative code.
pub(crate) fn count(body: impl FnOnce() -> Result<usize, FfiError>) -> i32 {
    guarded(
        |e| e.status as i32,
        || {
            let n = body()?;
            i32::try_from(n).map_err(|_| {
                FfiError::new(NetStatus::NET_ERR_INT_OVERFLOW, "int_overflow", format!("{n} does not fit in an int"))
            })
        },
    )
}

/// `guarded` for constructors that return a pointer, NULL on failure.
pub(crate) fn pointer<T>(body: impl FnOnce() -> Result<*mut T, FfiError>) -> *mut T {
    guarded(|_| std::ptr::null_mut(), body)
}

#[cfg(test)]
mod tests {
    use super::*;
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
