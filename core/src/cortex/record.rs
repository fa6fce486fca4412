//! [`Record`]: what every model keeps by id (a task, a memory), and
//! [`update_existing`], the one way a fold changes a record that exists.

use std::collections::BTreeMap;

use super::fold::Applied;

/// A model's state: its records by id. A `BTreeMap`, so iterating yields id
/// order, which queries rely on for ties.
pub(crate) type Records<R> = BTreeMap<u64, R>;

/// One record of a model, as its queries and watches hand it out.
pub(crate) trait Record: Clone + PartialEq + Send + Sync + 'static {
    /// The id the model keeps the record under.
    fn id(&self) -> u64;
    /// Note that the event `at` was applied to this record (its updated
    /// time and seq).
    fn touch(&mut self, at: Applied);
}

/// Apply `change` to record `id` and touch it. An event about an id the
/// state does not hold changes nothing (a foreign writer's, or one a
/// snapshot already covers).
pub(crate) fn update_existing<R: Record>(state: &mut Records<R>, id: u64, at: Applied, change: impl FnOnce(&mut R)) {
    if let Some(record) = state.get_mut(&id) {
        change(record);
        record.touch(at);
    }
}
