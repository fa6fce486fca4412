//! `DaemonRuntime` and `DaemonHandle`: the core's compute runtime, whose
//! daemons are JS objects reached through `DaemonPort`s.
//!
//! The core builds a daemon through the factory registered for its kind.
//! A JS factory may be async, so the SDK calls it first and hands the
//! daemon over in a port; the core factory registered for a JS kind takes
//! it from the runtime's hand-over slot. Spawns of one runtime take turns
//! (one lock), so a slot always holds the daemon of the spawn in progress.
//!
//! Calls that wait on a JS callback (`deliver`, `snapshot`,
//! `spawnFromSnapshot`, which restores) run on the blocking pool of the
//! core's runtime, never on the JS thread: the JS thread must stay free to
//! answer them. A live daemon's deliveries and snapshots go through its
//! `Lane`, so they run in the order JS made them.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use napi::bindgen_prelude::{BigInt, Buffer, ClassInstance, Env};
use napi::JsObject;
use napi_derive::napi;
use net_sdk::capabilities::CapabilitySet;
use net_sdk::compute::{self, ComputeDaemonError, DaemonFactory, MeshDaemon};
use parking_lot::Mutex;

use crate::capabilities::caps_of;
use crate::compute_packed::{pack_outputs, unpack_events, JsPackedEvents};
use crate::compute_config::{JsCausalEvent, JsDaemonHostConfig, JsDaemonStats};
use crate::compute_error::daemon_fail;
use crate::compute_lane::Lane;
use crate::compute_port::{DaemonPort, PortShared};
use crate::error::{error, Result};
use crate::identity::{u64_of, Identity};
use crate::mesh::MeshNode;
use crate::promise;

type Slot = Arc<Mutex<Option<Box<dyn MeshDaemon>>>>;

/// The core factory of a JS kind: the daemon the current spawn handed over.
struct SlotFactory(Slot);

impl DaemonFactory for SlotFactory {
    fn create(&self) -> std::result::Result<Box<dyn MeshDaemon>, ComputeDaemonError> {
        self.0.lock().take().ok_or_else(|| {
            ComputeDaemonError::Core("a JS daemon kind is built only by DaemonRuntime.spawn with its daemon".into())
        })
    }
}

/// A live daemon's port state and its lane of ordered calls.
#[derive(Clone)]
struct Entry {
    port: Arc<PortShared>,
    lane: Arc<Lane>,
}

/// Per origin: the daemons spawned through a port.
type PortTable = Arc<Mutex<HashMap<u64, Entry>>>;

/// The compute runtime of one node (or of none: `DaemonRuntime.local`).
/// Clones share everything (a MeshOS SDK's `runtime()` is one).
#[napi]
#[derive(Clone)]
pub struct DaemonRuntime {
    rt: compute::DaemonRuntime,
    slot: Slot,
    spawn_turn: Arc<Mutex<()>>,
    ports: PortTable,
}

/// A spawned daemon: its identity and its counters.
#[napi]
pub struct DaemonHandle {
    handle: compute::DaemonHandle,
}

pub(crate) fn wrap(rt: compute::DaemonRuntime) -> DaemonRuntime {
    DaemonRuntime { rt, slot: Slot::default(), spawn_turn: Arc::default(), ports: PortTable::default() }
}

/// Counts one queued call on a port, from when JS makes it until it has
/// run: while any is counted, the port waits for the next call instead
/// of going back to the event loop between two of them.
struct Queued(Arc<PortShared>);

impl Queued {
    fn enter(port: &Arc<PortShared>) -> Self {
        port.batches.fetch_add(1, Ordering::SeqCst);
        Queued(port.clone())
    }
}

impl Drop for Queued {
    fn drop(&mut self) {
        self.0.batches.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Run `work` on the blocking pool (it may wait on a JS callback).
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> std::result::Result<T, ComputeDaemonError> + Send + 'static,
) -> Result<T> {
    match tokio::task::spawn_blocking(work).await {
        Ok(r) => r.map_err(daemon_fail),
        Err(e) => Err(error("runtime_panic", format!("daemon call panicked: {e}"))),
    }
}

#[napi]
impl DaemonRuntime {
    /// A runtime on `mesh`: spawns check the capabilities the mesh
    /// announces for this node. Shutting the runtime down leaves the mesh.
    #[napi(factory)]
    pub fn create(mesh: &MeshNode) -> Self {
        wrap(compute::DaemonRuntime::new(Arc::new(mesh.mesh().clone())))
    }

    /// A runtime without a mesh; `capabilities` (capability-set JSON, none
    /// by default) stand for the local node's.
    #[napi(factory)]
    pub fn local(capabilities: Option<String>) -> Result<Self> {
        let caps = capabilities.as_deref().map(caps_of).transpose()?.unwrap_or_else(CapabilitySet::new);
        Ok(wrap(compute::DaemonRuntime::local(caps)))
    }

