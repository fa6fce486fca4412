//! Emit-to-stored throughput into real servers on loopback, beside each
//! server's own tool: 64-byte events, batches of 1,000.
//!
//! - `redis/net_emit_to_stored`: events emitted into a bus over the Redis
//!   backend and flushed (every event in its stream); one connection.
//! - `redis/redis_benchmark_xadd`: `redis-benchmark -c 1 -P 1000` running
//!   `XADD <key> * data <64 B>` (its own reported rate).
//! - `jetstream/net_emit_to_stored`: the same over the JetStream backend.
//! - `jetstream/client_publish_loop`: the NATS client's own JetStream
//!   publish loop: 1,000 publishes with message ids sent, then their acks
//!   awaited, repeated.
//!
//! The servers are started here on free loopback ports (see
//! `tests/common/servers.rs`). Run: `cargo bench -p net-mesh-sdk --bench backends`.

#[path = "../tests/common/servers.rs"]
mod servers;

use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use net_sdk::{JetStreamAdapterConfig, Net, RedisAdapterConfig};
use servers::TestServer;
use tokio::runtime::Runtime;

/// Events per measured round.
const ROUND: usize = 50_000;
const BATCH: usize = 1000;
const EVENT: usize = 64;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// Emit `rounds * ROUND` 64-byte events in blocks of BATCH and flush.
async fn emit_round(net: &Net, payload: &[u8]) {
    let lens = vec![EVENT; BATCH];
    for _ in 0..ROUND / BATCH {
        let mut stored = 0;
        while stored < BATCH {
            stored += net.emit_raw_copy_block(&payload[stored * EVENT..], &lens[stored..]).unwrap();
        }
    }
    net.flush().await.unwrap();
}

fn bench_redis(c: &mut Criterion) {
    let server = TestServer::redis();
    let rt = runtime();
    let mut group = c.benchmark_group("redis");
    group.sample_size(10).measurement_time(Duration::from_secs(8)).warm_up_time(Duration::from_secs(1));
    group.throughput(Throughput::Elements(ROUND as u64));
    let net = rt.block_on(
        Net::builder().shards(1).max_batch(BATCH).redis(RedisAdapterConfig::new(server.url()).prefix("bench").maxlen(1_000_000)).build(),
    )
    .unwrap();
    let payload = vec![b'x'; EVENT * BATCH];
    group.bench_function("net_emit_to_stored", |b| b.iter(|| rt.block_on(emit_round(&net, &payload))));
    rt.block_on(net.shutdown()).unwrap();

    let port = server.port().to_string();
    let value = "x".repeat(EVENT);
    group.bench_function("redis_benchmark_xadd", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let out = Command::new("redis-benchmark")
                    .args(["-h", "127.0.0.1", "-p", &port, "-c", "1", "-P", "1000", "-n", &ROUND.to_string(), "--csv"])
                    .args(["XADD", "bench:ref", "MAXLEN", "~", "1000000", "*", "data", &value])
                    .output()
                    .expect("redis-benchmark (package redis-tools) runs");
                let text = String::from_utf8_lossy(&out.stdout);
                // --csv: a header line, then "<test>","<rps>",...
                let rps: f64 = text
                    .lines()
                    .filter_map(|l| l.split(',').nth(1))
                    .filter_map(|f| f.trim_matches('"').parse().ok())
                    .next()
                    .unwrap_or_else(|| panic!("no rate in redis-benchmark output: {text}"));
                total += Duration::from_secs_f64(ROUND as f64 / rps);
            }
            total
        })
    });
    group.finish();
}

fn bench_jetstream(c: &mut Criterion) {
    let server = TestServer::nats();
    let rt = runtime();
    let mut group = c.benchmark_group("jetstream");
    group.sample_size(10).measurement_time(Duration::from_secs(8)).warm_up_time(Duration::from_secs(1));
    group.throughput(Throughput::Elements(ROUND as u64));
    let net = rt.block_on(
        Net::builder()
            .shards(1)
            .max_batch(BATCH)
            .jetstream(JetStreamAdapterConfig::new(server.url()).stream("BENCH").subject_prefix("bench").max_messages(1_000_000))
            .build(),
    )
    .unwrap();
    let payload = vec![b'x'; EVENT * BATCH];
    group.bench_function("net_emit_to_stored", |b| b.iter(|| rt.block_on(emit_round(&net, &payload))));
    rt.block_on(net.shutdown()).unwrap();

    let js = rt.block_on(async {
        let client = async_nats::connect(server.url()).await.unwrap();
        let js = async_nats::jetstream::new(client);
        js.get_or_create_stream(async_nats::jetstream::stream::Config {
            name: "REF".into(),
            subjects: vec!["ref.>".into()],
            max_messages: 1_000_000,
            ..Default::default()
        })
        .await
        .unwrap();
        js
    });
    let body = bytes::Bytes::from(vec![b'x'; EVENT]);
    let mut id = 0u64;
    group.bench_function("client_publish_loop", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            rt.block_on(async {
                for _ in 0..iters {
                    for _ in 0..ROUND / BATCH {
                        let mut acks = Vec::with_capacity(BATCH);
                        for _ in 0..BATCH {
                            id += 1;
                            let publish = async_nats::jetstream::context::Publish::build()
                                .payload(body.clone())
                                .message_id(id.to_string());
                            acks.push(js.send_publish("ref.0", publish).await.unwrap());
                        }
                        for ack in acks {
                            ack.await.unwrap();
                        }
                    }
                }
            });
            start.elapsed()
        })
    });
    group.finish();
}

criterion_group!(benches, bench_redis, bench_jetstream);
criterion_main!(benches);
