//! [`MeshOsDaemonSdk`]: the daemon-side supervisor. It hosts daemons in a
//! [`DaemonRuntime`], gives each a [`MeshOsDaemonHandle`] with a control
//! channel, a log ring and a metadata view, routes control events through
//! its supervisor thread, and commits the tags daemons publish to the
//! node's capability announcement through its [`MeshOsDispatcher`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::Arc;
use std::thread::JoinHandle;

use parking_lot::Mutex;

use super::config::MeshOsConfig;
use super::dispatcher::{ControlRouter, MeshOsDispatcher};
use super::error::{MeshOsError, MeshOsErrorKind};
use super::handle::MeshOsDaemonHandle;
use super::log::{LogRecord, LogRing};
use super::metadata::{MaintenanceState, MetadataView};
use super::queue::{PushError, WaitQueue};
use super::supervisor::{self, Action};
use crate::capabilities::CapabilitySet;
use crate::compute::{DaemonControl, DaemonHealth, DaemonHostConfig, DaemonRuntime, MeshDaemon};
use crate::identity::Identity;

pub(crate) struct DaemonEntry {
    name: String,
    control: Arc<WaitQueue<DaemonControl>>,
    tags: CapabilitySet,
    health: DaemonHealth,
    saturation: f32,
    backpressure: bool,
}

pub(crate) struct SdkInner {
    config: MeshOsConfig,
    runtime: DaemonRuntime,
    dispatcher: Arc<dyn MeshOsDispatcher>,
    /// The node's own capabilities before any daemon published: what the
    /// announcement returns to when every daemon has withdrawn its tags.
    base_caps: CapabilitySet,
    daemons: Mutex<HashMap<u64, DaemonEntry>>,
    actions: Mutex<Option<SyncSender<Action>>>,
    dropped_controls: AtomicU64,
    logs: LogRing,
    shut: AtomicBool,
    supervisor: Mutex<Option<JoinHandle<()>>>,
}

/// The MeshOS daemon SDK: register daemons, route control events to them,
/// collect their logs. Dropping it shuts it down.
pub struct MeshOsDaemonSdk {
    inner: Arc<SdkInner>,
}

impl std::fmt::Debug for MeshOsDaemonSdk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeshOsDaemonSdk")
            .field("node_id", &self.inner.config.this_node)
            .field("daemons", &self.inner.daemons.lock().len())
            .finish()
    }
}

impl MeshOsDaemonSdk {
    /// Start an SDK on `dispatcher`, the node it runs on: a `LocalDispatcher`
    /// for a node without a network, or a `Mesh` (required capabilities are
    /// then checked against what the mesh announces for this node,
    /// published tags are committed to that announcement so peers'
    /// `find_nodes` sees them, and metadata lists the mesh's peers).
    /// Zero config fields take their defaults; `this_node` 0 takes the
    /// dispatcher's node id. The dispatcher is handed a [`ControlRouter`].
    pub fn start<D: MeshOsDispatcher>(config: MeshOsConfig, dispatcher: Arc<D>) -> Self {
        let mut config = config.with_defaults();
        if config.this_node == 0 {
            config.this_node = dispatcher.node_id();
        }
        let dispatcher: Arc<dyn MeshOsDispatcher> = dispatcher;
        let base_caps = dispatcher.capabilities();
        let source = dispatcher.clone();
        let runtime = DaemonRuntime::with_capabilities_from(move || source.capabilities());
        // A fresh runtime is Registering; flipping it to Ready cannot fail.
        let _ = runtime.start_now();
        let (tx, rx) = mpsc::sync_channel(config.action_queue_capacity);
        let inner = Arc::new(SdkInner {
            config,
            runtime,
            dispatcher,
            base_caps,
            daemons: Mutex::new(HashMap::new()),
            actions: Mutex::new(Some(tx)),
            dropped_controls: AtomicU64::new(0),
            logs: LogRing::new(config.event_queue_capacity),
            shut: AtomicBool::new(false),
            supervisor: Mutex::new(None),
        });
        let weak = Arc::downgrade(&inner);
        inner.dispatcher.attach(ControlRouter::new(weak.clone()));
        let tick = config.tick_interval;
        let thread = std::thread::Builder::new()
            .name("meshos-supervisor".into())
            .spawn(move || supervisor::run(weak, rx, tick))
            .expect("spawn the MeshOS supervisor thread");
        *inner.supervisor.lock() = Some(thread);
        MeshOsDaemonSdk { inner }
    }

