//! Persistent RedEX files: reopen, torn tails, loud corruption, explicit
//! recovery, segments and retention on disk, idempotency across reopen,
//! metadata and the directory lock.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use net_sdk::redex::{FsyncPolicy, Redex, RedexError, RedexFile, RedexFileConfig, RepairKind};
use net_sdk::ChannelName;

fn disk() -> RedexFileConfig {
    RedexFileConfig::default().with_persistent(true).with_fsync(FsyncPolicy::Never)
}

fn open(dir: &Path, name: &str, config: RedexFileConfig) -> Result<RedexFile, RedexError> {
    Redex::new().with_persistent_dir(dir).open_file(name, config)
}

fn file_dir(dir: &Path, name: &str) -> PathBuf {
    Redex::new().with_persistent_dir(dir).file_dir(&ChannelName::new(name).unwrap()).unwrap()
}

fn segments(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .collect();
    out.sort();
    out
}

fn payload(i: u64) -> Vec<u8> {
    format!("record-{i:04}-{}", "x".repeat((i % 17) as usize)).into_bytes()
}

fn fill(file: &RedexFile, n: u64) {
    for i in 0..n {
        assert_eq!(file.append(&payload(i)).unwrap(), i);
    }
}

fn assert_records(file: &RedexFile, range: std::ops::Range<u64>) {
    let got = file.read(..);
    assert_eq!(got.len() as u64, range.end - range.start, "record count");
    for (e, i) in got.iter().zip(range) {
        assert_eq!(e.seq, i);
        assert_eq!(e.payload.as_ref(), payload(i).as_slice(), "seq {i}");
    }
}

#[test]
fn records_survive_close_and_reopen_and_seqs_continue() {
    let tmp = tempfile::tempdir().unwrap();
    let f = open(tmp.path(), "orders/audit", disk()).unwrap();
    fill(&f, 100);
    f.append_batch([b"b1".as_slice(), b"b2"]).unwrap();
    f.close().unwrap();
    let f = open(tmp.path(), "orders/audit", disk()).unwrap();
    assert!(f.repair_report().is_none());
    assert_eq!(f.next_seq(), 102);
    assert_eq!(f.read(100..).iter().map(|e| e.payload.to_vec()).collect::<Vec<_>>(), vec![b"b1".to_vec(), b"b2".to_vec()]);
    assert_eq!(f.append(b"more").unwrap(), 102);
    let ts_before: Vec<u64> = f.read(..).iter().map(|e| e.timestamp_nanos).collect();
    drop(f); // dropping the last handle syncs too
    let f = open(tmp.path(), "orders/audit", disk()).unwrap();
    assert_eq!(f.len(), 103);
    assert_eq!(f.read(..).iter().map(|e| e.timestamp_nanos).collect::<Vec<_>>(), ts_before);
    // The name maps to one escaped directory inside the manager's.
    let d = file_dir(tmp.path(), "orders/audit");
    assert_eq!(d.parent().unwrap(), tmp.path());
    assert!(d.join("meta.json").exists() && d.join("LOCK").exists());
}

#[test]
fn a_torn_final_record_is_cut_and_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let f = open(tmp.path(), "torn", disk()).unwrap();
    fill(&f, 10);
    f.close().unwrap();
    let seg = segments(&file_dir(tmp.path(), "torn")).pop().unwrap();
    let full = std::fs::metadata(&seg).unwrap().len();
    // A half-written record: 20 bytes of the next record's header.
    let mut raw = std::fs::read(&seg).unwrap();
    let last_start = {
        let f = open(tmp.path(), "torn", disk()).unwrap();
        let n = f.read(9..)[0].payload.len() as u64;
        f.close().unwrap();
        full - 32 - n
    };
    let half_header = raw[last_start as usize..last_start as usize + 20].to_vec();
    raw.extend_from_slice(&half_header);
    std::fs::write(&seg, &raw).unwrap();
    let f = open(tmp.path(), "torn", disk()).unwrap();
    let report = f.repair_report().expect("torn tail reported").clone();
    assert_eq!(report.kind, RepairKind::TornTail);
    assert_eq!((report.offset, report.bytes_cut, report.segments_removed), (full, 20, 0));
    assert_eq!(report.file, seg);
    assert_records(&f, 0..10);
    assert_eq!(std::fs::metadata(&seg).unwrap().len(), full, "cut on disk");
    assert_eq!(f.append(b"after").unwrap(), 10);
    f.close().unwrap();

    // Cut inside the last record's payload: that record is the torn one.
    let mut raw = std::fs::read(&seg).unwrap();
    raw.truncate(raw.len() - 2);
    std::fs::write(&seg, &raw).unwrap();
    let f = open(tmp.path(), "torn", disk()).unwrap();
    assert_eq!(f.repair_report().unwrap().kind, RepairKind::TornTail);
    assert_records(&f, 0..10);
    assert_eq!(f.next_seq(), 10, "the torn record's seq is handed out again: it was never acknowledged");
}

