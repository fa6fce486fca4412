//! NetDb: `NetDb`, its `Tasks` and `Memories` models (also opened alone
//! from a model snapshot), and their watches (`TasksWatch`,
//! `MemoriesWatch`: `nextBatch` resolves to the next result batch).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use napi::bindgen_prelude::{BigInt, Buffer, Env};
use napi::JsObject;
use napi_derive::napi;
use net_sdk::cortex::{
    self, CortexError, MemoriesAdapter, MemoriesSnapshot, MemoryFilter, MemoryOrder, NetDbError, NetDbSnapshot,
    RedexFileConfig, TaskFilter, TaskOrder, TaskStatus, TasksAdapter, TasksSnapshot, WatchStream,
};
use tokio::sync::{Mutex, Notify};

use crate::error::{error, invalid, Error, Result};
use crate::identity::u64_of;
use crate::promise;
use crate::redex::{file_config, Redex, RedexFileOptions};

fn cortex_fail(e: CortexError) -> Error {
    error(e.kind(), e.to_string())
}

fn netdb_fail(e: NetDbError) -> Error {
    error(e.kind(), e.to_string())
}

/// How a NetDb is opened.
#[napi(object)]
#[derive(Default)]
pub struct NetDbOptions {
    /// The producer identity stamped on every event.
    pub origin_hash: Option<BigInt>,
    /// Keep the models' files on disk (the Redex needs a directory).
    pub persistent: Option<bool>,
    pub with_tasks: Option<bool>,
    pub with_memories: Option<bool>,
    /// The models' file settings (fsync policy...); `persistent` wins.
    pub file: Option<RedexFileOptions>,
}

fn origin_of(hash: Option<&BigInt>) -> Result<u64> {
    hash.map(|h| u64_of(h, "originHash")).transpose().map(Option::unwrap_or_default)
}

fn builder(redex: &Redex, o: NetDbOptions) -> Result<cortex::NetDbBuilder> {
    let mut b = cortex::NetDb::builder(redex.inner.clone())
        .origin(origin_of(o.origin_hash.as_ref())?)
        .persistent(o.persistent.unwrap_or(false));
    if let Some(f) = o.file {
        b = b.file_config(file_config(f)?);
    }
    if o.with_tasks.unwrap_or(false) {
        b = b.with_tasks();
    }
    if o.with_memories.unwrap_or(false) {
        b = b.with_memories();
    }
    Ok(b)
}

/// How one model is opened alone (`Tasks.openFromSnapshot`).
#[napi(object)]
#[derive(Default)]
pub struct ModelOptions {
    /// The producer identity stamped on every event.
    pub origin_hash: Option<BigInt>,
    /// Keep the model's file on disk (the Redex needs a directory).
    pub persistent: Option<bool>,
    /// The model's file settings (fsync policy...); `persistent` wins.
    pub file: Option<RedexFileOptions>,
}

/// The origin and file configuration `options` ask for.
fn model_options(options: Option<ModelOptions>) -> Result<(u64, RedexFileConfig)> {
    let o = options.unwrap_or_default();
    let file = o.file.map(file_config).transpose()?.unwrap_or_default();
    Ok((origin_of(o.origin_hash.as_ref())?, file.with_persistent(o.persistent.unwrap_or(false))))
}

/// Tasks and memories event-sourced on a Redex.
#[napi]
pub struct NetDb {
    db: cortex::NetDb,
}

#[napi]
impl NetDb {
    /// Open the enabled models on `redex`, folding their logs.
    #[napi(factory)]
    pub fn open(redex: &Redex, options: Option<NetDbOptions>) -> Result<NetDb> {
        let db = builder(redex, options.unwrap_or_default())?.build().map_err(netdb_fail)?;
        Ok(NetDb { db })
    }

    /// Open on top of a bundle from `snapshot()`, folding only later events.
    #[napi(factory)]
    pub fn open_from_snapshot(redex: &Redex, options: Option<NetDbOptions>, bundle: Buffer) -> Result<NetDb> {
        let bundle = NetDbSnapshot::from_bytes(&bundle).map_err(netdb_fail)?;
        let db = builder(redex, options.unwrap_or_default())?.build_from_snapshot(&bundle).map_err(netdb_fail)?;
        Ok(NetDb { db })
    }

    /// The tasks model, or null when not enabled.
    #[napi(getter)]
    pub fn tasks(&self) -> Option<Tasks> {
        self.db.try_tasks().ok().map(|t| Tasks { inner: t.clone() })
    }

    /// The memories model, or null when not enabled.
    #[napi(getter)]
    pub fn memories(&self) -> Option<Memories> {
        self.db.try_memories().ok().map(|m| Memories { inner: m.clone() })
    }

