//! Emit-to-stored throughput into real servers on loopback, beside each
//! server's own tool: 64-byte events, batches of 1,000. Every row counts
//! events the server holds at the end of a sample (checked: `XLEN` of the
//! stream, the JetStream stream's message count), not events accepted.
//!
//! - `redis/net_emit_to_stored`: events emitted into a bus over the Redis
//!   backend (one shard, `max_batch` 1,000: each batch one `MULTI`/`EXEC`
//!   of 1,000 `XADD`s, entries `seq`, `ts`, `dedup_id`, `data`) and
//!   flushed; one connection.
//! - `redis/redis_benchmark_xadd`: the server's own tool writing entries
//!   of the same shape (same four fields, same sizes), pipelined:
//!   `redis-benchmark -c 1 -P 1000 -n 50000 XADD bench:ref * seq 1234567
//!   ts 1764000000000000000 dedup_id 3f9a0c1d2e4b5a69:0:1234000:999 data
//!   <64 B>`, its own reported rate. The fair reference: the same entries,
//!   one connection, 1,000 per round trip; what it does not pay is the
//!   `MULTI`/`EXEC` around each batch, which the backend needs (a batch is
//!   applied whole or not at all).
//! - `redis/redis_benchmark_xadd_data_only`: the same tool writing a
//!   one-field entry (`XADD bench:ref1 * data <64 B>`): a lighter entry
//!   than the backend stores, shown for scale.
//! - `jetstream/net_emit_to_stored`: the same over the JetStream backend.
//! - `jetstream/client_publish_loop`: the NATS client's own JetStream
//!   publish loop: 1,000 publishes with message ids sent, then their acks
//!   awaited, repeated.
//!
//! No trimming anywhere (no `MAXLEN`, no message limit): each sample starts
//! from an empty stream, so the count at its end is exactly what it stored.
//! The servers are started here on free loopback ports (see
//! `tests/common/servers.rs`). Run: `make bench-backends` (this bench, then
//! tools/backend_bench_ratio.py).
//!
//! With `NET_BENCH_PAIRED=<rounds>` the binary instead alternates one round
//! of the backend with one round of each `redis-benchmark` command, on the
//! same server, and prints the median of each and the median of the
//! per-round ratios: on a machine shared with other work, rounds taken side
//! by side see the same load, where criterion's rows are measured minutes
//! apart. `make bench-backends` prints both.

#[path = "../tests/it/common/servers.rs"]
mod servers;

use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion, Throughput};
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

/// Emit ROUND 64-byte events in blocks of BATCH and flush.
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

/// A plain connection for the checks between samples.
fn redis_conn(url: &str) -> redis::Connection {
    redis::Client::open(url).unwrap().get_connection().unwrap()
}

fn redis_reset(conn: &mut redis::Connection, key: &str) {
    redis::cmd("DEL").arg(key).query::<()>(conn).unwrap();
}

fn redis_len(conn: &mut redis::Connection, key: &str) -> u64 {
    redis::cmd("XLEN").arg(key).query(conn).unwrap()
}

/// `redis-benchmark` writing ROUND entries `XADD <key> * <fields>`, pipelined
/// 1,000 deep on one connection: the time it reports for them.
fn redis_benchmark(port: &str, key: &str, fields: &[&str]) -> Duration {
    let out = Command::new("redis-benchmark")
        .args(["-h", "127.0.0.1", "-p", port, "-c", "1", "-P", "1000", "-n", &ROUND.to_string(), "--csv"])
        .args(["XADD", key, "*"])
        .args(fields)
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
    Duration::from_secs_f64(ROUND as f64 / rps)
}

fn bench_redis(c: &mut Criterion) {
    let server = TestServer::redis();
    let rt = runtime();
    let mut check = redis_conn(&server.url());
    let mut group = c.benchmark_group("redis");
    group.sample_size(10).measurement_time(Duration::from_secs(8)).warm_up_time(Duration::from_secs(1));
    group.throughput(Throughput::Elements(ROUND as u64));
    let net = rt
        .block_on(Net::builder().shards(1).max_batch(BATCH).redis(RedisAdapterConfig::new(server.url()).prefix("bench")).build())
        .unwrap();
    let payload = vec![b'x'; EVENT * BATCH];
    group.bench_function("net_emit_to_stored", |b| {
        b.iter_custom(|iters| {
            redis_reset(&mut check, "bench:shard:0");
            let start = Instant::now();
            for _ in 0..iters {
                rt.block_on(emit_round(&net, &payload));
            }
            let took = start.elapsed();
            assert_eq!(redis_len(&mut check, "bench:shard:0"), iters * ROUND as u64, "events stored in the stream");
            took
        })
    });
    rt.block_on(net.shutdown()).unwrap();

    let port = server.port().to_string();
    let value = "x".repeat(EVENT);
    let same_shape = ["seq", "1234567", "ts", "1764000000000000000", "dedup_id", "3f9a0c1d2e4b5a69:0:1234000:999", "data", &value];
    for (name, key, fields) in
        [("redis_benchmark_xadd", "bench:ref", &same_shape[..]), ("redis_benchmark_xadd_data_only", "bench:ref1", &same_shape[6..])]
    {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                redis_reset(&mut check, key);
                let took = (0..iters).map(|_| redis_benchmark(&port, key, fields)).sum();
                assert_eq!(redis_len(&mut check, key), iters * ROUND as u64, "entries stored by redis-benchmark");
                took
            })
        });
    }
    group.finish();
}