    /// A router to this SDK's daemons (what its dispatcher was handed).
    pub fn control_router(&self) -> ControlRouter {
        ControlRouter::new(Arc::downgrade(&self.inner))
    }

    /// The configuration in force (defaults filled in).
    pub fn config(&self) -> MeshOsConfig {
        self.inner.config
    }

    /// The compute runtime hosting the daemons: deliver events to a daemon
    /// by its id (`deliver(daemon_id, &event)`), snapshot or restore it.
    pub fn runtime(&self) -> &DaemonRuntime {
        &self.inner.runtime
    }

    /// Register `daemon` under `keypair` (its id is the keypair's origin
    /// hash) with the default host configuration.
    pub fn register_daemon(
        &self,
        daemon: Box<dyn MeshDaemon>,
        keypair: Identity,
    ) -> Result<MeshOsDaemonHandle, MeshOsError> {
        self.register_daemon_with(daemon, keypair, DaemonHostConfig::default())
    }

    /// Register `daemon` with a host configuration. `register_failed` when
    /// its name is empty, its identity is already registered, or the node
    /// lacks a capability it requires; `already_shutdown` after `shutdown`.
    pub fn register_daemon_with(
        &self,
        daemon: Box<dyn MeshDaemon>,
        keypair: Identity,
        config: DaemonHostConfig,
    ) -> Result<MeshOsDaemonHandle, MeshOsError> {
        self.inner.register(daemon, &keypair, config)
    }

    /// Queue `control` for daemon `daemon_id`: the supervisor calls its
    /// `on_control`, then puts it on its channel (dropped and counted when
    /// the channel is full). This is the supervisor/operator side — daemons
    /// receive, they do not send. `queue_full` when the action queue is
    /// full, `loop_closed` after shutdown, `invalid_argument` for an
    /// unknown daemon.
    pub fn route_control(&self, daemon_id: u64, control: DaemonControl) -> Result<(), MeshOsError> {
        self.inner.route_control(daemon_id, control)
    }

    /// Control events dropped so far because a daemon's channel was full.
    pub fn dropped_control_events(&self) -> u64 {
        self.inner.dropped_controls.load(Ordering::Relaxed)
    }

    /// Take every log line published since the last drain, in order.
    pub fn drain_logs(&self) -> Vec<LogRecord> {
        self.inner.logs.drain()
    }

    /// Ids of the registered daemons.
    pub fn daemon_ids(&self) -> Vec<u64> {
        self.inner.daemon_ids()
    }

    /// Whether `shutdown` has run.
    pub fn is_shut_down(&self) -> bool {
        self.inner.shut.load(Ordering::Acquire)
    }

    /// Stop the supervisor, end every daemon's control channel (their
    /// `next_control` returns `None`), unregister every daemon and stop the
    /// runtime. `already_shutdown` the second time.
    pub async fn shutdown(&self) -> Result<(), MeshOsError> {
        self.shutdown_now()
    }

    /// [`shutdown`](Self::shutdown) without the future (it never waits
    /// longer than a routing step in progress).
    pub fn shutdown_now(&self) -> Result<(), MeshOsError> {
        self.inner.shutdown()
    }
}

impl Drop for MeshOsDaemonSdk {
    fn drop(&mut self) {
        let _ = self.inner.shutdown();
    }
}

impl SdkInner {
    pub(crate) fn runtime(&self) -> &DaemonRuntime {
        &self.runtime
    }

    pub(crate) fn node_id(&self) -> u64 {
        self.config.this_node
    }