    /// Every model's state as a bundle for `openFromSnapshot`.
    #[napi]
    pub fn snapshot(&self) -> Buffer {
        self.db.snapshot().to_bytes().into()
    }

    /// Close every model; mutations then throw code `cortex:closed` and
    /// watches end. Idempotent.
    #[napi]
    pub fn close(&self) -> Result<()> {
        self.db.close().map_err(netdb_fail)
    }
}

/// A task as folded from its events.
#[napi(object)]
pub struct TaskJs {
    pub id: BigInt,
    pub title: String,
    /// `"pending"`, `"in_progress"`, `"completed"` or `"cancelled"`.
    pub status: String,
    pub created_at: BigInt,
    pub updated_at_nanos: BigInt,
    pub origin: BigInt,
    pub seq: BigInt,
}

impl From<&cortex::Task> for TaskJs {
    fn from(t: &cortex::Task) -> Self {
        TaskJs {
            id: BigInt::from(t.id),
            title: t.title.clone(),
            status: t.status.as_str().to_string(),
            created_at: BigInt::from(t.created_at),
            updated_at_nanos: BigInt::from(t.updated_at_nanos),
            origin: BigInt::from(t.origin),
            seq: BigInt::from(t.seq),
        }
    }
}

/// A memory as folded from its events.
#[napi(object)]
pub struct MemoryJs {
    pub id: BigInt,
    pub content: String,
    pub tags: Vec<String>,
    pub pinned: bool,
    pub created_at: BigInt,
    pub updated_at_nanos: BigInt,
    pub origin: BigInt,
    pub seq: BigInt,
}

impl From<&cortex::Memory> for MemoryJs {
    fn from(m: &cortex::Memory) -> Self {
        MemoryJs {
            id: BigInt::from(m.id),
            content: m.content.clone(),
            tags: m.tags.clone(),
            pinned: m.pinned,
            created_at: BigInt::from(m.created_at),
            updated_at_nanos: BigInt::from(m.updated_at_nanos),
            origin: BigInt::from(m.origin),
            seq: BigInt::from(m.seq),
        }
    }
}

/// Which tasks a query or watch selects.
#[napi(object)]
#[derive(Default)]
pub struct TaskFilterJs {
    pub status: Option<String>,
    pub title_contains: Option<String>,
    pub origin: Option<BigInt>,
    /// `"id_asc"` (default), `"id_desc"`, `"created_asc"`, `"created_desc"`,
    /// `"updated_asc"`, `"updated_desc"`, `"title_asc"`.
    pub order: Option<String>,
    pub limit: Option<u32>,
}

/// Which memories a query or watch selects.
#[napi(object)]
#[derive(Default)]
pub struct MemoryFilterJs {
    pub tags_all: Option<Vec<String>>,
    pub tags_any: Option<Vec<String>>,
    pub content_contains: Option<String>,
    pub pinned: Option<bool>,
    pub origin: Option<BigInt>,
    /// `"id_asc"` (default), `"id_desc"`, `"created_asc"`, `"created_desc"`,
    /// `"updated_asc"`, `"updated_desc"`.
    pub order: Option<String>,
    pub limit: Option<u32>,
}

fn order<T: serde_like::Named>(text: Option<String>) -> Result<T> {
    match text {
        None => Ok(T::default()),
        Some(t) => T::named(&t).ok_or_else(|| invalid(format!("unknown order {t:?}"))),
    }
}

/// Order names as the JSON forms spell them.
mod serde_like {
    use net_sdk::cortex::{MemoryOrder, TaskOrder};

    pub trait Named: Default + Sized {
        fn named(s: &str) -> Option<Self>;
    }

    impl Named for TaskOrder {
        fn named(s: &str) -> Option<Self> {
            Some(match s {
                "id_asc" => TaskOrder::IdAsc,
                "id_desc" => TaskOrder::IdDesc,
                "created_asc" => TaskOrder::CreatedAsc,
                "created_desc" => TaskOrder::CreatedDesc,
                "updated_asc" => TaskOrder::UpdatedAsc,
                "updated_desc" => TaskOrder::UpdatedDesc,
                "title_asc" => TaskOrder::TitleAsc,
                _ => return None,
            })
        }
    }

    impl Named for MemoryOrder {
        fn named(s: &str) -> Option<Self> {
            Some(match s {
                "id_asc" => MemoryOrder::IdAsc,
                "id_desc" => MemoryOrder::IdDesc,
                "created_asc" => MemoryOrder::CreatedAsc,
                "created_desc" => MemoryOrder::CreatedDesc,
                "updated_asc" => MemoryOrder::UpdatedAsc,
                "updated_desc" => MemoryOrder::UpdatedDesc,
                _ => return None,
            })
        }
    }
}

