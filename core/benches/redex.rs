//! RedEX appends (memory and disk), tail backfill, and NetDb task creation
//! with its fold.
//!
//! Run: `cargo bench -p net-mesh-sdk --bench redex`.
//!
//! Files keep every retained record in memory, so the unbounded append
//! rows start a fresh file every `chunk` appends instead of letting
//! criterion's iteration counts grow one file without bound. Opening is
//! outside the timed region; `close` (which writes out and syncs what a
//! disk file still buffers) is inside it, so a row counts records that
//! were stored, not merely accepted. The `_retained_` rows run one file
//! with a byte cap far past the cap, the steady state of a bounded log.

use std::fs::OpenOptions;
use std::io::Write;
use std::time::{Duration, Instant};

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use futures::StreamExt;
use net_sdk::cortex::{FsyncPolicy, NetDb, Redex, RedexFile, RedexFileConfig};

/// Time `iters` calls of `op`, on fresh files of at most `chunk` calls each.
fn chunked(iters: u64, chunk: u64, mut open: impl FnMut() -> RedexFile, mut op: impl FnMut(&RedexFile)) -> Duration {
    let mut total = Duration::ZERO;
    let mut left = iters;
    while left > 0 {
        let n = left.min(chunk);
        let file = open();
        let start = Instant::now();
        for _ in 0..n {
            op(&file);
        }
        file.close().unwrap();
        total += start.elapsed();
        left -= n;
    }
    total
}

fn memory_file() -> RedexFile {
    Redex::new().open_file("bench/mem", RedexFileConfig::default()).unwrap()
}

fn bench_memory(c: &mut Criterion) {
    let mut group = c.benchmark_group("redex");
    group.sample_size(20).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));

    group.throughput(Throughput::Elements(1));
    let small = [7u8; 8];
    group.bench_function("append_mem_8B", |b| {
        b.iter_custom(|iters| chunked(iters, 2_000_000, memory_file, |f| {
            black_box(f.append(black_box(&small)).unwrap());
        }))
    });
    let kib = vec![7u8; 1024];
    group.bench_function("append_mem_1KiB", |b| {
        b.iter_custom(|iters| chunked(iters, 200_000, memory_file, |f| {
            black_box(f.append(black_box(&kib)).unwrap());
        }))
    });

    // One file capped at 64 MiB, fed far past the cap: retention evicts
    // as fast as appends arrive (the cap is checked every append).
    let retained = Redex::new().open_file("bench/mem-retained", RedexFileConfig::default().with_retention_max_bytes(64 << 20)).unwrap();
    group.bench_function("append_mem_1KiB_retained_64MiB", |b| {
        b.iter(|| black_box(retained.append(black_box(&kib)).unwrap()))
    });
    assert!(retained.retained_bytes() <= 64 << 20);
    retained.close().unwrap();

    // The batch shape: 64 records of 64 bytes.
    let batch64: Vec<[u8; 64]> = (0..64u8).map(|i| [i; 64]).collect();
    group.throughput(Throughput::Elements(64));
    group.bench_function("append_batch_mem_64B_x64", |b| {
        b.iter_custom(|iters| chunked(iters, 30_000, memory_file, |f| {
            black_box(f.append_batch(black_box(&batch64)).unwrap());
        }))
    });

    const BATCH: usize = 1024;
    let batch: Vec<[u8; 8]> = (0..BATCH as u64).map(|i| i.to_le_bytes()).collect();
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("append_batch_mem_8B_x1024", |b| {
        b.iter_custom(|iters| chunked(iters, 2_000, memory_file, |f| {
            black_box(f.append_batch(black_box(&batch)).unwrap());
        }))
    });

    const BACKLOG: u64 = 1_000_000;
    let file = memory_file();
    for i in 0..BACKLOG {
        file.append(&i.to_le_bytes()).unwrap();
    }
    group.throughput(Throughput::Elements(BACKLOG));
    group.bench_function("tail_backfill_1M", |b| {
        b.iter(|| {
            futures::executor::block_on(async {
                let mut tail = file.tail(0);
                for _ in 0..BACKLOG {
                    black_box(tail.next().await.unwrap().unwrap());
                }
            })
        })
    });
    group.finish();
}

fn bench_disk(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut group = c.benchmark_group("redex");
    group.sample_size(10).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    group.throughput(Throughput::Elements(1));
    let payload = [7u8; 64];
    let mut n = 0;
    let mut disk_file = |fsync: FsyncPolicy| {
        n += 1;
        let redex = Redex::new().with_persistent_dir(dir.path());
        redex.open_file(format!("bench/disk-{n}"), RedexFileConfig::default().with_persistent(true).with_fsync(fsync)).unwrap()
    };
    group.bench_function("append_disk_64B_fsync_interval_100ms", |b| {
        b.iter_custom(|iters| {
            chunked(iters, 1_000_000, || disk_file(FsyncPolicy::Interval(Duration::from_millis(100))), |f| {
                black_box(f.append(black_box(&payload)).unwrap());
            })
        })
    });
    group.bench_function("append_disk_64B_fsync_every_1", |b| {
        b.iter_custom(|iters| {
            chunked(iters, 100_000, || disk_file(FsyncPolicy::EveryN(1)), |f| {
                black_box(f.append(black_box(&payload)).unwrap());
            })
        })
    });
    // The device's floor for the row above: one 64-byte write plus
    // fdatasync on a plain file in the same directory, no RedEX involved.
    let raw_path = dir.path().join("fsync-floor");
    let mut raw = OpenOptions::new().create(true).append(true).open(&raw_path).unwrap();
    group.bench_function("fsync_floor_64B_write_fdatasync", |b| {
        b.iter(|| {
            raw.write_all(&payload).unwrap();
            raw.sync_data().unwrap();
        })
    });
    group.finish();
}

fn bench_netdb(c: &mut Criterion) {
    let mut group = c.benchmark_group("cortex");
    group.sample_size(20).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    group.throughput(Throughput::Elements(1));
    group.bench_function("task_create_and_fold", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut left = iters;
            while left > 0 {
                let n = left.min(500_000);
                let db = NetDb::builder(Redex::new()).origin(1).with_tasks().build().unwrap();
                let tasks = db.tasks();
                let start = Instant::now();
                for id in 0..n {
                    black_box(tasks.create(id, "write docs", id).unwrap());
                }
                total += start.elapsed();
                assert_eq!(tasks.count() as u64, n, "every create folded");
                db.close().unwrap();
                left -= n;
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, bench_memory, bench_disk, bench_netdb);
criterion_main!(benches);
