//! `NodeConfig`: the options of `new NetNode(...)`, mapped onto the core's
//! `NetBuilder` (which validates every range).

use std::time::Duration;

use napi_derive::napi;
use net_sdk::{Backpressure, NetBuilder, ShardStrategy};

use crate::error::{fail, invalid, Result};

/// Options of a node; every field is optional.
#[napi(object)]
#[derive(Default)]
pub struct NodeConfig {
    /// Number of shards, 1..=1024 (default 4).
    pub shards: Option<u32>,
    /// Ring slots per shard, rounded up to a power of two (default 8192).
    pub ring_capacity: Option<u32>,
    /// What an emit does when its shard's ring is full: `'Block'`
    /// (default: wait for room up to `blockTimeoutMs`, then throw
    /// `backpressure`; nothing is lost), `'DropOldest'` (evict queued
    /// events, reported in the receipt's `evicted`), `'DropNewest'` or
    /// `'FailProducer'` (snake_case spellings are accepted too).
    #[napi(ts_type = "'Block' | 'DropOldest' | 'DropNewest' | 'FailProducer' | 'block' | 'drop_oldest' | 'drop_newest' | 'fail_producer'")]
    pub backpressure: Option<String>,
    /// `'hash'` (default: equal payloads share a shard) or `'roundRobin'`.
    #[napi(ts_type = "'hash' | 'roundRobin'")]
    pub shard_strategy: Option<String>,
    /// Events the in-memory backend keeps per shard (default 2^20).
    pub retention: Option<u32>,
    /// Largest batch a batcher appends at once (default 1024).
    pub max_batch: Option<u32>,
    /// How long an idle batcher sleeps, in milliseconds (default 1).
    pub max_delay_ms: Option<f64>,
    /// How long an emit under `'Block'` waits for room before it throws
    /// `backpressure`, in milliseconds, > 0 (default 1000).
    pub block_timeout_ms: Option<f64>,
}

impl NodeConfig {
    /// The builder these options describe.
    pub fn builder(&self) -> Result<NetBuilder> {
        let mut b = net_sdk::Net::builder();
        if let Some(n) = self.shards {
            b = b.shards(u16::try_from(n).map_err(|_| invalid(format!("shards must be 1..=1024, got {n}")))?);
        }
        if let Some(n) = self.ring_capacity {
            b = b.ring_capacity(n as usize);
        }
        if let Some(p) = &self.backpressure {
            b = b.backpressure(p.parse::<Backpressure>().map_err(fail)?);
        }
        if let Some(s) = &self.shard_strategy {
            b = b.shard_strategy(match s.as_str() {
                "hash" => ShardStrategy::Hash,
                "roundRobin" | "round_robin" => ShardStrategy::RoundRobin,
                other => return Err(invalid(format!("unknown shardStrategy {other:?} (expected 'hash' or 'roundRobin')"))),
            });
        }
        if let Some(n) = self.retention {
            b = b.retention(n as usize);
        }
        if let Some(n) = self.max_batch {
            b = b.max_batch(n as usize);
        }
        if let Some(ms) = self.max_delay_ms {
            if !(ms.is_finite() && ms > 0.0) {
                return Err(invalid(format!("maxDelayMs must be a positive number, got {ms}")));
            }
            b = b.max_delay(Duration::from_secs_f64(ms / 1000.0));
        }
        if let Some(ms) = self.block_timeout_ms {
            // Only what a Duration cannot hold is refused here; the range
            // (> 0) is the core's to check, as in every other face.
            if !(ms.is_finite() && ms >= 0.0) {
                return Err(invalid(format!("blockTimeoutMs must be a positive number, got {ms}")));
            }
            b = b.block_timeout(Duration::from_secs_f64(ms / 1000.0));
        }
        Ok(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(c: NodeConfig) -> &'static str {
        match c.builder() {
            Ok(_) => "ok",
            Err(e) => e.status.0,
        }
    }

    #[test]
    fn options_map_onto_the_builder_and_bad_ones_are_refused() {
        assert_eq!(kind(NodeConfig::default()), "ok");
        let full = NodeConfig {
            shards: Some(2),
            ring_capacity: Some(64),
            backpressure: Some("FailProducer".into()),
            shard_strategy: Some("roundRobin".into()),
            retention: Some(10),
            max_batch: Some(8),
            max_delay_ms: Some(0.5),
            block_timeout_ms: Some(250.0),
        };
        assert_eq!(kind(full), "ok");
        assert_eq!(kind(NodeConfig { shards: Some(70_000), ..Default::default() }), "invalid_argument");
        for policy in ["Block", "block", "DropOldest", "drop_newest"] {
            assert_eq!(kind(NodeConfig { backpressure: Some(policy.into()), ..Default::default() }), "ok", "{policy}");
        }
        assert_eq!(kind(NodeConfig { backpressure: Some("sometimes".into()), ..Default::default() }), "invalid_config");
        for ms in [-1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(kind(NodeConfig { block_timeout_ms: Some(ms), ..Default::default() }), "invalid_argument");
        }
        assert_eq!(kind(NodeConfig { shard_strategy: Some("random".into()), ..Default::default() }), "invalid_argument");
        for ms in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(kind(NodeConfig { max_delay_ms: Some(ms), ..Default::default() }), "invalid_argument");
        }
    }

    #[test]
    fn a_block_timeout_of_zero_is_the_cores_invalid_config() {
        let build = |ms: f64| {
            let b = NodeConfig { block_timeout_ms: Some(ms), ..Default::default() }.builder().unwrap();
            net_sdk::runtime::block_on(b.build()).map(drop).map_err(|e| e.kind())
        };
        assert_eq!(build(0.0), Err("invalid_config"));
        assert_eq!(build(0.5), Ok(()));
    }
}
