//! Proves `emit_raw` of a static `Bytes`, and `emit_raw_copy` of a small
//! borrowed slice, do not allocate per event on the emitting thread.
//!
//! A counting global allocator counts only on threads that opted in (a
//! thread-local flag), so the batcher tasks on the runtime's workers, which
//! do allocate as the backend grows, are not counted.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use net_sdk::{Backpressure, Net};

struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static COUNT_HERE: Cell<bool> = const { Cell::new(false) };
}

fn note() {
    // `try_with`: the allocator may run while thread-locals are torn down.
    if COUNT_HERE.try_with(|c| c.get()).unwrap_or(false) {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: forwards to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

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
    // The counter itself works: one allocation is seen.
    COUNT_HERE.with(|c| c.set(true));
    std::hint::black_box(Box::new(7u64));
    assert_eq!(ALLOCS.swap(0, Ordering::Relaxed), 1);
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
    COUNT_HERE.with(|c| c.set(false));
    let allocs = ALLOCS.load(Ordering::Relaxed);
    assert_eq!(allocs, 0, "emitting allocated {allocs} times for 30000 events");
    rt.block_on(net.shutdown()).unwrap();
}
