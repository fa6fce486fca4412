//! NetDb: `NetDb`, its `Tasks` and `Memories` models (also opened alone
//! from a model snapshot), their `Task` and `Memory` records, and `Watch`
//! (an iterator and async iterator of result batches).

use std::pin::Pin;
use std::sync::Arc;

use futures::{Stream, StreamExt};
use net_sdk::cortex::{
    self, CortexError, MemoriesAdapter, MemoriesSnapshot, MemoryFilter, MemoryOrder, NetDbError, NetDbSnapshot,
    RedexFileConfig, TaskFilter, TaskOrder, TaskStatus, TasksAdapter, TasksSnapshot, WatchStream,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyType};

use crate::aio;
use crate::blocking::wait;
use crate::errors::{net_error, raise};
use crate::redex::{file_config, missing_model, Redex};
use crate::stream_cursor::StreamCursor;

/// A task as folded from its events.
#[pyclass(frozen, get_all, module = "net_sdk._native")]
pub struct Task {
    id: u64,
    title: String,
    /// `"pending"`, `"in_progress"`, `"completed"` or `"cancelled"`.
    status: String,
    created_at: u64,
    updated_at_nanos: u64,
    origin: u64,
    seq: u64,
}

impl From<&cortex::Task> for Task {
    fn from(t: &cortex::Task) -> Self {
        Self {
            id: t.id,
            title: t.title.clone(),
            status: t.status.as_str().to_string(),
            created_at: t.created_at,
            updated_at_nanos: t.updated_at_nanos,
            origin: t.origin,
            seq: t.seq,
        }
    }
}

#[pymethods]
impl Task {
    fn __repr__(&self) -> String {
        format!("Task(id={}, title={:?}, status={:?}, seq={})", self.id, self.title, self.status, self.seq)
    }

}

/// A memory as folded from its events.
#[pyclass(frozen, get_all, module = "net_sdk._native")]
pub struct Memory {
    id: u64,
    content: String,
    tags: Vec<String>,
    pinned: bool,
    created_at: u64,
    updated_at_nanos: u64,
    origin: u64,
    seq: u64,
}

impl From<&cortex::Memory> for Memory {
    fn from(m: &cortex::Memory) -> Self {
        Self {
            id: m.id,
            content: m.content.clone(),
            tags: m.tags.clone(),
            pinned: m.pinned,
            created_at: m.created_at,
            updated_at_nanos: m.updated_at_nanos,
            origin: m.origin,
            seq: m.seq,
        }
    }
}

#[pymethods]
impl Memory {
    fn __repr__(&self) -> String {
        format!("Memory(id={}, tags={:?}, pinned={}, seq={})", self.id, self.tags, self.pinned, self.seq)
    }

}

fn parse<T: std::str::FromStr>(what: &str, text: &str) -> PyResult<T>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e| PyValueError::new_err(format!("{what}: {e}")))
}

fn serde_enum<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> PyResult<T> {
    serde_json::from_value(serde_json::Value::String(text.to_string()))
        .map_err(|_| PyValueError::new_err(format!("unknown {what} {text:?}")))
}

fn task_filter(status: Option<&str>, title_contains: Option<String>, origin: Option<u64>, order: Option<&str>, limit: Option<usize>) -> PyResult<TaskFilter> {
    let mut f = TaskFilter::new();
    if let Some(s) = status {
        f = f.where_status(parse::<TaskStatus>("status", s)?);
    }
    f.title_contains = title_contains;
    f.origin = origin;
    if let Some(o) = order {
        f.order = serde_enum::<TaskOrder>("order", o)?;
    }
    f.limit = limit;
    Ok(f)
}

#[allow(clippy::too_many_arguments)]
fn memory_filter(
    tags_all: Option<Vec<String>>,
    tags_any: Option<Vec<String>>,
    content_contains: Option<String>,
    pinned: Option<bool>,
    origin: Option<u64>,
    order: Option<&str>,
    limit: Option<usize>,
) -> PyResult<MemoryFilter> {
    let mut f = MemoryFilter::new();
    f.tags_all = tags_all.unwrap_or_default();
    f.tags_any = tags_any.unwrap_or_default();
    f.content_contains = content_contains;
    f.pinned = pinned;
    f.origin = origin;
    if let Some(o) = order {
        f.order = serde_enum::<MemoryOrder>("order", o)?;
    }
    f.limit = limit;
    Ok(f)
}

