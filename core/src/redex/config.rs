//! [`RedexFileConfig`] and [`FsyncPolicy`]: how one RedEX file stores,
//! syncs and forgets its records.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::RedexError;

/// Default segment size: big enough that rolling is rare, small enough that
/// retention frees disk in useful steps.
pub const DEFAULT_SEGMENT_MAX_BYTES: u64 = 64 << 20;

/// When a persistent file forces its records to stable storage.
///
/// Between syncs, appended records wait in a user-space buffer (or the OS
/// page cache); a crash loses at most what was appended since the last
/// sync, never a record in the middle — what survives is always a
/// gap-free prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FsyncPolicy {
    /// Never fsync on its own; only [`RedexFile::sync`](super::RedexFile::sync)
    /// and close do. Records reach the OS when the write buffer fills.
    Never,
    /// Write and fsync after every `n` appended records (an `append_batch`
    /// counts each record). `EveryN(1)`: an append returns only once its
    /// record is on stable storage.
    EveryN(u64),
    /// Write and fsync from a background thread every interval.
    Interval(Duration),
}

impl Default for FsyncPolicy {
    /// Every 100 ms: bounded loss on a crash at append-speed cost. Callers
    /// that need every acknowledged record durable choose `EveryN(1)`.
    fn default() -> Self {
        FsyncPolicy::Interval(Duration::from_millis(100))
    }
}

/// The configuration of one RedEX file.
///
/// Retention is off by default (nothing is ever evicted unless asked);
/// each cap evicts the oldest records once exceeded, and several caps
/// combine (a record goes as soon as any cap says so).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedexFileConfig {
    /// Keep the file on disk under the manager's persistent directory.
    pub persistent: bool,
    /// When to fsync (persistent files only).
    pub fsync: FsyncPolicy,
    /// Keep at most this many records.
    pub retention_max_events: Option<u64>,
    /// Keep at most this many payload bytes.
    pub retention_max_bytes: Option<u64>,
    /// Evict records older than this (checked on append and on open).
    pub retention_max_age: Option<Duration>,
    /// A segment file is closed and a new one started past this size.
    pub segment_max_bytes: u64,
    /// On open, cut a log at its first corrupt record instead of failing.
    /// Off by default: corruption is reported, never silently repaired.
    pub recover: bool,
}

impl Default for RedexFileConfig {
    fn default() -> Self {
        Self {
            persistent: false,
            fsync: FsyncPolicy::default(),
            retention_max_events: None,
            retention_max_bytes: None,
            retention_max_age: None,
            segment_max_bytes: DEFAULT_SEGMENT_MAX_BYTES,
            recover: false,
        }
    }
}

impl RedexFileConfig {
    /// Keep this file on disk (the manager needs a persistent directory).
    pub fn with_persistent(mut self, persistent: bool) -> Self {
        self.persistent = persistent;
        self
    }

    /// Set the fsync policy.
    pub fn with_fsync(mut self, policy: FsyncPolicy) -> Self {
        self.fsync = policy;
        self
    }

    /// Fsync after every `n` records.
    pub fn with_fsync_every_n(self, n: u64) -> Self {
        self.with_fsync(FsyncPolicy::EveryN(n))
    }

    /// Fsync every `ms` milliseconds from a background thread.
    pub fn with_fsync_interval_ms(self, ms: u64) -> Self {
        self.with_fsync(FsyncPolicy::Interval(Duration::from_millis(ms)))
    }

    /// Keep at most `n` records.
    pub fn with_retention_max_events(mut self, n: u64) -> Self {
        self.retention_max_events = Some(n);
        self
    }

    /// Keep at most `bytes` payload bytes.
    pub fn with_retention_max_bytes(mut self, bytes: u64) -> Self {
        self.retention_max_bytes = Some(bytes);
        self
    }

    /// Evict records older than `age`.
    pub fn with_retention_max_age(mut self, age: Duration) -> Self {
        self.retention_max_age = Some(age);
        self
    }

    /// Roll to a new segment file past `bytes`.
    pub fn with_segment_max_bytes(mut self, bytes: u64) -> Self {
        self.segment_max_bytes = bytes;
        self
    }

    /// Repair a corrupt log on open by cutting it at the last good record.
    pub fn with_recover(mut self, recover: bool) -> Self {
        self.recover = recover;
        self
    }

    /// Refuse values that cannot work.
    pub(crate) fn validate(&self) -> Result<(), RedexError> {
        match self.fsync {
            FsyncPolicy::EveryN(0) => return Err(RedexError::Config("fsync every 0 records: use n >= 1".into())),
            FsyncPolicy::Interval(d) if d.is_zero() => {
                return Err(RedexError::Config("fsync interval must be greater than zero".into()))
            }
            _ => {}
        }
        if self.retention_max_events == Some(0) {
            return Err(RedexError::Config("retention_max_events must be at least 1".into()));
        }
        if self.retention_max_bytes == Some(0) {
            return Err(RedexError::Config("retention_max_bytes must be at least 1".into()));
        }
        if self.retention_max_age.is_some_and(|d| d.is_zero()) {
            return Err(RedexError::Config("retention_max_age must be greater than zero".into()));
        }
        if self.segment_max_bytes < 4096 {
            return Err(RedexError::Config(format!(
                "segment_max_bytes {} is below the minimum of 4096",
                self.segment_max_bytes
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builders_set_fields_and_validation_refuses_nonsense() {
        let c = RedexFileConfig::default()
            .with_persistent(true)
            .with_fsync_every_n(10)
            .with_retention_max_events(5)
            .with_retention_max_bytes(100)
            .with_retention_max_age(Duration::from_secs(1));
        assert!(c.persistent);
        assert_eq!(c.fsync, FsyncPolicy::EveryN(10));
        assert!(c.validate().is_ok());
        assert_eq!(c.clone().with_fsync_interval_ms(5).fsync, FsyncPolicy::Interval(Duration::from_millis(5)));
        for bad in [
            c.clone().with_fsync_every_n(0),
            c.clone().with_fsync_interval_ms(0),
            c.clone().with_retention_max_events(0),
            c.clone().with_retention_max_bytes(0),
            c.clone().with_retention_max_age(Duration::ZERO),
            c.clone().with_segment_max_bytes(10),
        ] {
            assert_eq!(bad.validate().unwrap_err().kind(), "redex:config", "{bad:?}");
        }
    }
}
