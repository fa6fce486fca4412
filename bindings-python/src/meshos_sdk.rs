//! `MeshOsDaemonSdk`: the core's MeshOS daemon SDK hosting Python daemons.
//!
//! A daemon is the same Python class a `DaemonRuntime` hosts, with three
//! optional supervision methods: `on_control(control)`, `health()`
//! ("healthy", "degraded" or "unhealthy") and `saturation()` (0 to 1). The
//! SDK's supervisor thread calls them through the daemon's own serving
//! thread (`compute_daemon`), so they are bounded by the daemon's
//! `callback_timeout_ms` like `process`.

use std::sync::Arc;
use std::time::Duration;

use net_sdk::meshos::{self, MeshOsConfig};
use pyo3::prelude::*;

use crate::aio;
use crate::compute_control::DaemonControl;
use crate::compute_daemon::foreign_daemon;
use crate::compute_records::DaemonHostConfig;
use crate::compute_runtime::DaemonRuntime;
use crate::errors::meshos_error;
use crate::identity::Identity;
use crate::mesh_node::MeshNode;
use crate::meshos_handle::MeshOsDaemonHandle;
use crate::meshos_log::LogRecord;
use crate::records::py_bool;

fn config(
    this_node: u64,
    tick_interval_ms: u64,
    event_queue_capacity: usize,
    action_queue_capacity: usize,
    control_capacity: usize,
) -> MeshOsConfig {
    // Zero fields take the core's defaults (`with_defaults`).
    MeshOsConfig {
        this_node,
        tick_interval: Duration::from_millis(tick_interval_ms),
        event_queue_capacity,
        action_queue_capacity,
        control_capacity,
    }
}

/// The MeshOS daemon SDK: register daemons, route control events to them,
/// drain their logs. Its runtime (`runtime()`) delivers events to them.
#[pyclass(frozen, module = "net_sdk._native")]
pub struct MeshOsDaemonSdk {
    // Shared with a pending `shutdown_async`; dropping the last one shuts
    // the SDK down (the core's `Drop`).
    sdk: Arc<meshos::MeshOsDaemonSdk>,
}

impl Drop for MeshOsDaemonSdk {
    /// The core's shutdown joins the supervisor thread, which may be in a
    /// daemon's callback waiting for the GIL this thread holds (a drop
    /// runs with it): shut down with the GIL released, or the join would
    /// last the callback's whole timeout.
    fn drop(&mut self) {
        let sdk = &self.sdk;
        Python::with_gil(|py| {
            py.allow_threads(|| {
                let _ = sdk.shutdown_now();
            })
        });
    }
}

#[pymethods]
impl MeshOsDaemonSdk {
    /// An SDK without a mesh. Every setting left 0 takes its default
    /// (tick 500 ms, log ring 1024, action queue 1024, control channel 8).
    #[staticmethod]
    #[pyo3(signature = (*, this_node=0, tick_interval_ms=0, event_queue_capacity=0, action_queue_capacity=0, control_capacity=0))]
    fn start(
        this_node: u64,
        tick_interval_ms: u64,
        event_queue_capacity: usize,
        action_queue_capacity: usize,
        control_capacity: usize,
    ) -> Self {
        let cfg = config(this_node, tick_interval_ms, event_queue_capacity, action_queue_capacity, control_capacity);
        Self { sdk: Arc::new(meshos::MeshOsDaemonSdk::start(cfg, Arc::new(meshos::LocalDispatcher::new()))) }
    }

