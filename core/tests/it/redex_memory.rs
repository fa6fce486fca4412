//! RedEX files in memory: appends, batches, reads, idempotent appends,
//! retention, names and configuration errors, close.

use std::time::Duration;

use net_sdk::redex::{FsyncPolicy, Redex, RedexError, RedexFileConfig};
use net_sdk::Clock;

fn payloads(events: &[net_sdk::redex::RedexEvent]) -> Vec<(u64, Vec<u8>)> {
    events.iter().map(|e| (e.seq, e.payload.to_vec())).collect()
}

#[test]
fn appends_get_consecutive_seqs_and_read_back() {
    let redex = Redex::new();
    let file = redex.open_file("analytics/clicks", RedexFileConfig::default()).unwrap();
    assert!(file.is_empty());
    assert_eq!(file.append(b"a").unwrap(), 0);
    assert_eq!(file.append(b"").unwrap(), 1);
    assert_eq!(file.append(&vec![5u8; 3 << 20]).unwrap(), 2);
    assert_eq!(file.append_batch([b"x".as_slice(), b"yy", b"zzz"]).unwrap(), Some(3));
    assert_eq!(file.append_batch(Vec::<Vec<u8>>::new()).unwrap(), None, "an empty batch appends nothing");
    assert_eq!(file.next_seq(), 6);
    assert_eq!(file.len(), 6);
    let all = file.read(..);
    assert_eq!(all.len(), 6);
    assert_eq!(all[2].payload.len(), 3 << 20);
    assert_eq!(payloads(&file.read(3..=4)), vec![(3, b"x".to_vec()), (4, b"yy".to_vec())]);
    assert_eq!(payloads(&file.read(5..100)), vec![(5, b"zzz".to_vec())]);
    assert!(file.read(6..).is_empty());
    assert!(all.windows(2).all(|w| w[0].timestamp_nanos <= w[1].timestamp_nanos));
}

#[test]
fn bad_names_and_bad_configs_are_typed_errors() {
    let redex = Redex::new();
    for bad in ["", "a//b", "/x", "has space", "é"] {
        let e = redex.open_file(bad, RedexFileConfig::default()).unwrap_err();
        assert!(matches!(e, RedexError::InvalidName(_)), "{bad:?}: {e}");
        assert_eq!(e.kind(), "invalid_channel");
    }
    let e = redex.open_file("ok", RedexFileConfig::default().with_fsync_every_n(0)).unwrap_err();
    assert_eq!(e.kind(), "redex:config");
    let e = redex.open_file("ok", RedexFileConfig::default().with_persistent(true)).unwrap_err();
    assert_eq!(e.kind(), "redex:config", "persistent without a directory: {e}");
    assert!(e.to_string().contains("no persistent directory"));
}

#[test]
fn reopening_an_open_name_shares_the_file_unless_the_config_differs() {
    let redex = Redex::new();
    let a = redex.open_file("shared", RedexFileConfig::default()).unwrap();
    a.append(b"one").unwrap();
    let b = redex.clone().open_file("shared", RedexFileConfig::default()).unwrap();
    assert_eq!(b.append(b"two").unwrap(), 1);
    assert_eq!(a.len(), 2);
    let e = redex.open_file("shared", RedexFileConfig::default().with_retention_max_events(1)).unwrap_err();
    assert_eq!(e.kind(), "redex:config");
    // After close, the name opens a fresh file (memory files start empty).
    a.close().unwrap();
    assert!(b.is_closed());
    let c = redex.open_file("shared", RedexFileConfig::default().with_retention_max_events(1)).unwrap();
    assert_eq!(c.next_seq(), 0);
}

#[test]
fn closed_files_refuse_writes_but_stay_readable() {
    let file = Redex::new().open_file("c", RedexFileConfig::default()).unwrap();
    file.append(b"kept").unwrap();
    file.close().unwrap();
    file.close().unwrap();
    for e in [
        file.append(b"x").unwrap_err(),
        file.append_batch([b"x"]).unwrap_err(),
        file.append_idempotent(b"k", b"x").unwrap_err(),
        file.sync().unwrap_err(),
    ] {
        assert!(matches!(e, RedexError::Closed(_)), "{e}");
        assert_eq!(e.kind(), "redex:closed");
    }
    assert_eq!(payloads(&file.read(..)), vec![(0, b"kept".to_vec())]);
}

