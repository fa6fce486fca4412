//! CortEX tasks and memories: mutations, typed errors, queries, wait_for_seq,
//! foreign events and halted folds.

use net_sdk::cortex::{
    CortexError, MemoriesAdapter, MemoryFilter, MemoryOrder, NetDb, Redex, RedexFileConfig, TaskFilter, TaskOrder,
    TaskStatus, TasksAdapter, TASKS_FILE,
};

fn db() -> NetDb {
    NetDb::builder(Redex::new()).origin(0xABCD_EF01).with_tasks().with_memories().build().unwrap()
}

#[tokio::test]
async fn the_seed_quick_start_works() {
    let db = db();
    let seq = db.tasks().create(1, "write docs", 0).unwrap();
    db.tasks().wait_for_seq(seq).await.unwrap();
    assert_eq!(db.tasks().count(), 1);
    let t = db.tasks().get(1).unwrap();
    assert_eq!((t.title.as_str(), t.status, t.origin, t.seq), ("write docs", TaskStatus::Pending, 0xABCD_EF01, seq));
    assert_eq!(db.origin(), 0xABCD_EF01);
}

#[test]
fn task_mutations_return_seqs_and_fold() {
    let db = db();
    let tasks = db.tasks();
    assert_eq!(tasks.create(1, "a", 10).unwrap(), 0);
    assert_eq!(tasks.create(2, "b", 20).unwrap(), 1);
    assert_eq!(tasks.rename(1, "a2").unwrap(), 2);
    assert_eq!(tasks.set_status(2, TaskStatus::InProgress).unwrap(), 3);
    assert_eq!(tasks.complete(1).unwrap(), 4);
    assert_eq!(tasks.create(3, "c", 5).unwrap(), 5);
    assert_eq!(tasks.delete(3).unwrap(), 6);
    assert_eq!(tasks.folded_seq(), 7);
    let t1 = tasks.get(1).unwrap();
    assert_eq!((t1.title.as_str(), t1.status, t1.seq, t1.created_at), ("a2", TaskStatus::Completed, 4, 10));
    assert!(t1.updated_at_nanos > 0);
    assert_eq!(tasks.get(2).unwrap().status, TaskStatus::InProgress);
    assert!(tasks.get(3).is_none());
    assert_eq!(tasks.count(), 2);
}

#[test]
fn task_mutations_on_missing_or_duplicate_ids_are_typed_errors() {
    let db = db();
    let tasks = db.tasks();
    tasks.create(1, "a", 0).unwrap();
    let e = tasks.create(1, "again", 0).unwrap_err();
    assert!(matches!(e, CortexError::AlreadyExists { model: "tasks", id: 1 }), "{e}");
    assert_eq!(e.kind(), "cortex:exists");
    for e in [
        tasks.rename(9, "x").unwrap_err(),
        tasks.set_status(9, TaskStatus::Cancelled).unwrap_err(),
        tasks.complete(9).unwrap_err(),
        tasks.delete(9).unwrap_err(),
    ] {
        assert!(matches!(e, CortexError::NotFound { model: "tasks", id: 9 }), "{e}");
        assert_eq!(e.kind(), "cortex:not_found");
    }
    // Refused mutations append nothing.
    assert_eq!(tasks.folded_seq(), 1);
}

