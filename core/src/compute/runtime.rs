//! [`DaemonRuntime`]: the factory table, the hosted daemons and the
//! lifecycle gate `Registering → Ready → ShuttingDown`.
//!
//! | call | Registering | Ready | ShuttingDown |
//! |---|---|---|---|
//! | `register_factory` | yes | yes | `ShuttingDown` |
//! | `start` | → Ready | no-op | `ShuttingDown` |
//! | `spawn*`, `deliver`, `snapshot` | `NotReady` | yes | `ShuttingDown` |
//! | `stop` | `NotReady` | yes | no-op |
//! | `shutdown` | → ShuttingDown | → ShuttingDown | no-op |
//!
//! Deliveries to different daemons run in parallel: the daemon table is
//! read under a short shared lock and each daemon has its own lock.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use parking_lot::RwLock;

use super::config::{DaemonHostConfig, DaemonStats};
use super::daemon::{DaemonFactory, MeshDaemon};
use super::error::ComputeDaemonError;
use super::event::{CausalEvent, ChainHead};
use super::host::{BatchDelivery, DaemonHandle, DaemonHost};
use super::snapshot::StateSnapshot;
use crate::capabilities::CapabilitySet;
use crate::identity::Identity;
#[cfg(feature = "net")]
use crate::mesh::Mesh;

const REGISTERING: u8 = 0;
const READY: u8 = 1;
const SHUTTING_DOWN: u8 = 2;

/// Origin hashes are already uniform (blake3-derived): the table uses them
/// as their own hash.
#[derive(Default)]
struct OriginHasher(u64);

impl Hasher for OriginHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type DaemonTable = HashMap<u64, Arc<DaemonHost>, BuildHasherDefault<OriginHasher>>;

/// Where the runtime reads the local node's capabilities.
enum LocalCapabilities {
    /// What the mesh announces for this node.
    #[cfg(feature = "net")]
    Mesh(Arc<Mesh>),
    /// A fixed set (a runtime without a mesh).
    Fixed(CapabilitySet),
    /// Read from a source at each spawn (a MeshOS SDK's dispatcher).
    Live(Arc<dyn Fn() -> CapabilitySet + Send + Sync>),
}

struct Inner {
    phase: AtomicU8,
    factories: RwLock<HashMap<String, Arc<dyn DaemonFactory>>>,
    daemons: RwLock<DaemonTable>,
    local: LocalCapabilities,
}

/// Hosts daemons: register factories, `start`, then spawn, deliver,
/// snapshot and stop. Cloning shares the runtime.
#[derive(Clone)]
pub struct DaemonRuntime {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for DaemonRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DaemonRuntime")
            .field("ready", &self.is_ready())
            .field("daemons", &self.daemon_count())
            .finish()
    }
}

impl DaemonRuntime {
    /// A runtime on `mesh`: the local capabilities checked at spawn are
    /// what the mesh announces for this node. Shutting the runtime down
    /// does not shut the mesh down.
    #[cfg(feature = "net")]
    pub fn new(mesh: Arc<Mesh>) -> Self {
        Self::with_local(LocalCapabilities::Mesh(mesh))
    }

    /// A runtime without a mesh, for local use: `capabilities` stand for
    /// the local node's.
    pub fn local(capabilities: CapabilitySet) -> Self {
        Self::with_local(LocalCapabilities::Fixed(capabilities))
    }

    /// A runtime whose local capabilities are read from `source` at each
    /// spawn (so tags announced meanwhile count).
    pub fn with_capabilities_from(source: impl Fn() -> CapabilitySet + Send + Sync + 'static) -> Self {
        Self::with_local(LocalCapabilities::Live(Arc::new(source)))
    }

    fn with_local(local: LocalCapabilities) -> Self {
        DaemonRuntime {
            inner: Arc::new(Inner {
                phase: AtomicU8::new(REGISTERING),
                factories: RwLock::new(HashMap::new()),
                daemons: RwLock::new(DaemonTable::default()),
                local,
            }),
        }
    }

    /// The mesh this runtime was built on, if any.
    #[cfg(feature = "net")]
    pub fn mesh(&self) -> Option<&Arc<Mesh>> {
        match &self.inner.local {
            LocalCapabilities::Mesh(m) => Some(m),
            LocalCapabilities::Fixed(_) | LocalCapabilities::Live(_) => None,
        }
    }

    /// The capabilities the local node announces now.
    pub fn local_capabilities(&self) -> CapabilitySet {
        match &self.inner.local {
            #[cfg(feature = "net")]
            LocalCapabilities::Mesh(m) => m.own_capabilities(),
            LocalCapabilities::Fixed(c) => c.clone(),
            LocalCapabilities::Live(source) => source(),
        }
    }