fn status_of(s: &str) -> Result<TaskStatus> {
    s.parse().map_err(invalid)
}

fn task_filter(f: Option<TaskFilterJs>) -> Result<TaskFilter> {
    let f = f.unwrap_or_default();
    let mut out = TaskFilter::new();
    out.status = f.status.as_deref().map(status_of).transpose()?;
    out.title_contains = f.title_contains;
    out.origin = f.origin.as_ref().map(|o| u64_of(o, "origin")).transpose()?;
    out.order = order::<TaskOrder>(f.order)?;
    out.limit = f.limit.map(|l| l as usize);
    Ok(out)
}

fn memory_filter(f: Option<MemoryFilterJs>) -> Result<MemoryFilter> {
    let f = f.unwrap_or_default();
    let mut out = MemoryFilter::new();
    out.tags_all = f.tags_all.unwrap_or_default();
    out.tags_any = f.tags_any.unwrap_or_default();
    out.content_contains = f.content_contains;
    out.pinned = f.pinned;
    out.origin = f.origin.as_ref().map(|o| u64_of(o, "origin")).transpose()?;
    out.order = order::<MemoryOrder>(f.order)?;
    out.limit = f.limit.map(|l| l as usize);
    Ok(out)
}

fn ids(id: &BigInt) -> Result<u64> {
    u64_of(id, "id")
}

fn seq_js(r: std::result::Result<u64, CortexError>) -> Result<BigInt> {
    r.map(BigInt::from).map_err(cortex_fail)
}

/// A Promise that resolves once `wait` does, or rejects with code
/// `timeout` after `timeout_ms` (when given).
fn wait_promise<F>(env: &Env, wait: F, timeout_ms: Option<f64>) -> Result<JsObject>
where
    F: std::future::Future<Output = std::result::Result<(), CortexError>> + Send + 'static,
{
    let limit = timeout_ms.map(|ms| Duration::from_millis(ms.max(0.0) as u64));
    promise::spawn(
        env,
        async move {
            match limit {
                None => wait.await.map_err(cortex_fail),
                Some(l) => match tokio::time::timeout(l, wait).await {
                    Ok(r) => r.map_err(cortex_fail),
                    Err(_) => Err(error("timeout", "waitForSeq timed out")),
                },
            }
        },
        |_, ()| Ok(()),
    )
}

/// The tasks model. Every mutation returns its event's seq.
#[napi]
pub struct Tasks {
    inner: TasksAdapter,
}

#[napi]
impl Tasks {
    /// Open the tasks model alone on `redex`, restored from a `snapshot()`:
    /// its state, then the events the log holds after it. Throws code
    /// `netdb:bundle` for bytes that are not a tasks snapshot.
    #[napi(factory)]
    pub fn open_from_snapshot(redex: &Redex, snapshot: Buffer, options: Option<ModelOptions>) -> Result<Tasks> {
        let snapshot = TasksSnapshot::from_bytes(&snapshot).map_err(netdb_fail)?;
        let (origin, config) = model_options(options)?;
        let inner = TasksAdapter::open_from_snapshot_with(&redex.inner, origin, config, &snapshot).map_err(netdb_fail)?;
        Ok(Tasks { inner })
    }

    /// The model's state and the seq it covers, for `openFromSnapshot`
    /// (`NetDb.snapshot()` bundles exactly this).
    #[napi]
    pub fn snapshot(&self) -> Buffer {
        self.inner.snapshot().to_bytes().into()
    }

    /// Create task `id` (pending); `createdAt` is kept as given.
    #[napi]
    pub fn create(&self, id: BigInt, title: String, created_at: BigInt) -> Result<BigInt> {
        seq_js(self.inner.create(ids(&id)?, &title, u64_of(&created_at, "createdAt")?))
    }

    #[napi]
    pub fn rename(&self, id: BigInt, title: String) -> Result<BigInt> {
        seq_js(self.inner.rename(ids(&id)?, &title))
    }

    /// `status`: `"pending"`, `"in_progress"`, `"completed"`, `"cancelled"`.
    #[napi]
    pub fn set_status(&self, id: BigInt, status: String) -> Result<BigInt> {
        seq_js(self.inner.set_status(ids(&id)?, status_of(&status)?))
    }

    #[napi]
    pub fn complete(&self, id: BigInt) -> Result<BigInt> {
        seq_js(self.inner.complete(ids(&id)?))
    }

