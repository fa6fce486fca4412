//! Capability discovery costs:
//! - `find_nodes_10k`: `Mesh::find_nodes` over an index of 10,000 nodes
//!   (30 % with GPUs; filter: NVIDIA GPU with ≥ 40 GiB) — target ≤ 200 µs p50;
//! - `find_nodes_10k_scan`: a filter without an indexed path (memory ≥ 256 GiB), a full scan;
//! - `predicate_and5`: a 5-clause AND over a 17-tag set — target ≤ 100 ns;
//! - `verify_and_index`: decode + verify + store one announcement of an
//!   origin the index has never seen — target ≥ 20 k/s;
//! - `verify_and_index_known_origin`: the same for a new version from an
//!   origin already indexed (the steady state of a mesh: its key is cached);
//! - `ed25519_floor_decompress_verify_strict`: what one first-contact
//!   signature check costs in ed25519-dalek alone, the floor of the rows above;
//! - `chain16_convergence`: a new version announced at one end of a 16-node
//!   loopback chain until the other end has it (reported, no target).
//!
//! Run: `cargo bench -p net-mesh-sdk --bench capabilities`.

use std::time::{Duration, Instant};

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use net_sdk::capabilities::predicate::EvalContext;
use net_sdk::capabilities::{
    pred, CapabilityAnnouncement, CapabilityFilter, CapabilityIndex, CapabilitySet, GpuInfo, GpuVendor,
    HardwareCapabilities, ModelCapability, SoftwareCapabilities,
};
use net_sdk::mesh::{Mesh, MeshBuilder};
use net_sdk::Identity;

fn seed(i: u32) -> [u8; 32] {
    let mut s = [7u8; 32];
    s[..4].copy_from_slice(&i.to_le_bytes());
    s
}

/// Node `i` of the synthetic population.
fn caps(i: u32) -> CapabilitySet {
    let mut hw = HardwareCapabilities::new().with_cpu(8 + i % 56, 16 + i % 112).with_memory(16u64 << (i % 5));
    if i % 10 < 3 {
        let vendor = if i % 3 == 0 { GpuVendor::Amd } else { GpuVendor::Nvidia };
        hw = hw.with_gpu(GpuInfo::new(vendor, "accel", u64::from(16 + (i % 5) * 16)));
    }
    CapabilitySet::new()
        .with_hardware(hw)
        .with_software(SoftwareCapabilities::new().with_os("linux"))
        .add_tag(format!("zone:{}", i % 8))
        .with_metadata("owner", format!("team-{}", i % 16))
}

fn bench_find(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mesh: Mesh = rt.block_on(async { MeshBuilder::new("127.0.0.1:0", &[1; 32]).unwrap().build().await.unwrap() });
    let index = mesh.capability_index();
    // Entries expire relative to the clock that stamps their receipt.
    let now = net_sdk::Clock::system().now_nanos();
    for i in 0..10_000u32 {
        let a = CapabilityAnnouncement::sign(&Identity::from_seed(seed(i)), caps(i), 1, Duration::from_secs(3600)).unwrap();
        index.ingest(&a, now).unwrap();
    }
    let mut group = c.benchmark_group("capabilities");
    group.sample_size(30).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    let gpu = CapabilityFilter::new().require_gpu().with_gpu_vendor(GpuVendor::Nvidia).with_min_vram(40);
    let hits = mesh.find_nodes(&gpu).len();
    assert!(hits > 500 && hits < 3000, "{hits} hits");
    group.bench_function("find_nodes_10k", |b| b.iter(|| black_box(mesh.find_nodes(black_box(&gpu)))));
    let scan = CapabilityFilter::new().with_min_memory(256);
    group.bench_function("find_nodes_10k_scan", |b| b.iter(|| black_box(mesh.find_nodes(black_box(&scan)))));
    group.finish();
    drop(mesh);
    drop(rt);
}

fn bench_predicate(c: &mut Criterion) {
    let set = CapabilitySet::new()
        .with_hardware(HardwareCapabilities::new().with_cpu(16, 32).with_memory(64).with_gpu(GpuInfo::new(GpuVendor::Nvidia, "RTX 4090", 24)))
        .with_software(SoftwareCapabilities::new().with_os("linux").with_arch("x86_64").with_runtime("cuda", "12.4"))
        .with_model(ModelCapability::new("llama-3.1-70b").with_family("llama").with_context_length(128_000))
        .add_tag("gpu")
        .add_tag("model:llama3-70b")
        .with_tenant_scope("oem-123")
        .with_metadata("intent", "ml-training");
    assert_eq!(set.tags().len(), 17);
    let p = pred!(and [
        pred!(exists "hardware.gpu"),
        pred!(equals "software.os", "linux"),
        pred!(num_at_least "hardware.memory_gb", 32.0),
        pred!(tag_prefix "model:"),
        pred!(metadata_equals "intent", "ml-training"),
    ]);
    let ctx = EvalContext::from_set(&set);
    assert!(p.evaluate(&ctx));
    let mut group = c.benchmark_group("capabilities");
    group.sample_size(50).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    group.bench_function("predicate_and5", |b| b.iter(|| black_box(&p).evaluate(black_box(&ctx))));
    group.finish();
}

