//! Mesh costs: packet encode + encrypt, loopback throughput between two
//! nodes (reliable and fire-and-forget, 64 B and 1 KiB), and the 64-byte
//! request/response round trip (p50 / p99 printed, mean in the table).
//!
//! Run: `cargo bench -p net-mesh-sdk --bench mesh`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use net_sdk::mesh::internals::{Packer, SessionCrypto};
use net_sdk::mesh::{MeshBuilder, MeshStream, Reliability, StreamConfig};
use net_sdk::{Mesh, SdkError};
use tokio::runtime::Runtime;

const BATCH: usize = 256;

fn bench_packet(c: &mut Criterion) {
    let mut group = c.benchmark_group("mesh_packet");
    group.sample_size(20).measurement_time(Duration::from_secs(2)).warm_up_time(Duration::from_millis(500));
    let crypto = SessionCrypto::new([1; 32], [2; 32], u64::MAX);
    for size in [64usize, 1024] {
        let payload = vec![0xA5u8; size];
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_function(format!("encode_encrypt_{size}B"), |b| {
            let mut packer = Packer::new(1400);
            b.iter(|| {
                packer.stream(1, 0x42, 7, black_box(&payload));
                let d = &mut packer.datagrams_mut()[0];
                crypto.seal(9, d).unwrap();
                black_box(d.len());
                packer.datagrams_mut().clear();
            })
        });
    }
    group.finish();
}

struct Pair {
    rt: Runtime,
    a: Mesh,
    b: Mesh,
}

fn pair(max_datagram: usize) -> Pair {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (a, b) = rt.block_on(async {
        let mk = || async {
            MeshBuilder::new("127.0.0.1:0", &[7; 32]).unwrap().max_datagram(max_datagram).build().await.unwrap()
        };
        let (a, b) = (mk().await, mk().await);
        let (ra, rb) = tokio::join!(a.connect(b.local_addr(), b.public_key(), b.node_id()), b.accept(a.node_id()));
        ra.unwrap();
        rb.unwrap();
        a.start().unwrap();
        b.start().unwrap();
        (a, b)
    });
    Pair { rt, a, b }
}

/// Send `n` messages of `size` bytes on `tx`, `per_call` per send,
/// waiting for window room (`send_blocking`) on a reliable stream and
/// yielding on a refusal of a fire-and-forget one.
async fn pump(a: &Mesh, tx: &MeshStream, n: u64, size: usize, per_call: usize, reliability: Reliability) {
    let batch: Vec<Bytes> = (0..per_call).map(|_| Bytes::from(vec![0x5A; size])).collect();
    let mut left = n as usize;
    while left > 0 {
        let k = left.min(per_call);
        let sent = match reliability {
            Reliability::Reliable => a.send_blocking(tx, &batch[..k]).await,
            Reliability::FireAndForget => a.send_on_stream(tx, &batch[..k]).await,
        };
        match sent {
            Ok(()) => left -= k,
            Err(SdkError::Backpressure) => tokio::task::yield_now().await,
            Err(e) => panic!("{e}"),
        }
    }
}

/// Every row's rate counts messages the receiver got, not messages sent
/// (a fire-and-forget round that lost some is slower by that much, and
/// the loss is printed).
///
/// (label, reliability, max datagram, messages per send call): the
/// default 1400-byte datagrams (safe on any path) and 64 KB datagrams
/// (loopback / jumbo links), where coalescing amortizes the per-datagram
/// kernel cost over many messages; and one message per call, where the
/// messages of consecutive calls share datagrams through corking.
const THROUGHPUT_CASES: [(&str, Reliability, usize, usize); 5] = [
    ("reliable", Reliability::Reliable, 1400, BATCH),
    ("reliable_1_per_call", Reliability::Reliable, 1400, 1),
    ("fire_and_forget", Reliability::FireAndForget, 1400, BATCH),
    ("reliable_jumbo", Reliability::Reliable, 65_000, BATCH),
    ("fire_and_forget_jumbo", Reliability::FireAndForget, 65_000, BATCH),
];

