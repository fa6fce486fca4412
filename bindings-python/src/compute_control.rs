//! `DaemonControl`: a supervisor's control event as a Python value, and a
//! daemon's `health()` answer read back. The variant names are the core's
//! (`DaemonControl::variant`), the same in every face.

use std::time::Duration;

use net_sdk::compute::{self, DaemonHealth};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// A control event: `variant` is "Shutdown", "DrainStart", "DrainFinish",
/// "BackpressureOn", "BackpressureOff" or "Unknown"; `grace_period_ms`
/// comes with Shutdown and DrainStart, `level` (0 to 1) with
/// BackpressureOn. Build one with the static constructors.
#[pyclass(frozen, eq, module = "net_sdk._native")]
#[derive(PartialEq)]
pub struct DaemonControl {
    pub(crate) inner: compute::DaemonControl,
}

impl From<compute::DaemonControl> for DaemonControl {
    fn from(inner: compute::DaemonControl) -> Self {
        Self { inner }
    }
}

#[pymethods]
impl DaemonControl {
    #[staticmethod]
    fn shutdown(grace_period_ms: u64) -> Self {
        compute::DaemonControl::Shutdown { grace_period: Duration::from_millis(grace_period_ms) }.into()
    }

    #[staticmethod]
    fn drain_start(grace_period_ms: u64) -> Self {
        compute::DaemonControl::DrainStart { grace_period: Duration::from_millis(grace_period_ms) }.into()
    }

    #[staticmethod]
    fn drain_finish() -> Self {
        compute::DaemonControl::DrainFinish.into()
    }

    /// `ValueError` for a level outside `[0, 1]`.
    #[staticmethod]
    fn backpressure_on(level: f32) -> PyResult<Self> {
        if !(0.0..=1.0).contains(&level) {
            return Err(PyValueError::new_err(format!("level must be in [0, 1], not {level}")));
        }
        Ok(compute::DaemonControl::BackpressureOn { level }.into())
    }

    #[staticmethod]
    fn backpressure_off() -> Self {
        compute::DaemonControl::BackpressureOff.into()
    }

    #[getter]
    fn variant(&self) -> &'static str {
        self.inner.variant()
    }

    #[getter]
    fn grace_period_ms(&self) -> Option<u64> {
        self.inner.grace_period().map(|d| d.as_millis() as u64)
    }

    #[getter]
    fn level(&self) -> Option<f32> {
        self.inner.level()
    }

    fn __repr__(&self) -> String {
        match (self.grace_period_ms(), self.level()) {
            (Some(ms), _) => format!("DaemonControl({}, grace_period_ms={ms})", self.variant()),
            (_, Some(level)) => format!("DaemonControl({}, level={level})", self.variant()),
            _ => format!("DaemonControl({})", self.variant()),
        }
    }
}

/// A daemon's `health()` answer: "healthy", "degraded" or "unhealthy".
pub(crate) fn health_of(answer: &str) -> Result<DaemonHealth, String> {
    [DaemonHealth::Healthy, DaemonHealth::Degraded, DaemonHealth::Unhealthy]
        .into_iter()
        .find(|h| h.as_str() == answer)
        .ok_or_else(|| format!("health() must return \"healthy\", \"degraded\" or \"unhealthy\", not {answer:?}"))
}
