//! Live-handle registries.
//!
//! A handle given to C is not an address but a slot index plus the slot's
//! generation, packed into the pointer-sized handle value. A call with a
//! handle that was already shut down (or never was one) finds a different
//! generation and fails with `invalid_handle` without touching freed
//! memory — also when the slot has since been reused by a new handle, so
//! a stale handle can never reach someone else's object.
//!
//! The fast path (`with`) is two uncontended atomic read-modify-writes on
//! the slot's own cache line: enter (count this caller in), check the
//! generation, run, leave. `remove` bumps the generation first, so no new
//! caller gets in, then waits for the callers already inside to leave
//! before it releases the value. Calls that may block (poll, flush) take
//! their own `Arc` (`get`) instead of staying inside, so `remove` never
//! waits for them.
//!
//! Slots live in fixed-size chunks that are allocated on demand and never
//! freed or moved, so a slot's address is stable for the life of the
//! process; released slots are reused.

use std::marker::PhantomData;
use std::sync::atomic::AtomicPtr;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release, SeqCst};
use std::sync::Arc;

use crossbeam_utils::CachePadded;
use parking_lot::Mutex;

use crate::status::FfiError;

/// Slots per chunk and the most chunks: 64 × 1024 = 65 536 live handles.
const CHUNK: usize = 1024;
const CHUNKS: usize = 64;

/// The state word of a slot: generation in the high 32 bits, callers
/// currently inside in the low 32.
const INSIDE_MASK: u64 = 0xffff_ffff;

struct Slot<T> {
    state: AtomicU64,
    value: AtomicPtr<T>,
}

pub(crate) struct Registry<T> {
    chunks: [AtomicPtr<CachePadded<Slot<T>>>; CHUNKS],
    /// Released slot indices, and the next never-used index.
    free: Mutex<(Vec<usize>, usize)>,
    _owns: PhantomData<Arc<T>>,
}

// SAFETY: the registry hands out `&T` to any thread and moves `Arc<T>`
// across threads, exactly what `Arc<T>` itself requires.
unsafe impl<T: Send + Sync> Sync for Registry<T> {}
unsafe impl<T: Send + Sync> Send for Registry<T> {}

/// Pack a slot index and generation into a handle value (never 0: the
/// index is stored plus one).
fn encode<T>(index: usize, generation: u32) -> *mut T {
    (((index as u64 + 1) << 32) | u64::from(generation)) as usize as *mut T
}

fn decode<T>(handle: *mut T) -> (usize, u32) {
    let raw = handle as usize as u64;
    (((raw >> 32) as usize).wrapping_sub(1), raw as u32)
}

impl<T> Registry<T> {
    #[allow(clippy::declare_interior_mutable_const)] // only used to initialise the array
    const NO_CHUNK: AtomicPtr<CachePadded<Slot<T>>> = AtomicPtr::new(std::ptr::null_mut());

    pub(crate) const fn new() -> Self {
        Self { chunks: [Self::NO_CHUNK; CHUNKS], free: parking_lot::const_mutex((Vec::new(), 0)), _owns: PhantomData }
    }

    /// The slot at `index`, if its chunk exists.
    #[inline]
    fn slot(&self, index: usize) -> Option<&Slot<T>> {
        let chunk = self.chunks.get(index / CHUNK)?.load(Acquire);
        if chunk.is_null() {
            return None;
        }
        // SAFETY: chunks are arrays of CHUNK slots, never freed or moved.
        Some(unsafe { &*chunk.add(index % CHUNK) })
    }

    /// A free slot index, allocating its chunk the first time (under the
    /// `free` lock, so chunks are created once).
    fn claim(&self) -> Result<usize, FfiError> {
        let mut free = self.free.lock();
        if let Some(index) = free.0.pop() {
            return Ok(index);
        }
        let index = free.1;
        if index >= CHUNK * CHUNKS {
            return Err(FfiError::invalid_argument(format!("more than {} live handles", CHUNK * CHUNKS)));
        }
        if index % CHUNK == 0 {
            let chunk: Box<[CachePadded<Slot<T>>]> = (0..CHUNK)
                .map(|_| CachePadded::new(Slot { state: AtomicU64::new(0), value: AtomicPtr::new(std::ptr::null_mut()) }))
                .collect();
            self.chunks[index / CHUNK].store(Box::leak(chunk).as_mut_ptr(), Release);
        }
        free.1 = index + 1;
        Ok(index)
    }

