//! [`RedexEvent`]: one record as read back or tailed.

use bytes::Bytes;

/// A record of a RedEX file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedexEvent {
    /// Its position in the file: 0 for the first record ever appended,
    /// then consecutive. Never reused, not even after retention.
    pub seq: u64,
    /// When it was appended, in nanoseconds since the Unix epoch.
    pub timestamp_nanos: u64,
    /// The bytes given to `append`.
    pub payload: Bytes,
}
