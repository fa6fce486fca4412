//! Status codes of `net_cortex.h` and the error value its entry points
//! return internally before it becomes a code plus the thread-local
//! message/kind pair of `net_cortex_last_error_*`.
//!
//! Numbers are part of the ABI: never renumber or reuse one.

use net_sdk::cortex::{CortexError, NetDbError, RedexError};

use crate::status::{FfiError, NetStatus};

/// Status codes returned by `net_cortex.h` functions: 0 is success,
/// negatives are errors. The precise cause is in
/// `net_cortex_last_error_kind()`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetCortexStatus {
    /// The call succeeded.
    NET_CORTEX_OK = 0,
    /// A required pointer was NULL, or a handle is not live (kinds
    /// `null_parameter`, `invalid_handle`).
    NET_CORTEX_ERR_NULL = -1,
    /// An argument is malformed: not UTF-8, bad JSON, out of range (kinds
    /// `invalid_utf8`, `invalid_json`, `invalid_argument`).
    NET_CORTEX_ERR_INVALID_ARG = -2,
    /// A RedEX file name is not a valid channel name (`invalid_channel`).
    NET_CORTEX_ERR_INVALID_NAME = -3,
    /// A file or NetDb configuration was refused (`redex:config`).
    NET_CORTEX_ERR_CONFIG = -4,
    /// A log is damaged; the message names the file and byte offset
    /// (`redex:corrupt`). Reopen with `"recover": true` to cut it.
    NET_CORTEX_ERR_CORRUPT = -5,
    /// Another owner holds the file's directory (`redex:locked`).
    NET_CORTEX_ERR_LOCKED = -6,
    /// The operating system failed a read, write, fsync or rename
    /// (`redex:io`, `cortex:io`).
    NET_CORTEX_ERR_IO = -7,
    /// The file, tail, NetDb or watch is closed or ended (`redex:closed`,
    /// `cortex:closed`).
    NET_CORTEX_ERR_CLOSED = -8,
    /// A payload or key is too large, or an idempotency key is empty
    /// (`redex:too_large`, `redex:invalid_key`).
    NET_CORTEX_ERR_TOO_LARGE = -9,
    /// A tail fell behind retention; it continues from the oldest retained
    /// record (`redex:tail_lagged`).
    NET_CORTEX_ERR_TAIL_LAGGED = -10,
    /// A model's fold stopped at an event it could not apply
    /// (`cortex:fold_halted`).
    NET_CORTEX_ERR_FOLD_HALTED = -11,
    /// Bytes that are not an event of the model (`cortex:decode`).
    NET_CORTEX_ERR_DECODE = -12,
    /// A mutation named an id the model does not hold (`cortex:not_found`).
    NET_CORTEX_ERR_NOT_FOUND = -13,
    /// `create` / `store` with an id already in use (`cortex:exists`).
    NET_CORTEX_ERR_EXISTS = -14,
    /// A snapshot (a bundle, or one model's) was refused (`netdb:bundle`).
    NET_CORTEX_ERR_BUNDLE = -15,
    /// The NetDb was opened without that model (`netdb:missing_model`).
    NET_CORTEX_ERR_MISSING_MODEL = -16,
    /// The wait's time limit passed first (`timeout`).
    NET_CORTEX_ERR_TIMEOUT = -17,
    /// A count does not fit the C `int` it is returned in (`int_overflow`).
    NET_CORTEX_ERR_INT_OVERFLOW = -18,
    /// A Rust panic was caught at the boundary (`runtime_panic`).
    NET_CORTEX_ERR_PANIC = -98,
}

/// An error on its way out through `net_cortex.h`.
#[derive(Debug)]
pub struct CortexFfiError {
    pub status: NetCortexStatus,
    pub kind: &'static str,
    pub message: String,
}

impl CortexFfiError {
    pub fn new(status: NetCortexStatus, kind: &'static str, message: impl Into<String>) -> Self {
        Self { status, kind, message: message.into() }
    }

    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(NetCortexStatus::NET_CORTEX_ERR_INVALID_ARG, "invalid_argument", message)
    }

    pub fn invalid_json(what: &str, e: impl std::fmt::Display) -> Self {
        Self::new(NetCortexStatus::NET_CORTEX_ERR_INVALID_ARG, "invalid_json", format!("{what}: {e}"))
    }

    pub fn timeout(what: &str) -> Self {
        Self::new(NetCortexStatus::NET_CORTEX_ERR_TIMEOUT, "timeout", format!("{what} timed out"))
    }
}

