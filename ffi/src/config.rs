//! The JSON configuration accepted by `net_init`.
//!
//! Keys (all optional): `num_shards`, `ring_capacity` (alias
//! `ring_buffer_capacity`), `backpressure` (alias `backpressure_mode`:
//! `"block"` (the default), `"drop_oldest"`, `"drop_newest"`,
//! `"fail_producer"`), `block_timeout_ms` (how long a `block` ingest
//! waits for room before `NET_ERR_BACKPRESSURE`, default 1000), `shard_strategy`
//! (`"hash"`, `"round_robin"`), `retention` (events kept per shard) and
//! `batch` (`{ "max_size": n, "max_delay_ms": n }`), `transport`
//! (`{"type": "memory"}`, `{"type": "mesh", ...}`, `{"type": "redis",
//! "url": ...}` or `{"type": "jetstream", "url": ...}`, parsed by the
//! core's `TransportConfig::from_value`) and `producer_nonce_path` (the
//! file keeping the Redis / JetStream producer nonce across restarts).
//! Unknown keys are refused so a typo is reported instead of silently
//! ignored.

use std::str::FromStr;
use std::time::Duration;

use net_sdk::{Backpressure, NetBuilder, ShardStrategy, TransportConfig};
use serde::Deserialize;

use crate::status::{FfiError, NetStatus};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct BusConfig {
    num_shards: Option<u16>,
    #[serde(alias = "ring_buffer_capacity")]
    ring_capacity: Option<usize>,
    #[serde(alias = "backpressure_mode")]
    backpressure: Option<String>,
    block_timeout_ms: Option<u64>,
    shard_strategy: Option<String>,
    retention: Option<usize>,
    batch: Option<BatchConfig>,
    transport: Option<serde_json::Value>,
    producer_nonce_path: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchConfig {
    max_size: Option<usize>,
    max_delay_ms: Option<u64>,
}

fn invalid_config(message: String) -> FfiError {
    FfiError::new(NetStatus::NET_ERR_INIT_FAILED, "invalid_config", message)
}

/// Parse `text` (empty means defaults) into a node builder.
pub(crate) fn builder_from_json(text: &str) -> Result<NetBuilder, FfiError> {
    let config: BusConfig = if text.trim().is_empty() {
        BusConfig::default()
    } else {
        serde_json::from_str(text).map_err(|e| {
            let kind = if e.is_data() { "invalid_config" } else { "invalid_json" };
            let status = if e.is_data() { NetStatus::NET_ERR_INIT_FAILED } else { NetStatus::NET_ERR_INVALID_JSON };
            FfiError::new(status, kind, format!("config: {e}"))
        })?
    };
    let mut builder = net_sdk::Net::builder().memory();
    if let Some(n) = config.num_shards {
        builder = builder.shards(n);
    }
    if let Some(n) = config.ring_capacity {
        builder = builder.ring_capacity(n);
    }
    if let Some(policy) = config.backpressure {
        let policy = Backpressure::from_str(&policy).map_err(|e| invalid_config(e.to_string()))?;
        builder = builder.backpressure(policy);
    }
    if let Some(ms) = config.block_timeout_ms {
        builder = builder.block_timeout(Duration::from_millis(ms));
    }
    if let Some(strategy) = config.shard_strategy {
        let strategy = match strategy.as_str() {
            "hash" => ShardStrategy::Hash,
            "round_robin" => ShardStrategy::RoundRobin,
            other => return Err(invalid_config(format!("shard_strategy {other:?}: use \"hash\" or \"round_robin\""))),
        };
        builder = builder.shard_strategy(strategy);
    }
    if let Some(n) = config.retention {
        builder = builder.retention(n);
    }
    if let Some(batch) = config.batch {
        if let Some(n) = batch.max_size {
            builder = builder.max_batch(n);
        }
        if let Some(ms) = batch.max_delay_ms {
            builder = builder.max_delay(Duration::from_millis(ms));
        }
    }
    if let Some(transport) = config.transport {
        let transport = TransportConfig::from_value(transport).map_err(|e| invalid_config(e.to_string()))?;
        builder = builder.transport(transport);
    }
    if let Some(path) = config.producer_nonce_path {
        builder = builder.producer_nonce_path(path);
    }
    Ok(builder)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_kind(text: &str) -> &'static str {
        match builder_from_json(text) {
            Ok(_) => panic!("{text} was accepted"),
            Err(e) => e.kind,
        }
    }

    #[test]
    fn bad_inputs_get_distinct_kinds() {
        assert_eq!(error_kind("{"), "invalid_json");
        assert_eq!(error_kind(r#"{"num_shard": 4}"#), "invalid_config");
        assert_eq!(error_kind(r#"{"num_shards": "four"}"#), "invalid_config");
        assert_eq!(error_kind(r#"{"backpressure": "sometimes"}"#), "invalid_config");
        assert_eq!(error_kind(r#"{"shard_strategy": "random"}"#), "invalid_config");
        assert_eq!(error_kind(r#"{"transport": {"type": "redis"}}"#), "invalid_config");
        assert_eq!(error_kind(r#"{"transport": {"type": "jetstream", "url": "nats://h:1", "stream": "a.b"}}"#), "invalid_config");
        assert_eq!(error_kind(r#"{"producer_nonce_path": 7}"#), "invalid_config");
        assert!(builder_from_json(r#"{"transport": {"type": "redis", "url": "redis://h:1"}, "producer_nonce_path": "/tmp/n"}"#).is_ok());
        assert_eq!(error_kind(r#"{"transport": {"type": "mesh"}}"#), "invalid_config");
        assert_eq!(error_kind(r#"{"transport": "mesh"}"#), "invalid_config");
    }

    #[test]
    fn both_spellings_of_each_key_are_accepted() {
        assert!(builder_from_json("").is_ok());
        assert!(builder_from_json(r#"{"num_shards": 2, "ring_capacity": 64, "backpressure": "fail_producer"}"#).is_ok());
        assert!(builder_from_json(r#"{"backpressure": "block", "block_timeout_ms": 50}"#).is_ok());
        assert!(builder_from_json(
            r#"{"ring_buffer_capacity": 64, "backpressure_mode": "DropOldest", "batch": {"max_size": 8, "max_delay_ms": 2}}"#
        )
        .is_ok());
    }
}