/// The time `ingest` takes to store `iters` messages of `pool`, given to
/// it in passes of at most the whole pool, each into a fresh index so that
/// every message is new to it.
fn fresh_index_passes(iters: u64, pool: &[Vec<u8>], mut ingest: impl FnMut(&CapabilityIndex, &[Vec<u8>])) -> Duration {
    let mut total = Duration::ZERO;
    let mut left = iters;
    while left > 0 {
        let index = CapabilityIndex::default();
        let n = left.min(pool.len() as u64);
        let start = Instant::now();
        ingest(&index, &pool[..n as usize]);
        total += start.elapsed();
        assert_eq!(index.stats().accepted, n, "every announcement stored");
        left -= n;
    }
    total
}

fn bench_ingest(c: &mut Criterion) {
    const POOL: u32 = 20_000;
    let pool: Vec<Vec<u8>> = (0..POOL)
        .map(|i| CapabilityAnnouncement::sign(&Identity::from_seed(seed(i)), caps(i), 1, Duration::from_secs(3600)).unwrap().to_bytes())
        .collect();
    let mut group = c.benchmark_group("capabilities");
    group.sample_size(10).measurement_time(Duration::from_secs(5)).warm_up_time(Duration::from_secs(1));
    group.throughput(Throughput::Elements(1));
    group.bench_function("verify_and_index", |b| {
        b.iter_custom(|iters| {
            fresh_index_passes(iters, &pool, |index, wires| {
                for wire in wires {
                    index.ingest_bytes(black_box(wire), 0).unwrap();
                }
            })
        })
    });
    // A burst, as the capability task takes it off its queue: up to 1024
    // messages decoded, then verified and indexed as one batch.
    group.bench_function("verify_and_index_burst1024", |b| {
        b.iter_custom(|iters| {
            fresh_index_passes(iters, &pool, |index, wires| {
                for burst in wires.chunks(1024) {
                    let decoded: Vec<_> = burst.iter().map(|wire| index.decode(black_box(wire)).unwrap()).collect();
                    black_box(index.ingest_batch(&decoded, 0));
                }
            })
        })
    });
    // Version 2 of every pool origin, ingested into an index that holds
    // version 1 (filled outside the timed region).
    let next: Vec<Vec<u8>> = (0..POOL)
        .map(|i| CapabilityAnnouncement::sign(&Identity::from_seed(seed(i)), caps(i), 2, Duration::from_secs(3600)).unwrap().to_bytes())
        .collect();
    group.bench_function("verify_and_index_known_origin", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut left = iters;
            while left > 0 {
                let index = CapabilityIndex::default();
                let n = left.min(u64::from(POOL)) as usize;
                for wire in &pool[..n] {
                    index.ingest_bytes(wire, 0).unwrap();
                }
                let start = Instant::now();
                for wire in &next[..n] {
                    index.ingest_bytes(black_box(wire), 0).unwrap();
                }
                total += start.elapsed();
                assert_eq!(index.stats().accepted, 2 * n as u64, "every announcement stored");
                left -= n as u64;
            }
            total
        })
    });
    let signer = ed25519_dalek::SigningKey::from_bytes(&seed(1));
    let public = signer.verifying_key().to_bytes();
    let message = &pool[1][..];
    let signature = ed25519_dalek::Signer::sign(&signer, message);
    group.bench_function("ed25519_floor_decompress_verify_strict", |b| {
        b.iter(|| {
            let key = ed25519_dalek::VerifyingKey::from_bytes(black_box(&public)).unwrap();
            key.verify_strict(black_box(message), black_box(&signature)).unwrap()
        })
    });
    group.finish();
}

fn bench_chain(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let chain: Vec<Mesh> = rt.block_on(async {
        let mut nodes = Vec::new();
        for i in 0..16u32 {
            let m = MeshBuilder::new("127.0.0.1:0", &[3; 32])
                .unwrap()
                .identity(Identity::from_seed(seed(100_000 + i)))
                .min_announce_interval(Duration::ZERO)
                .build()
                .await
                .unwrap();
            m.start().unwrap();
            nodes.push(m);
        }
        for w in nodes.windows(2) {
            let (a, b) = (&w[0], &w[1]);
            let (ra, rb) = tokio::join!(a.connect(b.local_addr(), b.public_key(), b.node_id()), b.accept(a.node_id()));
            ra.unwrap();
            rb.unwrap();
        }
        nodes
    });
    let mut group = c.benchmark_group("capabilities");
    group.sample_size(10).measurement_time(Duration::from_secs(5)).warm_up_time(Duration::from_secs(1));
    let mut round = 0u64;
    group.bench_function("chain16_convergence", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    round += 1;
                    let tag = format!("round={round}");
                    let want = CapabilityFilter::new().require_tag(tag.clone());
                    let start = Instant::now();
                    chain[0].announce_capabilities(CapabilitySet::new().add_tag(tag)).await.unwrap();
                    while chain[15].find_nodes(&want).is_empty() {
                        tokio::time::sleep(Duration::from_micros(50)).await;
                    }
                    total += start.elapsed();
                }
                total
            })
        })
    });
    group.finish();
    rt.block_on(async {
        for m in &chain {
            m.shutdown().await.unwrap();
        }
    });
}

criterion_group!(benches, bench_find, bench_predicate, bench_ingest, bench_chain);
criterion_main!(benches);
