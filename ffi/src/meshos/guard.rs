//! The boundary every `net_meshos.h` function goes through: the shared
//! `crate::boundary` with this header's codes and its own last-error pair.
//! A caught panic is `NET_MESHOS_ERR_CALL_FAILED` with kind
//! `runtime_panic`, as the seed header says.

use std::ffi::c_int;

use super::last_error::MESHOS_LAST_ERROR;
use super::status::{NET_MESHOS_ERR_CALL_FAILED, NET_MESHOS_ERR_INVALID_ARG, NET_MESHOS_OK};
use crate::boundary::{self, BoundaryError};
use crate::last_error_slot::LastErrorSlot;

/// An error on its way out through `net_meshos.h`.
#[derive(Debug)]
pub(crate) struct MeshOsFfiError {
    code: c_int,
    kind: &'static str,
    message: String,
}

impl MeshOsFfiError {
    pub(crate) fn new(code: c_int, kind: &'static str, message: impl Into<String>) -> Self {
        MeshOsFfiError { code, kind, message: message.into() }
    }
}

impl BoundaryError for MeshOsFfiError {
    const SUCCESS: i32 = NET_MESHOS_OK;

    fn last_error() -> &'static LastErrorSlot {
        &MESHOS_LAST_ERROR
    }

    fn panic(message: String) -> Self {
        Self::new(NET_MESHOS_ERR_CALL_FAILED, "runtime_panic", message)
    }

    fn int_overflow(message: String) -> Self {
        Self::new(NET_MESHOS_ERR_INVALID_ARG, "int_overflow", message)
    }

    fn code(&self) -> i32 {
        self.code
    }

    fn kind(&self) -> &'static str {
        self.kind
    }

    fn message(&self) -> &str {
        &self.message
    }
}

/// For functions returning an `int` status.
pub(crate) fn status(body: impl FnOnce() -> Result<(), MeshOsFfiError>) -> c_int {
    boundary::status(body)
}

/// For functions returning another value, `on_error` on failure.
pub(crate) fn guarded<T>(on_error: T, body: impl FnOnce() -> Result<T, MeshOsFfiError>) -> T {
    boundary::guarded(|_| on_error, body)
}

/// For release functions.
pub(crate) fn release(body: impl FnOnce()) {
    boundary::release::<MeshOsFfiError>(body)
}
