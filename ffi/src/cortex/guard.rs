//! The boundary every `net_cortex.h` function goes through:
//! `crate::boundary` with this header's error type, so its status codes
//! (a panic is `NET_CORTEX_ERR_PANIC`, kind `runtime_panic`) and its own
//! last-error pair (`net_cortex_last_error_*`).

use super::last_error::CORTEX_LAST_ERROR;
use super::status::{CortexFfiError, NetCortexStatus};
use crate::boundary::{self, BoundaryError};
use crate::last_error_slot::LastErrorSlot;

impl BoundaryError for CortexFfiError {
    const SUCCESS: i32 = NetCortexStatus::NET_CORTEX_OK as i32;

    fn last_error() -> &'static LastErrorSlot {
        &CORTEX_LAST_ERROR
    }

    fn panic(message: String) -> Self {
        CortexFfiError::new(NetCortexStatus::NET_CORTEX_ERR_PANIC, "runtime_panic", message)
    }

    fn int_overflow(message: String) -> Self {
        CortexFfiError::new(NetCortexStatus::NET_CORTEX_ERR_INT_OVERFLOW, "int_overflow", message)
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

/// For functions returning an `int` status.
pub(crate) fn status(body: impl FnOnce() -> Result<(), CortexFfiError>) -> i32 {
    boundary::status(body)
}

/// For functions returning an `int` count or a negative code.
pub(crate) fn count(body: impl FnOnce() -> Result<usize, CortexFfiError>) -> i32 {
    boundary::count(body)
}

/// For constructors returning a pointer, NULL on failure.
pub(crate) fn pointer<T>(body: impl FnOnce() -> Result<*mut T, CortexFfiError>) -> *mut T {
    boundary::pointer(body)
}

/// For release functions: never fails visibly, but a panic is still caught.
pub(crate) fn release(body: impl FnOnce()) {
    boundary::release::<CortexFfiError>(body)
}