    #[napi]
    pub fn delete(&self, id: BigInt) -> Result<BigInt> {
        seq_js(self.inner.delete(ids(&id)?))
    }

    /// Resolves once the event at `seq` is folded (rejects with code
    /// `timeout` after `timeoutMs`, when given).
    #[napi(ts_return_type = "Promise<void>")]
    pub fn wait_for_seq(&self, env: Env, seq: BigInt, timeout_ms: Option<f64>) -> Result<JsObject> {
        let (inner, seq) = (self.inner.clone(), u64_of(&seq, "seq")?);
        wait_promise(&env, async move { inner.wait_for_seq(seq).await }, timeout_ms)
    }

    #[napi]
    pub fn get(&self, id: BigInt) -> Result<Option<TaskJs>> {
        Ok(self.inner.get(ids(&id)?).as_ref().map(TaskJs::from))
    }

    #[napi]
    pub fn list(&self, filter: Option<TaskFilterJs>) -> Result<Vec<TaskJs>> {
        Ok(self.inner.list(&task_filter(filter)?).iter().map(TaskJs::from).collect())
    }

    #[napi]
    pub fn count(&self, filter: Option<TaskFilterJs>) -> Result<u32> {
        Ok(self.inner.count_where(&task_filter(filter)?) as u32)
    }

    /// Result batches: the current one first, then each differing result.
    #[napi]
    pub fn watch(&self, filter: Option<TaskFilterJs>) -> Result<TasksWatch> {
        let stream = self.inner.watch().filter(task_filter(filter)?).stream();
        Ok(TasksWatch { core: WatchCore::new(stream), snapshot: None })
    }

    /// A watch whose `snapshot` is the current result, taken atomically
    /// with the stream of later differing results.
    #[napi]
    pub fn snapshot_and_watch(&self, filter: Option<TaskFilterJs>) -> Result<TasksWatch> {
        let (snapshot, stream) = self.inner.snapshot_and_watch(self.inner.watch().filter(task_filter(filter)?));
        Ok(TasksWatch { core: WatchCore::new(stream), snapshot: Some(snapshot) })
    }
}

/// The memories model.
#[napi]
pub struct Memories {
    inner: MemoriesAdapter,
}

#[napi]
impl Memories {
    /// Open the memories model alone on `redex`, restored from a
    /// `snapshot()`; as `Tasks.openFromSnapshot`.
    #[napi(factory)]
    pub fn open_from_snapshot(redex: &Redex, snapshot: Buffer, options: Option<ModelOptions>) -> Result<Memories> {
        let snapshot = MemoriesSnapshot::from_bytes(&snapshot).map_err(netdb_fail)?;
        let (origin, config) = model_options(options)?;
        let inner =
            MemoriesAdapter::open_from_snapshot_with(&redex.inner, origin, config, &snapshot).map_err(netdb_fail)?;
        Ok(Memories { inner })
    }

    /// The model's state and the seq it covers, for `openFromSnapshot`.
    #[napi]
    pub fn snapshot(&self) -> Buffer {
        self.inner.snapshot().to_bytes().into()
    }

    /// Store memory `id` with `tags`; `createdAt` is kept as given.
    #[napi]
    pub fn store(&self, id: BigInt, content: String, tags: Vec<String>, created_at: BigInt) -> Result<BigInt> {
        seq_js(self.inner.store(ids(&id)?, &content, &tags, u64_of(&created_at, "createdAt")?))
    }

    #[napi]
    pub fn tag(&self, id: BigInt, tag: String) -> Result<BigInt> {
        seq_js(self.inner.tag(ids(&id)?, &tag))
    }

    #[napi]
    pub fn untag(&self, id: BigInt, tag: String) -> Result<BigInt> {
        seq_js(self.inner.untag(ids(&id)?, &tag))
    }

    #[napi]
    pub fn pin(&self, id: BigInt) -> Result<BigInt> {
        seq_js(self.inner.pin(ids(&id)?))
    }

    #[napi]
    pub fn unpin(&self, id: BigInt) -> Result<BigInt> {
        seq_js(self.inner.unpin(ids(&id)?))
    }

    #[napi]
    pub fn delete(&self, id: BigInt) -> Result<BigInt> {
        seq_js(self.inner.delete(ids(&id)?))
    }

    #[napi(ts_return_type = "Promise<void>")]
    pub fn wait_for_seq(&self, env: Env, seq: BigInt, timeout_ms: Option<f64>) -> Result<JsObject> {
        let (inner, seq) = (self.inner.clone(), u64_of(&seq, "seq")?);
        wait_promise(&env, async move { inner.wait_for_seq(seq).await }, timeout_ms)
    }