    fn phase(&self) -> u8 {
        self.inner.phase.load(Ordering::Acquire)
    }

    fn require_ready(&self) -> Result<(), ComputeDaemonError> {
        match self.phase() {
            READY => Ok(()),
            REGISTERING => Err(ComputeDaemonError::NotReady),
            _ => Err(ComputeDaemonError::ShuttingDown),
        }
    }

    /// Register `factory` under `kind` (`|| Box::new(MyDaemon)`).
    /// `FactoryAlreadyRegistered` for a kind already taken; `ShuttingDown`
    /// after `shutdown`.
    pub fn register_factory<F, D>(&self, kind: &str, factory: F) -> Result<(), ComputeDaemonError>
    where
        F: Fn() -> Box<D> + Send + Sync + 'static,
        D: MeshDaemon + 'static,
    {
        self.register_factory_arc(kind, Arc::new(move || -> Box<dyn MeshDaemon> { factory() }))
    }

    /// [`register_factory`](Self::register_factory) with any
    /// [`DaemonFactory`]: one returning `Box<dyn MeshDaemon>`, or one that
    /// can fail (a foreign constructor).
    pub fn register_factory_arc(&self, kind: &str, factory: Arc<dyn DaemonFactory>) -> Result<(), ComputeDaemonError> {
        let mut factories = self.inner.factories.write();
        // Checked under the table's lock: `shutdown` clears the table
        // under it, so no registration slips in after.
        if self.phase() == SHUTTING_DOWN {
            return Err(ComputeDaemonError::ShuttingDown);
        }
        if factories.contains_key(kind) {
            return Err(ComputeDaemonError::FactoryAlreadyRegistered(kind.to_owned()));
        }
        factories.insert(kind.to_owned(), factory);
        Ok(())
    }

    /// Whether a factory is registered under `kind`.
    pub fn has_factory(&self, kind: &str) -> bool {
        self.inner.factories.read().contains_key(kind)
    }

    /// Flip to Ready. A no-op when ready; `ShuttingDown` after `shutdown`.
    pub async fn start(&self) -> Result<(), ComputeDaemonError> {
        self.start_now()
    }

