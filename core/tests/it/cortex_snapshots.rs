//! Model-level persistence: `TasksAdapter::snapshot` /
//! `open_from_snapshot` and the memories twins, the bundle built from them,
//! and the bytes each refuses.

use net_sdk::cortex::{
    FsyncPolicy, MemoriesAdapter, MemoriesSnapshot, MemoryFilter, NetDb, NetDbError, NetDbSnapshot, Redex,
    RedexFileConfig, TaskFilter, TaskStatus, TasksAdapter, TasksSnapshot,
};

const ORIGIN: u64 = 0x5EED;

fn populate_tasks(t: &TasksAdapter) {
    for id in 0..20 {
        t.create(id, &format!("task {id}"), id).unwrap();
    }
    t.complete(3).unwrap();
    t.rename(4, "four").unwrap();
    t.delete(5).unwrap();
}

fn populate_memories(m: &MemoriesAdapter) {
    m.store(1, "alpha", &["a", "b"], 1).unwrap();
    m.store(2, "beta", &["b"], 2).unwrap();
    m.pin(2).unwrap();
    m.untag(1, "a").unwrap();
}

fn all_tasks(t: &TasksAdapter) -> Vec<net_sdk::cortex::Task> {
    t.list(&TaskFilter::default())
}

fn all_memories(m: &MemoriesAdapter) -> Vec<net_sdk::cortex::Memory> {
    m.list(&MemoryFilter::new())
}

#[test]
fn a_tasks_snapshot_round_trips_through_bytes_into_a_fresh_redex() {
    let tasks = TasksAdapter::open(&Redex::new(), ORIGIN).unwrap();
    populate_tasks(&tasks);
    let snap = tasks.snapshot();
    assert_eq!((snap.next_seq, snap.tasks.len()), (tasks.folded_seq(), 19));
    let parsed = TasksSnapshot::from_bytes(&snap.to_bytes()).unwrap();
    assert_eq!(parsed, snap);

    let restored = TasksAdapter::open_from_snapshot(&Redex::new(), ORIGIN, &parsed).unwrap();
    assert_eq!(all_tasks(&restored), all_tasks(&tasks), "ids, titles, statuses, seqs and timestamps");
    // A fresh log starts at seq 0: the snapshot is the base, new events
    // fold on top of it.
    assert_eq!(restored.folded_seq(), 0);
    restored.complete(4).unwrap();
    restored.create(100, "new", 0).unwrap();
    assert_eq!(restored.get(4).unwrap().status, TaskStatus::Completed);
    assert_eq!(restored.count(), 20);
}

#[test]
fn a_memories_snapshot_round_trips_through_bytes_into_a_fresh_redex() {
    let memories = MemoriesAdapter::open(&Redex::new(), ORIGIN).unwrap();
    populate_memories(&memories);
    let snap = memories.snapshot();
    assert_eq!((snap.next_seq, snap.memories.len()), (4, 2));
    let parsed = MemoriesSnapshot::from_bytes(&snap.to_bytes()).unwrap();
    assert_eq!(parsed, snap);
    let restored = MemoriesAdapter::open_from_snapshot(&Redex::new(), ORIGIN, &parsed).unwrap();
    assert_eq!(all_memories(&restored), all_memories(&memories));
    restored.tag(2, "c").unwrap();
    assert_eq!(restored.get(2).unwrap().tags, ["b", "c"]);
}

/// Restored onto the log it was taken from: the snapshot's state and seq,
/// then exactly the events after it — none before it again, none twice.
#[test]
fn appends_after_the_snapshot_are_folded_once_on_top_of_it() {
    let redex = Redex::new();
    let live = TasksAdapter::open(&redex, ORIGIN).unwrap();
    populate_tasks(&live);
    let mut snap = live.snapshot();
    // Restored right away: the same state and folded seq.
    let same = TasksAdapter::open_from_snapshot(&redex, ORIGIN, &snap).unwrap();
    assert_eq!(same.snapshot(), snap);
    assert_eq!(same.folded_seq(), snap.next_seq);

    live.rename(6, "after the snapshot").unwrap();
    live.delete(7).unwrap();
    live.create(7, "seven again", 70).unwrap();
    live.set_status(8, TaskStatus::InProgress).unwrap();
    // Mark the snapshot: had the restore folded the log from 0, the rename
    // of task 4 would overwrite this title.
    snap.tasks.iter_mut().find(|t| t.id == 4).unwrap().title = "only in the snapshot".into();

    let restored = TasksAdapter::open_from_snapshot(&redex, ORIGIN, &snap).unwrap();
    assert_eq!(restored.folded_seq(), live.folded_seq());
    assert_eq!(restored.get(4).unwrap().title, "only in the snapshot");
    let mut expected = all_tasks(&live);
    expected.iter_mut().find(|t| t.id == 4).unwrap().title = "only in the snapshot".into();
    assert_eq!(all_tasks(&restored), expected, "each later event applied once, with its own seq");
    let seven = restored.get(7).unwrap();
    assert_eq!((seven.title.as_str(), seven.created_at), ("seven again", 70));

    // And it keeps folding: the live writer's appends and its own.
    let seq = live.complete(9).unwrap();
    assert_eq!(restored.get(9).unwrap().status, TaskStatus::Completed);
    assert_eq!(restored.create(200, "from the restored side", 0).unwrap(), seq + 1);
    assert_eq!(live.get(200).unwrap().origin, ORIGIN);
}

