//! `EventBusConfig`: a node's configuration built and checked ahead of
//! time, as the seed writes it (`EventBusConfig::builder() … .build()?`),
//! then started with [`Net::from_config`](super::Net::from_config) or
//! [`NetBuilder::config`](super::NetBuilder::config).
//!
//! It is a plain value (clone it, log it, hand it to another task): the
//! connection to Redis, NATS or a mesh peer is made when the node is
//! built, not here. What can be checked without a connection is checked
//! by `build`: shard count, ring size, timeouts, the backend's options.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::config::{Backpressure, BusConfig};
use super::transport::TransportConfig;
use crate::error::Result;

/// A validated bus configuration: shards, ring, back-pressure, transport
/// and the producer nonce file.
///
/// ```no_run
/// use net_sdk::{EventBusConfig, Net, RedisAdapterConfig};
/// # async fn run() -> net_sdk::Result<()> {
/// let cfg = EventBusConfig::builder()
///     .num_shards(4)
///     .redis(RedisAdapterConfig::new("redis://localhost:6379"))
///     .producer_nonce_path("/var/lib/myapp/producer.nonce")
///     .build()?;
/// let node = Net::from_config(cfg).await?;
/// # node.shutdown().await }
/// ```
#[derive(Debug, Clone)]
pub struct EventBusConfig {
    pub(crate) bus: BusConfig,
    pub(crate) transport: TransportConfig,
    pub(crate) producer_nonce_path: Option<PathBuf>,
}

impl EventBusConfig {
    /// A builder starting from the defaults (4 shards, 8192-slot rings,
    /// `Backpressure::Block`, the in-memory transport).
    pub fn builder() -> EventBusConfigBuilder {
        EventBusConfigBuilder(EventBusConfig {
            bus: BusConfig::default(),
            transport: TransportConfig::Memory,
            producer_nonce_path: None,
        })
    }

    /// Number of shards.
    pub fn num_shards(&self) -> u16 {
        self.bus.shards
    }

    /// Where events are stored.
    pub fn transport(&self) -> &TransportConfig {
        &self.transport
    }

    /// The producer nonce file, if one was set.
    pub fn producer_nonce_path(&self) -> Option<&Path> {
        self.producer_nonce_path.as_deref()
    }
}

/// Builds an [`EventBusConfig`]; every setter has the default documented
/// on the [`NetBuilder`](super::NetBuilder) setter of the same meaning.
#[derive(Debug, Clone)]
pub struct EventBusConfigBuilder(EventBusConfig);

impl EventBusConfigBuilder {
    /// Number of shards, 1..=1024.
    pub fn num_shards(mut self, n: u16) -> Self {
        self.0.bus.shards = n;
        self
    }

    /// Ring slots per shard, rounded up to a power of two; 2..=2^24.
    pub fn ring_capacity(mut self, n: usize) -> Self {
        self.0.bus.ring_capacity = n;
        self
    }

    /// What to do when a ring is full.
    pub fn backpressure(mut self, policy: Backpressure) -> Self {
        self.0.bus.backpressure = policy;
        self
    }

    /// How long an emit under `Backpressure::Block` waits for room, > 0.
    pub fn block_timeout(mut self, timeout: Duration) -> Self {
        self.0.bus.block_timeout = timeout;
        self
    }

    /// Events the memory backend keeps per shard, >= 1.
    pub fn retention(mut self, events_per_shard: usize) -> Self {
        self.0.bus.retention = events_per_shard;
        self
    }

    /// Where events are stored, as configuration names it.
    pub fn transport(mut self, transport: TransportConfig) -> Self {
        self.0.transport = transport;
        self
    }

    /// Store events in Redis Streams.
    #[cfg(feature = "redis")]
    pub fn redis(self, config: super::backend::RedisAdapterConfig) -> Self {
        self.transport(TransportConfig::Redis(Box::new(config)))
    }

    /// Store events in NATS JetStream.
    #[cfg(feature = "jetstream")]
    pub fn jetstream(self, config: super::backend::JetStreamAdapterConfig) -> Self {
        self.transport(TransportConfig::JetStream(Box::new(config)))
    }

    /// Run the bus over an encrypted mesh link.
    #[cfg(feature = "net")]
    pub fn mesh(self, link: super::transport::NetAdapterConfig) -> Self {
        self.transport(TransportConfig::Mesh(Box::new(link)))
    }

    /// Keep the producer nonce of the Redis and JetStream backends in the
    /// file at `path` (see [`NetBuilder::producer_nonce_path`](super::NetBuilder::producer_nonce_path)).
    pub fn producer_nonce_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.0.producer_nonce_path = Some(path.into());
        self
    }

    /// Check everything that needs no connection; `InvalidConfig` names
    /// the setting at fault.
    pub fn build(self) -> Result<EventBusConfig> {
        let mut config = self.0;
        config.bus = config.bus.validated()?;
        match &config.transport {
            #[cfg(feature = "redis")]
            TransportConfig::Redis(redis) => redis.validate()?,
            #[cfg(feature = "jetstream")]
            TransportConfig::JetStream(js) => js.validate()?,
            _ => {}
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_checks_the_settings_and_keeps_them() {
        let cfg = EventBusConfig::builder().num_shards(8).producer_nonce_path("/tmp/n").build().unwrap();
        assert_eq!(cfg.num_shards(), 8);
        assert_eq!(cfg.producer_nonce_path(), Some(Path::new("/tmp/n")));
        assert!(matches!(cfg.transport(), TransportConfig::Memory));
        let e = EventBusConfig::builder().num_shards(0).build().unwrap_err();
        assert_eq!(e.kind(), "invalid_config");
        let e = EventBusConfig::builder().block_timeout(Duration::ZERO).build().unwrap_err();
        assert_eq!(e.kind(), "invalid_config");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_node_built_from_a_config_has_its_settings() {
        let cfg = EventBusConfig::builder().num_shards(3).ring_capacity(64).build().unwrap();
        let net = super::super::Net::from_config(cfg.clone()).await.unwrap();
        assert_eq!(net.shards(), 3);
        for i in 0..100 {
            net.emit_str(&format!(r#"{{"i":{i}}}"#)).unwrap();
        }
        net.flush().await.unwrap();
        let page = net.poll(super::super::PollRequest { limit: 1000, ..Default::default() }).await.unwrap();
        assert_eq!(page.events.len(), 100);
        net.shutdown().await.unwrap();
        // The same value configures a builder too, replacing its earlier settings.
        let again = super::super::Net::builder().shards(9).config(cfg).build().await.unwrap();
        assert_eq!(again.shards(), 3);
        again.shutdown().await.unwrap();
    }

    #[cfg(feature = "redis")]
    #[test]
    fn a_bad_backend_option_is_refused_before_any_connection() {
        let bad = super::super::backend::RedisAdapterConfig::new("redis://u:pw@127.0.0.1:1").maxlen(0);
        let e = EventBusConfig::builder().redis(bad).build().unwrap_err();
        assert_eq!(e.kind(), "invalid_config");
        assert!(!e.to_string().contains("pw@"), "{e}");
    }
}
