//! The one clock of the core.
//!
//! Every timestamp the engine hands out (event insertion times, token
//! validity windows) comes from a [`Clock`], so tests can drive time with
//! [`Clock::mock`] instead of sleeping. The system clock reads the CPU's
//! time-stamp counter through `quanta` (a few nanoseconds, no syscall) and
//! anchors it to the Unix epoch once, at construction: emit sits on the hot
//! path and a `clock_gettime` per event would cost more than the rest of it.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub use quanta::Mock as MockClock;

/// Wall-clock time in nanoseconds since the Unix epoch, cheap to read.
#[derive(Clone, Debug)]
pub struct Clock {
    source: quanta::Clock,
    /// The source's raw reading at construction (TSC ticks for the real
    /// clock): `now_nanos` scales one raw delta instead of going through
    /// `Instant`s and a `Duration` (measured: a third of its instructions).
    anchor_raw: u64,
    anchor_unix_nanos: u64,
}

impl Clock {
    /// The real clock, anchored to the system's wall-clock time now.
    pub fn system() -> Self {
        let source = quanta::Clock::new();
        let anchor_raw = source.raw();
        let anchor_unix_nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        Self { source, anchor_raw, anchor_unix_nanos }
    }

    /// A clock that stands still until the returned handle moves it;
    /// it starts at `start_unix_nanos`.
    pub fn mock(start_unix_nanos: u64) -> (Self, Arc<MockClock>) {
        let (source, handle) = quanta::Clock::mock();
        let anchor_raw = source.raw();
        (Self { source, anchor_raw, anchor_unix_nanos: start_unix_nanos }, handle)
    }

    /// Nanoseconds since the Unix epoch.
    #[inline]
    pub fn now_nanos(&self) -> u64 {
        // `delta_as_nanos` is 0 when the reading is not after the anchor.
        let elapsed = self.source.delta_as_nanos(self.anchor_raw, self.source.raw());
        self.anchor_unix_nanos.saturating_add(elapsed)
    }

    /// Whole seconds since the Unix epoch.
    #[inline]
    pub fn now_secs(&self) -> u64 {
        self.now_nanos() / 1_000_000_000
    }

    /// Time elapsed since `earlier_unix_nanos`, zero if that is in the future.
    pub fn since(&self, earlier_unix_nanos: u64) -> Duration {
        Duration::from_nanos(self.now_nanos().saturating_sub(earlier_unix_nanos))
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_clock_tracks_wall_time() {
        let clock = Clock::system();
        let wall = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64;
        let ours = clock.now_nanos();
        assert!(ours.abs_diff(wall) < 1_000_000_000, "clock drifted: {ours} vs {wall}");
    }

    #[test]
    fn system_clock_never_goes_backwards() {
        let clock = Clock::system();
        let mut last = clock.now_nanos();
        for _ in 0..10_000 {
            let now = clock.now_nanos();
            assert!(now >= last);
            last = now;
        }
    }

    #[test]
    fn mock_clock_moves_only_when_told() {
        let (clock, handle) = Clock::mock(5_000_000_000);
        assert_eq!(clock.now_secs(), 5);
        assert_eq!(clock.now_nanos(), 5_000_000_000);
        handle.increment(Duration::from_secs(3));
        assert_eq!(clock.now_secs(), 8);
        assert_eq!(clock.since(6_000_000_000), Duration::from_secs(2));
        assert_eq!(clock.since(9_000_000_000), Duration::ZERO);
    }
}
