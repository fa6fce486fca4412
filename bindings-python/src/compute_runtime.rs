//! `DaemonRuntime`: the core's compute runtime, hosting Python daemons.
//!
//! Every call that may wait on a daemon (spawn and spawn from a snapshot
//! call the factory and `restore`; deliver, snapshot) releases the GIL, so
//! the daemon's own thread can take it to run the callback. Each has an
//! `_async` form that runs the same core call on a blocking-pool thread
//! (it waits on a daemon, so never on a runtime worker) and resolves an
//! asyncio future.

use std::sync::Arc;

use bytes::Bytes;
use futures::executor::block_on;
use net_sdk::compute::{self, ComputeDaemonError};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};

use crate::aio;
use crate::capability_json::caps_or_tags;
use crate::compute_daemon::PyFactory;
use crate::compute_handle::DaemonHandle;
use crate::compute_records::{CausalEvent, DaemonHostConfig};
use crate::errors::raise;
use crate::identity::Identity;
use crate::mesh_node::MeshNode;
use crate::records::py_bool;

type Outcome<T> = Result<T, ComputeDaemonError>;

/// `payloads` as a list of `bytes`.
fn payload_list<'py>(py: Python<'py>, payloads: &[Bytes]) -> PyResult<Bound<'py, PyList>> {
    PyList::new(py, payloads.iter().map(|p| PyBytes::new(py, p)))
}

