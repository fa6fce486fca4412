//! RedEX: `Redex`, `RedexFile`, `RedexEvent` and `RedexTail` (an iterator
//! and an async iterator over a file's records, backfill then live).

use std::sync::Arc;
use std::time::Duration;

use net_sdk::cortex::{self, FsyncPolicy, RedexError, RedexFileConfig};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyType};

use crate::errors::{net_error, raise};
use crate::stream_cursor::StreamCursor;

/// A manager of RedEX files: in memory, or under `persistent_dir`.
#[pyclass(frozen, module = "net_sdk._native")]
pub struct Redex {
    pub(crate) inner: cortex::Redex,
}

/// The configuration keywords `open_file` and `NetDb.open` accept.
#[allow(clippy::too_many_arguments)]
pub(crate) fn file_config(
    persistent: bool,
    fsync_every_n: Option<u64>,
    fsync_interval_ms: Option<u64>,
    fsync_never: bool,
    retention_max_events: Option<u64>,
    retention_max_bytes: Option<u64>,
    retention_max_age_ms: Option<u64>,
    segment_max_bytes: Option<u64>,
    recover: bool,
) -> PyResult<RedexFileConfig> {
    let mut c = RedexFileConfig::default().with_persistent(persistent).with_recover(recover);
    c.fsync = match (fsync_every_n, fsync_interval_ms, fsync_never) {
        (None, None, false) => c.fsync,
        (Some(n), None, false) => FsyncPolicy::EveryN(n),
        (None, Some(ms), false) => FsyncPolicy::Interval(Duration::from_millis(ms)),
        (None, None, true) => FsyncPolicy::Never,
        _ => {
            return Err(raise(RedexError::Config(
                "give at most one of fsync_every_n, fsync_interval_ms, fsync_never".into(),
            )))
        }
    };
    c.retention_max_events = retention_max_events;
    c.retention_max_bytes = retention_max_bytes;
    c.retention_max_age = retention_max_age_ms.map(Duration::from_millis);
    if let Some(b) = segment_max_bytes {
        c.segment_max_bytes = b;
    }
    Ok(c)
}

#[pymethods]
impl Redex {
    #[new]
    #[pyo3(signature = (persistent_dir=None))]
    fn new(persistent_dir: Option<std::path::PathBuf>) -> Self {
        let inner = match persistent_dir {
            Some(d) => cortex::Redex::new().with_persistent_dir(d),
            None => cortex::Redex::new(),
        };
        Self { inner }
    }

    /// Open the file `name` (a channel name such as `"analytics/clicks"`).
    /// A persistent file is verified on open: a torn final record is cut
    /// (see `repair_report`); damage elsewhere raises `RedexError` (kind
    /// `redex:corrupt`, naming file and offset) unless `recover=True`.
    #[pyo3(signature = (name, *, persistent=false, fsync_every_n=None, fsync_interval_ms=None, fsync_never=false,
        retention_max_events=None, retention_max_bytes=None, retention_max_age_ms=None, segment_max_bytes=None,
        recover=false))]
    #[allow(clippy::too_many_arguments)]
    fn open_file(
        &self,
        name: &str,
        persistent: bool,
        fsync_every_n: Option<u64>,
        fsync_interval_ms: Option<u64>,
        fsync_never: bool,
        retention_max_events: Option<u64>,
        retention_max_bytes: Option<u64>,
        retention_max_age_ms: Option<u64>,
        segment_max_bytes: Option<u64>,
        recover: bool,
    ) -> PyResult<RedexFile> {
        let config = file_config(
            persistent,
            fsync_every_n,
            fsync_interval_ms,
            fsync_never,
            retention_max_events,
            retention_max_bytes,
            retention_max_age_ms,
            segment_max_bytes,
            recover,
        )?;
        let file = self.inner.open_file(name, config).map_err(raise)?;
        Ok(RedexFile { file })
    }
}

/// One record of a file.
#[pyclass(frozen, get_all, module = "net_sdk._native")]
pub struct RedexEvent {
    seq: u64,
    timestamp_nanos: u64,
    payload: Py<PyBytes>,
}

impl RedexEvent {
    fn new(py: Python<'_>, e: &cortex::RedexEvent) -> Self {
        Self { seq: e.seq, timestamp_nanos: e.timestamp_nanos, payload: PyBytes::new(py, &e.payload).unbind() }
    }
}

#[pymethods]
impl RedexEvent {
    fn __repr__(&self) -> String {
        format!("RedexEvent(seq={}, timestamp_nanos={})", self.seq, self.timestamp_nanos)
    }
}

/// An open RedEX file; a context manager that closes it.
#[pyclass(frozen, module = "net_sdk._native")]
pub struct RedexFile {
    file: cortex::RedexFile,
}

#[pymethods]
impl RedexFile {
    /// Append one record; returns its seq.
    fn append(&self, py: Python<'_>, data: &[u8]) -> PyResult<u64> {
        py.allow_threads(|| self.file.append(data)).map_err(raise)
    }

