//! Compute errors crossing into JavaScript: the `code` is the core's
//! stable kind (`factory-not-found`, `callback-timeout`, `reentrant-call`,
//! …) and the message the core's own, `daemon: …` (the SDK peels the
//! prefix when it builds its `DaemonError`).

use net_sdk::compute::ComputeDaemonError;

use crate::error::{error, Error};

/// The JS error of a compute failure.
pub fn daemon_fail(e: ComputeDaemonError) -> Error {
    error(e.kind(), e.to_string())
}
