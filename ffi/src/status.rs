//! Status codes of `net.h` and the error value every entry point returns
//! internally before it is turned into a code plus the thread-local
//! message/kind pair.
//!
//! Numbers are part of the ABI: never renumber or reuse one. Codes -1 to
//! -11 and -99 keep the values of the earlier Net C SDK so existing
//! programs that compare against them keep working.

use net_sdk::SdkError;

/// Status codes returned by `net.h` functions: 0 is success, negatives are
/// errors. The precise cause is in `net_last_error_kind()`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetStatus {
    /// The call succeeded.
    NET_SUCCESS = 0,
    /// A required pointer argument was NULL, or a handle is not live.
    NET_ERR_NULL_POINTER = -1,
    /// Text input was not valid UTF-8.
    NET_ERR_INVALID_UTF8 = -2,
    /// JSON input did not parse or had the wrong shape.
    NET_ERR_INVALID_JSON = -3,
    /// The node could not be created from the given configuration.
    NET_ERR_INIT_FAILED = -4,
    /// An event could not be ingested (see the kind).
    NET_ERR_INGESTION_FAILED = -5,
    /// A poll failed (see the kind; e.g. `invalid_cursor`).
    NET_ERR_POLL_FAILED = -6,
    /// A caller-provided output buffer is too small.
    NET_ERR_BUFFER_TOO_SMALL = -7,
    /// The node has been shut down.
    NET_ERR_SHUTTING_DOWN = -8,
    /// A count does not fit the C integer the API returns it in.
    NET_ERR_INT_OVERFLOW = -9,
    /// Reserved (mesh streams used with the wrong handle).
    NET_ERR_MISMATCHED_HANDLES = -10,
    /// Text contained an interior NUL byte where C needs none.
    NET_ERR_INTERIOR_NUL = -11,
    /// The shard's ring is full and the policy is `fail_producer`.
    NET_ERR_BACKPRESSURE = -12,
    /// A permission token was refused; the kind says why
    /// (`invalid_format`, `invalid_signature`, `expired`, ...).
    NET_ERR_TOKEN = -13,
    /// An identity input was malformed (seed or key length, key bytes).
    NET_ERR_IDENTITY = -14,
    /// A channel name was refused.
    NET_ERR_CHANNEL = -15,
    /// An argument was out of range.
    NET_ERR_INVALID_ARGUMENT = -16,
    /// The mesh peer is dead, closed or unknown, or the stream is closed.
    NET_ERR_NOT_CONNECTED = -17,
    /// A mesh handshake failed; the kind says why (`wrong_psk`,
    /// `unknown_static_key`, `identity_mismatch`, `handshake_refused`, ...).
    NET_ERR_HANDSHAKE = -18,
    /// The call's time limit passed before it could complete.
    NET_ERR_TIMEOUT = -19,
    /// A mesh message is larger than the transport accepts.
    NET_ERR_MESSAGE_TOO_LARGE = -20,
    /// A socket or other operating-system failure.
    NET_ERR_IO = -21,
    /// The call's `net_cancel_t` was triggered before it could complete;
    /// kind `cancelled`. Nothing of a cancelled send was sent.
    NET_ERR_CANCELLED = -22,
    /// Capability input was refused; the kind says why (`invalid_capabilities`,
    /// `invalid_predicate`, `invalid_header`, `invalid_subnet`,
    /// `announcement_too_large`, ...).
    NET_ERR_CAPABILITY = -23,
    /// A daemon call failed; the kind is the compute runtime's
    /// (`process-failed`, `daemon-not-found`, `snapshot-decode`,
    /// `snapshot-mismatch`, `state-failed`, `reentrant-call`,
    /// `callback-timeout`, `daemon-panicked`, ...).
    NET_ERR_DAEMON = -24,
    /// A Rust panic was caught at the boundary; kind `runtime_panic`.
    NET_ERR_PANIC = -98,
    /// An error with no more specific code.
    NET_ERR_UNKNOWN = -99,
}

/// An error on its way out through the C ABI: the status code plus the
/// message and stable kind recorded for `net_last_error_*`.
#[derive(Debug)]
pub struct FfiError {
    pub status: NetStatus,
    pub kind: &'static str,
    pub message: String,
}

