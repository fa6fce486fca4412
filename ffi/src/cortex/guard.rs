//! The boundary every `net_cortex.h` function goes through: clear the last
//! error, run the body, turn a panic into `NET_CORTEX_ERR_PANIC` (kind
//! `runtime_panic`), and record any error in this header's last-error pair
//! while returning its code — so the two can never disagree.

use std::panic::{catch_unwind, AssertUnwindSafe};

use super::last_error;
use super::status::{CortexFfiError, NetCortexStatus};

pub(crate) fn guarded<T>(on_error: impl FnOnce(&CortexFfiError) -> T, body: impl FnOnce() -> Result<T, CortexFfiError>) -> T {
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
            CortexFfiError::new(NetCortexStatus::NET_CORTEX_ERR_PANIC, "runtime_panic", format!("internal panic: {detail}"))
        }
    };
    last_error::record(&err);
    on_error(&err)
}

/// For functions returning an `int` status.
pub(crate) fn status(body: impl FnOnce() -> Result<(), CortexFfiError>) -> i32 {
    guarded(|e| e.status as i32, || body().map(|()| NetCortexStatus::NET_CORTEX_OK as i32))
}

/// For functions returning an `int` count or a negative code.
pub(crate) fn count(body: impl FnOnce() -> Result<usize, CortexFfiError>) -> i32 {
    guarded(
        |e| e.status as i32,
        || {
            let n = body()?;
            i32::try_from(n).map_err(|_| {
                CortexFfiError::new(NetCortexStatus::NET_CORTEX_ERR_INT_OVERFLOW, "int_overflow", format!("{n} does not fit in an int"))
            })
        },
    )
}

/// For constructors returning a pointer, NULL on failure.
pub(crate) fn pointer<T>(body: impl FnOnce() -> Result<*mut T, CortexFfiError>) -> *mut T {
    guarded(|_| std::ptr::null_mut(), body)
}

/// For release functions: never fails visibly, but a panic is still caught.
pub(crate) fn release(body: impl FnOnce()) {
    guarded(
        |_| (),
        || {
            body();
            Ok(())
        },
    )
}