#[test]
fn idempotent_appends_return_the_original_seq() {
    let file = Redex::new().open_file("idem", RedexFileConfig::default()).unwrap();
    assert_eq!(file.append_idempotent(b"order-1", b"first").unwrap(), 0);
    assert_eq!(file.append(b"plain").unwrap(), 1);
    assert_eq!(file.append_idempotent(b"order-1", b"retry with other bytes").unwrap(), 0);
    assert_eq!(file.append_idempotent(b"order-2", b"second").unwrap(), 2);
    assert_eq!(file.len(), 3);
    assert_eq!(file.read(0..1)[0].payload.as_ref(), b"first");
    assert_eq!(file.append_idempotent(b"", b"x").unwrap_err().kind(), "redex:invalid_key");
    let e = file.append_idempotent(&vec![1u8; 70_000], b"x").unwrap_err();
    assert!(matches!(e, RedexError::TooLarge { what: "idempotency key", .. }), "{e}");
}

#[test]
fn idempotency_keys_are_forgotten_with_their_records() {
    let file = Redex::new().open_file("idem-ret", RedexFileConfig::default().with_retention_max_events(2)).unwrap();
    assert_eq!(file.append_idempotent(b"k", b"v").unwrap(), 0);
    file.append(b"a").unwrap();
    assert_eq!(file.append_idempotent(b"k", b"v").unwrap(), 0, "still retained");
    file.append(b"b").unwrap();
    assert_eq!(file.first_seq(), 1);
    assert_eq!(file.append_idempotent(b"k", b"v").unwrap(), 3, "evicted, so appended anew");
}

#[test]
fn retention_by_count_and_bytes_evicts_the_oldest() {
    let redex = Redex::new();
    let by_count = redex.open_file("count", RedexFileConfig::default().with_retention_max_events(3)).unwrap();
    for i in 0..10u8 {
        by_count.append(&[i]).unwrap();
    }
    assert_eq!((by_count.first_seq(), by_count.next_seq(), by_count.len()), (7, 10, 3));
    assert_eq!(payloads(&by_count.read(..)), vec![(7, vec![7]), (8, vec![8]), (9, vec![9])]);
    assert_eq!(by_count.append_batch([[10u8], [11]]).unwrap(), Some(10));
    assert_eq!(by_count.first_seq(), 9);

    let by_bytes = redex.open_file("bytes", RedexFileConfig::default().with_retention_max_bytes(10)).unwrap();
    by_bytes.append(&[1; 4]).unwrap();
    by_bytes.append(&[2; 4]).unwrap();
    assert_eq!(by_bytes.retained_bytes(), 8);
    by_bytes.append(&[3; 4]).unwrap();
    assert_eq!((by_bytes.first_seq(), by_bytes.retained_bytes()), (1, 8));
    // One record over the cap is kept on its own rather than refused.
    by_bytes.append(&[4; 25]).unwrap();
    assert_eq!((by_bytes.first_seq(), by_bytes.len(), by_bytes.retained_bytes()), (3, 1, 25));
}

#[test]
fn retention_by_age_follows_the_clock() {
    let (clock, time) = Clock::mock(1_000_000_000_000);
    let redex = Redex::new().with_clock(clock);
    let file = redex.open_file("aged", RedexFileConfig::default().with_retention_max_age(Duration::from_secs(10))).unwrap();
    file.append(b"t0").unwrap();
    time.increment(Duration::from_secs(6));
    file.append(b"t6").unwrap();
    time.increment(Duration::from_secs(6));
    // t0 is now 12 s old: the next append evicts it, t6 (6 s) stays.
    file.append(b"t12").unwrap();
    assert_eq!(payloads(&file.read(..)), vec![(1, b"t6".to_vec()), (2, b"t12".to_vec())]);
    time.increment(Duration::from_secs(30));
    assert_eq!(file.sweep_retention().unwrap(), 2, "an idle file is swept on demand");
    assert!(file.is_empty());
    assert_eq!(file.append(b"later").unwrap(), 3, "seqs are never reused");
}

#[test]
fn in_memory_sync_is_a_no_op_and_policies_are_accepted() {
    let redex = Redex::new();
    for policy in [FsyncPolicy::Never, FsyncPolicy::EveryN(3), FsyncPolicy::Interval(Duration::from_millis(5))] {
        let name = format!("p{}", policy_name(policy));
        let f = redex.open_file(&name, RedexFileConfig::default().with_fsync(policy)).unwrap();
        f.append(b"x").unwrap();
        f.sync().unwrap();
        f.close().unwrap();
    }
}

fn policy_name(p: FsyncPolicy) -> &'static str {
    match p {
        FsyncPolicy::Never => "never",
        FsyncPolicy::EveryN(_) => "every",
        FsyncPolicy::Interval(_) => "interval",
    }
}
