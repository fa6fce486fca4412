//! [`Query`]: how a model's filter picks, orders and limits its records.
//! Each filter says what matches and how to order; running and counting
//! are the same for every model.

use super::record::{Record, Records};

pub(crate) trait Query: Send + Sync + 'static {
    type Record: Record;

    /// Whether `record` passes the conditions (order and limit aside).
    /// Named apart from the filters' public `matches`, which it forwards to.
    fn selects(&self, record: &Self::Record) -> bool;

    /// Put `records`, which arrive in id order, into the filter's order. A
    /// stable sort keeps id order on ties.
    fn sort(&self, records: &mut [Self::Record]);

    /// At most this many results (named apart from the filters' builder
    /// method `limit`).
    fn max_results(&self) -> Option<usize>;

    /// The records the filter selects, in its order.
    fn run(&self, state: &Records<Self::Record>) -> Vec<Self::Record> {
        let mut out: Vec<Self::Record> = state.values().filter(|r| self.selects(r)).cloned().collect();
        self.sort(&mut out);
        if let Some(n) = self.max_results() {
            out.truncate(n);
        }
        out
    }

    /// How many records `run` would return, without cloning them.
    fn count(&self, state: &Records<Self::Record>) -> usize {
        let n = state.values().filter(|r| self.selects(r)).count();
        self.max_results().map_or(n, |l| n.min(l))
    }
}