    /// Register the JS kind `kind` (its factory lives in JS). Throws
    /// `factory-already-registered`, or `shutting-down` after `shutdown`.
    #[napi]
    pub fn register_factory(&self, kind: String) -> Result<()> {
        self.rt.register_factory_arc(&kind, Arc::new(SlotFactory(self.slot.clone()))).map_err(daemon_fail)
    }

    /// Flip to Ready (a no-op when ready); rejects `shutting-down`.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn start(&self, env: Env) -> Result<JsObject> {
        let rt = self.rt.clone();
        promise::spawn(&env, async move { rt.start().await.map_err(daemon_fail) }, |_, ()| Ok(()))
    }

    /// Stop every daemon and refuse further work; idempotent.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn shutdown(&self, env: Env) -> Result<JsObject> {
        let (rt, ports) = (self.rt.clone(), self.ports.clone());
        let work = async move {
            rt.shutdown().await.map_err(daemon_fail)?;
            ports.lock().clear();
            Ok(())
        };
        promise::spawn(&env, work, |_, ()| Ok(()))
    }

    /// Whether the runtime is Ready.
    #[napi]
    pub fn is_ready(&self) -> bool {
        self.rt.is_ready()
    }

    /// Live daemons.
    #[napi]
    pub fn daemon_count(&self) -> u32 {
        self.rt.daemon_count() as u32
    }

    /// Spawn a daemon of `kind` under `identity`, served by `port` (null:
    /// none, for a kind with no JS factory, which the core refuses).
    #[napi(ts_return_type = "Promise<DaemonHandle>")]
    pub fn spawn(
        &self,
        env: Env,
        kind: String,
        identity: &Identity,
        port: Option<ClassInstance<DaemonPort>>,
        config: Option<JsDaemonHostConfig>,
    ) -> Result<JsObject> {
        self.spawn_with(env, kind, identity, None, port, config)
    }

    /// Spawn a daemon of `kind` from snapshot bytes (`snapshot()`'s):
    /// `restore` gets the state before any event. Rejects
    /// `snapshot-decode` / `snapshot-mismatch` for bytes that do not parse
    /// or were taken of another identity or kind.
    #[napi(ts_return_type = "Promise<DaemonHandle>")]
    pub fn spawn_from_snapshot(
        &self,
        env: Env,
        kind: String,
        identity: &Identity,
        snapshot: Buffer,
        port: Option<ClassInstance<DaemonPort>>,
        config: Option<JsDaemonHostConfig>,
    ) -> Result<JsObject> {
        self.spawn_with(env, kind, identity, Some(snapshot.to_vec()), port, config)
    }

    /// Hand `event` to daemon `originHash`; resolves to its outputs.
    /// Rejects `daemon-not-found`, the callback's failure
    /// (`callback-failed`, counted in `errors`), `callback-timeout`, or
    /// `reentrant-call` when made from inside that daemon's own callback.
    #[napi(ts_return_type = "Promise<Buffer[]>")]
    pub fn deliver(&self, env: Env, origin_hash: BigInt, event: JsCausalEvent) -> Result<JsObject> {
        let origin = u64_of(&origin_hash, "originHash")?;
        let event = event.to_core()?;
        let rt = self.rt.clone();
        self.on_lane(&env, origin, move || rt.deliver_payloads(origin, &event), |_, outs| {
            Ok(outs.into_iter().map(|b| Buffer::from(b.to_vec())).collect::<Vec<_>>())
        })
    }

    /// Hand each of `events` (packed: see `compute_packed`) to daemon
    /// `originHash` in order, as one call; resolves to each event's outputs,
    /// packed. The first failure rejects (the events before it were
    /// processed).
    #[napi(ts_return_type = "Promise<JsPackedOutputs>")]
    pub fn deliver_many(&self, env: Env, origin_hash: BigInt, events: JsPackedEvents) -> Result<JsObject> {
        let origin = u64_of(&origin_hash, "originHash")?;
        let events = unpack_events(&events)?;
        let rt = self.rt.clone();
        // One runtime call and one crossing to the JS thread for the batch;
        // the first failure rejects the whole call.
        let work = move || {
            let batch = rt.deliver_batch(origin, &events)?;
            match batch.error {
                Some(e) => Err(e),
                None => Ok(batch.outputs.into_iter().map(|out| out.into_iter().map(|e| e.payload).collect()).collect::<Vec<Vec<bytes::Bytes>>>()),
            }
        };
        self.on_lane(&env, origin, work, |_, all: Vec<Vec<bytes::Bytes>>| Ok(pack_outputs(&all)))
    }

    /// The snapshot bytes of daemon `originHash` now (`null`: stateless).
    #[napi(ts_return_type = "Promise<Buffer | null>")]
    pub fn snapshot(&self, env: Env, origin_hash: BigInt) -> Result<JsObject> {
        let origin = u64_of(&origin_hash, "originHash")?;
        let rt = self.rt.clone();
        self.on_lane(&env, origin, move || rt.snapshot(origin), |_, s| Ok(s.map(|s| Buffer::from(s.to_bytes()))))
    }

    /// Stop daemon `originHash`. Rejects `daemon-not-found`, `not-ready`.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn stop(&self, env: Env, origin_hash: BigInt) -> Result<JsObject> {
        let origin = u64_of(&origin_hash, "originHash")?;
        let (rt, ports) = (self.rt.clone(), self.ports.clone());
        let work = async move {
            rt.stop(origin).map_err(daemon_fail)?;
            ports.lock().remove(&origin);
            Ok(())
        };
        promise::spawn(&env, work, |_, ()| Ok(()))
    }
}