#[test]
fn zeros_left_by_a_crash_are_a_torn_tail() {
    let tmp = tempfile::tempdir().unwrap();
    let f = open(tmp.path(), "zeros", disk()).unwrap();
    fill(&f, 5);
    f.close().unwrap();
    let seg = segments(&file_dir(tmp.path(), "zeros")).pop().unwrap();
    let full = std::fs::metadata(&seg).unwrap().len();
    OpenOptions::new().append(true).open(&seg).unwrap().write_all(&[0u8; 4096]).unwrap();
    let f = open(tmp.path(), "zeros", disk()).unwrap();
    let r = f.repair_report().unwrap();
    assert_eq!((r.kind, r.offset, r.bytes_cut), (RepairKind::TornTail, full, 4096));
    assert_records(&f, 0..5);
}

/// Flip one byte of record `victim`'s payload in a closed 10-record file;
/// returns the segment and the record's offset.
fn corrupt_record(dir: &Path, name: &str, victim: u64) -> (PathBuf, u64) {
    let seg = segments(&file_dir(dir, name)).pop().unwrap();
    let mut raw = std::fs::read(&seg).unwrap();
    let offset: u64 = (0..victim).map(|i| 32 + payload(i).len() as u64).sum();
    raw[offset as usize + 32 + 3] ^= 0xFF;
    std::fs::write(&seg, &raw).unwrap();
    (seg, offset)
}

#[test]
fn a_corrupt_middle_record_fails_loudly_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let f = open(tmp.path(), "corrupt", disk()).unwrap();
    fill(&f, 10);
    f.close().unwrap();
    let (seg, offset) = corrupt_record(tmp.path(), "corrupt", 4);
    let before = std::fs::read(&seg).unwrap();
    let e = open(tmp.path(), "corrupt", disk()).unwrap_err();
    assert_eq!(e.kind(), "redex:corrupt");
    match &e {
        RedexError::Corrupt { file, offset: at, reason } => {
            assert_eq!(file, &seg);
            assert_eq!(*at, offset);
            assert!(reason.contains("checksum"), "{reason}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
    assert!(e.to_string().contains(&seg.display().to_string()) && e.to_string().contains(&offset.to_string()));
    assert_eq!(std::fs::read(&seg).unwrap(), before, "a refused open must not touch the log");
    // Opening again without `recover` keeps failing the same way.
    assert_eq!(open(tmp.path(), "corrupt", disk()).unwrap_err().kind(), "redex:corrupt");
}

#[test]
fn recover_cuts_at_the_last_good_record_and_reports_it() {
    let tmp = tempfile::tempdir().unwrap();
    let f = open(tmp.path(), "recover", disk()).unwrap();
    fill(&f, 10);
    f.close().unwrap();
    let (seg, offset) = corrupt_record(tmp.path(), "recover", 4);
    let total = std::fs::metadata(&seg).unwrap().len();
    let f = open(tmp.path(), "recover", disk().with_recover(true)).unwrap();
    let r = f.repair_report().unwrap().clone();
    assert_eq!(r.kind, RepairKind::Corruption);
    assert_eq!((r.file.clone(), r.offset, r.bytes_cut), (seg.clone(), offset, total - offset));
    assert!(r.reason.contains("checksum"));
    assert_records(&f, 0..4);
    assert_eq!(f.append(&payload(4)).unwrap(), 4);
    f.close().unwrap();
    // Repaired for good: a plain open now succeeds with no report.
    let f = open(tmp.path(), "recover", disk()).unwrap();
    assert!(f.repair_report().is_none());
    assert_records(&f, 0..5);
}

#[test]
fn corruption_in_an_older_segment_is_never_taken_for_a_torn_tail() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = disk().with_segment_max_bytes(4096);
    let f = open(tmp.path(), "segs", cfg.clone()).unwrap();
    fill(&f, 400);
    f.close().unwrap();
    let d = file_dir(tmp.path(), "segs");
    let segs = segments(&d);
    assert!(segs.len() >= 4, "{} segments", segs.len());
    // Cut the first segment short: in the newest one this would be a torn
    // tail, in an older one it is lost data.
    let len = std::fs::metadata(&segs[0]).unwrap().len();
    OpenOptions::new().write(true).open(&segs[0]).unwrap().set_len(len - 5).unwrap();
    let e = open(tmp.path(), "segs", cfg.clone()).unwrap_err();
    assert!(matches!(&e, RedexError::Corrupt { file, .. } if file == &segs[0]), "{e:?}");
    let f = open(tmp.path(), "segs", cfg.with_recover(true)).unwrap();
    let r = f.repair_report().unwrap();
    assert_eq!((r.kind, r.segments_removed), (RepairKind::Corruption, segs.len() - 1));
    let kept = f.len();
    assert!(kept > 0 && kept < 400);
    assert_records(&f, 0..kept);
    assert_eq!(segments(&d).len(), 1);
}

#[test]
fn segments_roll_and_retention_deletes_whole_old_segments() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = disk().with_segment_max_bytes(4096).with_retention_max_events(50);
    let f = open(tmp.path(), "ret", cfg.clone()).unwrap();
    for i in 0..1000 {
        f.append(&payload(i)).unwrap();
    }
    assert_eq!((f.first_seq(), f.len()), (950, 50));
    let d = file_dir(tmp.path(), "ret");
    let segs = segments(&d);
    assert!(segs.len() <= 3, "old segments deleted, {} remain", segs.len());
    f.close().unwrap();
    let f = open(tmp.path(), "ret", cfg.clone()).unwrap();
    assert_eq!((f.first_seq(), f.next_seq()), (950, 1000));
    assert_eq!(f.read(..)[0].payload.as_ref(), payload(950).as_slice());
    f.close().unwrap();
    // Tightening the cap takes effect on open.
    let f = open(tmp.path(), "ret", cfg.with_retention_max_events(5)).unwrap();
    assert_eq!((f.first_seq(), f.len()), (995, 5));
}