/// Wait (GIL released) for `seq` to fold, at most `timeout` seconds.
fn wait_seq<F>(py: Python<'_>, timeout: Option<f64>, future: F) -> PyResult<()>
where
    F: std::future::Future<Output = Result<(), CortexError>> + Send + 'static,
{
    let out = match timeout {
        None => wait(py, future)?,
        Some(secs) => {
            let limit = std::time::Duration::from_secs_f64(secs.max(0.0));
            match wait(py, async move { tokio::time::timeout(limit, future).await })? {
                Ok(r) => r,
                Err(_) => return Err(net_error(py, "bus", "timeout", "wait_for_seq timed out".into())),
            }
        }
    };
    out.map_err(raise)
}

/// `wait_for_seq_async` of either model: an awaitable of `None`.
fn wait_seq_async<F>(py: Python<'_>, future: F) -> PyResult<Bound<'_, PyAny>>
where
    F: std::future::Future<Output = Result<(), CortexError>> + Send + 'static,
{
    aio::spawn(py, future, |py, r| r.map(|()| py.None()).map_err(raise), drop)
}

/// Core records as their Python classes.
fn to_py<T, P: for<'a> From<&'a T>>(records: &[T]) -> Vec<P> {
    records.iter().map(P::from).collect()
}

/// A core watch stream as a Python `Watch`; `batch` tags its results
/// with their model.
fn watch_of<T: Send + 'static>(stream: WatchStream<T>, batch: fn(Vec<T>) -> Batch) -> Watch {
    Watch::new(stream.map(batch).boxed())
}

/// The tasks model of a NetDb, or alone (`Tasks.open_from_snapshot`).
/// Every mutation returns its event's seq.
#[pyclass(frozen, module = "net_sdk._native")]
pub struct Tasks {
    inner: TasksAdapter,
}

#[pymethods]
impl Tasks {
    /// Open the tasks model alone, restored from `snapshot()` bytes: its
    /// state, then the events the log holds after it. `NetDbError`
    /// (`netdb:bundle`) for bytes that are not a tasks snapshot.
    #[staticmethod]
    #[pyo3(signature = (snapshot, *, redex=None, persistent_dir=None, origin=0, persistent=false,
        fsync_every_n=None, fsync_interval_ms=None, fsync_never=false))]
    #[allow(clippy::too_many_arguments)]
    fn open_from_snapshot(
        py: Python<'_>,
        snapshot: &[u8],
        redex: Option<PyRef<'_, Redex>>,
        persistent_dir: Option<std::path::PathBuf>,
        origin: u64,
        persistent: bool,
        fsync_every_n: Option<u64>,
        fsync_interval_ms: Option<u64>,
        fsync_never: bool,
    ) -> PyResult<Self> {
        let place = model_place(redex.as_deref(), persistent_dir, origin, persistent, fsync_every_n, fsync_interval_ms, fsync_never)?;
        let inner = restore_model(py, snapshot, TasksSnapshot::from_bytes, TasksAdapter::open_from_snapshot_with, place)?;
        Ok(Self { inner })
    }

    /// The model's state and the seq it covers, for `open_from_snapshot`
    /// (`NetDb.snapshot()` bundles exactly this).
    fn snapshot<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.snapshot().to_bytes())
    }

    /// Create task `id` (pending); `created_at` is kept as given.
    #[pyo3(signature = (id, title, created_at=0))]
    fn create(&self, id: u64, title: &str, created_at: u64) -> PyResult<u64> {
        self.inner.create(id, title, created_at).map_err(raise)
    }

    fn rename(&self, id: u64, title: &str) -> PyResult<u64> {
        self.inner.rename(id, title).map_err(raise)
    }

    /// Set the status: `"pending"`, `"in_progress"`, `"completed"`, `"cancelled"`.
    fn set_status(&self, id: u64, status: &str) -> PyResult<u64> {
        self.inner.set_status(id, parse("status", status)?).map_err(raise)
    }

    fn complete(&self, id: u64) -> PyResult<u64> {
        self.inner.complete(id).map_err(raise)
    }

    fn delete(&self, id: u64) -> PyResult<u64> {
        self.inner.delete(id).map_err(raise)
    }

    /// Block until the event at `seq` is folded (at most `timeout` s).
    #[pyo3(signature = (seq, timeout=None))]
    fn wait_for_seq(&self, py: Python<'_>, seq: u64, timeout: Option<f64>) -> PyResult<()> {
        let inner = self.inner.clone();
        wait_seq(py, timeout, async move { inner.wait_for_seq(seq).await })
    }

    /// Await the fold of the event at `seq`.
    fn wait_for_seq_async<'py>(&self, py: Python<'py>, seq: u64) -> PyResult<Bound<'py, PyAny>> {
        let inner = self.inner.clone();
        wait_seq_async(py, async move { inner.wait_for_seq(seq).await })
    }

    fn get(&self, id: u64) -> Option<Task> {
        self.inner.get(id).as_ref().map(Task::from)
    }

    /// The tasks the filter selects. `order`: `"id_asc"` (default),
    /// `"id_desc"`, `"created_asc"`, `"created_desc"`, `"updated_asc"`,
    /// `"updated_desc"`, `"title_asc"`.
    #[pyo3(signature = (*, status=None, title_contains=None, origin=None, order=None, limit=None))]
    fn list(&self, status: Option<&str>, title_contains: Option<String>, origin: Option<u64>, order: Option<&str>, limit: Option<usize>) -> PyResult<Vec<Task>> {
        let f = task_filter(status, title_contains, origin, order, limit)?;
        Ok(to_py(&self.inner.list(&f)))
    }

    #[pyo3(signature = (*, status=None, title_contains=None, origin=None))]
    fn count(&self, status: Option<&str>, title_contains: Option<String>, origin: Option<u64>) -> PyResult<usize> {
        let f = task_filter(status, title_contains, origin, None, None)?;
        Ok(self.inner.count_where(&f))
    }

    /// Batches of the filter's result: the current one, then each
    /// differing result. Ends when the NetDb closes.
    #[pyo3(signature = (*, status=None, title_contains=None, origin=None, order=None, limit=None))]
    fn watch(&self, status: Option<&str>, title_contains: Option<String>, origin: Option<u64>, order: Option<&str>, limit: Option<usize>) -> PyResult<Watch> {
        let f = task_filter(status, title_contains, origin, order, limit)?;
        Ok(watch_of(self.inner.watch().filter(f).stream(), Batch::Tasks))
    }

    /// `(snapshot, watch)`, taken atomically: a mutation racing the call
    /// is in the snapshot or comes out of the watch.
    #[pyo3(signature = (*, status=None, title_contains=None, origin=None, order=None, limit=None))]
    fn snapshot_and_watch(&self, status: Option<&str>, title_contains: Option<String>, origin: Option<u64>, order: Option<&str>, limit: Option<usize>) -> PyResult<(Vec<Task>, Watch)> {
        let f = task_filter(status, title_contains, origin, order, limit)?;
        let (snapshot, stream) = self.inner.snapshot_and_watch(self.inner.watch().filter(f));
        Ok((to_py(&snapshot), watch_of(stream, Batch::Tasks)))
    }
}

