//! MeshOS log lines: the level a daemon names (`"info"` or `2`) and the
//! `LogRecord`s the host drains.

use net_sdk::meshos::{self, LogLevel};
use pyo3::prelude::*;

use crate::errors::meshos_error;

/// A level given as its name ("trace" ... "error", "warning") or its
/// number (0 trace ... 4 error); `MeshOsError` `invalid_log_level` else.
pub(crate) fn level_arg(level: &Bound<'_, PyAny>) -> PyResult<LogLevel> {
    if let Ok(n) = level.extract::<i32>() {
        return LogLevel::from_i32(n).map_err(meshos_error);
    }
    LogLevel::parse(&level.extract::<String>()?).map_err(meshos_error)
}

/// One published log line.
#[pyclass(frozen, module = "net_sdk._native")]
pub struct LogRecord {
    inner: meshos::LogRecord,
}

impl From<meshos::LogRecord> for LogRecord {
    fn from(inner: meshos::LogRecord) -> Self {
        Self { inner }
    }
}

#[pymethods]
impl LogRecord {
    #[getter]
    fn daemon_id(&self) -> u64 {
        self.inner.daemon_id
    }

    #[getter]
    fn daemon_name(&self) -> &str {
        &self.inner.daemon_name
    }

    /// "trace", "debug", "info", "warn" or "error".
    #[getter]
    fn level(&self) -> &'static str {
        self.inner.level.as_str()
    }

    #[getter]
    fn message(&self) -> &str {
        &self.inner.message
    }

    /// When it was published, milliseconds since the Unix epoch.
    #[getter]
    fn at_ms(&self) -> u64 {
        self.inner.at_ms
    }

    fn __repr__(&self) -> String {
        format!("LogRecord({} {:?}: {:?})", self.inner.level.as_str(), self.inner.daemon_name, self.inner.message)
    }
}
