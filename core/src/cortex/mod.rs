//! CortEX: event-sourced state folded from RedEX files, and [`NetDb`], the
//! facade over its models.
//!
//! ```text
//! TasksAdapter::create ─► event bytes ─► RedexFile::append ─► fold ─► state
//!                                                   watch / snapshot_and_watch ◄┘
//! ```
//! One concept per file: `codec` (event byte layout), `fold` (the engine
//! every model runs on), `record` and `query` (a model's records and how
//! its filter runs over them), `model_adapter` and `watcher` (the adapter
//! and watch-builder plumbing both models share), `watch` ([`WatchStream`]),
//! `tasks` and `memories` (the two models: state, events, filters,
//! adapters), `snapshot` ([`TasksSnapshot`], [`MemoriesSnapshot`] and
//! their bundle [`NetDbSnapshot`]), `netdb` ([`NetDb`],
//! [`NetDbBuilder`]), `error` ([`CortexError`], [`NetDbError`]).
//!
//! The RedEX types are re-exported here, so `net_sdk::cortex` is the one
//! import for event-sourced state:
//!
//! ```
//! use futures::StreamExt;
//! use net_sdk::cortex::{NetDb, Redex, TaskStatus};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let redex = Redex::new(); // or `.with_persistent_dir(dir)` and `.persistent(true)`
//! let db = NetDb::builder(redex).origin(0xABCD_EF01).with_tasks().with_memories().build()?;
//! let seq = db.tasks().create(1, "write docs", 0)?;
//! db.tasks().wait_for_seq(seq).await?;
//! assert_eq!(db.tasks().count(), 1);
//!
//! // Paint what is there now, then react: a mutation racing this call is
//! // in the snapshot or comes out of the stream.
//! let watcher = db.tasks().watch().where_status(TaskStatus::Pending);
//! let (snapshot, mut deltas) = db.tasks().snapshot_and_watch(watcher);
//! assert_eq!(snapshot.len(), 1);
//! db.tasks().complete(1)?;
//! assert_eq!(deltas.next().await.map(|batch| batch.len()), Some(0));
//! db.close()?;
//! # Ok(())
//! # }
//! ```

mod codec;
mod error;
mod fold;
mod memories;
mod model_adapter;
mod netdb;
mod query;
mod record;
mod snapshot;
mod tasks;
mod watch;
mod watcher;

pub use error::{CortexError, NetDbError};
pub use memories::{MemoriesAdapter, MemoriesWatcher, Memory, MemoryFilter, MemoryOrder, MEMORIES_FILE};
pub use netdb::{NetDb, NetDbBuilder};
pub use snapshot::{MemoriesSnapshot, NetDbSnapshot, TasksSnapshot};
pub use tasks::{Task, TaskFilter, TaskOrder, TaskStatus, TasksAdapter, TasksWatcher, TASKS_FILE};
pub use watch::WatchStream;

pub use crate::redex::{
    FsyncPolicy, Redex, RedexError, RedexEvent, RedexFile, RedexFileConfig, RedexTail, RepairKind, RepairReport,
};

/// Internals exposed for the fuzz targets; not a stable API.
#[doc(hidden)]
pub mod internals {
    use super::fold::Model;
    use super::memories::MemoriesModel;
    use super::tasks::TasksModel;

    /// Decode `bytes` as a tasks event and encode it again (`None` when it
    /// does not decode): a decoded event must re-encode byte for byte.
    pub fn reencode_task_event(bytes: &[u8]) -> Option<Vec<u8>> {
        let (origin, event) = TasksModel::decode(bytes).ok()?;
        let mut out = Vec::new();
        TasksModel::encode(&event, origin, &mut out);
        Some(out)
    }

    /// The same for a memories event.
    pub fn reencode_memory_event(bytes: &[u8]) -> Option<Vec<u8>> {
        let (origin, event) = MemoriesModel::decode(bytes).ok()?;
        let mut out = Vec::new();
        MemoriesModel::encode(&event, origin, &mut out);
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    /// The fuzz target's property (fuzz/fuzz_targets/cortex_event.rs) over
    /// random damage of valid events: a damaged event either fails to
    /// decode or re-encodes to exactly its bytes.
    #[test]
    fn decoded_events_reencode_byte_for_byte() {
        use rand::{Rng, SeedableRng};
        let redex = super::Redex::new();
        let db = super::NetDb::builder(redex.clone()).origin(9).with_tasks().with_memories().build().unwrap();
        db.tasks().create(1, "title", 5).unwrap();
        db.tasks().rename(1, "other").unwrap();
        db.tasks().complete(1).unwrap();
        db.tasks().delete(1).unwrap();
        db.memories().store(2, "content", &["a", "b"], 6).unwrap();
        db.memories().tag(2, "c").unwrap();
        db.memories().pin(2).unwrap();
        let mut valid: Vec<Vec<u8>> = Vec::new();
        for name in [super::TASKS_FILE, super::MEMORIES_FILE] {
            let file = redex.open_file(name, Default::default()).unwrap();
            valid.extend(file.read(..).into_iter().map(|e| e.payload.to_vec()));
        }
        let mut rng = rand::rngs::StdRng::seed_from_u64(14);
        for _ in 0..5000 {
            let mut data = valid[rng.gen_range(0..valid.len())].clone();
            for _ in 0..rng.gen_range(0..3) {
                let at = rng.gen_range(0..data.len());
                data[at] = rng.r#gen();
            }
            data.truncate(rng.gen_range(0..=data.len()));
            for again in [super::internals::reencode_task_event(&data), super::internals::reencode_memory_event(&data)]
                .into_iter()
                .flatten()
            {
                assert_eq!(again, data);
            }
        }
        for v in &valid {
            let t = super::internals::reencode_task_event(v);
            let m = super::internals::reencode_memory_event(v);
            assert!(t.as_ref() == Some(v) || m.as_ref() == Some(v), "every written event decodes");
        }
    }
}
