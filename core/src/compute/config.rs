//! [`DaemonHostConfig`] (per-daemon host settings) and [`DaemonStats`].

/// How the runtime hosts one daemon. `Default` gives manual snapshots, a
/// log of 10 000 events and a 60 s callback bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DaemonHostConfig {
    /// Take a snapshot every this many processed events; 0 = manual only.
    pub auto_snapshot_interval: u64,
    /// Events kept since the last snapshot (the replay log); when the log
    /// reaches this length a snapshot is forced. 0 keeps no log.
    pub max_log_entries: usize,
    /// The longest wait, in milliseconds, for a daemon callback served by
    /// another thread (a foreign daemon) or for a busy daemon, before the
    /// call fails with `CallbackTimeout` instead of hanging.
    pub callback_timeout_ms: u64,
}

impl Default for DaemonHostConfig {
    fn default() -> Self {
        DaemonHostConfig { auto_snapshot_interval: 0, max_log_entries: 10_000, callback_timeout_ms: 60_000 }
    }
}

impl DaemonHostConfig {
    /// The callback bound as a `Duration`.
    pub fn callback_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.callback_timeout_ms)
    }
}

/// Counters of one daemon since it was spawned (monotonic; a respawn,
/// including from a snapshot, starts them at zero).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DaemonStats {
    /// Events handed to `process`, failed or not.
    pub events_processed: u64,
    /// Output events emitted.
    pub events_emitted: u64,
    /// `process` calls that returned an error (or timed out).
    pub errors: u64,
    /// Snapshots taken, manual and automatic.
    pub snapshots_taken: u64,
}
