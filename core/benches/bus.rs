//! Bus throughput: emit (single, batch, two producers) and poll.
//!
//! The rings are large and the policy is DropOldest so the numbers measure
//! the emit path rather than a producer blocked on backpressure.

use std::time::Duration;

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use net_sdk::{Backpressure, Net, PollRequest};
use tokio::runtime::Runtime;

const EVENT: &[u8] = b"{\"a\":123}";

fn runtime() -> Runtime {
    // One worker for the batchers; the bench thread is the producer.
    tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap()
}

fn node(rt: &Runtime) -> Net {
    rt.block_on(
        Net::builder()
            .shards(4)
            .ring_capacity(1 << 16)
            .retention(1 << 16)
            .backpressure(Backpressure::DropOldest)
            .build(),
    )
    .unwrap()
}

fn bench_bus(c: &mut Criterion) {
    let rt = runtime();
    let mut g = c.benchmark_group("bus");

    let net = node(&rt);
    let payload = Bytes::from_static(EVENT);
    g.throughput(Throughput::Elements(1000));
    g.bench_function("emit_raw_single", |b| {
        b.iter(|| {
            for _ in 0..1000 {
                std::hint::black_box(net.emit_raw(payload.clone()).unwrap());
            }
        })
    });

    let batch: Vec<Bytes> = (0..1000).map(|_| payload.clone()).collect();
    g.bench_function("emit_raw_batch_1000", |b| {
        b.iter_batched(|| batch.clone(), |events| net.emit_raw_batch(events).unwrap(), BatchSize::SmallInput)
    });
    rt.block_on(net.shutdown()).unwrap();

    // Two producer threads on two different shards.
    let net = node(&rt);
    let first = Bytes::from_static(b"{\"p\":0}");
    let shard_of = |p: &Bytes| net.emit_raw(p.clone()).unwrap().shard_id;
    let second = (1..64)
        .map(|i| Bytes::from(format!("{{\"p\":{i}}}")))
        .find(|p| shard_of(p) != shard_of(&first))
        .expect("some payload hashes to another shard");
    const PER_THREAD: u64 = 100_000;
    g.throughput(Throughput::Elements(2 * PER_THREAD));
    g.bench_function("emit_raw_two_producers", |b| {
        b.iter(|| {
            std::thread::scope(|s| {
                for p in [&first, &second] {
                    let net = &net;
                    s.spawn(move || {
                        for _ in 0..PER_THREAD {
                            std::hint::black_box(net.emit_raw(p.clone()).unwrap());
                        }
                    });
                }
            })
        })
    });
    rt.block_on(net.shutdown()).unwrap();

    // Poll 10k events per call from a prefilled log.
    let net = node(&rt);
    for i in 0..100_000u32 {
        net.emit_raw(Bytes::from(i.to_string())).unwrap();
    }
    rt.block_on(net.flush()).unwrap();
    const LIMIT: usize = 10_000;
    g.throughput(Throughput::Elements(LIMIT as u64));
    g.bench_function("poll", |b| {
        b.iter(|| {
            let r = rt.block_on(net.poll(PollRequest { limit: LIMIT, cursor: None })).unwrap();
            assert_eq!(r.events.len(), LIMIT);
            r
        })
    });
    rt.block_on(net.shutdown()).unwrap();
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1))
        .sample_size(20);
    targets = bench_bus
}
criterion_main!(benches);
