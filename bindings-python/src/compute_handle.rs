//! `DaemonHandle`: a spawned daemon as its spawner sees it.

use net_sdk::compute;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::compute_records::{DaemonHostConfig, DaemonStats};
use crate::errors::raise;
use crate::records::py_bool;

/// A running daemon. Dropping the handle does not stop the daemon
/// (`DaemonRuntime.stop` does); `origin_hash` names it in the runtime.
#[pyclass(frozen, module = "net_sdk._native")]
pub struct DaemonHandle {
    inner: compute::DaemonHandle,
}

impl From<compute::DaemonHandle> for DaemonHandle {
    fn from(inner: compute::DaemonHandle) -> Self {
        Self { inner }
    }
}

#[pymethods]
impl DaemonHandle {
    /// The daemon's 64-bit origin hash (its identity's).
    #[getter]
    fn origin_hash(&self) -> u64 {
        self.inner.origin_hash
    }

    /// The daemon's 32-byte entity id (its identity's public key).
    #[getter]
    fn entity_id<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.entity_id.as_bytes())
    }

    /// The kind it was spawned as.
    #[getter]
    fn kind(&self) -> &str {
        self.inner.kind()
    }

    /// The daemon's `name` attribute (its kind when it has none).
    #[getter]
    fn name(&self) -> &str {
        self.inner.name()
    }

    /// The host configuration it runs with.
    #[getter]
    fn config(&self) -> DaemonHostConfig {
        DaemonHostConfig { inner: self.inner.config() }
    }

    /// False once stopped (or the runtime shut down).
    fn is_running(&self) -> bool {
        self.inner.is_running()
    }

    /// Its counters; `DaemonError` kind `daemon-not-found` once stopped.
    fn stats(&self) -> PyResult<DaemonStats> {
        self.inner.stats().map(DaemonStats::from).map_err(raise)
    }

    fn __repr__(&self) -> String {
        format!(
            "DaemonHandle(kind={:?}, origin_hash={:#018x}, running={})",
            self.inner.kind(),
            self.inner.origin_hash,
            py_bool(self.inner.is_running())
        )
    }
}
