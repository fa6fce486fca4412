//! The values calls return: `Event`, `PollResponse`, `Stats` (`Receipt`
//! has a file of its own).
//!
//! All are immutable (`frozen`). An `Event` keeps the core's `Bytes` and
//! builds `raw` / `raw_bytes` only when read, so a poll of many events
//! copies no payload that Python never looks at.

use bytes::Bytes;
use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;
use pyo3::types::{PyBytes, PyString};

use crate::errors::net_error;

/// `True` / `False`, as Python spells them in a repr.
pub(crate) fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// An event read back from the bus.
#[pyclass(frozen, module = "net_sdk._native")]
pub struct Event {
    id: net_sdk::EventId,
    raw: Bytes,
    insertion_ts: u64,
}

impl Event {
    /// `raw` replaces the core event's payload (a channel subscription
    /// hands back the payload inside the envelope).
    pub(crate) fn new(event: &net_sdk::Event, raw: Bytes) -> Self {
        Self { id: event.id, raw, insertion_ts: event.insertion_ts }
    }
}

static JSON_LOADS: GILOnceCell<PyObject> = GILOnceCell::new();

#[pymethods]
impl Event {
    /// `"shard:sequence"`, e.g. `"2:15"`.
    #[getter]
    fn id(&self) -> String {
        self.id.to_string()
    }

    /// The payload as text (invalid UTF-8 is replaced with U+FFFD).
    #[getter]
    fn raw<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        match std::str::from_utf8(&self.raw) {
            Ok(s) => PyString::new(py, s),
            Err(_) => PyString::new(py, &String::from_utf8_lossy(&self.raw)),
        }
    }

    /// The payload exactly as emitted.
    #[getter]
    fn raw_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.raw)
    }

    /// The shard it was stored in.
    #[getter]
    fn shard_id(&self) -> u16 {
        self.id.shard
    }

    /// Its per-shard sequence.
    #[getter]
    fn sequence(&self) -> u64 {
        self.id.sequence
    }

    /// When it was emitted, Unix nanoseconds.
    #[getter]
    fn insertion_ts(&self) -> u64 {
        self.insertion_ts
    }

    /// The payload parsed as JSON; `SerializationError` (kind
    /// `deserialization`) when it is not JSON.
    fn json(&self, py: Python<'_>) -> PyResult<PyObject> {
        let loads = JSON_LOADS.get_or_try_init(py, || Ok::<_, PyErr>(py.import("json")?.getattr("loads")?.unbind()))?;
        loads
            .call1(py, (PyBytes::new(py, &self.raw),))
            .map_err(|e| net_error(py, "bus", "deserialization", format!("event {}: {}", self.id, e.value(py))))
    }

    fn __repr__(&self) -> String {
        format!("Event(id={:?}, raw={:?}, insertion_ts={})", self.id.to_string(), String::from_utf8_lossy(&self.raw), self.insertion_ts)
    }
}

/// One page of a poll.
#[pyclass(frozen, module = "net_sdk._native")]
pub struct PollResponse {
    /// The events, in per-shard order.
    #[pyo3(get)]
    events: Py<pyo3::types::PyList>,
    /// The cursor to pass to the next poll.
    #[pyo3(get)]
    next_id: String,
    /// Whether some shard still has unread events.
    #[pyo3(get)]
    has_more: bool,
}

impl PollResponse {
    pub(crate) fn from_core(py: Python<'_>, page: net_sdk::PollResponse) -> PyResult<Self> {
        let events = page.events.iter().map(|e| Py::new(py, Event::new(e, e.raw.clone()))).collect::<PyResult<Vec<_>>>()?;
        Ok(Self { events: pyo3::types::PyList::new(py, events)?.unbind(), next_id: page.next_id, has_more: page.has_more })
    }
}

#[pymethods]
impl PollResponse {
    fn __len__(&self, py: Python<'_>) -> usize {
        self.events.bind(py).len()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!("PollResponse(events=<{} events>, next_id={:?}, has_more={})", self.__len__(py), self.next_id, py_bool(self.has_more))
    }
}

/// Ingestion counters, summed over shards.
#[pyclass(frozen, get_all, module = "net_sdk._native")]
pub struct Stats {
    /// Events accepted into a ring.
    pub events_ingested: u64,
    /// Events discarded by backpressure or lost to a failing backend.
    pub events_dropped: u64,
    /// Batches appended to the backend.
    pub batches_dispatched: u64,
    /// Events waiting in each shard's ring now.
    pub shard_depths: Vec<usize>,
    /// Failed backend appends (each failed retry counts).
    pub backend_errors: u64,
    /// Times the backend recovered: an append succeeded after failures.
    pub reconnects: u64,
    /// Milliseconds since the latest successful append; None before the first.
    pub since_last_success_ms: Option<u64>,
    /// Mesh transport: events not delivered to a peer (gone when they were
    /// forwarded, or not acknowledged by shutdown).
    pub forward_failures: u64,
    /// Mesh transport: events received from peers and stored here.
    pub remote_events: u64,
}

impl From<net_sdk::Stats> for Stats {
    fn from(s: net_sdk::Stats) -> Self {
        Self {
            events_ingested: s.events_ingested,
            events_dropped: s.events_dropped,
            batches_dispatched: s.batches_dispatched,
            shard_depths: s.shard_depths,
            backend_errors: s.backend_errors,
            reconnects: s.reconnects,
            since_last_success_ms: s.since_last_success.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            forward_failures: s.forward_failures,
            remote_events: s.remote_events,
        }
    }
}

#[pymethods]
impl Stats {
    fn __repr__(&self) -> String {
        format!(
            "Stats(events_ingested={}, events_dropped={}, batches_dispatched={}, shard_depths={:?}, backend_errors={}, reconnects={}, forward_failures={}, remote_events={})",
            self.events_ingested,
            self.events_dropped,
            self.batches_dispatched,
            self.shard_depths,
            self.backend_errors,
            self.reconnects,
            self.forward_failures,
            self.remote_events
        )
    }
}
