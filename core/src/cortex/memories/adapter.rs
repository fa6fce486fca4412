//! [`MemoriesAdapter`]: the domain API of the memories model, and
//! [`MemoriesWatcher`], its watch builder.

use super::filter::{MemoryFilter, MemoryOrder};
use super::model::{MemoriesModel, MemoriesState, Memory, MemoryEvent};
use crate::cortex::model_adapter::ModelAdapter;
use crate::cortex::watch::WatchStream;
use crate::cortex::watcher::Watcher;
use crate::cortex::{CortexError, MemoriesSnapshot, NetDbError};
use crate::redex::{Redex, RedexFileConfig};

/// The RedEX file the memories model lives in.
pub const MEMORIES_FILE: &str = "cortex/memories";

/// Memories folded from their event log. Every mutation appends one event
/// and returns its seq; queries read the folded state. Cheap to clone.
#[derive(Clone)]
pub struct MemoriesAdapter {
    model: ModelAdapter<MemoriesModel>,
}

impl MemoriesAdapter {
    /// Open the memories model on `redex` in memory, stamping events with
    /// `origin`.
    pub fn open(redex: &Redex, origin: u64) -> Result<Self, CortexError> {
        Self::open_with(redex, origin, RedexFileConfig::default())
    }

    /// Open with an explicit file configuration (e.g. `persistent`).
    pub fn open_with(redex: &Redex, origin: u64, config: RedexFileConfig) -> Result<Self, CortexError> {
        Self::open_from(redex, origin, config, None)
    }

    /// Open the memories model on top of `snapshot` (from [`MemoriesAdapter::snapshot`]),
    /// in memory; see [`MemoriesAdapter::open_from_snapshot_with`].
    pub fn open_from_snapshot(redex: &Redex, origin: u64, snapshot: &MemoriesSnapshot) -> Result<Self, NetDbError> {
        Self::open_from_snapshot_with(redex, origin, RedexFileConfig::default(), snapshot)
    }

    /// Open with an explicit file configuration on top of `snapshot`; as
    /// [`TasksAdapter::open_from_snapshot_with`](crate::cortex::TasksAdapter::open_from_snapshot_with).
    pub fn open_from_snapshot_with(
        redex: &Redex,
        origin: u64,
        config: RedexFileConfig,
        snapshot: &MemoriesSnapshot,
    ) -> Result<Self, NetDbError> {
        Ok(Self { model: ModelAdapter::open_from_snapshot(redex, MEMORIES_FILE, origin, config, snapshot)? })
    }

    pub(crate) fn open_from(
        redex: &Redex,
        origin: u64,
        config: RedexFileConfig,
        base: Option<(MemoriesState, u64)>,
    ) -> Result<Self, CortexError> {
        Ok(Self { model: ModelAdapter::open(redex, MEMORIES_FILE, origin, config, base)? })
    }

    /// Store memory `id` with `tags` (unpinned). `created_at` is the
    /// producer's own creation time, kept as given.
    ///
    /// # Errors
    /// [`CortexError::AlreadyExists`], and those of every mutation:
    /// [`CortexError::Closed`], [`CortexError::FoldHalted`],
    /// [`CortexError::Redex`].
    pub fn store<S: AsRef<str>>(&self, id: u64, content: &str, tags: &[S], created_at: u64) -> Result<u64, CortexError> {
        self.model.create(id, || {
            let tags = tags.iter().map(|t| t.as_ref().to_string()).collect();
            MemoryEvent::Stored { id, content: content.to_string(), tags, created_at }
        })
    }

    /// Add `tag` to memory `id` (no change if present, but still an event).
    pub fn tag(&self, id: u64, tag: &str) -> Result<u64, CortexError> {
        self.model.change(id, || MemoryEvent::Tagged { id, tag: tag.to_string() })
    }

    /// Remove `tag` from memory `id`.
    pub fn untag(&self, id: u64, tag: &str) -> Result<u64, CortexError> {
        self.model.change(id, || MemoryEvent::Untagged { id, tag: tag.to_string() })
    }

    /// Pin memory `id`.
    pub fn pin(&self, id: u64) -> Result<u64, CortexError> {
        self.set_pinned(id, true)
    }