/// Run `work` on a blocking-pool thread; an asyncio future of `convert`
/// of its result, or of the typed exception of its error.
fn offload<'py, T, W, C>(py: Python<'py>, work: W, convert: C) -> PyResult<Bound<'py, PyAny>>
where
    T: Send + 'static,
    W: FnOnce() -> Outcome<T> + Send + 'static,
    C: FnOnce(Python<'_>, T) -> PyResult<PyObject> + Send + 'static,
{
    let run = async move {
        tokio::task::spawn_blocking(work).await.unwrap_or_else(|e| Err(ComputeDaemonError::Panicked(e.to_string())))
    };
    aio::spawn(py, run, |py, out| out.map_err(raise).and_then(|t| convert(py, t)), drop)
}

fn none(py: Python<'_>, (): ()) -> PyResult<PyObject> {
    Ok(py.None())
}

fn config_of(config: Option<&Bound<'_, DaemonHostConfig>>) -> compute::DaemonHostConfig {
    config.map(|c| c.get().inner).unwrap_or_default()
}

fn events_of(events: &Bound<'_, PyAny>) -> PyResult<Vec<compute::CausalEvent>> {
    let iter = events.try_iter().map_err(|_| PyTypeError::new_err("events must be a list of CausalEvent"))?;
    iter.map(|item| Ok(item?.downcast::<CausalEvent>()?.get().inner.clone())).collect()
}

/// Hosts daemons written in Python: register factories, `start`, then
/// spawn, deliver, snapshot and stop. Build one with `DaemonRuntime.local`
/// (no mesh; the given capabilities stand for the node's) or
/// `DaemonRuntime.create(mesh)` (the node's announced capabilities).
#[pyclass(frozen, module = "net_sdk._native")]
pub struct DaemonRuntime {
    rt: compute::DaemonRuntime,
}

impl DaemonRuntime {
    /// The Python face of a runtime the core made (the MeshOS SDK's).
    pub(crate) fn from_core(rt: compute::DaemonRuntime) -> Self {
        Self { rt }
    }
}

#[pymethods]
impl DaemonRuntime {
    /// A runtime without a mesh; `capabilities` (a capability set, or a
    /// list of tags) stand for the local node's, checked at spawn.
    #[staticmethod]
    #[pyo3(signature = (capabilities=None))]
    fn local(capabilities: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let caps = match capabilities.filter(|c| !c.is_none()) {
            Some(c) => caps_or_tags(c)?.0,
            None => net_sdk::capabilities::CapabilitySet::new(),
        };
        Ok(Self { rt: compute::DaemonRuntime::local(caps) })
    }

    /// A runtime on `mesh`: spawns check what the node announces
    /// (`announce_capabilities`). Shutting the runtime down leaves the
    /// mesh running.
    #[staticmethod]
    fn create(mesh: &Bound<'_, MeshNode>) -> PyResult<Self> {
        let mesh = mesh.get().live_mesh()?.clone();
        Ok(Self { rt: compute::DaemonRuntime::new(Arc::new(mesh)) })
    }

    /// Register `factory` (a daemon class, or any callable returning a
    /// daemon) under `kind`. A daemon has `process(event) -> list[bytes]`
    /// and optionally `snapshot() -> bytes | None`, `restore(state)`,
    /// `name`, `required_capabilities` and `optional_capabilities`.
    fn register_factory(&self, kind: &str, factory: &Bound<'_, PyAny>) -> PyResult<()> {
        if !factory.is_callable() {
            return Err(PyTypeError::new_err("factory must be callable (a daemon class, or a function returning a daemon)"));
        }
        self.rt.register_factory_arc(kind, Arc::new(PyFactory::new(kind, factory.clone().unbind()))).map_err(raise)
    }

    /// Accept spawns and deliveries (a no-op when started).
    fn start(&self, py: Python<'_>) -> PyResult<()> {
        py.allow_threads(|| block_on(self.rt.start())).map_err(raise)
    }

    fn start_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let rt = self.rt.clone();
        offload(py, move || block_on(rt.start()), none)
    }

    /// Stop every daemon, drop every factory, refuse further work.
    fn shutdown(&self, py: Python<'_>) -> PyResult<()> {
        py.allow_threads(|| block_on(self.rt.shutdown())).map_err(raise)
    }

    fn shutdown_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let rt = self.rt.clone();
        offload(py, move || block_on(rt.shutdown()), none)
    }

    /// Started and not shut down.
    fn is_ready(&self) -> bool {
        self.rt.is_ready()
    }

    /// Live daemons.
    fn daemon_count(&self) -> usize {
        self.rt.daemon_count()
    }

    /// Origin hashes of the live daemons.
    fn origins(&self) -> Vec<u64> {
        self.rt.origins()
    }

    /// Spawn a daemon of `kind` under `identity` (its origin hash is the
    /// identity's). `DaemonError` kinds: `not-ready`, `factory-not-found`,
    /// `missing-capabilities`, `already-running`, `callback-failed` (the
    /// factory raised).
    #[pyo3(signature = (kind, identity, config=None))]
    fn spawn(
        &self,
        py: Python<'_>,
        kind: &str,
        identity: &Bound<'_, Identity>,
        config: Option<&Bound<'_, DaemonHostConfig>>,
    ) -> PyResult<DaemonHandle> {
        let (id, cfg) = (identity.get().core().clone(), config_of(config));
        py.allow_threads(|| block_on(self.rt.spawn(kind, id, cfg))).map(DaemonHandle::from).map_err(raise)
    }

    #[pyo3(signature = (kind, identity, config=None))]
    fn spawn_async<'py>(
        &self,
        py: Python<'py>,
        kind: String,
        identity: &Bound<'_, Identity>,
        config: Option<&Bound<'_, DaemonHostConfig>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (rt, id, cfg) = (self.rt.clone(), identity.get().core().clone(), config_of(config));
        offload(py, move || block_on(rt.spawn(&kind, id, cfg)), |py, h| Ok(Py::new(py, DaemonHandle::from(h))?.into_any()))
    }

    /// Spawn a daemon of `kind` from snapshot bytes (`snapshot`'s result):
    /// its `restore` gets the state before any event, and its chain goes on
    /// from the snapshot. Kinds: `snapshot-decode`, `snapshot-mismatch`
    /// (another identity or kind), `state-failed` (`restore` raised), and
    /// those of `spawn`.
    #[pyo3(signature = (kind, identity, snapshot, config=None))]
    fn spawn_from_snapshot(
        &self,
        py: Python<'_>,
        kind: &str,
        identity: &Bound<'_, Identity>,
        snapshot: &[u8],
        config: Option<&Bound<'_, DaemonHostConfig>>,
    ) -> PyResult<DaemonHandle> {
        let (id, cfg) = (identity.get().core().clone(), config_of(config));
        py.allow_threads(|| block_on(self.rt.spawn_from_snapshot_bytes(kind, id, snapshot, cfg)))
            .map(DaemonHandle::from)
            .map_err(raise)
    }

    #[pyo3(signature = (kind, identity, snapshot, config=None))]
    fn spawn_from_snapshot_async<'py>(
        &self,
        py: Python<'py>,
        kind: String,
        identity: &Bound<'_, Identity>,
        snapshot: Vec<u8>,
        config: Option<&Bound<'_, DaemonHostConfig>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (rt, id, cfg) = (self.rt.clone(), identity.get().core().clone(), config_of(config));
        let work = move || block_on(rt.spawn_from_snapshot_bytes(&kind, id, &snapshot, cfg));
        offload(py, work, |py, h| Ok(Py::new(py, DaemonHandle::from(h))?.into_any()))
    }

    /// Hand `event` to daemon `origin_hash`; its outputs' payloads. A
    /// `process` that raises is counted in the daemon's `errors` and
    /// raised as `DaemonError` (`callback-failed`); the daemon stays.
    /// Kinds: `daemon-not-found`, `callback-timeout`, `reentrant-call`.
    fn deliver<'py>(&self, py: Python<'py>, origin_hash: u64, event: &Bound<'_, CausalEvent>) -> PyResult<Bound<'py, PyList>> {
        let ev = &event.get().inner;
        let out = py.allow_threads(|| self.rt.deliver_payloads(origin_hash, ev)).map_err(raise)?;
        payload_list(py, &out)
    }

    fn deliver_async<'py>(&self, py: Python<'py>, origin_hash: u64, event: &Bound<'_, CausalEvent>) -> PyResult<Bound<'py, PyAny>> {
        let (rt, ev) = (self.rt.clone(), event.get().inner.clone());
        offload(py, move || rt.deliver_payloads(origin_hash, &ev), |py, out| Ok(payload_list(py, &out)?.into_any().unbind()))
    }

    /// `deliver` of each event in order, with one release of the GIL and
    /// one crossing to the daemon's thread for all (the runtime's batch
    /// delivery): a list of output lists. Stops at the first failure and
    /// raises it; the raised `DaemonError`'s `outputs` holds the outputs of
    /// the events before it (those were processed).
    fn deliver_batch<'py>(&self, py: Python<'py>, origin_hash: u64, events: &Bound<'_, PyAny>) -> PyResult<Bound<'py, PyList>> {
        let events = events_of(events)?;
        // One call into the runtime, one crossing to the daemon's thread.
        let batch = py.allow_threads(|| self.rt.deliver_batch(origin_hash, &events)).map_err(raise)?;
        let done: Vec<Vec<Bytes>> =
            batch.outputs.into_iter().map(|out| out.into_iter().map(|e| e.payload).collect()).collect();
        let failed = batch.error;
        let outputs = PyList::new(py, done.iter().map(|out| payload_list(py, out)).collect::<PyResult<Vec<_>>>()?)?;
        match failed {
            None => Ok(outputs),
            Some(e) => {
                let err = raise(e);
                err.value(py).setattr("outputs", outputs)?;
                Err(err)
            }
        }
    }

    /// Snapshot bytes of daemon `origin_hash` now (for
    /// `spawn_from_snapshot`); None when it is stateless (no `snapshot`
    /// method, or it returned None).
    fn snapshot<'py>(&self, py: Python<'py>, origin_hash: u64) -> PyResult<Option<Bound<'py, PyBytes>>> {
        let snap = py.allow_threads(|| self.rt.snapshot(origin_hash).map(|s| s.map(|s| s.to_bytes()))).map_err(raise)?;
        Ok(snap.map(|b| PyBytes::new(py, &b)))
    }

    fn snapshot_async<'py>(&self, py: Python<'py>, origin_hash: u64) -> PyResult<Bound<'py, PyAny>> {
        let rt = self.rt.clone();
        let work = move || rt.snapshot(origin_hash).map(|s| s.map(|s| s.to_bytes()));
        offload(py, work, |py, snap| Ok(snap.map_or_else(|| py.None(), |b| PyBytes::new(py, &b).into_any().unbind())))
    }

    /// Stop daemon `origin_hash` and drop it (`daemon-not-found` when no
    /// such daemon runs).
    fn stop(&self, py: Python<'_>, origin_hash: u64) -> PyResult<()> {
        py.allow_threads(|| self.rt.stop(origin_hash)).map_err(raise)
    }

    fn stop_async<'py>(&self, py: Python<'py>, origin_hash: u64) -> PyResult<Bound<'py, PyAny>> {
        let rt = self.rt.clone();
        offload(py, move || rt.stop(origin_hash), none)
    }

    fn __repr__(&self) -> String {
        format!("DaemonRuntime(ready={}, daemons={})", py_bool(self.rt.is_ready()), self.rt.daemon_count())
    }
}