#[test]
fn seqs_continue_after_retention_evicted_everything() {
    let tmp = tempfile::tempdir().unwrap();
    let (clock, time) = net_sdk::Clock::mock(1_000_000_000_000);
    let redex = Redex::new().with_persistent_dir(tmp.path()).with_clock(clock.clone());
    let cfg = disk().with_retention_max_age(std::time::Duration::from_secs(1));
    let f = redex.open_file("empty", cfg.clone()).unwrap();
    fill(&f, 20);
    time.increment(std::time::Duration::from_secs(5));
    assert_eq!(f.sweep_retention().unwrap(), 20);
    f.close().unwrap();
    let f = Redex::new().with_persistent_dir(tmp.path()).with_clock(clock).open_file("empty", cfg).unwrap();
    assert!(f.is_empty());
    assert_eq!(f.append(b"next").unwrap(), 20);
}

#[test]
fn idempotency_keys_survive_reopen() {
    let tmp = tempfile::tempdir().unwrap();
    let f = open(tmp.path(), "idem", disk()).unwrap();
    assert_eq!(f.append_idempotent(b"req-1", b"one").unwrap(), 0);
    assert_eq!(f.append(b"plain").unwrap(), 1);
    f.close().unwrap();
    let f = open(tmp.path(), "idem", disk()).unwrap();
    assert_eq!(f.append_idempotent(b"req-1", b"one again").unwrap(), 0);
    assert_eq!(f.append_idempotent(b"req-2", b"two").unwrap(), 2);
    assert_eq!(f.read(0..1)[0].payload.as_ref(), b"one", "the key is not part of the payload");
}

#[test]
fn one_owner_per_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let first = open(tmp.path(), "locked", disk()).unwrap();
    let e = open(tmp.path(), "locked", disk()).unwrap_err();
    assert!(matches!(e, RedexError::Locked { .. }), "{e:?}");
    assert_eq!(e.kind(), "redex:locked");
    first.close().unwrap();
    open(tmp.path(), "locked", disk()).unwrap();
}

#[test]
fn metadata_is_replaced_atomically_and_damage_is_loud() {
    let tmp = tempfile::tempdir().unwrap();
    let f = open(tmp.path(), "meta", disk()).unwrap();
    fill(&f, 3);
    f.close().unwrap();
    let d = file_dir(tmp.path(), "meta");
    let meta: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("meta.json")).unwrap()).unwrap();
    assert_eq!(meta["name"], "meta");
    assert_eq!(meta["start_seq"], 0);
    // A temp file left by a crash mid-write is ignored and removed.
    std::fs::write(d.join("meta.json.tmp"), b"{half").unwrap();
    let f = open(tmp.path(), "meta", disk()).unwrap();
    assert_records(&f, 0..3);
    assert!(!d.join("meta.json.tmp").exists());
    f.close().unwrap();
    // A damaged meta.json is corruption, reported with its path.
    std::fs::write(d.join("meta.json"), b"{not json").unwrap();
    let e = open(tmp.path(), "meta", disk()).unwrap_err();
    assert!(matches!(&e, RedexError::Corrupt { file, offset: 0, .. } if file == &d.join("meta.json")), "{e:?}");
}

#[test]
fn fsync_policies_all_persist_on_close() {
    let tmp = tempfile::tempdir().unwrap();
    for (i, policy) in [FsyncPolicy::EveryN(1), FsyncPolicy::EveryN(7), FsyncPolicy::Interval(std::time::Duration::from_millis(2))]
        .into_iter()
        .enumerate()
    {
        let name = format!("policy-{i}");
        let f = open(tmp.path(), &name, disk().with_fsync(policy)).unwrap();
        fill(&f, 30);
        f.sync().unwrap();
        f.close().unwrap();
        let f = open(tmp.path(), &name, disk().with_fsync(policy)).unwrap();
        assert_records(&f, 0..30);
    }
}