/// The memories model of a NetDb, or alone
/// (`Memories.open_from_snapshot`).
#[pyclass(frozen, module = "net_sdk._native")]
pub struct Memories {
    inner: MemoriesAdapter,
}

#[pymethods]
impl Memories {
    /// Open the memories model alone, restored from `snapshot()` bytes; as
    /// `Tasks.open_from_snapshot`.
    #[staticmethod]
    #[pyo3(signature = (snapshot, *, redex=None, persistent_dir=None, origin=0, persistent=false,
        fsync_every_n=None, fsync_interval_ms=None, fsync_never=false))]
    #[allow(clippy::too_many_arguments)]
    fn open_from_snapshot(
        py: Python<'_>,
        snapshot: &[u8],
        redex: Option<PyRef<'_, Redex>>,
        persistent_dir: Option<std::path::PathBuf>,
        origin: u64,
        persistent: bool,
        fsync_every_n: Option<u64>,
        fsync_interval_ms: Option<u64>,
        fsync_never: bool,
    ) -> PyResult<Self> {
        let place = model_place(redex.as_deref(), persistent_dir, origin, persistent, fsync_every_n, fsync_interval_ms, fsync_never)?;
        let inner = restore_model(py, snapshot, MemoriesSnapshot::from_bytes, MemoriesAdapter::open_from_snapshot_with, place)?;
        Ok(Self { inner })
    }

    /// The model's state and the seq it covers, for `open_from_snapshot`.
    fn snapshot<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.snapshot().to_bytes())
    }

    /// Store memory `id` with `tags`; `created_at` is kept as given.
    #[pyo3(signature = (id, content, tags=Vec::new(), created_at=0))]
    fn store(&self, id: u64, content: &str, tags: Vec<String>, created_at: u64) -> PyResult<u64> {
        self.inner.store(id, content, &tags, created_at).map_err(raise)
    }

    fn tag(&self, id: u64, tag: &str) -> PyResult<u64> {
        self.inner.tag(id, tag).map_err(raise)
    }

    fn untag(&self, id: u64, tag: &str) -> PyResult<u64> {
        self.inner.untag(id, tag).map_err(raise)
    }

    fn pin(&self, id: u64) -> PyResult<u64> {
        self.inner.pin(id).map_err(raise)
    }

    fn unpin(&self, id: u64) -> PyResult<u64> {
        self.inner.unpin(id).map_err(raise)
    }

    fn delete(&self, id: u64) -> PyResult<u64> {
        self.inner.delete(id).map_err(raise)
    }

    #[pyo3(signature = (seq, timeout=None))]
    fn wait_for_seq(&self, py: Python<'_>, seq: u64, timeout: Option<f64>) -> PyResult<()> {
        let inner = self.inner.clone();
        wait_seq(py, timeout, async move { inner.wait_for_seq(seq).await })
    }

    fn wait_for_seq_async<'py>(&self, py: Python<'py>, seq: u64) -> PyResult<Bound<'py, PyAny>> {
        let inner = self.inner.clone();
        wait_seq_async(py, async move { inner.wait_for_seq(seq).await })
    }

    fn get(&self, id: u64) -> Option<Memory> {
        self.inner.get(id).as_ref().map(Memory::from)
    }

    /// The memories the filter selects. `order`: `"id_asc"` (default),
    /// `"id_desc"`, `"created_asc"`, `"created_desc"`, `"updated_asc"`,
    /// `"updated_desc"`.
    #[pyo3(signature = (*, tags_all=None, tags_any=None, content_contains=None, pinned=None, origin=None, order=None, limit=None))]
    #[allow(clippy::too_many_arguments)]
    fn list(&self, tags_all: Option<Vec<String>>, tags_any: Option<Vec<String>>, content_contains: Option<String>, pinned: Option<bool>, origin: Option<u64>, order: Option<&str>, limit: Option<usize>) -> PyResult<Vec<Memory>> {
        let f = memory_filter(tags_all, tags_any, content_contains, pinned, origin, order, limit)?;
        Ok(to_py(&self.inner.list(&f)))
    }

    #[pyo3(signature = (*, tags_all=None, tags_any=None, content_contains=None, pinned=None, origin=None))]
    fn count(&self, tags_all: Option<Vec<String>>, tags_any: Option<Vec<String>>, content_contains: Option<String>, pinned: Option<bool>, origin: Option<u64>) -> PyResult<usize> {
        let f = memory_filter(tags_all, tags_any, content_contains, pinned, origin, None, None)?;
        Ok(self.inner.count_where(&f))
    }

    #[pyo3(signature = (*, tags_all=None, tags_any=None, content_contains=None, pinned=None, origin=None, order=None, limit=None))]
    #[allow(clippy::too_many_arguments)]
    fn watch(&self, tags_all: Option<Vec<String>>, tags_any: Option<Vec<String>>, content_contains: Option<String>, pinned: Option<bool>, origin: Option<u64>, order: Option<&str>, limit: Option<usize>) -> PyResult<Watch> {
        let f = memory_filter(tags_all, tags_any, content_contains, pinned, origin, order, limit)?;
        Ok(watch_of(self.inner.watch().filter(f).stream(), Batch::Memories))
    }

    #[pyo3(signature = (*, tags_all=None, tags_any=None, content_contains=None, pinned=None, origin=None, order=None, limit=None))]
    #[allow(clippy::too_many_arguments)]
    fn snapshot_and_watch(&self, tags_all: Option<Vec<String>>, tags_any: Option<Vec<String>>, content_contains: Option<String>, pinned: Option<bool>, origin: Option<u64>, order: Option<&str>, limit: Option<usize>) -> PyResult<(Vec<Memory>, Watch)> {
        let f = memory_filter(tags_all, tags_any, content_contains, pinned, origin, order, limit)?;
        let (snapshot, stream) = self.inner.snapshot_and_watch(self.inner.watch().filter(f));
        Ok((to_py(&snapshot), watch_of(stream, Batch::Memories)))
    }
}

