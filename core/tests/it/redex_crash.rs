//! Crash safety under `kill -9`.
//!
//! This test binary re-executes itself as the child (selected by an
//! environment variable): the child opens a persistent RedEX file and
//! appends forever, printing `ACK <seq>` on stdout after each append
//! returns. The parent kills it with SIGKILL at a random moment, 200 times,
//! and after every kill reopens the file and checks it:
//! - with fsync every record, every acknowledged record is present, byte
//!   for byte, and the log has no gap;
//! - with interval fsync, what is present is a gap-free prefix of correct
//!   records (acknowledged records after the last sync may be lost).
//!
//! Kill moments are drawn from a seeded generator; the seed is printed so a
//! failure can be replayed with `REDEX_CRASH_SEED`.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use net_sdk::redex::{FsyncPolicy, Redex, RedexFileConfig, RepairKind};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const CHILD_ENV: &str = "REDEX_CRASH_CHILD_DIR";
const POLICY_ENV: &str = "REDEX_CRASH_CHILD_POLICY";
const NAME: &str = "crash/log";
const KILLS: usize = 200;

/// The payload of record `seq`: its number, then a seq-dependent run of
/// bytes of seq-dependent length (up to ~3 KiB, so some writes are long
/// enough to be caught half-done).
fn payload(seq: u64) -> Vec<u8> {
    let mut p = format!("{seq}:").into_bytes();
    let len = if seq % 10 == 0 { 3000 } else { (seq * 37 % 200) as usize };
    p.extend((0..len).map(|i| (seq as usize * 31 + i) as u8));
    p
}

fn config(policy: &str) -> RedexFileConfig {
    let fsync = match policy {
        "every1" => FsyncPolicy::EveryN(1),
        _ => FsyncPolicy::Interval(std::time::Duration::from_millis(2)),
    };
    // Small segments so kills also land around segment rolls.
    RedexFileConfig::default().with_persistent(true).with_fsync(fsync).with_segment_max_bytes(64 << 10)
}

/// The child: append until killed, acknowledging each seq.
#[test]
fn crash_child() {
    let Ok(dir) = std::env::var(CHILD_ENV) else { return };
    let policy = std::env::var(POLICY_ENV).unwrap();
    let file = Redex::new().with_persistent_dir(&dir).open_file(NAME, config(&policy)).unwrap();
    let mut out = std::io::stdout().lock();
    loop {
        let seq = file.next_seq();
        assert_eq!(file.append(&payload(seq)).unwrap(), seq);
        // Written unbuffered: a line in the pipe means the append returned.
        writeln!(out, "ACK {seq}").unwrap();
        out.flush().unwrap();
    }
}

struct Run {
    acked: Vec<u64>,
}

/// Start a child, let it acknowledge `acks_before_kill` appends, SIGKILL it,
/// and collect every acknowledgement it got out.
fn run_child(dir: &Path, policy: &str, acks_before_kill: usize, extra_spins: u32) -> Run {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["redex_crash::crash_child", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, dir)
        .env(POLICY_ENV, policy)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut acked = Vec::new();
    // The harness prints "test crash_child ... " with no newline before the
    // first acknowledgement, so the marker is searched, not anchored.
    let ack = |line: &str| line.split("ACK ").nth(1).map(|s| s.trim().parse::<u64>().unwrap());
    while acked.len() < acks_before_kill {
        let Some(line) = lines.next() else { break };
        if let Some(seq) = ack(&line.unwrap()) {
            acked.push(seq);
        }
    }
    // A little more random delay so the kill lands anywhere in an append.
    for _ in 0..extra_spins {
        std::hint::spin_loop();
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // Acknowledgements already in the pipe were given before the kill.
    for line in lines {
        let Ok(line) = line else { break };
        if let Some(seq) = ack(&line) {
            acked.push(seq);
        }
    }
    Run { acked }
}

fn seed() -> u64 {
    std::env::var("REDEX_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| rand::thread_rng().r#gen())
}

/// Reopen the file and return its next seq after checking that every
/// present record is exactly `payload(seq)` and the seqs have no gap.
/// Torn tails found on the way are counted in `torn`.
fn verify_prefix(dir: &Path, policy: &str, round: usize, seed: u64, torn: &mut usize) -> u64 {
    let file = Redex::new().with_persistent_dir(dir).open_file(NAME, config(policy)).unwrap_or_else(|e| {
        panic!("round {round} (seed {seed}): reopen after kill failed: {e}");
    });
    if let Some(r) = file.repair_report() {
        assert_eq!(r.kind, RepairKind::TornTail, "round {round} (seed {seed}): {r:?}");
        *torn += 1;
    }
    let records = file.read(..);
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r.seq, i as u64, "round {round} (seed {seed}): gap before seq {}", r.seq);
        assert!(r.payload.as_ref() == payload(r.seq).as_slice(), "round {round} (seed {seed}): seq {} differs", r.seq);
    }
    let next = file.next_seq();
    assert_eq!(next, records.len() as u64);
    file.close().unwrap();
    next
}

#[test]
fn kill_9_with_fsync_every_record_loses_no_acknowledged_record() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let seed = seed();
    println!("seed {seed}");
    let mut rng = StdRng::seed_from_u64(seed);
    let tmp = tempfile::tempdir().unwrap();
    let mut torn = 0;
    let mut highest_acked: Option<u64> = None;
    let mut log_end = 0;
    for round in 0..KILLS {
        let run = run_child(tmp.path(), "every1", rng.gen_range(0..12), rng.gen_range(0..20_000));
        // Each run continues exactly where the durable log ended.
        if let Some(first) = run.acked.first() {
            assert_eq!(*first, log_end, "round {round} (seed {seed}): run did not start at the log's end");
        }
        assert!(run.acked.windows(2).all(|w| w[1] == w[0] + 1), "round {round}: acks not consecutive");
        if let Some(last) = run.acked.last() {
            highest_acked = Some(*last);
        }
        log_end = verify_prefix(tmp.path(), "every1", round, seed, &mut torn);
        if let Some(h) = highest_acked {
            assert!(log_end > h, "round {round} (seed {seed}): acknowledged seq {h} is missing (log ends at {log_end})");
        }
    }
    println!("every1: {log_end} records, {torn} torn tails cut");
    assert!(highest_acked.unwrap_or(0) > 100, "the children appended too little to prove anything");
}

#[test]
fn kill_9_with_interval_fsync_leaves_a_gap_free_prefix() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let seed = seed();
    println!("seed {seed}");
    let mut rng = StdRng::seed_from_u64(seed);
    let tmp = tempfile::tempdir().unwrap();
    let mut acked_total = 0;
    let mut torn = 0;
    for round in 0..KILLS {
        let run = run_child(tmp.path(), "interval", rng.gen_range(0..400), rng.gen_range(0..20_000));
        assert!(run.acked.windows(2).all(|w| w[1] == w[0] + 1), "round {round}: acks not consecutive");
        acked_total += run.acked.len();
        verify_prefix(tmp.path(), "interval", round, seed, &mut torn);
    }
    println!("interval: {acked_total} acknowledgements, {torn} torn tails cut");
    assert!(acked_total > 1000, "the children appended too little to prove anything");
}