impl DaemonRuntime {
    /// Give daemon `origin`, registered by other means than `spawn` (the
    /// MeshOS SDK), its lane and re-entry guard.
    pub(crate) fn adopt(&self, origin: u64, port: Arc<PortShared>) {
        self.ports.lock().insert(origin, Entry { port, lane: Arc::default() });
    }

    /// Forget daemon `origin`'s lane (it was unregistered).
    pub(crate) fn forget(&self, origin: u64) {
        self.ports.lock().remove(&origin);
    }

    /// The core refuses a delivery from inside the same daemon's
    /// `process`, but a JS callback runs on another thread than the
    /// delivery it serves, so the core cannot see it: the port's flag
    /// says JS is inside that daemon's callback now, and `deliver` is only
    /// ever called on the JS thread.
    fn refuse_reentry(&self, origin: u64) -> Result<()> {
        let inside = self.ports.lock().get(&origin).is_some_and(|e| e.port.busy.load(Ordering::Acquire));
        if inside {
            return Err(daemon_fail(ComputeDaemonError::Reentrant(format!(
                "call to daemon {origin:#018x} from inside its own callback"
            ))));
        }
        Ok(())
    }

    /// Run a call of daemon `origin` in its lane; an origin with no lane
    /// (unknown, stopped) goes straight to the blocking pool, where the
    /// core reports it.
    fn on_lane<T, D, C>(
        &self,
        env: &Env,
        origin: u64,
        work: impl FnOnce() -> std::result::Result<T, ComputeDaemonError> + Send + 'static,
        to_js: C,
    ) -> Result<JsObject>
    where
        T: Send + 'static,
        D: napi::bindgen_prelude::ToNapiValue + 'static,
        C: FnOnce(Env, T) -> Result<D> + Send + 'static,
    {
        self.refuse_reentry(origin)?;
        let entry = self.ports.lock().get(&origin).cloned();
        match entry {
            Some(e) => {
                let queued = Queued::enter(&e.port);
                e.lane.run(
                    env,
                    move || {
                        let _queued = queued;
                        work().map_err(daemon_fail)
                    },
                    to_js,
                )
            }
            None => promise::spawn(env, blocking(work), to_js),
        }
    }

    fn spawn_with(
        &self,
        env: Env,
        kind: String,
        identity: &Identity,
        snapshot: Option<Vec<u8>>,
        port: Option<ClassInstance<DaemonPort>>,
        config: Option<JsDaemonHostConfig>,
    ) -> Result<JsObject> {
        let config = JsDaemonHostConfig::to_core(config)?;
        let (daemon, shared) = match port {
            Some(mut p) => (Some(p.take_daemon()?), Some(p.shared())),
            None => (None, None),
        };
        let (rt, slot, turn, ports) = (self.rt.clone(), self.slot.clone(), self.spawn_turn.clone(), self.ports.clone());
        let identity = identity.core().clone();
        let work = blocking(move || {
            let _turn = turn.lock();
            *slot.lock() = daemon.map(|d| Box::new(d) as Box<dyn MeshDaemon>);
            // The core's spawns never wait on anything but the daemon's
            // own restore, which this (blocking) thread may wait for.
            let spawned = futures::executor::block_on(async {
                match &snapshot {
                    Some(bytes) => rt.spawn_from_snapshot_bytes(&kind, identity, bytes, config).await,
                    None => rt.spawn(&kind, identity, config).await,
                }
            });
            // A spawn refused before its factory ran leaves the daemon here.
            slot.lock().take();
            let handle = spawned?;
            if let Some(port) = shared {
                ports.lock().insert(handle.origin_hash, Entry { port, lane: Arc::default() });
            }
            Ok(handle)
        });
        promise::spawn(&env, work, |_, handle| Ok(DaemonHandle { handle }))
    }
}

#[napi]
impl DaemonHandle {
    /// The daemon's 64-bit origin hash (its key in the runtime).
    #[napi(getter)]
    pub fn origin_hash(&self) -> BigInt {
        BigInt::from(self.handle.origin_hash)
    }

    /// The daemon's 32-byte entity id (its identity's public key).
    #[napi(getter)]
    pub fn entity_id(&self) -> Buffer {
        self.handle.entity_id.as_bytes().to_vec().into()
    }

    /// Its counters; throws `daemon-not-found` once it was stopped.
    #[napi]
    pub fn stats(&self) -> Result<JsDaemonStats> {
        self.handle.stats().map(JsDaemonStats::from).map_err(daemon_fail)
    }
}