    /// An SDK on `mesh`: required capabilities are checked against what
    /// the node announces, published tags join its announcement, and
    /// metadata lists its peers (`this_node` 0: the mesh's node id).
    #[staticmethod]
    #[pyo3(signature = (mesh, *, this_node=0, tick_interval_ms=0, event_queue_capacity=0, action_queue_capacity=0, control_capacity=0))]
    fn start_on_mesh(
        mesh: &Bound<'_, MeshNode>,
        this_node: u64,
        tick_interval_ms: u64,
        event_queue_capacity: usize,
        action_queue_capacity: usize,
        control_capacity: usize,
    ) -> PyResult<Self> {
        let mesh = mesh.get().live_mesh()?.clone();
        let cfg = config(this_node, tick_interval_ms, event_queue_capacity, action_queue_capacity, control_capacity);
        Ok(Self { sdk: Arc::new(meshos::MeshOsDaemonSdk::start(cfg, Arc::new(mesh))) })
    }

    /// The runtime hosting the daemons: `deliver(handle.daemon_id, event)`,
    /// `snapshot`, ...
    fn runtime(&self) -> DaemonRuntime {
        DaemonRuntime::from_core(self.sdk.runtime().clone())
    }

    /// Register the Python object `daemon` under `identity` (its id is the
    /// identity's origin hash); its name is its `name` attribute, else its
    /// class name. `MeshOsError` `register_failed` for an identity already
    /// registered or a capability the node lacks; `TypeError` for an
    /// object without `process`.
    #[pyo3(signature = (daemon, identity, config=None))]
    fn register_daemon(
        &self,
        py: Python<'_>,
        daemon: &Bound<'_, PyAny>,
        identity: &Bound<'_, Identity>,
        config: Option<&Bound<'_, DaemonHostConfig>>,
    ) -> PyResult<MeshOsDaemonHandle> {
        let class = daemon.get_type().name()?.to_string();
        let hosted = foreign_daemon(daemon, &class)?;
        let (id, cfg) = (identity.get().core().clone(), config.map(|c| c.get().inner).unwrap_or_default());
        let handle = py.allow_threads(|| self.sdk.register_daemon_with(hosted, id, cfg)).map_err(meshos_error)?;
        Ok(MeshOsDaemonHandle::new(handle))
    }

    /// Queue `control` for daemon `daemon_id`: the supervisor calls its
    /// `on_control`, then puts it on its channel. `MeshOsError`
    /// `invalid_argument` (unknown daemon), `queue_full`, `loop_closed`.
    fn route_control(&self, daemon_id: u64, control: &Bound<'_, DaemonControl>) -> PyResult<()> {
        self.sdk.route_control(daemon_id, control.get().inner).map_err(meshos_error)
    }

    /// Control events dropped because a daemon's channel was full.
    fn dropped_control_events(&self) -> u64 {
        self.sdk.dropped_control_events()
    }

    /// Every log line published since the last drain, in order.
    fn drain_logs(&self) -> Vec<LogRecord> {
        self.sdk.drain_logs().into_iter().map(LogRecord::from).collect()
    }

    /// Ids of the registered daemons.
    fn daemon_ids(&self) -> Vec<u64> {
        self.sdk.daemon_ids()
    }

    fn is_shut_down(&self) -> bool {
        self.sdk.is_shut_down()
    }

    /// Stop the supervisor, end every control channel, unregister every
    /// daemon. `MeshOsError` `already_shutdown` the second time.
    fn shutdown(&self, py: Python<'_>) -> PyResult<()> {
        py.allow_threads(|| self.sdk.shutdown_now()).map_err(meshos_error)
    }

    fn shutdown_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let sdk = self.sdk.clone();
        let work = async move { tokio::task::spawn_blocking(move || sdk.shutdown_now()).await };
        aio::spawn(
            py,
            work,
            |py, r| match r {
                Ok(done) => done.map(|()| py.None()).map_err(meshos_error),
                Err(e) => Err(pyo3::exceptions::PyRuntimeError::new_err(e.to_string())),
            },
            drop,
        )
    }

    fn __repr__(&self) -> String {
        format!("MeshOsDaemonSdk(daemons={}, shut_down={})", self.sdk.daemon_ids().len(), py_bool(self.sdk.is_shut_down()))
    }
}