/// One result batch of a watch.
enum Batch {
    Tasks(Vec<cortex::Task>),
    Memories(Vec<cortex::Memory>),
}

impl Batch {
    fn into_py(self, py: Python<'_>) -> PyResult<PyObject> {
        Ok(match self {
            Batch::Tasks(v) => to_py::<_, Task>(&v).into_pyobject(py)?.into_any().unbind(),
            Batch::Memories(v) => to_py::<_, Memory>(&v).into_pyobject(py)?.into_any().unbind(),
        })
    }
}

type BatchStream = Pin<Box<dyn Stream<Item = Batch> + Send>>;

/// Result batches of a query: `for batch in watch` (blocking, GIL
/// released) or `async for batch in watch`.
#[pyclass(frozen, module = "net_sdk._native")]
pub struct Watch {
    cursor: Arc<StreamCursor<BatchStream>>,
}

impl Watch {
    fn new(stream: BatchStream) -> Self {
        Self { cursor: StreamCursor::new(stream) }
    }
}

#[pymethods]
impl Watch {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<PyObject>> {
        self.cursor.next_blocking(py)?.map(|batch| batch.into_py(py)).transpose()
    }

    fn __aiter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.cursor.next_awaitable(py, |py, batch| batch.into_py(py))
    }

    /// Stop watching. Idempotent; the iterator then ends.
    fn close(&self) {
        self.cursor.close();
    }
}

