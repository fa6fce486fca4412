//! The bus over a mesh link: events emitted on one node, counted when
//! they reach the other node's live subscription (not when emit returned).
//! 64-byte JSON events, the default bus configuration on both sides.
//!
//! Run: `cargo bench -p net-mesh-sdk --bench mesh_bus`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use futures::StreamExt;
use net_sdk::{Identity, Net, NetAdapterConfig, SubscribeOpts};

fn bench_bus_over_mesh(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let psk = [7u8; 32];
    let server = Identity::generate();
    let port = std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    let (emitter, receiver) = rt.block_on(async {
        let serving = tokio::spawn(Net::builder().mesh(NetAdapterConfig::responder(addr.clone(), psk).identity(server.clone())).build());
        let emitter = Net::builder()
            .mesh(NetAdapterConfig::initiator("127.0.0.1:0", addr, psk, server.mesh_public_key()))
            .build()
            .await
            .unwrap();
        (emitter, serving.await.unwrap().unwrap())
    });
    let arrived = Arc::new(AtomicU64::new(0));
    let counter = {
        let (receiver, arrived) = (receiver.clone(), arrived.clone());
        rt.spawn(async move {
            let mut live = receiver.subscribe(SubscribeOpts { batch: 4096, ..Default::default() });
            while let Some(Ok(_)) = live.next().await {
                arrived.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    // The subscription is live from its first poll: let it start.
    std::thread::sleep(Duration::from_millis(100));
    let event = format!(r#"{{"k":"{}"}}"#, "x".repeat(56)); // 64 bytes
    let mut group = c.benchmark_group("mesh_bus");
    group.sample_size(10).measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
    group.throughput(Throughput::Elements(1));
    let (mut delivered, mut emitted) = (0u64, 0u64);
    group.bench_function("emit_to_remote_subscriber_64B", |b| {
        b.iter_custom(|iters| {
            let before = arrived.load(Ordering::Relaxed);
            let start = Instant::now();
            for _ in 0..iters {
                emitter.emit_raw_copy(event.as_bytes()).unwrap();
            }
            // Until every event arrived, or nothing more came for a second.
            let mut last = (before, Instant::now());
            loop {
                let now = arrived.load(Ordering::Relaxed);
                if now - before >= iters || last.1.elapsed() > Duration::from_secs(1) {
                    break;
                }
                if now != last.0 {
                    last = (now, Instant::now());
                }
                std::thread::sleep(Duration::from_micros(50));
            }
            let got = arrived.load(Ordering::Relaxed) - before;
            delivered += got;
            emitted += iters;
            // Rate of events delivered: stretch the time by any shortfall.
            start.elapsed().mul_f64(iters as f64 / got.max(1) as f64)
        })
    });
    group.finish();
    println!("mesh_bus/emit_to_remote_subscriber_64B: delivered {delivered} of {emitted} events");
    counter.abort();
    rt.block_on(async {
        emitter.shutdown().await.unwrap();
        receiver.shutdown().await.unwrap();
    });
}

criterion_group!(benches, bench_bus_over_mesh);
criterion_main!(benches);
