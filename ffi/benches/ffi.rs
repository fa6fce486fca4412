//! The C ABI's ingest path as a C caller pays it (guard, handle check,
//! UTF-8 check, copy), measured without any foreign-call overhead on top.
//!
//! `ffi sustained (stored, default config)`: what a C user gets. Each
//! iteration is one round of `SUSTAINED` distinct events (`{"i":N}`, many
//! times what the default rings hold: 4 shards x 8192) ingested into a
//! fresh node made by `net_init("")`, and the clock stops after
//! `net_flush`, so the throughput is events ingested AND stored per second.
//! The stored count comes from `net_stats_ex` (`events_ingested -
//! events_dropped`); a round that lost any event prints `DROPPED n` and
//! stops the bench instead of reporting a rate.
//!
//! `ffi ring push (accepted, not stored)`: the ingest path alone — the
//! floor for the Go and C faces — into rings of 65536 under `drop_oldest`,
//! where a producer never waits for the batcher. It counts events
//! accepted, whether or not they were stored.

use std::ffi::{c_char, CString};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode, Throughput};
use net::{
    net_flush, net_init, net_ingest_raw, net_ingest_raw_batch, net_shutdown, net_stats_ex, NetStats, NetStatus,
};

const EVENT: &[u8] = b"{\"a\":123}";

/// Events per sustained round.
const SUSTAINED: usize = 2_000_000;

/// The distinct events of a round, built once: pointers and lengths into
/// one block.
struct Input {
    _block: Vec<u8>,
    ptrs: Vec<*const c_char>,
    lens: Vec<usize>,
}

fn sustained_input() -> Input {
    use std::io::Write as _;
    let mut block = Vec::with_capacity(16 * SUSTAINED);
    let mut ends = Vec::with_capacity(SUSTAINED);
    for i in 0..SUSTAINED {
        write!(block, "{{\"i\":{i}}}").unwrap();
        ends.push(block.len());
    }
    let mut start = 0;
    let (mut ptrs, mut lens) = (Vec::with_capacity(SUSTAINED), Vec::with_capacity(SUSTAINED));
    for end in ends {
        // SAFETY: in bounds of `block`, which is never reallocated after this.
        ptrs.push(unsafe { block.as_ptr().add(start) }.cast::<c_char>());
        lens.push(end - start);
        start = end;
    }
    Input { _block: block, ptrs, lens }
}

/// `iters` rounds of `ingest` on fresh default nodes; the time of the
/// ingest and the flush only. Panics with DROPPED when a round lost events.
fn sustained_rounds(iters: u64, input: &Input, ingest: impl Fn(net::net_handle_t, &Input)) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let node = net_init(c"".as_ptr());
        assert!(!node.is_null());
        let start = Instant::now();
        ingest(node, input);
        assert_eq!(net_flush(node), NetStatus::NET_SUCCESS as i32);
        total += start.elapsed();
        let mut stats = NetStats::default();
        assert_eq!(net_stats_ex(node, &mut stats), NetStatus::NET_SUCCESS as i32);
        assert_eq!(net_shutdown(node), NetStatus::NET_SUCCESS as i32);
        let stored = stats.events_ingested - stats.events_dropped;
        let lost = SUSTAINED as u64 - stored;
        if lost > 0 {
            println!("DROPPED {lost} of {SUSTAINED} events (stored {stored}): no rate for this bench");
            panic!("DROPPED {lost} of {SUSTAINED} events under the default configuration");
        }
    }
    total
}

fn bench_sustained(c: &mut Criterion) {
    let input = sustained_input();
    let mut g = c.benchmark_group("ffi sustained (stored, default config)");
    g.sampling_mode(SamplingMode::Flat);
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Elements(SUSTAINED as u64));
    g.bench_function("net_ingest_raw_single", |b| {
        b.iter_custom(|iters| {
            sustained_rounds(iters, &input, |node, input| {
                for (&p, &len) in input.ptrs.iter().zip(&input.lens) {
                    // A refused ingest (a `block` wait that timed out) is
                    // counted as lost by sustained_rounds.
                    let _ = net_ingest_raw(node, p, len);
                }
            })
        })
    });
    g.bench_function("net_ingest_raw_batch_1000", |b| {
        b.iter_custom(|iters| {
            sustained_rounds(iters, &input, |node, input| {
                for (p, l) in input.ptrs.chunks(1000).zip(input.lens.chunks(1000)) {
                    let _ = net_ingest_raw_batch(node, p.as_ptr(), l.as_ptr(), p.len());
                }
            })
        })
    });
    g.finish();
}

fn bench_ring_push(c: &mut Criterion) {
    let config =
        CString::new(r#"{"num_shards": 4, "ring_capacity": 65536, "retention": 65536, "backpressure": "drop_oldest"}"#)
            .unwrap();
    let node = net_init(config.as_ptr());
    assert!(!node.is_null());
    let mut g = c.benchmark_group("ffi ring push (accepted, not stored)");

    g.throughput(Throughput::Elements(1000));
    g.bench_function("net_ingest_raw_single", |b| {
        b.iter(|| {
            for _ in 0..1000 {
                let rc = net_ingest_raw(node, EVENT.as_ptr().cast::<c_char>(), EVENT.len());
                assert_eq!(rc, NetStatus::NET_SUCCESS as i32);
            }
        })
    });

    let ptrs: Vec<*const c_char> = vec![EVENT.as_ptr().cast(); 1000];
    let lens: Vec<usize> = vec![EVENT.len(); 1000];
    g.bench_function("net_ingest_raw_batch_1000", |b| {
        b.iter_batched(
            || (),
            |()| assert_eq!(net_ingest_raw_batch(node, ptrs.as_ptr(), lens.as_ptr(), 1000), 1000),
            BatchSize::SmallInput,
        )
    });
    g.finish();
    assert_eq!(net_shutdown(node), NetStatus::NET_SUCCESS as i32);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1))
        .sample_size(20);
    targets = bench_sustained, bench_ring_push
}
criterion_main!(benches);