    /// Box `value` as a new live handle.
    pub(crate) fn insert(&self, value: T) -> Result<*mut T, FfiError> {
        let index = self.claim()?;
        let slot = self.slot(index).expect("claimed slots have a chunk");
        slot.value.store(Arc::into_raw(Arc::new(value)) as *mut T, Release);
        // The slot's current generation names the new handle; `remove`
        // moved it past every handle the slot had before.
        let generation = (slot.state.load(Acquire) >> 32) as u32;
        Ok(encode(index, generation))
    }

    /// Run a short `f` on the handle's value; it cannot be released
    /// meanwhile.
    #[inline]
    pub(crate) fn with<R>(&self, handle: *mut T, what: &str, f: impl FnOnce(&T) -> R) -> Result<R, FfiError> {
        if handle.is_null() {
            return Err(FfiError::null(what));
        }
        let (index, generation) = decode(handle);
        let slot = self.slot(index).ok_or_else(|| FfiError::invalid_handle(what))?;
        // Enter first, then check: `remove` bumps the generation before it
        // waits for callers to leave, so a caller that entered and saw its
        // generation is waited for. SeqCst pairs with `remove`'s bump.
        let state = slot.state.fetch_add(1, SeqCst);
        let _leave = Leave(&slot.state);
        if (state >> 32) as u32 != generation {
            return Err(FfiError::invalid_handle(what));
        }
        // SAFETY: the generation matched while we are counted inside, so
        // `remove` has not released the value and will wait for us. NULL
        // is a slot never filled: only a made-up handle gets here.
        let value = unsafe { slot.value.load(Acquire).as_ref() }.ok_or_else(|| FfiError::invalid_handle(what))?;
        Ok(f(value))
    }

    /// A counted reference to the handle's value, for calls that block.
    pub(crate) fn get(&self, handle: *mut T, what: &str) -> Result<Arc<T>, FfiError> {
        self.with(handle, what, |value| {
            // SAFETY: `value` is the registry's live `Arc<T>` (see `with`);
            // adding a count before rebuilding the Arc keeps the
            // registry's own reference intact.
            unsafe {
                Arc::increment_strong_count(value as *const T);
                Arc::from_raw(value as *const T)
            }
        })
    }

    /// Unregister the handle and hand back the registry's reference.
    pub(crate) fn remove(&self, handle: *mut T, what: &str) -> Result<Arc<T>, FfiError> {
        if handle.is_null() {
            return Err(FfiError::null(what));
        }
        let (index, generation) = decode(handle);
        let slot = self.slot(index).ok_or_else(|| FfiError::invalid_handle(what))?;
        // Move to the next generation, so the handle is dead for every
        // caller from here on — and for a second remove racing this one.
        let mut state = slot.state.load(Relaxed);
        loop {
            if (state >> 32) as u32 != generation {
                return Err(FfiError::invalid_handle(what));
            }
            let next = (u64::from(generation.wrapping_add(1)) << 32) | (state & INSIDE_MASK);
            match slot.state.compare_exchange_weak(state, next, SeqCst, Relaxed) {
                Ok(_) => break,
                Err(now) => state = now,
            }
        }
        // Wait for the callers already inside (short calls only).
        let backoff = crossbeam_utils::Backoff::new();
        while slot.state.load(Acquire) & INSIDE_MASK != 0 {
            backoff.snooze();
        }
        let value = slot.value.swap(std::ptr::null_mut(), AcqRel);
        self.free.lock().0.push(index);
        // SAFETY: the pointer came from `Arc::into_raw` in `insert`, and
        // the generation bump above made this the only release of it.
        Ok(unsafe { Arc::from_raw(value) })
    }
}

