//! NetDb persistence: restart equality, snapshot bundles and their errors.

use net_sdk::cortex::{
    FsyncPolicy, MemoryFilter, NetDb, NetDbError, NetDbSnapshot, Redex, RedexFileConfig, TaskStatus,
};

fn persistent(dir: &std::path::Path) -> NetDb {
    NetDb::builder(Redex::new().with_persistent_dir(dir))
        .origin(0xABCD)
        .persistent(true)
        .file_config(RedexFileConfig::default().with_fsync(FsyncPolicy::Never))
        .with_tasks()
        .with_memories()
        .build()
        .unwrap()
}

fn populate(db: &NetDb) {
    for id in 0..50 {
        db.tasks().create(id, &format!("task {id}"), id * 10).unwrap();
    }
    for id in (0..50).step_by(3) {
        db.tasks().complete(id).unwrap();
    }
    db.tasks().rename(7, "renamed").unwrap();
    db.tasks().delete(8).unwrap();
    db.memories().store(1, "alpha", &["a", "b"], 1).unwrap();
    db.memories().store(2, "beta", &["b"], 2).unwrap();
    db.memories().pin(2).unwrap();
    db.memories().untag(1, "a").unwrap();
}

#[test]
fn folded_state_after_restart_equals_the_state_before() {
    let tmp = tempfile::tempdir().unwrap();
    let db = persistent(tmp.path());
    populate(&db);
    let before = db.snapshot();
    db.close().unwrap();
    drop(db);
    let db = persistent(tmp.path());
    assert_eq!(db.snapshot(), before, "tasks, memories, seqs and timestamps all equal");
    assert_eq!(db.tasks().get(7).unwrap().title, "renamed");
    // And it keeps going where it stopped.
    let seq = db.tasks().create(100, "after restart", 0).unwrap();
    assert_eq!(seq, before.tasks.as_ref().unwrap().next_seq);
    db.close().unwrap();
}

#[test]
fn a_dropped_netdb_is_still_persisted() {
    let tmp = tempfile::tempdir().unwrap();
    let db = persistent(tmp.path());
    populate(&db);
    let before = db.snapshot();
    drop(db);
    assert_eq!(persistent(tmp.path()).snapshot(), before);
}

#[test]
fn a_bundle_restores_into_a_fresh_in_memory_redex() {
    let db = NetDb::builder(Redex::new()).origin(1).with_tasks().with_memories().build().unwrap();
    populate(&db);
    let bundle = db.snapshot();
    let bytes = bundle.to_bytes();
    let parsed = NetDbSnapshot::from_bytes(&bytes).unwrap();
    assert_eq!(parsed, bundle);
    let restored =
        NetDb::builder(Redex::new()).origin(1).with_tasks().with_memories().build_from_snapshot(&parsed).unwrap();
    assert_eq!(restored.tasks().list(&Default::default()), db.tasks().list(&Default::default()));
    assert_eq!(restored.memories().list(&MemoryFilter::new()), db.memories().list(&MemoryFilter::new()));
    // New events fold on top of the restored state.
    restored.tasks().complete(1).unwrap();
    assert_eq!(restored.tasks().get(1).unwrap().status, TaskStatus::Completed);
    assert_eq!(restored.tasks().count(), db.tasks().count());
}

#[test]
fn a_bundle_over_its_own_persistent_log_folds_only_what_came_after() {
    let tmp = tempfile::tempdir().unwrap();
    let db = persistent(tmp.path());
    populate(&db);
    let bundle = db.snapshot();
    db.tasks().create(500, "after the bundle", 0).unwrap();
    let full = db.snapshot();
    db.close().unwrap();
    drop(db);
    let restored = NetDb::builder(Redex::new().with_persistent_dir(tmp.path()))
        .origin(0xABCD)
        .persistent(true)
        .with_tasks()
        .with_memories()
        .build_from_snapshot(&bundle)
        .unwrap();
    assert_eq!(restored.snapshot(), full);
}

#[test]
fn bad_bundles_are_typed_errors() {
    for bad in [&b"not json"[..], br#"{"format":99,"tasks":null,"memories":null}"#] {
        let e = NetDbSnapshot::from_bytes(bad).unwrap_err();
        assert!(matches!(e, NetDbError::Bundle(_)), "{e}");
        assert_eq!(e.kind(), "netdb:bundle");
    }
    let db = NetDb::builder(Redex::new()).with_tasks().build().unwrap();
    db.tasks().create(1, "x", 0).unwrap();
    let bundle = db.snapshot();
    // A task listed twice.
    let mut twice = bundle.clone();
    let t = twice.tasks.as_ref().unwrap().tasks[0].clone();
    twice.tasks.as_mut().unwrap().tasks.push(t);
    let e = NetDbSnapshot::from_bytes(&twice.to_bytes()).unwrap_err();
    assert!(e.to_string().contains("twice"), "{e}");
    // The bundle lacks a model the builder wants.
    let e = NetDb::builder(Redex::new()).with_tasks().with_memories().build_from_snapshot(&bundle).err().unwrap();
    assert!(matches!(e, NetDbError::MissingModel("memories")), "{e}");
    assert_eq!(e.kind(), "netdb:missing_model");
}

#[test]
fn a_bundle_older_than_the_retained_log_is_refused() {
    let db = NetDb::builder(Redex::new()).with_tasks().build().unwrap();
    db.tasks().create(1, "x", 0).unwrap();
    let old = db.snapshot();
    assert_eq!(old.tasks.as_ref().unwrap().next_seq, 1);
    // A log that retention has already cut past the bundle's seq: the
    // events between the bundle and the log's start are gone.
    let cfg = RedexFileConfig::default().with_retention_max_events(5);
    let redex = Redex::new();
    let tasks = NetDb::builder(redex.clone()).file_config(cfg.clone()).with_tasks().build().unwrap();
    for id in 0..20 {
        tasks.tasks().create(id, "y", 0).unwrap();
    }
    let e = NetDb::builder(redex).file_config(cfg).with_tasks().build_from_snapshot(&old).err().unwrap();
    assert!(matches!(e, NetDbError::Bundle(_)), "{e}");
    assert!(e.to_string().contains("no longer holds"), "{e}");
}
