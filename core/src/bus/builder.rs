//! [`NetBuilder`]: configuration and start-up.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[cfg(feature = "jetstream")]
use super::backend::{JetStreamAdapterConfig, JetStreamBackend};
#[cfg(feature = "net")]
use super::backend::MeshBackend;
#[cfg(feature = "redis")]
use super::backend::{RedisAdapterConfig, RedisBackend};
use super::backend::{Backend, MemoryBackend};
use super::batcher;
use super::config::{Backpressure, BusConfig, ShardStrategy};
use super::event_bus::EventBus;
use super::net::Net;
#[cfg(feature = "net")]
use super::transport::NetAdapterConfig;
use super::transport::TransportConfig;
use crate::clock::Clock;
use crate::error::{Result, SdkError};

/// Configures and starts a [`Net`] node; from [`Net::builder`].
#[derive(Default)]
pub struct NetBuilder {
    config: BusConfig,
    clock: Option<Clock>,
    backend: Option<Arc<dyn Backend>>,
    #[cfg(feature = "net")]
    mesh: Option<MeshSource>,
    #[cfg(feature = "redis")]
    redis: Option<Box<RedisAdapterConfig>>,
    #[cfg(feature = "jetstream")]
    jetstream: Option<Box<JetStreamAdapterConfig>>,
    producer_nonce_path: Option<PathBuf>,
}

/// What [`NetBuilder::mesh`] takes: a mesh the caller runs, or a link for
/// the node to set up (and shut down with itself).
#[cfg(feature = "net")]
pub enum MeshSource {
    /// A running [`Mesh`](crate::Mesh), handshakes done by the caller.
    Running(crate::mesh::Mesh),
    /// A point-to-point link the node establishes in `build`.
    Adapter(Box<NetAdapterConfig>),
}

#[cfg(feature = "net")]
impl From<crate::mesh::Mesh> for MeshSource {
    fn from(mesh: crate::mesh::Mesh) -> Self {
        MeshSource::Running(mesh)
    }
}

#[cfg(feature = "net")]
impl From<NetAdapterConfig> for MeshSource {
    fn from(config: NetAdapterConfig) -> Self {
        MeshSource::Adapter(Box::new(config))
    }
}

impl NetBuilder {
    /// Number of shards, 1..=1024 (default 4).
    pub fn shards(mut self, n: u16) -> Self {
        self.config.shards = n;
        self
    }

    /// Ring slots per shard, rounded up to a power of two; 2..=2^24
    /// (default 8192).
    pub fn ring_capacity(mut self, n: usize) -> Self {
        self.config.ring_capacity = n;
        self
    }

    /// What to do when a ring is full (default [`Backpressure::Block`]:
    /// wait for room, lose nothing).
    pub fn backpressure(mut self, policy: Backpressure) -> Self {
        self.config.backpressure = policy;
        self
    }

    /// How long an emit under [`Backpressure::Block`] waits for room before
    /// it fails with `Backpressure`, > 0 (default 1 s).
    pub fn block_timeout(mut self, timeout: Duration) -> Self {
        self.config.block_timeout = timeout;
        self
    }

    /// How events are assigned to shards (default [`ShardStrategy::Hash`]).
    pub fn shard_strategy(mut self, strategy: ShardStrategy) -> Self {
        self.config.strategy = strategy;
        self
    }

    /// Events the memory backend keeps per shard, >= 1 (default 2^20).
    pub fn retention(mut self, events_per_shard: usize) -> Self {
        self.config.retention = events_per_shard;
        self
    }

    /// Largest batch a drainer appends at once, >= 1 (default 1024).
    pub fn max_batch(mut self, n: usize) -> Self {
        self.config.max_batch = n;
        self
    }

