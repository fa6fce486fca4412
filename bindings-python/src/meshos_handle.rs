//! `MeshOsDaemonHandle`: a registered daemon's side of the MeshOS SDK —
//! its control channel, log line, metadata, capability tags and graceful
//! shutdown. Waits release the GIL; each has an `_async` form.

use std::sync::Arc;
use std::time::Duration;

use net_sdk::meshos;
use pyo3::prelude::*;

use crate::aio;
use crate::blocking::wait_here;
use crate::capability_json::{caps_or_tags, to_py};
use crate::compute_control::DaemonControl;
use crate::errors::meshos_error;
use crate::meshos_log::level_arg;
use crate::records::py_bool;

/// A registered daemon's handle. After `graceful_shutdown` every call
/// raises `MeshOsError` `already_shutdown`; dropping a handle that was not
/// shut down unregisters the daemon.
#[pyclass(frozen, module = "net_sdk._native")]
pub struct MeshOsDaemonHandle {
    inner: Arc<meshos::MeshOsDaemonHandle>,
}

impl MeshOsDaemonHandle {
    pub(crate) fn new(inner: meshos::MeshOsDaemonHandle) -> Self {
        Self { inner: Arc::new(inner) }
    }
}

fn control(py: Python<'_>, c: Option<net_sdk::compute::DaemonControl>) -> PyResult<PyObject> {
    match c {
        Some(c) => Ok(Py::new(py, DaemonControl::from(c))?.into_any()),
        None => Ok(py.None()),
    }
}

/// The next control event, at most `timeout` seconds (None: no bound).
async fn next(h: Arc<meshos::MeshOsDaemonHandle>, timeout: Option<Duration>) -> Option<net_sdk::compute::DaemonControl> {
    match timeout {
        Some(t) => tokio::time::timeout(t, h.next_control()).await.ok().flatten(),
        None => h.next_control().await,
    }
}

fn seconds(timeout: Option<f64>) -> PyResult<Option<Duration>> {
    timeout
        .map(|t| Duration::try_from_secs_f64(t).map_err(|e| pyo3::exceptions::PyValueError::new_err(format!("timeout: {e}"))))
        .transpose()
}

#[pymethods]
impl MeshOsDaemonHandle {
    /// The daemon's id: its identity's origin hash.
    #[getter]
    fn daemon_id(&self) -> u64 {
        self.inner.daemon_id()
    }

    #[getter]
    fn daemon_name(&self) -> &str {
        self.inner.daemon_name()
    }

    fn is_shut_down(&self) -> bool {
        self.inner.is_shut_down()
    }

    /// The next control event if one is queued (never waits).
    fn try_next_control(&self) -> Option<DaemonControl> {
        self.inner.try_next_control().map(DaemonControl::from)
    }

    /// The next control event, waiting at most `timeout` seconds (None: no
    /// bound); None on timeout, or once the daemon is unregistered or the
    /// SDK shut down. Ctrl-C interrupts the wait.
    #[pyo3(signature = (timeout=None))]
    fn next_control(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<PyObject> {
        let got = wait_here(py, next(self.inner.clone(), seconds(timeout)?))?;
        control(py, got)
    }

    #[pyo3(signature = (timeout=None))]
    fn next_control_async<'py>(&self, py: Python<'py>, timeout: Option<f64>) -> PyResult<Bound<'py, PyAny>> {
        aio::spawn(py, next(self.inner.clone(), seconds(timeout)?), control, drop)
    }

    /// Publish a log line at `level` ("trace", "debug", "info", "warn",
    /// "error", or 0-4). Never waits: `queue_full` when the SDK's ring is
    /// full, `invalid_log_level`, `already_shutdown`.
    fn publish_log(&self, level: &Bound<'_, PyAny>, message: String) -> PyResult<()> {
        self.inner.publish_log(level_arg(level)?, message).map_err(meshos_error)
    }

    /// Replace this daemon's capability tags (a capability set, or a list
    /// of tags) and commit them to the node's announcement; an empty set
    /// withdraws them.
    fn publish_capabilities(&self, py: Python<'_>, tags: &Bound<'_, PyAny>) -> PyResult<()> {
        let (caps, _) = caps_or_tags(tags)?;
        py.allow_threads(|| self.inner.publish_capabilities(caps)).map_err(meshos_error)
    }

    /// The metadata view as a dict (node_id, daemon_id, daemon_name,
    /// health, saturation, maintenance_state, capabilities, peers), as of
    /// the last refresh (taken now the first time).
    fn metadata(&self, py: Python<'_>) -> PyResult<PyObject> {
        let view = py.allow_threads(|| self.inner.metadata()).map_err(meshos_error)?;
        to_py(py, &view)
    }

    /// The metadata view rebuilt from the node's current state.
    fn refresh_metadata(&self, py: Python<'_>) -> PyResult<PyObject> {
        let view = py.allow_threads(|| self.inner.refresh_metadata()).map_err(meshos_error)?;
        to_py(py, &view)
    }

    /// Send this daemon `Shutdown` (its `on_control` and its channel), wait
    /// `grace_period_ms` (0: the default, 5 s), then unregister it.
    #[pyo3(signature = (grace_period_ms=0))]
    fn graceful_shutdown(&self, py: Python<'_>, grace_period_ms: u64) -> PyResult<()> {
        let h = self.inner.clone();
        let grace = Duration::from_millis(grace_period_ms);
        wait_here(py, async move { h.graceful_shutdown(grace).await })?.map_err(meshos_error)
    }

    #[pyo3(signature = (grace_period_ms=0))]
    fn graceful_shutdown_async<'py>(&self, py: Python<'py>, grace_period_ms: u64) -> PyResult<Bound<'py, PyAny>> {
        let h = self.inner.clone();
        let grace = Duration::from_millis(grace_period_ms);
        let work = async move { h.graceful_shutdown(grace).await };
        aio::spawn(py, work, |py, r| r.map(|()| py.None()).map_err(meshos_error), drop)
    }

    fn __repr__(&self) -> String {
        format!(
            "MeshOsDaemonHandle(daemon_name={:?}, daemon_id={:#018x}, shut_down={})",
            self.inner.daemon_name(),
            self.inner.daemon_id(),
            py_bool(self.inner.is_shut_down())
        )
    }
}