fn bench_jetstream(c: &mut Criterion) {
    let server = TestServer::nats();
    let rt = runtime();
    let mut group = c.benchmark_group("jetstream");
    group.sample_size(10).measurement_time(Duration::from_secs(8)).warm_up_time(Duration::from_secs(1));
    group.throughput(Throughput::Elements(ROUND as u64));
    let js = rt.block_on(async {
        let client = async_nats::connect(server.url()).await.unwrap();
        async_nats::jetstream::new(client)
    });
    // The stream's message count, after emptying it: what a sample stored.
    let messages = |name: &str| {
        rt.block_on(async {
            let mut stream = js.get_stream(name).await.unwrap();
            stream.info().await.unwrap().state.messages
        })
    };
    let purge = |name: &str| rt.block_on(async { js.get_stream(name).await.unwrap().purge().await.unwrap() });
    let net = rt
        .block_on(
            Net::builder()
                .shards(1)
                .max_batch(BATCH)
                .jetstream(JetStreamAdapterConfig::new(server.url()).stream("BENCH").subject_prefix("bench"))
                .build(),
        )
        .unwrap();
    let payload = vec![b'x'; EVENT * BATCH];
    group.bench_function("net_emit_to_stored", |b| {
        b.iter_custom(|iters| {
            purge("BENCH");
            let start = Instant::now();
            for _ in 0..iters {
                rt.block_on(emit_round(&net, &payload));
            }
            let took = start.elapsed();
            assert_eq!(messages("BENCH"), iters * ROUND as u64, "events stored in the stream");
            took
        })
    });
    rt.block_on(net.shutdown()).unwrap();

    rt.block_on(async {
        js.get_or_create_stream(async_nats::jetstream::stream::Config {
            name: "REF".into(),
            subjects: vec!["ref.>".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    });
    let body = bytes::Bytes::from(vec![b'x'; EVENT]);
    let mut id = 0u64;
    group.bench_function("client_publish_loop", |b| {
        b.iter_custom(|iters| {
            purge("REF");
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
            let took = start.elapsed();
            assert_eq!(messages("REF"), iters * ROUND as u64, "messages stored by the publish loop");
            took
        })
    });
    group.finish();
}

/// The paired Redis comparison (see the module docs).
fn paired_redis(rounds: usize) {
    let server = TestServer::redis();
    let rt = runtime();
    let mut check = redis_conn(&server.url());
    let net = rt
        .block_on(Net::builder().shards(1).max_batch(BATCH).redis(RedisAdapterConfig::new(server.url()).prefix("bench")).build())
        .unwrap();
    let payload = vec![b'x'; EVENT * BATCH];
    let port = server.port().to_string();
    let value = "x".repeat(EVENT);
    let same_shape = ["seq", "1234567", "ts", "1764000000000000000", "dedup_id", "3f9a0c1d2e4b5a69:0:1234000:999", "data", &value];
    let rate = |took: Duration| ROUND as f64 / took.as_secs_f64();
    let (mut ours, mut tool, mut tool1) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        redis_reset(&mut check, "bench:shard:0");
        let start = Instant::now();
        rt.block_on(emit_round(&net, &payload));
        ours.push(rate(start.elapsed()));
        assert_eq!(redis_len(&mut check, "bench:shard:0"), ROUND as u64, "events stored in the stream");
        for (key, fields, into) in [("bench:ref", &same_shape[..], &mut tool), ("bench:ref1", &same_shape[6..], &mut tool1)] {
            redis_reset(&mut check, key);
            into.push(rate(redis_benchmark(&port, key, fields)));
            assert_eq!(redis_len(&mut check, key), ROUND as u64, "entries stored by redis-benchmark");
        }
    }
    rt.block_on(net.shutdown()).unwrap();
    let median = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let ratios = |tool: &[f64]| ours.iter().zip(tool).map(|(a, b)| a / b).collect::<Vec<_>>();
    println!("redis, {rounds} paired rounds of {ROUND} 64-byte events (median events/s stored)");
    println!("  net_emit_to_stored                 {:>10.0}", median(&ours));
    println!("  redis-benchmark XADD, same entries {:>10.0}   net share (median of per-round ratios) {:.0}%", median(&tool), 100.0 * median(&ratios(&tool)));
    println!("  redis-benchmark XADD, data only    {:>10.0}   net share {:.0}% (scale)", median(&tool1), 100.0 * median(&ratios(&tool1)));
}

criterion_group!(benches, bench_redis, bench_jetstream);

fn main() {
    if let Some(rounds) = std::env::var("NET_BENCH_PAIRED").ok().and_then(|r| r.parse().ok()) {
        paired_redis(rounds);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
