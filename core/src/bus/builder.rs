//! [`NetBuilder`]: configuration and start-up.

use std::sync::Arc;
use std::time::Duration;

#[cfg(feature = "net")]
use super::backend::MeshBackend;
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

    /// Use the in-memory backend (the default).
    pub fn memory(mut self) -> Self {
        self.backend = None;
        #[cfg(feature = "net")]
        {
            self.mesh = None;
        }
        self
    }

    /// Use `backend` for storage. It must serve shards `0..shards`.
    pub fn backend(mut self, backend: Arc<dyn Backend>) -> Self {
        self.backend = Some(backend);
        #[cfg(feature = "net")]
        {
            self.mesh = None;
        }
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
    pub fn mesh(mut self, mesh: impl Into<MeshSource>) -> Self {
        self.mesh = Some(mesh.into());
        self.backend = None;
        self
    }

    /// The transport as configuration names it: the in-memory bus or a
    /// mesh link (see [`TransportConfig::from_json`]).
    pub fn transport(self, transport: TransportConfig) -> Self {
        match transport {
            TransportConfig::Memory => self.memory(),
            #[cfg(feature = "net")]
            TransportConfig::Mesh(link) => self.mesh(*link),
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
        #[cfg(feature = "net")]
        let backend = match (self.backend, self.mesh) {
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
        let (max_batch, max_delay) = (config.max_batch, config.max_delay);
        let drainers = batcher::drainer_count(runtime.metrics().num_workers(), config.shards);
        let bus = Arc::new(EventBus::new(config, backend.clone(), self.clock.unwrap_or_default(), drainers));
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