#[test]
fn task_queries_filter_order_and_limit() {
    let db = NetDb::builder(Redex::new()).origin(7).with_tasks().build().unwrap();
    let tasks = db.tasks();
    for (id, title, created) in [(1, "ship docs", 30), (2, "write code", 10), (3, "ship code", 20), (4, "review", 40)] {
        tasks.create(id, title, created).unwrap();
    }
    tasks.complete(3).unwrap();
    let ids = |f: &TaskFilter| tasks.list(f).iter().map(|t| t.id).collect::<Vec<_>>();
    assert_eq!(ids(&TaskFilter::new()), vec![1, 2, 3, 4]);
    assert_eq!(ids(&TaskFilter::new().where_status(TaskStatus::Pending)), vec![1, 2, 4]);
    assert_eq!(ids(&TaskFilter::new().title_contains("ship")), vec![1, 3]);
    assert_eq!(ids(&TaskFilter::new().title_contains("ship").where_status(TaskStatus::Completed)), vec![3]);
    assert_eq!(ids(&TaskFilter::new().order_by(TaskOrder::CreatedDesc)), vec![4, 1, 3, 2]);
    assert_eq!(ids(&TaskFilter::new().order_by(TaskOrder::CreatedAsc).limit(2)), vec![2, 3]);
    assert_eq!(ids(&TaskFilter::new().order_by(TaskOrder::TitleAsc)), vec![4, 3, 1, 2]);
    assert_eq!(ids(&TaskFilter::new().order_by(TaskOrder::IdDesc).limit(1)), vec![4]);
    assert_eq!(ids(&TaskFilter::new().order_by(TaskOrder::UpdatedDesc).limit(1)), vec![3]);
    assert_eq!(ids(&TaskFilter::new().created_by(7)), vec![1, 2, 3, 4]);
    assert!(ids(&TaskFilter::new().created_by(8)).is_empty());
    assert_eq!(tasks.count_where(&TaskFilter::new().where_status(TaskStatus::Pending)), 3);
    assert_eq!(tasks.count_where(&TaskFilter::new().limit(2)), 2);
    // The JSON form the C ABI and bindings use.
    let f: TaskFilter = serde_json::from_str(r#"{"status":"pending","title_contains":"e","order":"created_desc","limit":2}"#).unwrap();
    assert_eq!(ids(&f), vec![4, 2]);
    assert!(serde_json::from_str::<TaskFilter>(r#"{"stauts":"pending"}"#).is_err(), "typos are refused");
}

#[test]
fn memories_store_tag_pin_delete_and_query() {
    let db = db();
    let m = db.memories();
    assert_eq!(m.store(1, "the sky is blue", &["fact", "color"], 100).unwrap(), 0);
    m.store(2, "meeting at noon", &["todo"], 200).unwrap();
    m.store(3, "blue whale", &["fact"], 300).unwrap();
    m.tag(2, "urgent").unwrap();
    m.untag(1, "color").unwrap();
    m.pin(3).unwrap();
    assert_eq!(m.get(1).unwrap().tags, vec!["fact".to_string()]);
    assert_eq!(m.get(2).unwrap().tags, vec!["todo".to_string(), "urgent".into()]);
    assert!(m.get(3).unwrap().pinned);
    let ids = |f: &MemoryFilter| m.list(f).iter().map(|x| x.id).collect::<Vec<_>>();
    assert_eq!(ids(&MemoryFilter::new().with_tag("fact")), vec![1, 3]);
    assert_eq!(ids(&MemoryFilter::new().with_tag("fact").content_contains("blue").where_pinned(true)), vec![3]);
    assert_eq!(ids(&MemoryFilter::new().with_any_tag(["urgent", "nope"])), vec![2]);
    assert_eq!(ids(&MemoryFilter::new().order_by(MemoryOrder::CreatedDesc).limit(2)), vec![3, 2]);
    assert_eq!(m.count_where(&MemoryFilter::new().where_pinned(false)), 2);
    m.unpin(3).unwrap();
    m.delete(1).unwrap();
    assert_eq!(m.count(), 2);
    assert!(!m.get(3).unwrap().pinned);
    let e = m.tag(1, "x").unwrap_err();
    assert!(matches!(e, CortexError::NotFound { model: "memories", id: 1 }));
    assert_eq!(m.store(2, "dup", &[] as &[&str], 0).unwrap_err().kind(), "cortex:exists");
    let f: MemoryFilter = serde_json::from_str(r#"{"tags_all":["todo"],"pinned":false}"#).unwrap();
    assert_eq!(ids(&f), vec![2]);
}

#[test]
fn standalone_adapters_share_a_redex_with_netdb_files() {
    let redex = Redex::new();
    let tasks = TasksAdapter::open(&redex, 1).unwrap();
    let memories = MemoriesAdapter::open(&redex, 1).unwrap();
    tasks.create(1, "t", 0).unwrap();
    memories.store(1, "m", &["x"], 0).unwrap();
    // A second adapter on the same Redex shares the file and sees the event.
    let again = TasksAdapter::open(&redex, 2).unwrap();
    assert_eq!(again.count(), 1);
    again.create(2, "from the other", 0).unwrap();
    assert_eq!(tasks.get(2).unwrap().origin, 2, "events from another adapter fold in");
}

#[tokio::test]
async fn wait_for_seq_waits_for_events_appended_elsewhere() {
    let redex = Redex::new();
    let reader = TasksAdapter::open(&redex, 1).unwrap();
    let writer = TasksAdapter::open(&redex, 2).unwrap();
    let waiting = {
        let reader = reader.clone();
        tokio::spawn(async move {
            reader.wait_for_seq(2).await.unwrap();
            reader.count()
        })
    };
    for id in 0..3 {
        writer.create(id, "t", 0).unwrap();
    }
    assert_eq!(waiting.await.unwrap(), 3);
}

#[tokio::test]
async fn a_foreign_undecodable_event_halts_the_fold_loudly() {
    let redex = Redex::new();
    let tasks = TasksAdapter::open(&redex, 1).unwrap();
    tasks.create(1, "ok", 0).unwrap();
    let raw = redex.open_file(TASKS_FILE, RedexFileConfig::default()).unwrap();
    assert_eq!(raw.append(b"not an event").unwrap(), 1);
    let e = tasks.create(2, "refused", 0).unwrap_err();
    match &e {
        CortexError::FoldHalted { model: "tasks", seq: 1, reason } => assert!(reason.contains("version"), "{reason}"),
        other => panic!("expected FoldHalted, got {other:?}"),
    }
    assert_eq!(e.kind(), "cortex:fold_halted");
    // The state stays readable as of the event before the halt.
    assert_eq!(tasks.count(), 1);
    assert_eq!(tasks.wait_for_seq(5).await.unwrap_err().kind(), "cortex:fold_halted");
    tasks.wait_for_seq(0).await.unwrap();
    // A new adapter on the same log refuses to open.
    let e = TasksAdapter::open(&redex, 1).err().expect("open must fail");
    assert_eq!(e.kind(), "cortex:fold_halted");
}

#[tokio::test]
async fn closed_adapters_refuse_mutations_and_waits() {
    let db = db();
    db.tasks().create(1, "t", 0).unwrap();
    db.close().unwrap();
    db.close().unwrap();
    let e = db.tasks().create(2, "t", 0).unwrap_err();
    assert!(matches!(e, CortexError::Closed { model: "tasks" }), "{e}");
    assert_eq!(e.kind(), "cortex:closed");
    assert_eq!(db.memories().store(1, "m", &["a"], 0).unwrap_err().kind(), "cortex:closed");
    assert_eq!(db.tasks().wait_for_seq(10).await.unwrap_err().kind(), "cortex:closed");
    db.tasks().wait_for_seq(0).await.unwrap();
    assert_eq!(db.tasks().count(), 1, "state stays readable");
}

#[test]
fn missing_models_are_typed_errors() {
    let db = NetDb::builder(Redex::new()).with_tasks().build().unwrap();
    let e = db.try_memories().err().unwrap();
    assert_eq!(e.kind(), "netdb:missing_model");
    assert!(db.try_tasks().is_ok());
    let e = NetDb::builder(Redex::new()).with_tasks().persistent(true).build().err().expect("no directory");
    assert_eq!(e.kind(), "cortex:io");
    assert!(e.to_string().contains("persistent directory"), "{e}");
}
