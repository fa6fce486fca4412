//! Proves `emit_raw` of a static `Bytes`, and `emit_raw_copy` of a small
//! borrowed slice, do not allocate per event on the emitting thread.
//!
//! Only this thread's allocations are counted (`common/counting_alloc.rs`),
//! so the drainers on the runtime's workers, which do allocate as the
//! backend grows, are not.

use bytes::Bytes;
use net_sdk::{Backpressure, Net};

use crate::common::counting_alloc;

#[test]
fn emit_raw_of_static_bytes_does_not_allocate() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let net = rt
        .block_on(Net::builder().shards(4).ring_capacity(1 << 12).backpressure(Backpressure::DropOldest).build())
        .unwrap();
    let payload = Bytes::from_static(b"{\"a\":123}");
    // Warm up (first clock read, lazy statics), then measure on this thread.
    net.emit_raw(payload.clone()).unwrap();
    net.emit_raw(&b"warm"[..]).unwrap();
    let (allocs, ()) = counting_alloc::allocations_in(|| {
        for i in 0..10_000u32 {
            let r = net.emit_raw(payload.clone()).unwrap();
            std::hint::black_box(r);
            // Vary the payload (and so the shard) without allocating.
            let r = net.emit_raw(if i % 2 == 0 { &b"x"[..] } else { &b"yz"[..] }).unwrap();
            std::hint::black_box(r);
            // Borrowed bytes that fit a ring slot are copied in, not allocated.
            let borrowed = i.to_le_bytes();
            let r = net.emit_raw_copy(&borrowed).unwrap();
            std::hint::black_box(r);
        }
    });
    assert_eq!(allocs, 0, "emitting allocated {allocs} times for 30000 events");
    rt.block_on(net.shutdown()).unwrap();
}
