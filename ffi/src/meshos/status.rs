//! Status codes of `net_meshos.h` (the seed's five, exactly) and the error
//! value its entry points carry until it becomes a code plus the
//! `net_meshos_last_error_*` pair.

use std::ffi::c_int;

use net_sdk::meshos::{MeshOsError, MeshOsErrorKind};

use super::guard::MeshOsFfiError;

/// Success.
pub const NET_MESHOS_OK: c_int = 0;
/// A NULL handle.
pub const NET_MESHOS_ERR_NULL: c_int = -1;
/// The SDK refused or failed the call; the kind says why.
pub const NET_MESHOS_ERR_CALL_FAILED: c_int = -2;
/// A NULL pointer argument or bad input.
pub const NET_MESHOS_ERR_INVALID_ARG: c_int = -3;
/// The SDK or the handle was shut down.
pub const NET_MESHOS_ERR_ALREADY_SHUTDOWN: c_int = -4;

impl MeshOsFfiError {
    pub(crate) fn null_handle(what: &str) -> Self {
        Self::new(NET_MESHOS_ERR_NULL, "null_handle", format!("{what} is NULL"))
    }

    pub(crate) fn invalid(kind: &'static str, message: impl Into<String>) -> Self {
        Self::new(NET_MESHOS_ERR_INVALID_ARG, kind, message)
    }

    pub(crate) fn null_arg(what: &str) -> Self {
        Self::invalid("null_parameter", format!("{what} must not be NULL"))
    }

    pub(crate) fn already_shutdown(what: &str) -> Self {
        Self::new(NET_MESHOS_ERR_ALREADY_SHUTDOWN, "already_shutdown", format!("{what} was already shut down"))
    }
}

impl From<MeshOsError> for MeshOsFfiError {
    fn from(e: MeshOsError) -> Self {
        let code = match e.kind() {
            MeshOsErrorKind::AlreadyShutdown => NET_MESHOS_ERR_ALREADY_SHUTDOWN,
            MeshOsErrorKind::InvalidLogLevel | MeshOsErrorKind::InvalidArgument => NET_MESHOS_ERR_INVALID_ARG,
            _ => NET_MESHOS_ERR_CALL_FAILED,
        };
        Self::new(code, e.kind().as_str(), e.message())
    }
}
