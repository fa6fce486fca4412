//! The C ABI's ingest path as a C caller pays it (guard, handle check,
//! UTF-8 check, copy), measured without any foreign-call overhead on top:
//! the floor for the Go and C faces.

use std::ffi::{c_char, CString};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use net::{net_init, net_ingest_raw, net_ingest_raw_batch, net_shutdown, NetStatus};

const EVENT: &[u8] = b"{\"a\":123}";

fn bench_ffi(c: &mut Criterion) {
    let config = CString::new(r#"{"num_shards": 4, "ring_capacity": 65536, "retention": 65536}"#).unwrap();
    let node = net_init(config.as_ptr());
    assert!(!node.is_null());
    let mut g = c.benchmark_group("ffi");

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
    targets = bench_ffi
}
criterion_main!(benches);
