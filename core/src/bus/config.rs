//! Bus configuration: backpressure policy, shard strategy, validated limits.

use std::str::FromStr;
use std::time::Duration;

use crate::error::SdkError;

/// What `emit` does when the chosen shard's ring is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backpressure {
    /// Discard the oldest queued events (counted as dropped) and store the
    /// new one. A full ring of more than 16 slots loses its oldest
    /// `min(capacity / 16, 32)` events at once rather than one per emit, so
    /// a producer that outpaces the batcher does not contend for the ring's
    /// head on every call; smaller rings evict exactly one.
    #[default]
    DropOldest,
    /// Discard the new event (counted as dropped); its receipt has `dropped: true`.
    DropNewest,
    /// Refuse the new event with [`SdkError::Backpressure`].
    FailProducer,
}

impl FromStr for Backpressure {
    type Err = SdkError;

    /// Accepts `drop_oldest`, `drop_newest`, `fail_producer` and the
    /// CamelCase variant names.
    fn from_str(s: &str) -> Result<Self, SdkError> {
        match s {
            "drop_oldest" | "DropOldest" => Ok(Self::DropOldest),
            "drop_newest" | "DropNewest" => Ok(Self::DropNewest),
            "fail_producer" | "FailProducer" => Ok(Self::FailProducer),
            other => Err(SdkError::InvalidConfig(format!(
                "unknown backpressure policy {other:?} (expected drop_oldest, drop_newest or fail_producer)"
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
    pub strategy: ShardStrategy,
    pub retention: usize,
    pub max_batch: usize,
    pub max_delay: Duration,
}

/// Largest accepted shard count.
pub(crate) const MAX_SHARDS: u16 = 1024;
/// Largest accepted ring capacity per shard.
pub(crate) const MAX_RING: usize = 1 << 24;

impl Default for BusConfig {
    fn default() -> Self {
        Self {
            shards: 4,
            ring_capacity: 8192,
            backpressure: Backpressure::DropOldest,
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
        let err = "block".parse::<Backpressure>().unwrap_err();
        assert_eq!(err.kind(), "invalid_config");
        assert_eq!(Backpressure::default(), Backpressure::DropOldest);
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
        ] {
            assert_eq!(bad.validated().unwrap_err().kind(), "invalid_config");
        }
        assert!(BusConfig { shards: 1024, ring_capacity: MAX_RING, ..Default::default() }.validated().is_ok());
    }
}
