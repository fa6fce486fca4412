//! [`TasksAdapter`]: the domain API of the tasks model, and
//! [`TasksWatcher`], its watch builder.

use std::sync::Arc;

use super::filter::{TaskFilter, TaskOrder};
use super::model::{Task, TaskEvent, TaskStatus, TasksModel, TasksState};
use crate::cortex::fold::Folded;
use crate::cortex::watch::WatchStream;
use crate::cortex::CortexError;
use crate::redex::{Redex, RedexFileConfig};

/// The RedEX file the tasks model lives in.
pub const TASKS_FILE: &str = "cortex/tasks";

/// Tasks folded from their event log. Every mutation appends one event and
/// returns its seq; queries read the folded state. Cheap to clone.
#[derive(Clone)]
pub struct TasksAdapter {
    folded: Arc<Folded<TasksModel>>,
}

fn not_found(id: u64) -> CortexError {
    CortexError::NotFound { model: "tasks", id }
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

    pub(crate) fn open_from(
        redex: &Redex,
        origin: u64,
        config: RedexFileConfig,
        base: Option<(TasksState, u64)>,
    ) -> Result<Self, CortexError> {
        let file = redex.open_file(TASKS_FILE, config).map_err(|source| CortexError::Redex { model: "tasks", source })?;
        Ok(Self { folded: Folded::open(file, origin, base)? })
    }

    /// Create task `id` (pending). `created_at` is the producer's own
    /// creation time, kept as given.
    ///
    /// # Errors
    /// [`CortexError::AlreadyExists`], and those of every mutation:
    /// [`CortexError::Closed`], [`CortexError::FoldHalted`],
    /// [`CortexError::Redex`].
    pub fn create(&self, id: u64, title: &str, created_at: u64) -> Result<u64, CortexError> {
        self.folded.mutate(|s| {
            if s.contains_key(&id) {
                return Err(CortexError::AlreadyExists { model: "tasks", id });
            }
            Ok(TaskEvent::Created { id, title: title.to_string(), created_at })
        })
    }

    /// Rename task `id`. [`CortexError::NotFound`] if there is none.
    pub fn rename(&self, id: u64, title: &str) -> Result<u64, CortexError> {
        self.folded.mutate(|s| {
            s.get(&id).ok_or_else(|| not_found(id))?;
            Ok(TaskEvent::Renamed { id, title: title.to_string() })
        })
    }

    /// Set task `id`'s status. [`CortexError::NotFound`] if there is none.
    pub fn set_status(&self, id: u64, status: TaskStatus) -> Result<u64, CortexError> {
        self.folded.mutate(|s| {
            s.get(&id).ok_or_else(|| not_found(id))?;
            Ok(TaskEvent::StatusSet { id, status })
        })
    }

    /// Mark task `id` completed.
    pub fn complete(&self, id: u64) -> Result<u64, CortexError> {
        self.set_status(id, TaskStatus::Completed)
    }

    /// Delete task `id`. [`CortexError::NotFound`] if there is none.
    pub fn delete(&self, id: u64) -> Result<u64, CortexError> {
        self.folded.mutate(|s| {
            s.get(&id).ok_or_else(|| not_found(id))?;
            Ok(TaskEvent::Deleted { id })
        })
    }

    /// Wait until the event at `seq` is folded into the state.
    pub async fn wait_for_seq(&self, seq: u64) -> Result<(), CortexError> {
        self.folded.wait_for_seq(seq).await
    }

    /// Task `id`, if it exists.
    pub fn get(&self, id: u64) -> Option<Task> {
        self.folded.read(|s| s.get(&id).cloned())
    }

    /// The tasks `filter` selects, in its order.
    pub fn list(&self, filter: &TaskFilter) -> Vec<Task> {
        self.folded.read(|s| filter.run(s))
    }

    /// Number of tasks.
    pub fn count(&self) -> usize {
        self.folded.read(|s| s.len())
    }

    /// Number of tasks `filter` selects.
    pub fn count_where(&self, filter: &TaskFilter) -> usize {
        self.folded.read(|s| filter.count(s))
    }

    /// Seq of the next event to fold: every event below it is applied.
    pub fn folded_seq(&self) -> u64 {
        self.folded.folded_seq()
    }

    /// A watch builder: add conditions, then [`TasksWatcher::stream`] or
    /// pass it to [`TasksAdapter::snapshot_and_watch`].
    pub fn watch(&self) -> TasksWatcher {
        TasksWatcher { adapter: self.clone(), filter: TaskFilter::default() }
    }

    /// The current result of `watcher`'s filter and a stream of later
    /// results, taken atomically: a mutation either shows in the snapshot
    /// or arrives on the stream. The stream yields a result batch whenever
    /// it differs from the previous one (the snapshot counting as the
    /// first), and ends when the adapter closes.
    pub fn snapshot_and_watch(&self, watcher: TasksWatcher) -> (Vec<Task>, WatchStream<Task>) {
        let filter = watcher.filter;
        let (snapshot, rx) = self.folded.read_and_subscribe(|s| filter.run(s));
        let stream = WatchStream::new(self.folded.clone(), rx, Some(snapshot.clone()), move |s| filter.run(s));
        (snapshot, stream)
    }

    /// The folded state and the seq it covers.
    pub(crate) fn snapshot_state(&self) -> (TasksState, u64) {
        self.folded.snapshot()
    }

    /// Refuse further mutations, end watches and close the file.
    pub fn close(&self) -> Result<(), CortexError> {
        self.folded.close()
    }
}

/// Conditions for a task watch (see [`TasksAdapter::watch`]).
#[derive(Clone)]
pub struct TasksWatcher {
    adapter: TasksAdapter,
    filter: TaskFilter,
}

impl TasksWatcher {
    pub fn where_status(mut self, status: TaskStatus) -> Self {
        self.filter = self.filter.where_status(status);
        self
    }

    pub fn title_contains(mut self, needle: impl Into<String>) -> Self {
        self.filter = self.filter.title_contains(needle);
        self
    }

    pub fn created_by(mut self, origin: u64) -> Self {
        self.filter = self.filter.created_by(origin);
        self
    }

    pub fn order_by(mut self, order: TaskOrder) -> Self {
        self.filter = self.filter.order_by(order);
        self
    }

    pub fn limit(mut self, n: usize) -> Self {
        self.filter = self.filter.limit(n);
        self
    }

    /// Replace the conditions with `filter`.
    pub fn filter(mut self, filter: TaskFilter) -> Self {
        self.filter = filter;
        self
    }

    /// The stream of results: the current one first, then each differing
    /// result after a fold.
    pub fn stream(self) -> WatchStream<Task> {
        let filter = self.filter;
        let (_, rx) = self.adapter.folded.read_and_subscribe(|_| ());
        let folded = self.adapter.folded.clone();
        WatchStream::new(folded, rx, None, move |s| filter.run(s))
    }
}