    pub(crate) fn is_shut(&self) -> bool {
        self.shut.load(Ordering::Acquire)
    }

    pub(crate) fn daemon_ids(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = self.daemons.lock().keys().copied().collect();
        ids.sort_unstable();
        ids
    }

    fn register(
        self: &Arc<Self>,
        daemon: Box<dyn MeshDaemon>,
        keypair: &Identity,
        config: DaemonHostConfig,
    ) -> Result<MeshOsDaemonHandle, MeshOsError> {
        if self.is_shut() {
            return Err(MeshOsError::already_shutdown("the SDK"));
        }
        let name = daemon.name().to_owned();
        if name.is_empty() {
            return Err(MeshOsError::new(MeshOsErrorKind::RegisterFailed, "a daemon's name must not be empty"));
        }
        let id = keypair.origin_hash();
        let control = Arc::new(WaitQueue::new(self.config.control_capacity));
        // The table lock is held across the spawn so a concurrent shutdown
        // cannot miss this daemon.
        let mut daemons = self.daemons.lock();
        if self.is_shut() {
            return Err(MeshOsError::already_shutdown("the SDK"));
        }
        self.runtime
            .spawn_daemon(&name, keypair, daemon, config)
            .map_err(|e| MeshOsError::new(MeshOsErrorKind::RegisterFailed, e.to_string()))?;
        daemons.insert(
            id,
            DaemonEntry {
                name: name.clone(),
                control: control.clone(),
                tags: CapabilitySet::new(),
                health: DaemonHealth::Healthy,
                saturation: 0.0,
                backpressure: false,
            },
        );
        drop(daemons);
        Ok(MeshOsDaemonHandle::new(self.clone(), id, name, control))
    }

    pub(crate) fn route_control(&self, daemon_id: u64, control: DaemonControl) -> Result<(), MeshOsError> {
        if !self.daemons.lock().contains_key(&daemon_id) {
            if self.is_shut() {
                return Err(MeshOsError::loop_closed());
            }
            return Err(MeshOsError::new(
                MeshOsErrorKind::InvalidArgument,
                format!("no daemon {daemon_id:#018x} is registered"),
            ));
        }
        let actions = self.actions.lock();
        let Some(tx) = actions.as_ref() else {
            return Err(MeshOsError::loop_closed());
        };
        tx.try_send(Action::Route(daemon_id, control)).map_err(|e| match e {
            TrySendError::Full(_) => MeshOsError::new(
                MeshOsErrorKind::QueueFull,
                format!("the action queue holds {} events", self.config.action_queue_capacity),
            ),
            TrySendError::Disconnected(_) => MeshOsError::loop_closed(),
        })
    }

