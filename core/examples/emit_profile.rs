//! Drives the emit hot paths for instruction-count profiling:
//! `valgrind --tool=callgrind --toggle-collect='*emit_profile::single*' \
//!   target/release/examples/emit_profile single 200000` (or `batch`).
//! Counts from callgrind are stable on a loaded machine, unlike wall time.

use std::hint::black_box;

use net_sdk::{Backpressure, Net};

const EVENT: &[u8] = b"{\"a\":123}";

#[inline(never)]
fn single(net: &Net, n: usize) {
    for _ in 0..n {
        black_box(net.emit_raw_copy(black_box(EVENT)).unwrap());
    }
}

#[inline(never)]
fn batch(net: &Net, events: &[&[u8]], rounds: usize) {
    for _ in 0..rounds {
        black_box(net.emit_raw_copy_batch(black_box(events)).unwrap());
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "single".into());
    let n: usize = args.next().map(|s| s.parse().expect("a count")).unwrap_or(100_000);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let net = rt
        .block_on(Net::builder().shards(4).ring_capacity(1 << 16).retention(1 << 16).backpressure(Backpressure::DropOldest).build())
        .unwrap();
    match mode.as_str() {
        "single" => single(&net, n),
        "batch" => {
            let events = vec![EVENT; 1000];
            batch(&net, &events, n / 1000);
        }
        other => panic!("unknown mode {other}"),
    }
    rt.block_on(net.shutdown()).unwrap();
}
