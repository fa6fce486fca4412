//! [`ModelAdapter`]: the plumbing every model's public adapter shares —
//! opening its file, checking that a record exists before a mutation,
//! queries, watches and close. `TasksAdapter` and `MemoriesAdapter` add
//! their own mutations and forward the rest here.

use std::sync::Arc;

use super::fold::{Folded, Model};
use super::query::Query;
use super::record::{Record, Records};
use super::snapshot::{restore_error, ModelSnapshot};
use super::watch::WatchStream;
use super::{CortexError, NetDbError};
use crate::redex::{Redex, RedexFileConfig};

pub(crate) struct ModelAdapter<M: Model> {
    folded: Arc<Folded<M>>,
}

// Not derived: a derive would require `M: Clone`, and only the `Arc` is
// cloned.
impl<M: Model> Clone for ModelAdapter<M> {
    fn clone(&self) -> Self {
        Self { folded: self.folded.clone() }
    }
}

impl<M, R> ModelAdapter<M>
where
    M: Model<State = Records<R>>,
    R: Record,
{
    /// Open the model in `file` on `redex`, folding its log onto `base`
    /// (a snapshot's state and seq) or from scratch.
    pub fn open(
        redex: &Redex,
        file: &str,
        origin: u64,
        config: RedexFileConfig,
        base: Option<(Records<R>, u64)>,
    ) -> Result<Self, CortexError> {
        let file = redex.open_file(file, config).map_err(|source| CortexError::Redex { model: M::NAME, source })?;
        Ok(Self { folded: Folded::open(file, origin, base)? })
    }

    /// Open the model on top of `snapshot`'s state, folding only the
    /// events after it (see `TasksAdapter::open_from_snapshot`).
    pub fn open_from_snapshot<S: ModelSnapshot<Record = R>>(
        redex: &Redex,
        file: &str,
        origin: u64,
        config: RedexFileConfig,
        snapshot: &S,
    ) -> Result<Self, NetDbError> {
        Self::open(redex, file, origin, config, Some(snapshot.base())).map_err(|e| restore_error(e.into()))
    }

    /// Append the event `create` builds, unless record `id` exists
    /// ([`CortexError::AlreadyExists`]).
    pub fn create(&self, id: u64, create: impl FnOnce() -> M::Event) -> Result<u64, CortexError> {
        self.folded.mutate(|s| {
            if s.contains_key(&id) {
                return Err(CortexError::AlreadyExists { model: M::NAME, id });
            }
            Ok(create())
        })
    }

    /// Append the event `change` builds, if record `id` exists
    /// ([`CortexError::NotFound`] otherwise).
    pub fn change(&self, id: u64, change: impl FnOnce() -> M::Event) -> Result<u64, CortexError> {
        self.folded.mutate(|s| {
            s.get(&id).ok_or(CortexError::NotFound { model: M::NAME, id })?;
            Ok(change())
        })
    }

    pub async fn wait_for_seq(&self, seq: u64) -> Result<(), CortexError> {
        self.folded.wait_for_seq(seq).await
    }

    pub fn get(&self, id: u64) -> Option<R> {
        self.folded.read(|s| s.get(&id).cloned())
    }

    pub fn list<Q: Query<Record = R>>(&self, filter: &Q) -> Vec<R> {
        self.folded.read(|s| filter.run(s))
    }

    pub fn count(&self) -> usize {
        self.folded.read(|s| s.len())
    }

    pub fn count_where<Q: Query<Record = R>>(&self, filter: &Q) -> usize {
        self.folded.read(|s| filter.count(s))
    }

    pub fn folded_seq(&self) -> u64 {
        self.folded.folded_seq()
    }

    /// The current result of `filter` and a stream of later differing
    /// results, taken under one lock so no mutation falls between them.
    pub fn snapshot_and_watch<Q: Query<Record = R>>(&self, filter: Q) -> (Vec<R>, WatchStream<R>) {
        let (snapshot, rx) = self.folded.read_and_subscribe(|s| filter.run(s));
        let stream = WatchStream::new(self.folded.clone(), rx, Some(snapshot.clone()), move |s| filter.run(s));
        (snapshot, stream)
    }

    /// The results of `filter`: the current one first, then each
    /// differing one after a fold.
    pub fn watch<Q: Query<Record = R>>(&self, filter: Q) -> WatchStream<R> {
        let (_, rx) = self.folded.read_and_subscribe(|_| ());
        WatchStream::new(self.folded.clone(), rx, None, move |s| filter.run(s))
    }

    /// The folded state and the seq it covers, as the model's snapshot.
    pub fn snapshot<S: ModelSnapshot<Record = R>>(&self) -> S {
        S::of_state(self.folded.snapshot())
    }

    pub fn close(&self) -> Result<(), CortexError> {
        self.folded.close()
    }
}
