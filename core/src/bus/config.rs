//! Bus configuration: backpressure policy, shard strategy, validated limits.

use std::str::FromStr;
use std::time::Duration;

use crate::error::SdkError;

/// What `emit` does when the chosen shard's ring is full.
///
/// The default, [`Block`](Self::Block), never loses an event: a producer
/// that outruns the drain is slowed down to its pace. The other policies
/// are explicit choices; every event they discard is counted in
/// [`Stats::events_dropped`](super::Stats) and reported to the producer
/// whose emit discarded it (the receipt's `evicted` or `dropped`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backpressure {
    /// Wait for the drainer to make room, for at most the bus's
    /// `block_timeout` (default 1 s), then refuse the event with
    /// [`SdkError::Backpressure`]. A healthy drain makes room within
    /// microseconds; the bound only fires when the backend has stalled.
    /// The wait holds the calling thread: emitting from a task of a
    /// one-worker runtime that also runs the bus's drainers waits out the
    /// whole timeout (build the bus on a current-thread runtime instead,
    /// whose drainers go to the shared runtime, or give it two workers).
    #[default]
    Block,
    /// Discard the oldest queued events (counted as dropped, and reported
    /// in the receipt's `evicted`) and store the new one. A full ring of
    /// more than 16 slots loses its oldest `min(capacity / 16, 32)` events
    /// at once rather than one per emit, so a producer that outpaces the
    /// drainer does not contend for the ring's head on every call; smaller
    /// rings evict exactly one.
    DropOldest,
    /// Discard the new event (counted as dropped); its receipt has `dropped: true`.
    DropNewest,
    /// Refuse the new event with [`SdkError::Backpressure`].
    FailProducer,
}

impl FromStr for Backpressure {
    type Err = SdkError;

    /// Accepts `block`, `drop_oldest`, `drop_newest`, `fail_producer` and
    /// the CamelCase variant names.
    fn from_str(s: &str) -> Result<Self, SdkError> {
        match s {
            "block" | "Block" => Ok(Self::Block),
            "drop_oldest" | "DropOldest" => Ok(Self::DropOldest),
            "drop_newest" | "DropNewest" => Ok(Self::DropNewest),
            "fail_producer" | "FailProducer" => Ok(Self::FailProducer),
            other => Err(SdkError::InvalidConfig(format!(
                "unknown backpressure policy {other:?} (expected block, drop_oldest, drop_newest or fail_producer)"
            ))),
        }
    }
}

/// How `emit` picks a shard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ShardStrategy {
    /// xxh3 of the payload modulo the shard count: equal payloads always
    /// land on the same shard, on every node and run.
    #[default]
    Hash,
    /// A shared counter: spreads load evenly whatever the payloads.
    RoundRobin,
}

/// The validated knobs of a bus (built by [`NetBuilder`](super::NetBuilder)).
#[derive(Debug, Clone)]
pub(crate) struct BusConfig {
    pub shards: u16,
    pub ring_capacity: usize,
    pub backpressure: Backpressure,
    /// How long a `Block` emit waits for room before `Backpressure`.
    pub block_timeout: Duration,
    pub strategy: ShardStrategy,
    pub retention: usize,
    pub max_batch: usize,
    pub max_delay: Duration,
}

/// Largest accepted shard count.
pub(crate) const MAX_SHARDS: u16 = 1024;
/// Largest accepted ring capacity per shard.
pub(crate) const MAX_RING: usize = 1 << 24;
/// How long a `Block` emit waits for room by default: far longer than a
/// healthy drain ever needs (microseconds), short enough that a stalled
/// backend surfaces as an error rather than a hung producer.
pub(crate) const DEFAULT_BLOCK_TIMEOUT: Duration = Duration::from_secs(1);

impl Default for BusConfig {
    fn default() -> Self {
        Self {
            shards: 4,
            ring_capacity: 8192,
            backpressure: Backpressure::Block,
            block_timeout: DEFAULT_BLOCK_TIMEOUT,
            strategy: ShardStrategy::Hash,
            retention: 1 << 20,
            max_batch: 1024,
            max_delay: Duration::from_millis(1),
        }
    }
}

impl BusConfig {
    /// Check ranges; round the ring capacity up to a power of two.
    pub(crate) fn validated(mut self) -> Result<Self, SdkError> {
        let bad = |m: String| Err(SdkError::InvalidConfig(m));
        if self.shards == 0 || self.shards > MAX_SHARDS {
            return bad(format!("shards must be 1..={MAX_SHARDS}, got {}", self.shards));
        }
        if !(2..=MAX_RING).contains(&self.ring_capacity) {
            return bad(format!("ring_capacity must be 2..={MAX_RING}, got {}", self.ring_capacity));
        }
        self.ring_capacity = self.ring_capacity.next_power_of_two();
        if self.retention == 0 {
            return bad("retention must be at least 1 event per shard".into());
        }
        if self.max_batch == 0 {
            return bad("max_batch must be at least 1".into());
        }
        if self.max_delay.is_zero() {
            return bad("max_delay must be greater than zero".into());
        }
        if self.block_timeout.is_zero() {
            return bad("block_timeout must be greater than zero (use fail_producer to refuse at once)".into());
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backpressure_parses_both_spellings() {
        assert_eq!("drop_oldest".parse::<Backpressure>().unwrap(), Backpressure::DropOldest);
        assert_eq!("DropNewest".parse::<Backpressure>().unwrap(), Backpressure::DropNewest);
        assert_eq!("fail_producer".parse::<Backpressure>().unwrap(), Backpressure::FailProducer);
        assert_eq!("block".parse::<Backpressure>().unwrap(), Backpressure::Block);
        assert_eq!("Block".parse::<Backpressure>().unwrap(), Backpressure::Block);
        let err = "sometimes".parse::<Backpressure>().unwrap_err();
        assert_eq!(err.kind(), "invalid_config");
        // The default never loses an event.
        assert_eq!(Backpressure::default(), Backpressure::Block);
        assert_eq!(BusConfig::default().backpressure, Backpressure::Block);
        assert_eq!(ShardStrategy::default(), ShardStrategy::Hash);
    }

    #[test]
    fn validation_rounds_and_rejects() {
        let c = BusConfig { ring_capacity: 1000, ..Default::default() }.validated().unwrap();
        assert_eq!(c.ring_capacity, 1024);
        for bad in [
            BusConfig { shards: 0, ..Default::default() },
            BusConfig { shards: 1025, ..Default::default() },
            BusConfig { ring_capacity: 0, ..Default::default() },
            BusConfig { ring_capacity: 1, ..Default::default() },
            BusConfig { ring_capacity: MAX_RING + 1, ..Default::default() },
            BusConfig { retention: 0, ..Default::default() },
            BusConfig { max_batch: 0, ..Default::default() },
            BusConfig { max_delay: Duration::ZERO, ..Default::default() },
            BusConfig { block_timeout: Duration::ZERO, ..Default::default() },
        ] {
            assert_eq!(bad.validated().unwrap_err().kind(), "invalid_config");
        }
        assert!(BusConfig { shards: 1024, ring_capacity: MAX_RING, ..Default::default() }.validated().is_ok());
    }
}
