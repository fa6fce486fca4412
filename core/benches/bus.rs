//! Bus throughput.
//!
//! `bus_sustained`: what one producer gets into the store under the
//! default configuration (Block, 4 shards of 8,192 slots, 2 runtime
//! workers): each iteration emits 2,000,000 distinct events, 244 times the
//! rings' capacity, and flushes inside the timed region; the stored count
//! is checked, and a run that lost anything panics instead of reporting a
//! rate.
//!
//! `bus_ring_push`: pushes accepted into large rings under DropOldest, NOT
//! events stored — the cost of the emit call alone — and poll.

use std::time::Duration;

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use std::time::Instant;
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

#[path = "support/event.rs"]
mod support;

/// Events per sustained iteration: many times every ring's capacity.
const SUSTAINED: u64 = 2_000_000;

fn bench_sustained(c: &mut Criterion) {
    // As `#[tokio::main]` sets up on this 2-core machine.
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let net = rt.block_on(Net::builder().build()).unwrap();
    let mut g = c.benchmark_group("bus_sustained");
    g.throughput(Throughput::Elements(SUSTAINED));
    g.sample_size(10);
    let mut next = 0u64;
    g.bench_function("emit_raw_copy_to_stored", |b| {
        b.iter_custom(|iters| {
            let mut elapsed = Duration::ZERO;
            let mut buf = [0u8; 32];
            for _ in 0..iters {
                let stored_before: u64 = (0..net.shards()).map(|s| net.bus().backend().tail(s)).sum();
                let start = Instant::now();
                for _ in 0..SUSTAINED {
                    let len = support::event(&mut buf, next);
                    net.emit_raw_copy(&buf[..len]).unwrap();
                    next += 1;
                }
                rt.block_on(net.flush()).unwrap();
                elapsed += start.elapsed();
                let stored: u64 = (0..net.shards()).map(|s| net.bus().backend().tail(s)).sum();
                let dropped = net.stats().events_dropped;
                assert!(
                    stored - stored_before == SUSTAINED && dropped == 0,
                    "DROPPED: {} of {SUSTAINED} events stored, {dropped} dropped — no rate for this run",
                    stored - stored_before
                );
            }
            elapsed
        })
    });
    g.finish();
    rt.block_on(net.shutdown()).unwrap();
}

fn bench_bus(c: &mut Criterion) {
    let rt = runtime();
    let mut g = c.benchmark_group("bus_ring_push");

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
    targets = bench_sustained, bench_bus
}
criterion_main!(benches);