/// Tasks and memories event-sourced on a `Redex`; a context manager that
/// closes it.
#[pyclass(frozen, module = "net_sdk._native")]
pub struct NetDb {
    db: cortex::NetDb,
}

/// The Redex a call names: `redex`, a new one under `persistent_dir`, or
/// a new one in memory.
fn redex_of(redex: Option<&Redex>, persistent_dir: Option<std::path::PathBuf>) -> PyResult<cortex::Redex> {
    match (redex, persistent_dir) {
        (Some(r), None) => Ok(r.inner.clone()),
        (None, Some(d)) => Ok(cortex::Redex::new().with_persistent_dir(d)),
        (None, None) => Ok(cortex::Redex::new()),
        (Some(_), Some(_)) => Err(PyValueError::new_err("give redex or persistent_dir, not both")),
    }
}

/// The models' file configuration (`persistent` is the caller's to set).
fn model_file(fsync_every_n: Option<u64>, fsync_interval_ms: Option<u64>, fsync_never: bool) -> PyResult<RedexFileConfig> {
    file_config(false, fsync_every_n, fsync_interval_ms, fsync_never, None, None, None, None, false)
}

/// Where a model opened alone lives: its Redex, origin and file.
struct ModelPlace {
    redex: cortex::Redex,
    origin: u64,
    config: RedexFileConfig,
}

fn model_place(
    redex: Option<&Redex>,
    persistent_dir: Option<std::path::PathBuf>,
    origin: u64,
    persistent: bool,
    fsync_every_n: Option<u64>,
    fsync_interval_ms: Option<u64>,
    fsync_never: bool,
) -> PyResult<ModelPlace> {
    let redex = redex_of(redex, persistent_dir)?;
    let config = model_file(fsync_every_n, fsync_interval_ms, fsync_never)?.with_persistent(persistent);
    Ok(ModelPlace { redex, origin, config })
}

/// A model opened alone on top of its snapshot's bytes (the GIL released
/// while its log folds).
fn restore_model<S: Sync, A: Send>(
    py: Python<'_>,
    bytes: &[u8],
    parse: fn(&[u8]) -> Result<S, NetDbError>,
    open: fn(&cortex::Redex, u64, RedexFileConfig, &S) -> Result<A, NetDbError>,
    place: ModelPlace,
) -> PyResult<A> {
    let snapshot = parse(bytes).map_err(raise)?;
    let ModelPlace { redex, origin, config } = place;
    py.allow_threads(|| open(&redex, origin, config, &snapshot)).map_err(raise)
}