impl FfiError {
    pub fn new(status: NetStatus, kind: &'static str, message: impl Into<String>) -> Self {
        Self { status, kind, message: message.into() }
    }

    pub fn null(what: &str) -> Self {
        Self::new(NetStatus::NET_ERR_NULL_POINTER, "null_parameter", format!("{what} must not be NULL"))
    }

    pub fn invalid_handle(what: &str) -> Self {
        Self::new(
            NetStatus::NET_ERR_NULL_POINTER,
            "invalid_handle",
            format!("{what} is not a live handle (already freed or shut down?)"),
        )
    }

    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(NetStatus::NET_ERR_INVALID_ARGUMENT, "invalid_argument", message)
    }

    /// Name the array element the error is about (`raws[i]` → `raws[7]`).
    pub fn at_index(mut self, index: usize) -> Self {
        self.message = self.message.replacen("[i]", &format!("[{index}]"), 1);
        self
    }

    pub fn cancelled(what: &str) -> Self {
        Self::new(NetStatus::NET_ERR_CANCELLED, "cancelled", format!("{what} was cancelled"))
    }

    pub fn buffer_too_small(what: &str, needed: usize, got: usize) -> Self {
        Self::new(
            NetStatus::NET_ERR_BUFFER_TOO_SMALL,
            "buffer_too_small",
            format!("{what} needs {needed} bytes, the buffer has {got}"),
        )
    }

    /// Map a core error, choosing the status by the operation that failed
    /// (`context`) for the generic cases.
    pub fn from_sdk(err: SdkError, context: NetStatus) -> Self {
        let status = match &err {
            SdkError::Backpressure => NetStatus::NET_ERR_BACKPRESSURE,
            SdkError::Closed => NetStatus::NET_ERR_SHUTTING_DOWN,
            SdkError::InvalidConfig(_) => NetStatus::NET_ERR_INIT_FAILED,
            SdkError::InvalidArgument(_) => NetStatus::NET_ERR_INVALID_ARGUMENT,
            SdkError::Token(_) => NetStatus::NET_ERR_TOKEN,
            SdkError::Identity(_) => NetStatus::NET_ERR_IDENTITY,
            SdkError::Channel(_) => NetStatus::NET_ERR_CHANNEL,
            SdkError::NotConnected => NetStatus::NET_ERR_NOT_CONNECTED,
            SdkError::Handshake(_) => NetStatus::NET_ERR_HANDSHAKE,
            SdkError::Timeout(_) => NetStatus::NET_ERR_TIMEOUT,
            SdkError::MessageTooLarge { .. } => NetStatus::NET_ERR_MESSAGE_TOO_LARGE,
            SdkError::Io(_) => NetStatus::NET_ERR_IO,
            SdkError::Capability(net_sdk::capabilities::CapabilityError::Json(_)) => NetStatus::NET_ERR_INVALID_JSON,
            SdkError::Capability(_) => NetStatus::NET_ERR_CAPABILITY,
            _ => context,
        };
        Self::new(status, err.kind(), err.to_string())
    }
}

impl From<net_sdk::compute::ComputeDaemonError> for FfiError {
    fn from(e: net_sdk::compute::ComputeDaemonError) -> Self {
        Self::new(NetStatus::NET_ERR_DAEMON, e.kind(), e.to_string())
    }
}

impl From<net_sdk::TokenError> for FfiError {
    fn from(e: net_sdk::TokenError) -> Self {
        Self::new(NetStatus::NET_ERR_TOKEN, e.kind(), e.to_string())
    }
}

impl From<net_sdk::IdentityError> for FfiError {
    fn from(e: net_sdk::IdentityError) -> Self {
        Self::new(NetStatus::NET_ERR_IDENTITY, e.kind(), e.to_string())
    }
}

impl From<net_sdk::ChannelNameError> for FfiError {
    fn from(e: net_sdk::ChannelNameError) -> Self {
        Self::new(NetStatus::NET_ERR_CHANNEL, e.kind(), e.to_string())
    }
}