/// Counts a caller out of a slot when dropped (also on unwind).
struct Leave<'a>(&'a AtomicU64);

impl Drop for Leave<'_> {
    #[inline]
    fn drop(&mut self) {
        self.0.fetch_sub(1, Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;

    #[test]
    fn handles_are_live_until_removed() {
        let reg: Registry<u32> = Registry::new();
        let h = reg.insert(7).unwrap();
        assert_eq!(reg.with(h, "h", |v| *v).unwrap(), 7);
        let held = reg.get(h, "h").unwrap();
        let owned = reg.remove(h, "h").unwrap();
        assert_eq!(*owned, 7);
        assert_eq!(*held, 7, "a blocking caller's reference outlives removal");
        assert_eq!(reg.with(h, "h", |v| *v).unwrap_err().kind, "invalid_handle");
        assert_eq!(reg.remove(h, "h").unwrap_err().kind, "invalid_handle");
        assert_eq!(reg.remove(std::ptr::null_mut(), "h").unwrap_err().kind, "null_parameter");
    }

    #[test]
    fn a_stale_handle_never_reaches_the_slots_next_value() {
        let reg: Registry<u32> = Registry::new();
        let old = reg.insert(1).unwrap();
        drop(reg.remove(old, "h").unwrap());
        let new = reg.insert(2).unwrap();
        assert_eq!(decode(old).0, decode(new).0, "the slot is reused");
        assert_ne!(old, new);
        assert_eq!(reg.with(old, "h", |v| *v).unwrap_err().kind, "invalid_handle");
        assert_eq!(reg.remove(old, "h").unwrap_err().kind, "invalid_handle");
        assert_eq!(reg.with(new, "h", |v| *v).unwrap(), 2);
    }

    #[test]
    fn made_up_handles_are_refused() {
        let reg: Registry<u32> = Registry::new();
        let h = reg.insert(1).unwrap();
        let never_filled = encode::<u32>(decode(h).0 + 1, 0);
        for bogus in [never_filled, encode(5000, 0), encode(CHUNK * CHUNKS + 3, 0), 0x1000 as *mut u32, h.wrapping_add(1)] {
            assert_eq!(reg.with(bogus, "h", |v| *v).unwrap_err().kind, "invalid_handle");
        }
    }

    #[test]
    fn remove_waits_for_callers_inside() {
        let reg: Arc<Registry<AtomicBool>> = Arc::new(Registry::new());
        let h = reg.insert(AtomicBool::new(false)).unwrap() as usize;
        let inside = Arc::new(std::sync::Barrier::new(2));
        let caller = {
            let (reg, inside) = (reg.clone(), inside.clone());
            std::thread::spawn(move || {
                reg.with(h as *mut AtomicBool, "h", |flag| {
                    inside.wait();
                    std::thread::sleep(std::time::Duration::from_millis(50));
                    flag.store(true, SeqCst);
                })
                .unwrap()
            })
        };
        inside.wait();
        let value = reg.remove(h as *mut AtomicBool, "h").unwrap();
        assert!(value.load(SeqCst), "remove returned while a caller was still inside");
        caller.join().unwrap();
    }

    #[test]
    fn concurrent_callers_and_removers() {
        let reg: Arc<Registry<u64>> = Arc::new(Registry::new());
        for round in 0..50u64 {
            let h = reg.insert(round).unwrap() as usize;
            let callers: Vec<_> = (0..3)
                .map(|_| {
                    let reg = reg.clone();
                    std::thread::spawn(move || while let Ok(v) = reg.with(h as *mut u64, "h", |v| *v) {
                        assert_eq!(v, round);
                    })
                })
                .collect();
            let removers: Vec<_> = (0..2)
                .map(|_| {
                    let reg = reg.clone();
                    std::thread::spawn(move || reg.remove(h as *mut u64, "h").is_ok())
                })
                .collect();
            let removed = removers.into_iter().map(|t| t.join().unwrap()).filter(|ok| *ok).count();
            assert_eq!(removed, 1, "exactly one remove wins");
            callers.into_iter().for_each(|t| t.join().unwrap());
        }
    }
}