    /// Unpin memory `id`.
    pub fn unpin(&self, id: u64) -> Result<u64, CortexError> {
        self.set_pinned(id, false)
    }

    fn set_pinned(&self, id: u64, pinned: bool) -> Result<u64, CortexError> {
        self.model.change(id, || MemoryEvent::Pinned { id, pinned })
    }

    /// Delete memory `id`.
    pub fn delete(&self, id: u64) -> Result<u64, CortexError> {
        self.model.change(id, || MemoryEvent::Deleted { id })
    }

    /// Wait until the event at `seq` is folded into the state.
    pub async fn wait_for_seq(&self, seq: u64) -> Result<(), CortexError> {
        self.model.wait_for_seq(seq).await
    }

    /// Memory `id`, if it exists.
    pub fn get(&self, id: u64) -> Option<Memory> {
        self.model.get(id)
    }

    /// The memories `filter` selects, in its order.
    pub fn list(&self, filter: &MemoryFilter) -> Vec<Memory> {
        self.model.list(filter)
    }

    /// Number of memories.
    pub fn count(&self) -> usize {
        self.model.count()
    }

    /// Number of memories `filter` selects.
    pub fn count_where(&self, filter: &MemoryFilter) -> usize {
        self.model.count_where(filter)
    }

    /// Seq of the next event to fold: every event below it is applied.
    pub fn folded_seq(&self) -> u64 {
        self.model.folded_seq()
    }

    /// A watch builder (see [`TasksAdapter::watch`](crate::cortex::TasksAdapter::watch)).
    pub fn watch(&self) -> MemoriesWatcher {
        MemoriesWatcher { watch: Watcher::new(self.model.clone(), MemoryFilter::default()) }
    }

    /// Atomic snapshot plus stream of later differing results (see
    /// [`TasksAdapter::snapshot_and_watch`](crate::cortex::TasksAdapter::snapshot_and_watch)).
    pub fn snapshot_and_watch(&self, watcher: MemoriesWatcher) -> (Vec<Memory>, WatchStream<Memory>) {
        self.model.snapshot_and_watch(watcher.watch.into_filter())
    }

    /// The folded state and the seq it covers, for
    /// [`MemoriesAdapter::open_from_snapshot`]; `NetDb::snapshot` bundles exactly this.
    pub fn snapshot(&self) -> MemoriesSnapshot {
        self.model.snapshot()
    }

    /// Refuse further mutations, end watches and close the file.
    pub fn close(&self) -> Result<(), CortexError> {
        self.model.close()
    }
}

/// Conditions for a memory watch (see [`MemoriesAdapter::watch`]).
#[derive(Clone)]
pub struct MemoriesWatcher {
    watch: Watcher<MemoriesModel, MemoryFilter>,
}

impl MemoriesWatcher {
    pub fn with_tag(self, tag: impl Into<String>) -> Self {
        self.refine(|f| f.with_tag(tag))
    }

    pub fn with_any_tag<S: Into<String>>(self, tags: impl IntoIterator<Item = S>) -> Self {
        self.refine(|f| f.with_any_tag(tags))
    }

    pub fn content_contains(self, needle: impl Into<String>) -> Self {
        self.refine(|f| f.content_contains(needle))
    }

    pub fn where_pinned(self, pinned: bool) -> Self {
        self.refine(|f| f.where_pinned(pinned))
    }

    pub fn order_by(self, order: MemoryOrder) -> Self {
        self.refine(|f| f.order_by(order))
    }

    pub fn limit(self, n: usize) -> Self {
        self.refine(|f| f.limit(n))
    }

    /// Replace the conditions with `filter`.
    pub fn filter(self, filter: MemoryFilter) -> Self {
        self.refine(|_| filter)
    }

    /// The stream of results: the current one first, then each differing
    /// result after a fold.
    pub fn stream(self) -> WatchStream<Memory> {
        self.watch.stream()
    }

    fn refine(self, f: impl FnOnce(MemoryFilter) -> MemoryFilter) -> Self {
        Self { watch: self.watch.refine(f) }
    }
}
