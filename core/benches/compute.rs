//! `DaemonRuntime::deliver` through a trivial Rust echo daemon: the
//! runtime's own cost per event (table lookup, per-daemon lock, the blake3
//! link of the output, counters, the replay log).
//!
//! Run: `cargo bench -p net-mesh-sdk --bench compute`.

use std::time::Duration;

use bytes::Bytes;
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use net_sdk::capabilities::{CapabilityFilter, CapabilitySet};
use net_sdk::compute::{CausalEvent, ComputeDaemonError, DaemonHostConfig, DaemonRuntime, MeshDaemon};
use net_sdk::Identity;

struct Echo;

impl MeshDaemon for Echo {
    fn name(&self) -> &str {
        "echo"
    }
    fn requirements(&self) -> CapabilityFilter {
        CapabilityFilter::default()
    }
    fn process(&mut self, event: &CausalEvent) -> Result<Vec<Bytes>, ComputeDaemonError> {
        Ok(vec![event.payload.clone()])
    }
}

/// A delivery counts only if the daemon answered it: the echo's one output.
fn answered<T>(outputs: Vec<T>) -> Vec<T> {
    assert_eq!(outputs.len(), 1, "the echo daemon answers every event");
    outputs
}

fn bench_deliver(c: &mut Criterion) {
    let tokio = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let rt = DaemonRuntime::local(CapabilitySet::new());
    rt.register_factory("echo", || Box::new(Echo)).unwrap();
    tokio.block_on(rt.start()).unwrap();
    let logged = tokio.block_on(rt.spawn("echo", Identity::from_seed([1; 32]), DaemonHostConfig::default())).unwrap();
    let unlogged_cfg = DaemonHostConfig { max_log_entries: 0, ..DaemonHostConfig::default() };
    let unlogged = tokio.block_on(rt.spawn("echo", Identity::from_seed([2; 32]), unlogged_cfg)).unwrap();
    let event = CausalEvent::new(7, 1, Bytes::from_static(b"0123456789abcdef0123456789abcdef"));

    let mut group = c.benchmark_group("compute");
    group.sample_size(20).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    // One event per iteration, so the table reports events per second.
    group.throughput(Throughput::Elements(1));
    group.bench_function("deliver_echo_32B", |b| {
        b.iter(|| answered(rt.deliver(black_box(logged.origin_hash), black_box(&event)).unwrap()))
    });
    group.bench_function("deliver_echo_32B_no_log", |b| {
        b.iter(|| answered(rt.deliver(black_box(unlogged.origin_hash), black_box(&event)).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, bench_deliver);
criterion_main!(benches);