#[allow(clippy::too_many_arguments)]
fn builder(
    redex: Option<&Redex>,
    persistent_dir: Option<std::path::PathBuf>,
    origin: u64,
    persistent: bool,
    with_tasks: bool,
    with_memories: bool,
    fsync_every_n: Option<u64>,
    fsync_interval_ms: Option<u64>,
    fsync_never: bool,
) -> PyResult<cortex::NetDbBuilder> {
    let redex = redex_of(redex, persistent_dir)?;
    let config = model_file(fsync_every_n, fsync_interval_ms, fsync_never)?;
    let mut b = cortex::NetDb::builder(redex).origin(origin).persistent(persistent).file_config(config);
    if with_tasks {
        b = b.with_tasks();
    }
    if with_memories {
        b = b.with_memories();
    }
    Ok(b)
}

#[pymethods]
impl NetDb {
    /// Open a NetDb on `redex` (or a new manager under `persistent_dir`,
    /// or in memory), folding the enabled models' logs.
    #[staticmethod]
    #[pyo3(signature = (*, redex=None, persistent_dir=None, origin=0, persistent=false, with_tasks=false, with_memories=false,
        fsync_every_n=None, fsync_interval_ms=None, fsync_never=false))]
    #[allow(clippy::too_many_arguments)]
    fn open(
        py: Python<'_>,
        redex: Option<PyRef<'_, Redex>>,
        persistent_dir: Option<std::path::PathBuf>,
        origin: u64,
        persistent: bool,
        with_tasks: bool,
        with_memories: bool,
        fsync_every_n: Option<u64>,
        fsync_interval_ms: Option<u64>,
        fsync_never: bool,
    ) -> PyResult<Self> {
        let b = builder(redex.as_deref(), persistent_dir, origin, persistent, with_tasks, with_memories, fsync_every_n, fsync_interval_ms, fsync_never)?;
        let db = py.allow_threads(|| b.build()).map_err(raise)?;
        Ok(Self { db })
    }

    /// Open on top of a bundle from `snapshot()`, folding only later events.
    #[staticmethod]
    #[pyo3(signature = (bundle, *, redex=None, persistent_dir=None, origin=0, persistent=false, with_tasks=false,
        with_memories=false, fsync_every_n=None, fsync_interval_ms=None, fsync_never=false))]
    #[allow(clippy::too_many_arguments)]
    fn open_from_snapshot(
        py: Python<'_>,
        bundle: &[u8],
        redex: Option<PyRef<'_, Redex>>,
        persistent_dir: Option<std::path::PathBuf>,
        origin: u64,
        persistent: bool,
        with_tasks: bool,
        with_memories: bool,
        fsync_every_n: Option<u64>,
        fsync_interval_ms: Option<u64>,
        fsync_never: bool,
    ) -> PyResult<Self> {
        let bundle = NetDbSnapshot::from_bytes(bundle).map_err(raise)?;
        let b = builder(redex.as_deref(), persistent_dir, origin, persistent, with_tasks, with_memories, fsync_every_n, fsync_interval_ms, fsync_never)?;
        let db = py.allow_threads(|| b.build_from_snapshot(&bundle)).map_err(raise)?;
        Ok(Self { db })
    }

    /// The tasks model (`NetDbError` kind `netdb:missing_model` if not enabled).
    #[getter]
    fn tasks(&self, py: Python<'_>) -> PyResult<Tasks> {
        let inner = self.db.try_tasks().map_err(|_| missing_model(py, "tasks"))?.clone();
        Ok(Tasks { inner })
    }

    /// The memories model.
    #[getter]
    fn memories(&self, py: Python<'_>) -> PyResult<Memories> {
        let inner = self.db.try_memories().map_err(|_| missing_model(py, "memories"))?.clone();
        Ok(Memories { inner })
    }

    /// Every model's state as a bundle for `open_from_snapshot`.
    fn snapshot<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.db.snapshot().to_bytes())
    }

    /// Close every model: mutations then raise `CortexError`
    /// (`cortex:closed`), watches end. Idempotent.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        py.allow_threads(|| self.db.close()).map_err(raise)
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
