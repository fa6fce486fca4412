//! Watches: deduplicated result batches, the end on close, and the
//! atomicity of snapshot_and_watch under a concurrent writer.

use std::sync::{Arc, Barrier};
use std::time::Duration;

use futures::StreamExt;
use net_sdk::cortex::{MemoryFilter, NetDb, Redex, TaskStatus};

fn db() -> NetDb {
    NetDb::builder(Redex::new()).origin(1).with_tasks().with_memories().build().unwrap()
}

fn ids<T>(batch: &[T], id: impl Fn(&T) -> u64) -> Vec<u64> {
    batch.iter().map(id).collect()
}

#[tokio::test]
async fn watch_yields_the_current_result_then_only_changes() {
    let db = db();
    db.tasks().create(1, "ship it", 0).unwrap();
    let mut w = db.tasks().watch().where_status(TaskStatus::Pending).stream();
    assert_eq!(ids(&w.next().await.unwrap(), |t| t.id), vec![1]);
    // A change outside the filter's result yields nothing...
    db.tasks().create(2, "other", 0).unwrap();
    db.tasks().complete(2).unwrap();
    // ...a change inside it yields the new result.
    db.tasks().create(3, "ship more", 0).unwrap();
    assert_eq!(ids(&w.next().await.unwrap(), |t| t.id), vec![1, 3]);
    db.tasks().complete(1).unwrap();
    assert_eq!(ids(&w.next().await.unwrap(), |t| t.id), vec![3]);
    // Renaming a selected task changes the batch (its content differs).
    db.tasks().rename(3, "renamed").unwrap();
    assert_eq!(w.next().await.unwrap()[0].title, "renamed");
}

#[tokio::test]
async fn memory_watches_follow_tags() {
    let db = db();
    let mut w = db.memories().watch().with_tag("urgent").stream();
    assert!(w.next().await.unwrap().is_empty());
    db.memories().store(1, "call back", &["todo"], 0).unwrap();
    db.memories().tag(1, "urgent").unwrap();
    assert_eq!(ids(&w.next().await.unwrap(), |m| m.id), vec![1]);
    db.memories().untag(1, "urgent").unwrap();
    assert!(w.next().await.unwrap().is_empty());
    let (snap, _) = db.memories().snapshot_and_watch(db.memories().watch().filter(MemoryFilter::new().with_tag("todo")));
    assert_eq!(ids(&snap, |m| m.id), vec![1]);
}

#[tokio::test]
async fn watches_end_when_the_db_closes() {
    let db = db();
    let mut plain = db.tasks().watch().stream();
    assert!(plain.next().await.unwrap().is_empty());
    let (_, mut deltas) = db.tasks().snapshot_and_watch(db.tasks().watch());
    db.close().unwrap();
    assert!(plain.next().await.is_none());
    assert!(deltas.next().await.is_none());
    // A watch opened after close ends at once.
    let (_, mut late) = db.tasks().snapshot_and_watch(db.tasks().watch());
    assert!(late.next().await.is_none());
}

/// The race the seed warns about: a mutation landing while the snapshot and
/// the stream are being built must show in one of the two.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_and_watch_never_loses_a_racing_mutation() {
    let db = db();
    let tasks = db.tasks().clone();
    let (mut in_snapshot, mut on_stream) = (0, 0);
    for round in 0..1000u64 {
        // Both sides start together, then each waits a different short
        // while, so the create lands before, during and after construction.
        let start = Arc::new(Barrier::new(2));
        let spins = (round * 7919 % 4000) as u32;
        let writer = {
            let (tasks, start) = (tasks.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                (0..spins).for_each(|_| std::hint::spin_loop());
                tasks.create(round, "racing", 0).unwrap()
            })
        };
        let watcher = {
            let tasks = tasks.clone();
            std::thread::spawn(move || {
                start.wait();
                (0..2000).for_each(|_| std::hint::spin_loop());
                tasks.snapshot_and_watch(tasks.watch().where_status(TaskStatus::Pending))
            })
        };
        writer.join().unwrap();
        let (snapshot, mut deltas) = watcher.join().unwrap();
        if snapshot.iter().any(|t| t.id == round) {
            in_snapshot += 1;
        } else {
            // Not in the snapshot, so the stream must bring it. The timeout
            // only turns a lost update into a failure instead of a hang.
            let batch = tokio::time::timeout(Duration::from_secs(30), deltas.next())
                .await
                .unwrap_or_else(|_| panic!("round {round}: the racing create was lost"))
                .expect("stream ended");
            assert!(batch.iter().any(|t| t.id == round), "round {round}: delta lacks the racing create");
            assert_eq!(batch.len(), 1);
            on_stream += 1;
        }
        // Completed so the next round's filter result starts from scratch.
        tasks.complete(round).unwrap();
    }
    println!("racing create seen in the snapshot {in_snapshot} times, on the stream {on_stream} times");
    assert_eq!(in_snapshot + on_stream, 1000);
}