#[test]
fn a_snapshot_over_its_own_persistent_log_after_a_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let config = RedexFileConfig::default().with_persistent(true).with_fsync(FsyncPolicy::Never);
    let redex = || Redex::new().with_persistent_dir(tmp.path());
    let memories = MemoriesAdapter::open_with(&redex(), ORIGIN, config.clone()).unwrap();
    populate_memories(&memories);
    let snap = memories.snapshot();
    memories.store(3, "after", &["late"], 3).unwrap();
    memories.unpin(2).unwrap();
    let full = memories.snapshot();
    memories.close().unwrap();
    drop(memories);

    let restored = MemoriesAdapter::open_from_snapshot_with(&redex(), ORIGIN, config, &snap).unwrap();
    assert_eq!(restored.snapshot(), full);
    assert_eq!(restored.folded_seq(), full.next_seq);
}

#[test]
fn the_bundle_carries_exactly_the_model_snapshots() {
    let db = NetDb::builder(Redex::new()).origin(ORIGIN).with_tasks().with_memories().build().unwrap();
    populate_tasks(db.tasks());
    populate_memories(db.memories());
    let bundle = db.snapshot();
    assert_eq!(bundle.tasks.as_ref(), Some(&db.tasks().snapshot()));
    assert_eq!(bundle.memories.as_ref(), Some(&db.memories().snapshot()));
    // On the wire too: a bundle's model entry is that model's snapshot.
    let json = |bytes: &[u8]| serde_json::from_slice::<serde_json::Value>(bytes).unwrap();
    let wire = json(&bundle.to_bytes());
    assert_eq!(wire["tasks"], json(&db.tasks().snapshot().to_bytes()));
    assert_eq!(wire["memories"], json(&db.memories().snapshot().to_bytes()));
    // A model snapshot restores the model of a bundle, and the reverse.
    let tasks = TasksAdapter::open_from_snapshot(&Redex::new(), ORIGIN, bundle.tasks.as_ref().unwrap()).unwrap();
    assert_eq!(all_tasks(&tasks), all_tasks(db.tasks()));
    let from_models = NetDbSnapshot::new(Some(tasks.snapshot()), Some(db.memories().snapshot()));
    let restored = NetDb::builder(Redex::new()).with_tasks().with_memories().build_from_snapshot(&from_models).unwrap();
    assert_eq!(all_memories(restored.memories()), all_memories(db.memories()));
}

#[test]
fn a_format_1_bundle_still_restores() {
    let v1 = br#"{"format":1,"memories":null,"tasks":{"next_seq":1,"tasks":[
        {"id":1,"title":"old","status":"pending","created_at":5,"updated_at_nanos":9,"origin":2,"seq":0}]}}"#;
    let bundle = NetDbSnapshot::from_bytes(v1).unwrap();
    assert_eq!(bundle.tasks.as_ref().map(|t| (t.next_seq, t.tasks[0].title.as_str())), Some((1, "old")));
    let db = NetDb::builder(Redex::new()).with_tasks().build_from_snapshot(&bundle).unwrap();
    assert_eq!(db.tasks().get(1).unwrap().created_at, 5);
}

fn refused(e: NetDbError, says: &str) {
    assert!(matches!(e, NetDbError::Bundle(_)), "{e}");
    assert_eq!(e.kind(), "netdb:bundle");
    assert!(e.to_string().contains(says), "{e:?} should say {says:?}");
}