fn bench_throughput(c: &mut Criterion) {
    let mut group = c.benchmark_group("mesh_loopback");
    group.sample_size(10).measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
    let mut stream_id = 100;
    for (label, reliability, max_datagram, per_call) in THROUGHPUT_CASES {
        let p = pair(max_datagram);
        for size in [64usize, 1024] {
            stream_id += 1;
            let cfg = StreamConfig::new().with_reliability(reliability).with_window_bytes(if size == 64 { 8192 } else { 2048 }).with_receive_capacity(1 << 16);
            let rx = p.b.open_stream(p.a.node_id(), stream_id, cfg).unwrap();
            let tx = p.a.open_stream(p.b.node_id(), stream_id, cfg).unwrap();
            let received = Arc::new(AtomicU64::new(0));
            let reader = {
                let (b, received) = (p.b.clone(), received.clone());
                p.rt.spawn(async move {
                    while b.recv(&rx).await.is_ok() {
                        received.fetch_add(1, Ordering::Relaxed);
                    }
                })
            };
            if size == 64 {
                group.throughput(Throughput::Elements(1));
            } else {
                group.throughput(Throughput::Bytes(size as u64));
            }
            let mut delivered = (0u64, 0u64);
            let sent_before = (p.a.stats().datagrams_sent, p.b.stats().datagrams_sent);
            group.bench_function(format!("{label}_{size}B"), |bench| {
                bench.iter_custom(|iters| {
                    let start_count = received.load(Ordering::Relaxed);
                    let start = Instant::now();
                    p.rt.block_on(pump(&p.a, &tx, iters, size, per_call, reliability));
                    // Wait for delivery; fire-and-forget may lose some, so
                    // stop when nothing more arrives for 50 ms.
                    let mut last = (received.load(Ordering::Relaxed), Instant::now());
                    let mut end = Instant::now();
                    loop {
                        let now_count = received.load(Ordering::Relaxed);
                        if now_count - start_count >= iters {
                            end = Instant::now();
                            break;
                        }
                        if now_count != last.0 {
                            last = (now_count, Instant::now());
                            end = last.1;
                        } else if last.1.elapsed() > Duration::from_millis(50) {
                            break;
                        }
                        std::hint::spin_loop();
                    }
                    let arrived = received.load(Ordering::Relaxed) - start_count;
                    delivered.0 += arrived;
                    delivered.1 += iters;
                    // Criterion divides `iters` by the time: stretch the time
                    // by what was lost, so the rate is of messages delivered.
                    (end - start).mul_f64(iters as f64 / arrived.max(1) as f64)
                })
            });
            if delivered.1 > 0 {
                let data = p.a.stats().datagrams_sent - sent_before.0;
                let back = p.b.stats().datagrams_sent - sent_before.1;
                println!(
                    "mesh_loopback/{label}_{size}B: delivered {} of {} messages; {data} datagrams sent, {back} back (acks)",
                    delivered.0, delivered.1
                );
            }
            reader.abort();
        }
    }
    group.finish();
}

fn bench_rtt(c: &mut Criterion) {
    let p = pair(1400);
    let cfg = StreamConfig::new().with_window_bytes(64);
    let (req_rx, resp_tx) = (p.b.open_stream(p.a.node_id(), 1, cfg).unwrap(), p.b.open_stream(p.a.node_id(), 2, cfg).unwrap());
    let (req_tx, resp_rx) = (p.a.open_stream(p.b.node_id(), 1, cfg).unwrap(), p.a.open_stream(p.b.node_id(), 2, cfg).unwrap());
    let echo = {
        let b = p.b.clone();
        p.rt.spawn(async move {
            while let Ok(m) = b.recv(&req_rx).await {
                b.send_with_retry(&resp_tx, &[m], 100).await.unwrap();
            }
        })
    };
    // The client runs as a task on the runtime (as an application would),
    // not on the bench thread, so a wake-up is not a cross-thread unpark.
    let client = |iters: u64, record: bool| {
        let (a, req_tx, resp_rx) = (p.a.clone(), req_tx.clone(), resp_rx.clone());
        p.rt.block_on(p.rt.spawn(async move {
            let payload = [Bytes::from(vec![1u8; 64])];
            let mut v = Vec::with_capacity(if record { iters as usize } else { 0 });
            let start = Instant::now();
            for _ in 0..iters {
                let t = Instant::now();
                a.send_with_retry(&req_tx, &payload, 100).await.unwrap();
                a.recv(&resp_rx).await.unwrap();
                if record {
                    v.push(t.elapsed());
                }
            }
            (start.elapsed(), v)
        }))
        .unwrap()
    };
    // Percentiles from individually timed round trips.
    client(2000, false);
    let sent_before = p.a.stats().datagrams_sent + p.b.stats().datagrams_sent;
    let mut samples = client(20_000, true).1;
    let per_round_trip = (p.a.stats().datagrams_sent + p.b.stats().datagrams_sent - sent_before) as f64 / 20_000.0;
    samples.sort();
    let pct = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    println!(
        "mesh_rtt/request_response_64B: p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs over {} round trips, {:.2} datagrams each",
        pct(0.50).as_secs_f64() * 1e6,
        pct(0.99).as_secs_f64() * 1e6,
        samples.last().unwrap().as_secs_f64() * 1e6,
        samples.len(),
        per_round_trip
    );
    let mut group = c.benchmark_group("mesh_rtt");
    group.sample_size(20).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_millis(500));
    group.throughput(Throughput::Elements(1));
    group.bench_function("request_response_64B", |b| {
        b.iter_custom(|iters| client(iters, false).0)
    });
    group.finish();
    echo.abort();
}

criterion_group!(benches, bench_packet, bench_throughput, bench_rtt);
criterion_main!(benches);
