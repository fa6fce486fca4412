//! [`TasksAdapter`]: the domain API of the tasks model, and
//! [`TasksWatcher`], its watch builder.

use super::filter::{TaskFilter, TaskOrder};
use super::model::{Task, TaskEvent, TaskStatus, TasksModel, TasksState};
use crate::cortex::model_adapter::ModelAdapter;
use crate::cortex::watch::WatchStream;
use crate::cortex::watcher::Watcher;
use crate::cortex::{CortexError, NetDbError, TasksSnapshot};
use crate::redex::{Redex, RedexFileConfig};

/// The RedEX file the tasks model lives in.
pub const TASKS_FILE: &str = "cortex/tasks";

/// Tasks folded from their event log. Every mutation appends one event and
/// returns its seq; queries read the folded state. Cheap to clone.
#[derive(Clone)]
pub struct TasksAdapter {
    model: ModelAdapter<TasksModel>,
}

impl TasksAdapter {
    /// Open the tasks model on `redex` in memory, stamping events with
    /// `origin`.
    pub fn open(redex: &Redex, origin: u64) -> Result<Self, CortexError> {
        Self::open_with(redex, origin, RedexFileConfig::default())
    }

    /// Open with an explicit file configuration (e.g. `persistent`).
    pub fn open_with(redex: &Redex, origin: u64, config: RedexFileConfig) -> Result<Self, CortexError> {
        Self::open_from(redex, origin, config, None)
    }

    /// Open the tasks model on top of `snapshot` (from [`TasksAdapter::snapshot`]),
    /// in memory; see [`TasksAdapter::open_from_snapshot_with`].
    pub fn open_from_snapshot(redex: &Redex, origin: u64, snapshot: &TasksSnapshot) -> Result<Self, NetDbError> {
        Self::open_from_snapshot_with(redex, origin, RedexFileConfig::default(), snapshot)
    }

    /// Open with an explicit file configuration on top of `snapshot`: its
    /// state and `folded_seq` are the snapshot's, and the events the log
    /// holds after the snapshot's seq are folded on top (each once). A log
    /// that ends before that seq (a fresh, e.g. in-memory, `Redex`) is a
    /// different log: the snapshot is the base and later events fold onto
    /// it from the log's end.
    ///
    /// # Errors
    /// [`NetDbError::Bundle`] if the log has evicted events after the
    /// snapshot's seq; [`NetDbError::Cortex`] as for `open_with`.
    pub fn open_from_snapshot_with(
        redex: &Redex,
        origin: u64,
        config: RedexFileConfig,
        snapshot: &TasksSnapshot,
    ) -> Result<Self, NetDbError> {
        Ok(Self { model: ModelAdapter::open_from_snapshot(redex, TASKS_FILE, origin, config, snapshot)? })
    }

    pub(crate) fn open_from(
        redex: &Redex,
        origin: u64,
        config: RedexFileConfig,
        base: Option<(TasksState, u64)>,
    ) -> Result<Self, CortexError> {
        Ok(Self { model: ModelAdapter::open(redex, TASKS_FILE, origin, config, base)? })
    }

    /// Create task `id` (pending). `created_at` is the producer's own
    /// creation time, kept as given.
    ///
    /// # Errors
    /// [`CortexError::AlreadyExists`], and those of every mutation:
    /// [`CortexError::Closed`], [`CortexError::FoldHalted`],
    /// [`CortexError::Redex`].
    pub fn create(&self, id: u64, title: &str, created_at: u64) -> Result<u64, CortexError> {
        self.model.create(id, || TaskEvent::Created { id, title: title.to_string(), created_at })
    }

    /// Rename task `id`. [`CortexError::NotFound`] if there is none.
    pub fn rename(&self, id: u64, title: &str) -> Result<u64, CortexError> {
        self.model.change(id, || TaskEvent::Renamed { id, title: title.to_string() })
    }

