//! A global allocator that counts allocations made by threads that opted
//! in (a thread-local flag), so a test can prove its own thread's calls do
//! not allocate while background tasks on other threads do as they like.
//! Include it with `#[path = "common/counting_alloc.rs"] mod counting_alloc;`
//! in a test crate of its own: it installs itself as that crate's
//! `#[global_allocator]`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

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

// SAFETY: forwards to the system allocator unchanged; only counts. Each
// method hands its caller's `GlobalAlloc` contract on to `System` as is.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations this thread makes while running `f`, after checking that
/// the counter sees a deliberate one.
pub fn allocations_in<R>(f: impl FnOnce() -> R) -> (u64, R) {
    COUNT_HERE.with(|c| c.set(true));
    ALLOCS.store(0, Ordering::Relaxed);
    std::hint::black_box(Box::new(7u64));
    assert_eq!(ALLOCS.swap(0, Ordering::Relaxed), 1, "the counting allocator is installed and counts");
    let out = f();
    COUNT_HERE.with(|c| c.set(false));
    (ALLOCS.load(Ordering::Relaxed), out)
}