    #[napi]
    pub fn get(&self, id: BigInt) -> Result<Option<MemoryJs>> {
        Ok(self.inner.get(ids(&id)?).as_ref().map(MemoryJs::from))
    }

    #[napi]
    pub fn list(&self, filter: Option<MemoryFilterJs>) -> Result<Vec<MemoryJs>> {
        Ok(self.inner.list(&memory_filter(filter)?).iter().map(MemoryJs::from).collect())
    }

    #[napi]
    pub fn count(&self, filter: Option<MemoryFilterJs>) -> Result<u32> {
        Ok(self.inner.count_where(&memory_filter(filter)?) as u32)
    }

    #[napi]
    pub fn watch(&self, filter: Option<MemoryFilterJs>) -> Result<MemoriesWatch> {
        let stream = self.inner.watch().filter(memory_filter(filter)?).stream();
        Ok(MemoriesWatch { core: WatchCore::new(stream), snapshot: None })
    }

    #[napi]
    pub fn snapshot_and_watch(&self, filter: Option<MemoryFilterJs>) -> Result<MemoriesWatch> {
        let (snapshot, stream) = self.inner.snapshot_and_watch(self.inner.watch().filter(memory_filter(filter)?));
        Ok(MemoriesWatch { core: WatchCore::new(stream), snapshot: Some(snapshot) })
    }
}

/// A watch stream shared by its JS object and its running `nextBatch`.
struct WatchCore<T> {
    stream: Arc<Mutex<Option<WatchStream<T>>>>,
    closed: Arc<AtomicBool>,
    cancel: Arc<Notify>,
}

impl<T: Clone + PartialEq + Send + 'static> WatchCore<T> {
    fn new(stream: WatchStream<T>) -> Self {
        Self { stream: Arc::new(Mutex::new(Some(stream))), closed: Arc::new(AtomicBool::new(false)), cancel: Arc::new(Notify::new()) }
    }

    /// The next batch, or `None` once ended or closed.
    fn next(&self) -> impl std::future::Future<Output = Result<Option<Vec<T>>>> + Send + 'static + use<T> {
        let (stream, closed, cancel) = (self.stream.clone(), self.closed.clone(), self.cancel.clone());
        async move {
            let mut guard = stream.lock().await;
            if closed.load(Ordering::SeqCst) {
                *guard = None;
            }
            let Some(s) = guard.as_mut() else { return Ok(None) };
            let item = tokio::select! {
                biased;
                _ = cancel.notified() => None,
                item = s.next() => item,
            };
            if item.is_none() {
                *guard = None;
            }
            Ok(item)
        }
    }

    fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        match self.stream.try_lock() {
            Ok(mut s) => *s = None,
            Err(_) => self.cancel.notify_one(),
        }
    }
}

/// Result batches of a task query.
#[napi]
pub struct TasksWatch {
    core: WatchCore<cortex::Task>,
    snapshot: Option<Vec<cortex::Task>>,
}

#[napi]
impl TasksWatch {
    /// The next result batch, or null once the NetDb closed or after close().
    #[napi(ts_return_type = "Promise<Array<TaskJs> | null>")]
    pub fn next_batch(&self, env: Env) -> Result<JsObject> {
        promise::spawn(&env, self.core.next(), |_, b| Ok(b.map(|v| v.iter().map(TaskJs::from).collect::<Vec<_>>())))
    }

    /// The initial result of `snapshotAndWatch` (null for a plain watch).
    #[napi(getter)]
    pub fn snapshot(&self) -> Option<Vec<TaskJs>> {
        self.snapshot.as_ref().map(|v| v.iter().map(TaskJs::from).collect())
    }

    /// Stop watching; a pending nextBatch resolves to null. Idempotent.
    #[napi]
    pub fn close(&self) {
        self.core.close();
    }
}

/// Result batches of a memory query.
#[napi]
pub struct MemoriesWatch {
    core: WatchCore<cortex::Memory>,
    snapshot: Option<Vec<cortex::Memory>>,
}

#[napi]
impl MemoriesWatch {
    #[napi(ts_return_type = "Promise<Array<MemoryJs> | null>")]
    pub fn next_batch(&self, env: Env) -> Result<JsObject> {
        promise::spawn(&env, self.core.next(), |_, b| Ok(b.map(|v| v.iter().map(MemoryJs::from).collect::<Vec<_>>())))
    }

    #[napi(getter)]
    pub fn snapshot(&self) -> Option<Vec<MemoryJs>> {
        self.snapshot.as_ref().map(|v| v.iter().map(MemoryJs::from).collect())
    }

    #[napi]
    pub fn close(&self) {
        self.core.close();
    }
}
