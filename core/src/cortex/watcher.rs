//! [`Watcher`]: what a model's public watch builder holds — the adapter to
//! watch and the filter built so far. `TasksWatcher` and `MemoriesWatcher`
//! wrap one and add their own condition methods.

use super::fold::Model;
use super::model_adapter::ModelAdapter;
use super::query::Query;
use super::record::Records;
use super::watch::WatchStream;

pub(crate) struct Watcher<M: Model, Q> {
    adapter: ModelAdapter<M>,
    filter: Q,
}

// Not derived, for the same reason as `ModelAdapter`'s `Clone`.
impl<M: Model, Q: Clone> Clone for Watcher<M, Q> {
    fn clone(&self) -> Self {
        Self { adapter: self.adapter.clone(), filter: self.filter.clone() }
    }
}

impl<M, Q> Watcher<M, Q>
where
    M: Model<State = Records<Q::Record>>,
    Q: Query,
{
    pub fn new(adapter: ModelAdapter<M>, filter: Q) -> Self {
        Self { adapter, filter }
    }

    /// The same watch with its filter passed through `f`.
    pub fn refine(self, f: impl FnOnce(Q) -> Q) -> Self {
        Self { adapter: self.adapter, filter: f(self.filter) }
    }

    pub fn into_filter(self) -> Q {
        self.filter
    }

    pub fn stream(self) -> WatchStream<Q::Record> {
        self.adapter.watch(self.filter)
    }
}
