//! [`MemoriesAdapter`]: the domain API of the memories model, and
//! [`MemoriesWatcher`], its watch builder.

use std::sync::Arc;

use super::filter::{MemoryFilter, MemoryOrder};
use super::model::{MemoriesModel, MemoriesState, Memory, MemoryEvent};
use crate::cortex::fold::Folded;
use crate::cortex::watch::WatchStream;
use crate::cortex::CortexError;
use crate::redex::{Redex, RedexFileConfig};

/// The RedEX file the memories model lives in.
pub const MEMORIES_FILE: &str = "cortex/memories";

/// Memories folded from their event log. Every mutation appends one event
/// and returns its seq; queries read the folded state. Cheap to clone.
#[derive(Clone)]
pub struct MemoriesAdapter {
    folded: Arc<Folded<MemoriesModel>>,
}

fn not_found(id: u64) -> CortexError {
    CortexError::NotFound { model: "memories", id }
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

    pub(crate) fn open_from(
        redex: &Redex,
        origin: u64,
        config: RedexFileConfig,
        base: Option<(MemoriesState, u64)>,
    ) -> Result<Self, CortexError> {
        let file =
            redex.open_file(MEMORIES_FILE, config).map_err(|source| CortexError::Redex { model: "memories", source })?;
        Ok(Self { folded: Folded::open(file, origin, base)? })
    }

    /// Store memory `id` with `tags` (unpinned). `created_at` is the
    /// producer's own creation time, kept as given.
    ///
    /// # Errors
    /// [`CortexError::AlreadyExists`], and those of every mutation:
    /// [`CortexError::Closed`], [`CortexError::FoldHalted`],
    /// [`CortexError::Redex`].
    pub fn store<S: AsRef<str>>(&self, id: u64, content: &str, tags: &[S], created_at: u64) -> Result<u64, CortexError> {
        self.folded.mutate(|s| {
            if s.contains_key(&id) {
                return Err(CortexError::AlreadyExists { model: "memories", id });
            }
            let tags = tags.iter().map(|t| t.as_ref().to_string()).collect();
            Ok(MemoryEvent::Stored { id, content: content.to_string(), tags, created_at })
        })
    }

    /// Add `tag` to memory `id` (no change if present, but still an event).
    pub fn tag(&self, id: u64, tag: &str) -> Result<u64, CortexError> {
        self.folded.mutate(|s| {
            s.get(&id).ok_or_else(|| not_found(id))?;
            Ok(MemoryEvent::Tagged { id, tag: tag.to_string() })
        })
    }

    /// Remove `tag` from memory `id`.
    pub fn untag(&self, id: u64, tag: &str) -> Result<u64, CortexError> {
        self.folded.mutate(|s| {
            s.get(&id).ok_or_else(|| not_found(id))?;
            Ok(MemoryEvent::Untagged { id, tag: tag.to_string() })
        })
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
        self.folded.mutate(|s| {
            s.get(&id).ok_or_else(|| not_found(id))?;
            Ok(MemoryEvent::Pinned { id, pinned })
        })
    }

    /// Delete memory `id`.
    pub fn delete(&self, id: u64) -> Result<u64, CortexError> {
        self.folded.mutate(|s| {
            s.get(&id).ok_or_else(|| not_found(id))?;
            Ok(MemoryEvent::Deleted { id })
        })
    }

    /// Wait until the event at `seq` is folded into the state.
    pub async fn wait_for_seq(&self, seq: u64) -> Result<(), CortexError> {
        self.folded.wait_for_seq(seq).await
    }

    /// Memory `id`, if it exists.
    pub fn get(&self, id: u64) -> Option<Memory> {
        self.folded.read(|s| s.get(&id).cloned())
    }

    /// The memories `filter` selects, in its order.
    pub fn list(&self, filter: &MemoryFilter) -> Vec<Memory> {
        self.folded.read(|s| filter.run(s))
    }

    /// Number of memories.
    pub fn count(&self) -> usize {
        self.folded.read(|s| s.len())
    }

    /// Number of memories `filter` selects.
    pub fn count_where(&self, filter: &MemoryFilter) -> usize {
        self.folded.read(|s| filter.count(s))
    }

    /// Seq of the next event to fold: every event below it is applied.
    pub fn folded_seq(&self) -> u64 {
        self.folded.folded_seq()
    }

    /// A watch builder (see [`TasksAdapter::watch`](crate::cortex::TasksAdapter::watch)).
    pub fn watch(&self) -> MemoriesWatcher {
        MemoriesWatcher { adapter: self.clone(), filter: MemoryFilter::default() }
    }

    /// Atomic snapshot plus stream of later differing results (see
    /// [`TasksAdapter::snapshot_and_watch`](crate::cortex::TasksAdapter::snapshot_and_watch)).
    pub fn snapshot_and_watch(&self, watcher: MemoriesWatcher) -> (Vec<Memory>, WatchStream<Memory>) {
        let filter = watcher.filter;
        let (snapshot, rx) = self.folded.read_and_subscribe(|s| filter.run(s));
        let stream = WatchStream::new(self.folded.clone(), rx, Some(snapshot.clone()), move |s| filter.run(s));
        (snapshot, stream)
    }

    pub(crate) fn snapshot_state(&self) -> (MemoriesState, u64) {
        self.folded.snapshot()
    }

    /// Refuse further mutations, end watches and close the file.
    pub fn close(&self) -> Result<(), CortexError> {
        self.folded.close()
    }
}

/// Conditions for a memory watch (see [`MemoriesAdapter::watch`]).
#[derive(Clone)]
pub struct MemoriesWatcher {
    adapter: MemoriesAdapter,
    filter: MemoryFilter,
}

impl MemoriesWatcher {
    pub fn with_tag(mut self, tag: impl Into<String>) -> Self {
        self.filter = self.filter.with_tag(tag);
        self
    }

    pub fn with_any_tag<S: Into<String>>(mut self, tags: impl IntoIterator<Item = S>) -> Self {
        self.filter = self.filter.with_any_tag(tags);
        self
    }

    pub fn content_contains(mut self, needle: impl Into<String>) -> Self {
        self.filter = self.filter.content_contains(needle);
        self
    }

    pub fn where_pinned(mut self, pinned: bool) -> Self {
        self.filter = self.filter.where_pinned(pinned);
        self
    }

    pub fn order_by(mut self, order: MemoryOrder) -> Self {
        self.filter = self.filter.order_by(order);
        self
    }

    pub fn limit(mut self, n: usize) -> Self {
        self.filter = self.filter.limit(n);
        self
    }

    /// Replace the conditions with `filter`.
    pub fn filter(mut self, filter: MemoryFilter) -> Self {
        self.filter = filter;
        self
    }

    /// The stream of results: the current one first, then each differing
    /// result after a fold.
    pub fn stream(self) -> WatchStream<Memory> {
        let filter = self.filter;
        let (_, rx) = self.adapter.folded.read_and_subscribe(|_| ());
        WatchStream::new(self.adapter.folded.clone(), rx, None, move |s| filter.run(s))
    }
}