#[test]
fn wrong_model_bytes_are_refused() {
    let db = NetDb::builder(Redex::new()).with_tasks().with_memories().build().unwrap();
    db.tasks().create(1, "t", 0).unwrap();
    db.memories().store(1, "m", &["x"], 0).unwrap();
    let tasks = db.tasks().snapshot().to_bytes();
    let memories = db.memories().snapshot().to_bytes();
    refused(TasksSnapshot::from_bytes(&memories).unwrap_err(), "a memories snapshot, not a tasks snapshot");
    refused(MemoriesSnapshot::from_bytes(&tasks).unwrap_err(), "a tasks snapshot, not a memories snapshot");
    // A bundle is not a model snapshot, and a model snapshot is not a bundle.
    refused(TasksSnapshot::from_bytes(&db.snapshot().to_bytes()).unwrap_err(), "not a tasks snapshot");
    refused(NetDbSnapshot::from_bytes(&tasks).unwrap_err(), "not a tasks snapshot");
}

#[test]
fn truncated_and_garbage_bytes_are_refused() {
    let tasks = TasksAdapter::open(&Redex::new(), ORIGIN).unwrap();
    populate_tasks(&tasks);
    let bytes = tasks.snapshot().to_bytes();
    for len in 0..bytes.len() {
        refused(TasksSnapshot::from_bytes(&bytes[..len]).unwrap_err(), "does not parse");
    }
    let memories = MemoriesAdapter::open(&Redex::new(), ORIGIN).unwrap();
    populate_memories(&memories);
    let bytes = memories.snapshot().to_bytes();
    for len in [0, 1, bytes.len() / 2, bytes.len() - 1] {
        refused(MemoriesSnapshot::from_bytes(&bytes[..len]).unwrap_err(), "does not parse");
    }
    for garbage in [&b"\xff\x00\x13garbage"[..], b"[]", b"42", b"null"] {
        assert!(matches!(TasksSnapshot::from_bytes(garbage), Err(NetDbError::Bundle(_))));
        assert!(matches!(MemoriesSnapshot::from_bytes(garbage), Err(NetDbError::Bundle(_))));
    }
}

#[test]
fn malformed_model_snapshots_are_refused() {
    let task = r#"{"id":1,"title":"x","status":"pending","created_at":0,"updated_at_nanos":0,"origin":0,"seq":0}"#;
    let cases = [
        (r#"{"format":7,"model":"tasks","next_seq":1,"tasks":[]}"#.to_string(), "unknown tasks snapshot format 7"),
        (r#"{"model":"tasks","next_seq":1,"tasks":[]}"#.to_string(), "no \"format\""),
        (r#"{"format":1,"next_seq":1,"tasks":[]}"#.to_string(), "no \"model\""),
        (r#"{"format":1,"model":"tasks","tasks":[]}"#.to_string(), "no \"next_seq\""),
        (r#"{"format":1,"model":"tasks","next_seq":-1,"tasks":[]}"#.to_string(), "no \"next_seq\""),
        (r#"{"format":1,"model":"tasks","next_seq":1}"#.to_string(), "no records"),
        (r#"{"format":1,"model":"tasks","next_seq":1,"tasks":[{"id":1}]}"#.to_string(), "missing field"),
        (r#"{"format":1,"model":"tasks","next_seq":1,"tasks":[],"x":0}"#.to_string(), "unexpected field \"x\""),
        (format!(r#"{{"format":1,"model":"tasks","next_seq":1,"tasks":[{task},{task}]}}"#), "lists id 1 twice"),
    ];
    for (bytes, says) in cases {
        refused(TasksSnapshot::from_bytes(bytes.as_bytes()).unwrap_err(), says);
    }
}

#[test]
fn a_snapshot_older_than_the_retained_log_is_refused() {
    let old = {
        let t = TasksAdapter::open(&Redex::new(), ORIGIN).unwrap();
        t.create(1, "x", 0).unwrap();
        t.snapshot()
    };
    let config = RedexFileConfig::default().with_retention_max_events(5);
    let redex = Redex::new();
    let live = TasksAdapter::open_with(&redex, ORIGIN, config.clone()).unwrap();
    for id in 0..20 {
        live.create(id, "y", 0).unwrap();
    }
    let e = TasksAdapter::open_from_snapshot_with(&redex, ORIGIN, config, &old).err().unwrap();
    refused(e, "no longer holds the events after the snapshot");
}
