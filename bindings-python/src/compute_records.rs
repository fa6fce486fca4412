//! The compute values: `CausalEvent` (what a daemon's `process` gets and
//! what `deliver` takes), `DaemonHostConfig` (how one daemon is hosted)
//! and `DaemonStats` (its counters). All immutable and comparable.

use net_sdk::compute;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::compute_payload::binary;

/// One event of a causal chain: its origin, its sequence in the origin's
/// chain, the hash of the previous link and an opaque payload.
#[pyclass(frozen, eq, module = "net_sdk._native")]
#[derive(PartialEq)]
pub struct CausalEvent {
    pub(crate) inner: compute::CausalEvent,
}

#[pymethods]
impl CausalEvent {
    /// An ingress event (no parent: the parent hash is all zero). The
    /// payload is `bytes` or any buffer (`bytearray`, `memoryview`).
    #[new]
    fn new(origin_hash: u64, sequence: u64, payload: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes = binary(payload, "payload")?;
        Ok(Self { inner: compute::CausalEvent::new(origin_hash, sequence, bytes) })
    }

    /// 64-bit origin hash of the emitting entity.
    #[getter]
    fn origin_hash(&self) -> u64 {
        self.inner.origin_hash()
    }

    /// The position in the origin's chain, from 1.
    #[getter]
    fn sequence(&self) -> u64 {
        self.inner.sequence()
    }

    /// The payload.
    #[getter]
    fn payload<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.payload)
    }

    /// The previous link's 32-byte hash (all zero on an ingress event).
    #[getter]
    fn parent_hash<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.link.parent_hash)
    }

    fn __repr__(&self) -> String {
        format!(
            "CausalEvent(origin_hash={:#018x}, sequence={}, payload=<{} bytes>)",
            self.inner.origin_hash(),
            self.inner.sequence(),
            self.inner.payload.len()
        )
    }
}

/// How the runtime hosts one daemon: a snapshot every
/// `auto_snapshot_interval` events (0: only on request), at most
/// `max_log_entries` events kept for replay since the last snapshot, and
/// `callback_timeout_ms`, the longest wait for one of the daemon's Python
/// callbacks before the call fails with `DaemonError` kind
/// `callback-timeout`.
#[pyclass(frozen, eq, module = "net_sdk._native")]
#[derive(PartialEq)]
pub struct DaemonHostConfig {
    pub(crate) inner: compute::DaemonHostConfig,
}

#[pymethods]
impl DaemonHostConfig {
    #[new]
    #[pyo3(signature = (*, auto_snapshot_interval=None, max_log_entries=None, callback_timeout_ms=None))]
    fn new(auto_snapshot_interval: Option<u64>, max_log_entries: Option<usize>, callback_timeout_ms: Option<u64>) -> Self {
        // Unset fields take the core's defaults, spelled there once.
        let d = compute::DaemonHostConfig::default();
        Self {
            inner: compute::DaemonHostConfig {
                auto_snapshot_interval: auto_snapshot_interval.unwrap_or(d.auto_snapshot_interval),
                max_log_entries: max_log_entries.unwrap_or(d.max_log_entries),
                callback_timeout_ms: callback_timeout_ms.unwrap_or(d.callback_timeout_ms),
            },
        }
    }

    #[getter]
    fn auto_snapshot_interval(&self) -> u64 {
        self.inner.auto_snapshot_interval
    }

    #[getter]
    fn max_log_entries(&self) -> usize {
        self.inner.max_log_entries
    }

    #[getter]
    fn callback_timeout_ms(&self) -> u64 {
        self.inner.callback_timeout_ms
    }

    fn __repr__(&self) -> String {
        let c = &self.inner;
        format!(
            "DaemonHostConfig(auto_snapshot_interval={}, max_log_entries={}, callback_timeout_ms={})",
            c.auto_snapshot_interval, c.max_log_entries, c.callback_timeout_ms
        )
    }
}

/// A daemon's counters since it was spawned (a respawn starts at zero).
#[pyclass(frozen, eq, module = "net_sdk._native")]
#[derive(PartialEq)]
pub struct DaemonStats {
    inner: compute::DaemonStats,
}

impl From<compute::DaemonStats> for DaemonStats {
    fn from(inner: compute::DaemonStats) -> Self {
        Self { inner }
    }
}

#[pymethods]
impl DaemonStats {
    /// Events handed to `process`, failed or not.
    #[getter]
    fn events_processed(&self) -> u64 {
        self.inner.events_processed
    }

    /// Output events emitted.
    #[getter]
    fn events_emitted(&self) -> u64 {
        self.inner.events_emitted
    }

    /// `process` calls that raised, returned a bad value or timed out.
    #[getter]
    fn errors(&self) -> u64 {
        self.inner.errors
    }

    /// Snapshots taken, on request and automatic.
    #[getter]
    fn snapshots_taken(&self) -> u64 {
        self.inner.snapshots_taken
    }

    fn __repr__(&self) -> String {
        let s = &self.inner;
        format!(
            "DaemonStats(events_processed={}, events_emitted={}, errors={}, snapshots_taken={})",
            s.events_processed, s.events_emitted, s.errors, s.snapshots_taken
        )
    }
}