/// The shared argument helpers and registry report `net.h` errors; the
/// kind and message carry over, the code becomes this header's.
impl From<FfiError> for CortexFfiError {
    fn from(e: FfiError) -> Self {
        let status = match e.status {
            NetStatus::NET_ERR_NULL_POINTER => NetCortexStatus::NET_CORTEX_ERR_NULL,
            NetStatus::NET_ERR_INT_OVERFLOW => NetCortexStatus::NET_CORTEX_ERR_INT_OVERFLOW,
            NetStatus::NET_ERR_PANIC => NetCortexStatus::NET_CORTEX_ERR_PANIC,
            _ => NetCortexStatus::NET_CORTEX_ERR_INVALID_ARG,
        };
        Self { status, kind: e.kind, message: e.message }
    }
}

impl From<RedexError> for CortexFfiError {
    fn from(e: RedexError) -> Self {
        use NetCortexStatus::*;
        let status = match &e {
            RedexError::InvalidName(_) => NET_CORTEX_ERR_INVALID_NAME,
            RedexError::Config(_) => NET_CORTEX_ERR_CONFIG,
            RedexError::Corrupt { .. } => NET_CORTEX_ERR_CORRUPT,
            RedexError::Locked { .. } => NET_CORTEX_ERR_LOCKED,
            RedexError::TooLarge { .. } | RedexError::EmptyKey => NET_CORTEX_ERR_TOO_LARGE,
            RedexError::Closed(_) => NET_CORTEX_ERR_CLOSED,
            RedexError::TailLagged { .. } => NET_CORTEX_ERR_TAIL_LAGGED,
            _ => NET_CORTEX_ERR_IO,
        };
        Self::new(status, e.kind(), e.to_string())
    }
}

impl From<CortexError> for CortexFfiError {
    fn from(e: CortexError) -> Self {
        use NetCortexStatus::*;
        let status = match &e {
            // A RedEX failure under a model keeps the RedEX code (corrupt,
            // locked, config...) but reports the model's kind.
            CortexError::Redex { source, .. } => CortexFfiError::from_redex_status(source),
            CortexError::FoldHalted { .. } => NET_CORTEX_ERR_FOLD_HALTED,
            CortexError::Decode { .. } => NET_CORTEX_ERR_DECODE,
            CortexError::NotFound { .. } => NET_CORTEX_ERR_NOT_FOUND,
            CortexError::AlreadyExists { .. } => NET_CORTEX_ERR_EXISTS,
            CortexError::Closed { .. } => NET_CORTEX_ERR_CLOSED,
            _ => NET_CORTEX_ERR_IO,
        };
        Self::new(status, e.kind(), e.to_string())
    }
}

impl CortexFfiError {
    fn from_redex_status(e: &RedexError) -> NetCortexStatus {
        match e {
            RedexError::InvalidName(_) => NetCortexStatus::NET_CORTEX_ERR_INVALID_NAME,
            RedexError::Config(_) => NetCortexStatus::NET_CORTEX_ERR_CONFIG,
            RedexError::Corrupt { .. } => NetCortexStatus::NET_CORTEX_ERR_CORRUPT,
            RedexError::Locked { .. } => NetCortexStatus::NET_CORTEX_ERR_LOCKED,
            RedexError::Closed(_) => NetCortexStatus::NET_CORTEX_ERR_CLOSED,
            _ => NetCortexStatus::NET_CORTEX_ERR_IO,
        }
    }
}

impl From<NetDbError> for CortexFfiError {
    fn from(e: NetDbError) -> Self {
        match e {
            NetDbError::Cortex(c) => c.into(),
            NetDbError::MissingModel(_) => {
                Self::new(NetCortexStatus::NET_CORTEX_ERR_MISSING_MODEL, e.kind(), e.to_string())
            }
            other => Self::new(NetCortexStatus::NET_CORTEX_ERR_BUNDLE, other.kind(), other.to_string()),
        }
    }
}