    /// Append records with consecutive seqs; returns the first seq, or
    /// `None` for an empty list (nothing was appended).
    fn append_batch(&self, py: Python<'_>, items: Vec<Vec<u8>>) -> PyResult<Option<u64>> {
        py.allow_threads(|| self.file.append_batch(&items)).map_err(raise)
    }

    /// Append `data` identified by `key` once: a retry with a key whose
    /// record is still retained returns that record's seq.
    fn append_idempotent(&self, py: Python<'_>, key: &[u8], data: &[u8]) -> PyResult<u64> {
        py.allow_threads(|| self.file.append_idempotent(key, data)).map_err(raise)
    }

    /// The retained records with `start <= seq < end`.
    #[pyo3(signature = (start=0, end=u64::MAX))]
    fn read_range(&self, py: Python<'_>, start: u64, end: u64) -> Vec<RedexEvent> {
        let events = py.allow_threads(|| self.file.read(start..end));
        events.iter().map(|e| RedexEvent::new(py, e)).collect()
    }

    /// A stream of every record from `from_seq` on: the retained ones,
    /// then each new append. `for e in tail` blocks (GIL released);
    /// `async for e in tail` awaits. It ends once the file is closed and
    /// everything was delivered.
    #[pyo3(signature = (from_seq=0))]
    fn tail(&self, from_seq: u64) -> RedexTail {
        RedexTail::new(self.file.tail(from_seq))
    }

    /// Seq the next append gets.
    #[getter]
    fn next_seq(&self) -> u64 {
        self.file.next_seq()
    }

    /// Seq of the oldest retained record.
    #[getter]
    fn first_seq(&self) -> u64 {
        self.file.first_seq()
    }

    fn __len__(&self) -> usize {
        self.file.len() as usize
    }

    /// What opening the file had to cut, or `None`: a dict with `kind`
    /// (`"torn_tail"` or `"corruption"`), `file`, `offset`, `reason`,
    /// `bytes_cut`, `segments_removed`.
    #[getter]
    fn repair_report<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(r) = self.file.repair_report() else { return Ok(None) };
        let d = PyDict::new(py);
        d.set_item("kind", if r.kind == cortex::RepairKind::TornTail { "torn_tail" } else { "corruption" })?;
        d.set_item("file", r.file.display().to_string())?;
        d.set_item("offset", r.offset)?;
        d.set_item("reason", &r.reason)?;
        d.set_item("bytes_cut", r.bytes_cut)?;
        d.set_item("segments_removed", r.segments_removed)?;
        Ok(Some(d))
    }

    /// Write and fsync everything appended so far.
    fn sync(&self, py: Python<'_>) -> PyResult<()> {
        py.allow_threads(|| self.file.sync()).map_err(raise)
    }

    /// Sync and close the file; appends then raise `RedexError`
    /// (`redex:closed`). Idempotent.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        py.allow_threads(|| self.file.close()).map_err(raise)
    }

    #[getter]
    fn closed(&self) -> bool {
        self.file.is_closed()
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (_exc_type=None, _exc=None, _tb=None))]
    fn __exit__(
        &self,
        py: Python<'_>,
        _exc_type: Option<&Bound<'_, PyType>>,
        _exc: Option<&Bound<'_, PyAny>>,
        _tb: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        self.close(py)?;
        Ok(false)
    }
}

/// Iterator and async iterator over a file's records (see
/// `RedexFile.tail`). A tail that fell behind retention raises
/// `RedexError` (kind `redex:tail_lagged`) once and continues.
#[pyclass(frozen, module = "net_sdk._native")]
pub struct RedexTail {
    // RedexTail::next is cancel-safe: a record leaves its buffer only when
    // it is returned, so the cursor may drop an unfinished `next`.
    cursor: Arc<StreamCursor<cortex::RedexTail>>,
}

impl RedexTail {
    fn new(tail: cortex::RedexTail) -> Self {
        Self { cursor: StreamCursor::new(tail) }
    }
}

fn tail_event(py: Python<'_>, item: Result<cortex::RedexEvent, RedexError>) -> PyResult<RedexEvent> {
    item.map(|e| RedexEvent::new(py, &e)).map_err(raise)
}

#[pymethods]
impl RedexTail {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<RedexEvent>> {
        self.cursor.next_blocking(py)?.map(|item| tail_event(py, item)).transpose()
    }

    fn __aiter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.cursor.next_awaitable(py, |py, item| Ok(Py::new(py, tail_event(py, item)?)?.into_any()))
    }

    /// Stop tailing. Idempotent; the iterator then ends.
    fn close(&self) {
        self.cursor.close();
    }
}

/// The error for a NetDb built without the model asked for.
pub(crate) fn missing_model(py: Python<'_>, model: &'static str) -> PyErr {
    let e = cortex::NetDbError::MissingModel(model);
    net_error(py, "netdb", e.kind(), e.to_string())
}