    /// Set task `id`'s status. [`CortexError::NotFound`] if there is none.
    pub fn set_status(&self, id: u64, status: TaskStatus) -> Result<u64, CortexError> {
        self.model.change(id, || TaskEvent::StatusSet { id, status })
    }

    /// Mark task `id` completed.
    pub fn complete(&self, id: u64) -> Result<u64, CortexError> {
        self.set_status(id, TaskStatus::Completed)
    }

    /// Delete task `id`. [`CortexError::NotFound`] if there is none.
    pub fn delete(&self, id: u64) -> Result<u64, CortexError> {
        self.model.change(id, || TaskEvent::Deleted { id })
    }

    /// Wait until the event at `seq` is folded into the state.
    pub async fn wait_for_seq(&self, seq: u64) -> Result<(), CortexError> {
        self.model.wait_for_seq(seq).await
    }

    /// Task `id`, if it exists.
    pub fn get(&self, id: u64) -> Option<Task> {
        self.model.get(id)
    }

    /// The tasks `filter` selects, in its order.
    pub fn list(&self, filter: &TaskFilter) -> Vec<Task> {
        self.model.list(filter)
    }

    /// Number of tasks.
    pub fn count(&self) -> usize {
        self.model.count()
    }

    /// Number of tasks `filter` selects.
    pub fn count_where(&self, filter: &TaskFilter) -> usize {
        self.model.count_where(filter)
    }

    /// Seq of the next event to fold: every event below it is applied.
    pub fn folded_seq(&self) -> u64 {
        self.model.folded_seq()
    }

    /// A watch builder: add conditions, then [`TasksWatcher::stream`] or
    /// pass it to [`TasksAdapter::snapshot_and_watch`].
    pub fn watch(&self) -> TasksWatcher {
        TasksWatcher { watch: Watcher::new(self.model.clone(), TaskFilter::default()) }
    }

    /// The current result of `watcher`'s filter and a stream of later
    /// results, taken atomically: a mutation either shows in the snapshot
    /// or arrives on the stream. The stream yields a result batch whenever
    /// it differs from the previous one (the snapshot counting as the
    /// first), and ends when the adapter closes.
    pub fn snapshot_and_watch(&self, watcher: TasksWatcher) -> (Vec<Task>, WatchStream<Task>) {
        self.model.snapshot_and_watch(watcher.watch.into_filter())
    }

    /// The folded state and the seq it covers, for
    /// [`TasksAdapter::open_from_snapshot`]; `NetDb::snapshot` bundles exactly this.
    pub fn snapshot(&self) -> TasksSnapshot {
        self.model.snapshot()
    }

    /// Refuse further mutations, end watches and close the file.
    pub fn close(&self) -> Result<(), CortexError> {
        self.model.close()
    }
}

/// Conditions for a task watch (see [`TasksAdapter::watch`]).
#[derive(Clone)]
pub struct TasksWatcher {
    watch: Watcher<TasksModel, TaskFilter>,
}

impl TasksWatcher {
    pub fn where_status(self, status: TaskStatus) -> Self {
        self.refine(|f| f.where_status(status))
    }

    pub fn title_contains(self, needle: impl Into<String>) -> Self {
        self.refine(|f| f.title_contains(needle))
    }

    pub fn created_by(self, origin: u64) -> Self {
        self.refine(|f| f.created_by(origin))
    }

    pub fn order_by(self, order: TaskOrder) -> Self {
        self.refine(|f| f.order_by(order))
    }

    pub fn limit(self, n: usize) -> Self {
        self.refine(|f| f.limit(n))
    }

    /// Replace the conditions with `filter`.
    pub fn filter(self, filter: TaskFilter) -> Self {
        self.refine(|_| filter)
    }

    /// The stream of results: the current one first, then each differing
    /// result after a fold.
    pub fn stream(self) -> WatchStream<Task> {
        self.watch.stream()
    }

    fn refine(self, f: impl FnOnce(TaskFilter) -> TaskFilter) -> Self {
        Self { watch: self.watch.refine(f) }
    }
}