    /// How long an idle drainer sleeps before re-checking on its own,
    /// > 0 (default 1 ms). Events never wait for it: producers wake it.
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.config.max_delay = d;
        self
    }

    /// The clock stamping events (default [`Clock::system`]).
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Take every setting of `config` (shards, ring, back-pressure,
    /// transport, producer nonce file), replacing what was set before.
    pub fn config(mut self, config: super::EventBusConfig) -> Self {
        self.config = config.bus;
        if let Some(path) = config.producer_nonce_path {
            self.producer_nonce_path = Some(path);
        }
        self.transport(config.transport)
    }

    /// Forget any storage chosen so far (memory is what is left).
    fn clear_storage(mut self) -> Self {
        self.backend = None;
        #[cfg(feature = "net")]
        {
            self.mesh = None;
        }
        #[cfg(feature = "redis")]
        {
            self.redis = None;
        }
        #[cfg(feature = "jetstream")]
        {
            self.jetstream = None;
        }
        self
    }

    /// Use the in-memory backend (the default).
    pub fn memory(self) -> Self {
        self.clear_storage()
    }

    /// Use `backend` for storage. It must serve shards `0..shards`.
    pub fn backend(self, backend: Arc<dyn Backend>) -> Self {
        let mut b = self.clear_storage();
        b.backend = Some(backend);
        b
    }

    /// Store events in Redis Streams, one stream per shard (see
    /// [`RedisBackend`](super::backend::RedisBackend)); `build` connects.
    #[cfg(feature = "redis")]
    pub fn redis(self, config: RedisAdapterConfig) -> Self {
        let mut b = self.clear_storage();
        if let Some(path) = &config.producer_nonce_path {
            b.producer_nonce_path = Some(path.clone());
        }
        b.redis = Some(Box::new(config));
        b
    }

    /// Store events in a NATS JetStream stream, one subject per shard (see
    /// [`JetStreamBackend`](super::backend::JetStreamBackend)); `build` connects.
    #[cfg(feature = "jetstream")]
    pub fn jetstream(self, config: JetStreamAdapterConfig) -> Self {
        let mut b = self.clear_storage();
        if let Some(path) = &config.producer_nonce_path {
            b.producer_nonce_path = Some(path.clone());
        }
        b.jetstream = Some(Box::new(config));
        b
    }

    /// Keep the producer nonce of the Redis and JetStream backends in the
    /// file at `path`: loaded if it exists, created (atomically) if not,
    /// refused with `CorruptNonce` if it holds anything else. A producer
    /// restarted with the same file writes the same dedup ids. Without it
    /// the nonce is random per process. The memory and mesh backends write
    /// no dedup ids and leave the file alone.
    pub fn producer_nonce_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.producer_nonce_path = Some(path.into());
        self
    }

    /// Exchange events with mesh peers (see
    /// [`MeshBackend`](super::backend::MeshBackend)): local events are
    /// forwarded to every live peer and remote events appear in `poll` and
    /// `subscribe`.
    ///
    /// Either a [`NetAdapterConfig`], which `build` turns into a linked,
    /// started mesh that the node owns (it is shut down with the node), or
    /// a running [`Mesh`](crate::Mesh) the caller owns: do its handshakes and
    /// [`Mesh::start`](crate::Mesh::start) first (peers that connect later
    /// are picked up too).
    #[cfg(feature = "net")]
    pub fn mesh(self, mesh: impl Into<MeshSource>) -> Self {
        let mut b = self.clear_storage();
        b.mesh = Some(mesh.into());
        b
    }

    /// The transport as configuration names it: the in-memory bus, a mesh
    /// link, Redis Streams or JetStream (see [`TransportConfig::from_json`]).
    pub fn transport(self, transport: TransportConfig) -> Self {
        match transport {
            TransportConfig::Memory => self.memory(),
            #[cfg(feature = "net")]
            TransportConfig::Mesh(link) => self.mesh(*link),
            #[cfg(feature = "redis")]
            TransportConfig::Redis(config) => self.redis(*config),
            #[cfg(feature = "jetstream")]
            TransportConfig::JetStream(config) => self.jetstream(*config),
        }
    }

    /// Validate, then start the drainer tasks (see `batcher.rs`) on the current
    /// tokio runtime, which needs its time driver (`enable_all()`, as
    /// `#[tokio::main]` and `#[tokio::test]` set up). Fails with
    /// `InvalidConfig` for out-of-range values or when not called inside a
    /// tokio runtime.
    ///
    /// On a current-thread runtime the drainers go to the shared
    /// multi-thread runtime instead: a producer on that one thread waiting
    /// for room under [`Backpressure::Block`] would otherwise wait for
    /// drainers that cannot run until it returns.
    pub async fn build(self) -> Result<Net> {
        let config = self.config.validated()?;
        let current = tokio::runtime::Handle::try_current()
            .map_err(|_| SdkError::InvalidConfig("Net::builder().build() must run inside a tokio runtime".into()))?;
        let runtime = match current.runtime_flavor() {
            tokio::runtime::RuntimeFlavor::CurrentThread => crate::runtime::runtime().handle().clone(),
            _ => current,
        };
        // Only the backends that write dedup ids read (or create) the nonce file.
        #[cfg(any(feature = "redis", feature = "jetstream"))]
        let nonce = || match &self.producer_nonce_path {
            Some(path) => super::nonce::load_or_create_nonce(path),
            None => Ok(super::nonce::fresh_nonce()),
        };
        #[cfg(feature = "redis")]
        if let Some(redis) = &self.redis {
            let backend = Arc::new(RedisBackend::connect(redis, config.shards, nonce()?).await?);
            return Self::start(config, self.clock, backend, runtime);
        }
        #[cfg(feature = "jetstream")]
        if let Some(js) = &self.jetstream {
            let backend = Arc::new(JetStreamBackend::connect(js, config.shards, nonce()?).await?);
            return Self::start(config, self.clock, backend, runtime);
        }
        #[cfg(feature = "net")]
        let backend: Arc<dyn Backend> = match (self.backend, self.mesh) {
            (Some(b), _) => b,
            (None, Some(MeshSource::Running(mesh))) => Arc::new(MeshBackend::new(mesh, config.shards, config.retention)),
            (None, Some(MeshSource::Adapter(link))) => {
                let mesh = link.establish().await?;
                Arc::new(MeshBackend::owning(mesh, config.shards, config.retention))
            }
            (None, None) => Arc::new(MemoryBackend::new(config.shards, config.retention)),
        };
        #[cfg(not(feature = "net"))]
        let backend = self.backend.unwrap_or_else(|| Arc::new(MemoryBackend::new(config.shards, config.retention)));
        Self::start(config, self.clock, backend, runtime)
    }

    /// Start the drainers of a bus over `backend` on `runtime`.
    fn start(config: BusConfig, clock: Option<Clock>, backend: Arc<dyn Backend>, runtime: tokio::runtime::Handle) -> Result<Net> {
        let (max_batch, max_delay) = (config.max_batch, config.max_delay);
        let drainers = batcher::drainer_count(runtime.metrics().num_workers(), config.shards);
        let bus = Arc::new(EventBus::new(config, backend.clone(), clock.unwrap_or_default(), drainers));
        let tasks = (0..drainers)
            .map(|d| {
                let shards: Vec<usize> = (d..bus.shards.len()).step_by(drainers).collect();
                let signals = bus.shards[d].signals.clone();
                runtime.spawn(batcher::run(Arc::downgrade(&bus), shards, signals, backend.clone(), max_batch, max_delay))
            })
            .collect();
        *bus.tasks.lock() = tasks;
        Ok(Net::from_bus(bus))
    }
}