    /// [`start`](Self::start) without the future (it never waits), for
    /// hosts that are not async.
    pub fn start_now(&self) -> Result<(), ComputeDaemonError> {
        match self.inner.phase.compare_exchange(REGISTERING, READY, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) | Err(READY) => Ok(()),
            Err(_) => Err(ComputeDaemonError::ShuttingDown),
        }
    }

    /// Whether the runtime is Ready (started, not shutting down).
    pub fn is_ready(&self) -> bool {
        self.phase() == READY
    }

    /// Live daemons.
    pub fn daemon_count(&self) -> usize {
        self.inner.daemons.read().len()
    }

    /// Origin hashes of the live daemons.
    pub fn origins(&self) -> Vec<u64> {
        self.inner.daemons.read().keys().copied().collect()
    }

    fn factory(&self, kind: &str) -> Result<Arc<dyn DaemonFactory>, ComputeDaemonError> {
        self.inner.factories.read().get(kind).cloned().ok_or_else(|| ComputeDaemonError::FactoryNotFound(kind.to_owned()))
    }

    /// Build a daemon of `kind` and check it may run here.
    fn build(&self, kind: &str, config: &DaemonHostConfig) -> Result<Box<dyn MeshDaemon>, ComputeDaemonError> {
        self.require_ready()?;
        let daemon = self.factory(kind)?.create()?;
        self.admit(kind, daemon, config)
    }

    /// Check a built daemon may run here (its required tags and filter
    /// against the local node's capabilities), then configure it.
    fn admit(
        &self,
        kind: &str,
        mut daemon: Box<dyn MeshDaemon>,
        config: &DaemonHostConfig,
    ) -> Result<Box<dyn MeshDaemon>, ComputeDaemonError> {
        let local = self.local_capabilities();
        let missing: Vec<String> = daemon
            .required_capabilities()
            .tags()
            .iter()
            .filter(|t| !local.has_tag(t.as_str()))
            .map(|t| t.as_str().to_owned())
            .collect();
        if !missing.is_empty() {
            return Err(ComputeDaemonError::MissingCapabilities { kind: kind.to_owned(), missing });
        }
        let requirements = daemon.requirements();
        if !requirements.matches(&local) {
            let missing: Vec<String> =
                requirements.require_tags.iter().filter(|t| !local.has_tag(t)).cloned().collect();
            if !missing.is_empty() {
                return Err(ComputeDaemonError::MissingCapabilities { kind: kind.to_owned(), missing });
            }
            let requirements = serde_json::to_string(&requirements).unwrap_or_else(|e| e.to_string());
            return Err(ComputeDaemonError::RequirementsUnmet { kind: kind.to_owned(), requirements });
        }
        daemon.configure(config);
        Ok(daemon)
    }

    fn insert(&self, origin: u64, host: DaemonHost) -> Result<DaemonHandle, ComputeDaemonError> {
        let host = Arc::new(host);
        let mut daemons = self.inner.daemons.write();
        // Under the table's lock: `shutdown` empties the table under it.
        self.require_ready()?;
        if daemons.contains_key(&origin) {
            return Err(ComputeDaemonError::AlreadyRunning(origin));
        }
        daemons.insert(origin, host.clone());
        Ok(DaemonHandle::new(origin, host))
    }

    /// Spawn a daemon of `kind` under `identity` (its origin hash is
    /// `identity.origin_hash()`). Errors: `NotReady` / `ShuttingDown`,
    /// `FactoryNotFound`, `MissingCapabilities` (a required tag the local
    /// node lacks), `RequirementsUnmet`, `AlreadyRunning`.
    pub async fn spawn(
        &self,
        kind: &str,
        identity: Identity,
        config: DaemonHostConfig,
    ) -> Result<DaemonHandle, ComputeDaemonError> {
        let daemon = self.build(kind, &config)?;
        self.host_new(kind, &identity, daemon, config)
    }

    /// Host a daemon the caller built (no factory), under `identity` and
    /// `kind` (the name its snapshots carry). The same checks as
    /// [`spawn`](Self::spawn): `NotReady` / `ShuttingDown`,
    /// `MissingCapabilities`, `RequirementsUnmet`, `AlreadyRunning`. It
    /// never waits.
    pub fn spawn_daemon(
        &self,
        kind: &str,
        identity: &Identity,
        daemon: Box<dyn MeshDaemon>,
        config: DaemonHostConfig,
    ) -> Result<DaemonHandle, ComputeDaemonError> {
        self.require_ready()?;
        let daemon = self.admit(kind, daemon, &config)?;
        self.host_new(kind, identity, daemon, config)
    }

    fn host_new(
        &self,
        kind: &str,
        identity: &Identity,
        daemon: Box<dyn MeshDaemon>,
        config: DaemonHostConfig,
    ) -> Result<DaemonHandle, ComputeDaemonError> {
        let origin = identity.origin_hash();
        let host = DaemonHost::new(kind.to_owned(), *identity.entity_id(), daemon, ChainHead::genesis(origin), config);
        self.insert(origin, host)
    }

    /// Spawn a daemon of `kind` from `snapshot`: `restore` gets its state
    /// before any event, and the causal chain continues from the snapshot
    /// point. `SnapshotMismatch` when the snapshot was taken of another
    /// identity or kind.
    pub async fn spawn_from_snapshot(
        &self,
        kind: &str,
        identity: Identity,
        snapshot: StateSnapshot,
        config: DaemonHostConfig,
    ) -> Result<DaemonHandle, ComputeDaemonError> {
        if snapshot.entity_id != *identity.entity_id() {
            return Err(ComputeDaemonError::SnapshotMismatch(format!(
                "snapshot of entity {}, spawned as {}",
                snapshot.entity_id,
                identity.entity_id()
            )));
        }
        if snapshot.kind != kind {
            return Err(ComputeDaemonError::SnapshotMismatch(format!(
                "snapshot of kind {:?}, spawned as {kind:?}",
                snapshot.kind
            )));
        }
        let daemon = self.build(kind, &config)?;
        let host = DaemonHost::new(kind.to_owned(), snapshot.entity_id, daemon, snapshot.head, config);
        host.restore(snapshot.state)?;
        self.insert(snapshot.head.origin_hash, host)
    }

    /// [`spawn_from_snapshot`](Self::spawn_from_snapshot) from the
    /// snapshot's byte form (`SnapshotDecode` when it does not parse).
    pub async fn spawn_from_snapshot_bytes(
        &self,
        kind: &str,
        identity: Identity,
        snapshot: &[u8],
        config: DaemonHostConfig,
    ) -> Result<DaemonHandle, ComputeDaemonError> {
        let snapshot = StateSnapshot::from_bytes(snapshot)?;
        self.spawn_from_snapshot(kind, identity, snapshot, config).await
    }

    fn host(&self, origin: u64) -> Result<Arc<DaemonHost>, ComputeDaemonError> {
        self.require_ready()?;
        self.inner.daemons.read().get(&origin).cloned().ok_or(ComputeDaemonError::DaemonNotFound(origin))
    }

    /// Hand `event` to the daemon `origin_hash` and return its outputs,
    /// each in a fresh link of the daemon's chain (origin = the daemon's,
    /// sequence + 1, parent = the previous link's hash). A `process` error
    /// is counted in the daemon's `errors` and returned; the daemon stays.
    /// A delivery from inside the same daemon's `process` is refused
    /// (`Reentrant`); waiting for a busy daemon is bounded by its
    /// `callback_timeout_ms`.
    pub fn deliver(&self, origin_hash: u64, event: &CausalEvent) -> Result<Vec<CausalEvent>, ComputeDaemonError> {
        self.host(origin_hash)?.deliver(origin_hash, event)
    }

    /// Hand `events` to the daemon `origin_hash` in order, under one hold
    /// of its lock (and, for a foreign daemon, one crossing to its thread):
    /// the throughput path for a run of events. The run stops at the first
    /// event that fails; [`BatchDelivery`] holds the outputs of the events
    /// before it and that failure. Errors before any event is handled
    /// (`DaemonNotFound`, `NotReady`, `Reentrant`, a busy daemon's
    /// `CallbackTimeout`) are the `Err`. A foreign daemon's
    /// `callback_timeout_ms` bounds the whole batch.
    pub fn deliver_batch(&self, origin_hash: u64, events: &[CausalEvent]) -> Result<BatchDelivery, ComputeDaemonError> {
        self.host(origin_hash)?.deliver_batch(origin_hash, events)
    }

    /// [`deliver`](Self::deliver), returning only the output payloads.
    pub fn deliver_payloads(&self, origin_hash: u64, event: &CausalEvent) -> Result<Vec<Bytes>, ComputeDaemonError> {
        Ok(self.deliver(origin_hash, event)?.into_iter().map(|e| e.payload).collect())
    }

    /// A snapshot of daemon `origin_hash` now; `None` when it is stateless.
    pub fn snapshot(&self, origin_hash: u64) -> Result<Option<StateSnapshot>, ComputeDaemonError> {
        self.host(origin_hash)?.snapshot()
    }

    /// Give the running daemon `origin_hash` back the state in `snapshot`,
    /// in place: its `restore` takes the state, its chain continues from
    /// the snapshot point and its replay log starts empty. The counters
    /// keep counting. `SnapshotMismatch` when the snapshot was taken of
    /// another daemon or kind; `Restore` when the daemon refuses the state
    /// (it then keeps its chain and log).
    pub fn restore(&self, origin_hash: u64, snapshot: &StateSnapshot) -> Result<(), ComputeDaemonError> {
        self.host(origin_hash)?.restore_in_place(snapshot)
    }

    /// Run `f` on daemon `origin_hash` under its lock (waiting at most its
    /// `callback_timeout_ms`), a panic in `f` caught as `Panicked`. How a
    /// supervisor reads `health` / `saturation` and routes `on_control`.
    pub fn with_daemon<R>(
        &self,
        origin_hash: u64,
        f: impl FnOnce(&mut dyn MeshDaemon) -> R,
    ) -> Result<R, ComputeDaemonError> {
        self.host(origin_hash)?.with_daemon(f)
    }

    /// Counters of daemon `origin_hash`.
    pub fn stats(&self, origin_hash: u64) -> Result<DaemonStats, ComputeDaemonError> {
        Ok(self.host(origin_hash)?.stats())
    }

    /// Stop daemon `origin_hash` and drop it from the runtime. A no-op
    /// while shutting down (shutdown stops every daemon).
    pub fn stop(&self, origin_hash: u64) -> Result<(), ComputeDaemonError> {
        match self.phase() {
            REGISTERING => return Err(ComputeDaemonError::NotReady),
            SHUTTING_DOWN => return Ok(()),
            _ => {}
        }
        let host = self.inner.daemons.write().remove(&origin_hash).ok_or(ComputeDaemonError::DaemonNotFound(origin_hash))?;
        host.mark_stopped();
        Ok(())
    }

    /// Stop every daemon, drop every factory, and refuse further work.
    /// Idempotent. The mesh, if any, keeps running.
    pub async fn shutdown(&self) -> Result<(), ComputeDaemonError> {
        let mut factories = self.inner.factories.write();
        let mut daemons = self.inner.daemons.write();
        self.inner.phase.store(SHUTTING_DOWN, Ordering::Release);
        for (_, host) in daemons.drain() {
            host.mark_stopped();
        }
        factories.clear();
        Ok(())
    }
}