    /// Hand `control` to daemon `id`: its `on_control`, then its channel.
    pub(crate) fn deliver_control(&self, id: u64, control: DaemonControl) {
        // A daemon that went away meanwhile simply misses it.
        let _ = self.runtime.with_daemon(id, |d| d.on_control(&control));
        let queue = self.daemons.lock().get(&id).map(|e| e.control.clone());
        if let Some(queue) = queue {
            if let Err(PushError::Full) = queue.push(control) {
                self.dropped_controls.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Record a tick's sample; the backpressure change it calls for.
    pub(crate) fn record_sample(&self, id: u64, health: DaemonHealth, saturation: f32) -> Option<DaemonControl> {
        let mut daemons = self.daemons.lock();
        let entry = daemons.get_mut(&id)?;
        entry.health = health;
        entry.saturation = saturation;
        let change = supervisor::backpressure_change(entry.backpressure, saturation);
        if let Some(c) = change {
            entry.backpressure = matches!(c, DaemonControl::BackpressureOn { .. });
        }
        change
    }

    pub(crate) fn publish_log(&self, record: LogRecord) -> Result<(), MeshOsError> {
        if self.is_shut() {
            return Err(MeshOsError::loop_closed());
        }
        self.logs.publish(record)
    }

    /// Set daemon `id`'s published tags and commit the node's announcement:
    /// its own base capabilities plus every daemon's tags.
    pub(crate) fn publish_capabilities(&self, id: u64, tags: CapabilitySet) -> Result<(), MeshOsError> {
        if self.is_shut() {
            return Err(MeshOsError::loop_closed());
        }
        // Checked here too, so an SDK without a mesh refuses what a mesh
        // announcement would.
        let report = crate::capabilities::validate_capabilities(&tags);
        if !report.is_valid() {
            return Err(MeshOsError::new(
                MeshOsErrorKind::InvalidArgument,
                crate::capabilities::CapabilityError::Invalid(report).to_string(),
            ));
        }
        let merged = {
            let mut daemons = self.daemons.lock();
            let entry = daemons.get_mut(&id).ok_or_else(|| MeshOsError::already_shutdown("the daemon"))?;
            let previous = std::mem::replace(&mut entry.tags, tags);
            let merged = self.merged_capabilities(&daemons);
            // Validated by the commit below; put the old tags back if the
            // announcement refuses the new set.
            (merged, previous)
        };
        let (merged, previous) = merged;
        if let Err(e) = self.commit(merged) {
            if let Some(entry) = self.daemons.lock().get_mut(&id) {
                entry.tags = previous;
            }
            return Err(e);
        }
        Ok(())
    }

    fn merged_capabilities(&self, daemons: &HashMap<u64, DaemonEntry>) -> CapabilitySet {
        let mut merged = self.base_caps.clone();
        for entry in daemons.values() {
            for tag in entry.tags.tags() {
                merged.insert_tag(tag.clone());
            }
        }
        merged
    }

    fn commit(&self, caps: CapabilitySet) -> Result<(), MeshOsError> {
        self.dispatcher.announce(caps)
    }

    /// Unregister daemon `id`: stop it, end its channel, withdraw its tags.
    pub(crate) fn unregister(&self, id: u64) {
        let removed = self.daemons.lock().remove(&id);
        let _ = self.runtime.stop(id);
        if let Some(entry) = removed {
            entry.control.close();
            if !entry.tags.is_empty() && !self.is_shut() {
                let merged = self.merged_capabilities(&self.daemons.lock());
                let _ = self.commit(merged);
            }
        }
    }

    pub(crate) fn metadata(&self, id: u64) -> Result<MetadataView, MeshOsError> {
        let (daemon_name, health, saturation, capabilities) = {
            let daemons = self.daemons.lock();
            let entry = daemons.get(&id).ok_or_else(|| MeshOsError::already_shutdown("the daemon"))?;
            let tags = entry.tags.tags().iter().map(|t| t.as_str().to_owned()).collect();
            (entry.name.clone(), entry.health, entry.saturation, tags)
        };
        Ok(MetadataView {
            node_id: self.node_id(),
            daemon_id: id,
            daemon_name,
            health,
            saturation,
            maintenance_state: MaintenanceState::Active,
            capabilities,
            peers: self.dispatcher.peers(),
        })
    }

    fn shutdown(&self) -> Result<(), MeshOsError> {
        if self.shut.swap(true, Ordering::AcqRel) {
            return Err(MeshOsError::already_shutdown("the SDK"));
        }
        // Dropping the sender ends the supervisor's loop after the routing
        // step in progress.
        self.actions.lock().take();
        let thread = self.supervisor.lock().take();
        if let Some(t) = thread {
            if t.thread().id() != std::thread::current().id() && t.join().is_err() {
                return Err(MeshOsError::new(MeshOsErrorKind::ShutdownFailed, "the supervisor thread panicked"));
            }
        }
        let entries: Vec<DaemonEntry> = self.daemons.lock().drain().map(|(_, e)| e).collect();
        for entry in &entries {
            entry.control.close();
        }
        self.logs.close();
        if entries.iter().any(|e| !e.tags.is_empty()) {
            let _ = self.commit(self.base_caps.clone());
        }
        futures::executor::block_on(self.runtime.shutdown())
            .map_err(|e| MeshOsError::new(MeshOsErrorKind::ShutdownFailed, e.to_string()))
    }
}
