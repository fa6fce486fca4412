//! A bounded, lock-free, multi-producer multi-consumer ring (Vyukov style).
//!
//! Why not `crossbeam::ArrayQueue`: the bus needs the *position* a producer
//! claims, because that position is the event's per-shard sequence number
//! (it goes into the [`Receipt`](super::Receipt)), and the consumer must pop
//! in position order so the log is stored in sequence order.
//!
//! # Algorithm
//! Positions are 64-bit counters that never wrap in practice (2^64 events).
//! Slot `i` carries a `stamp`:
//! - `stamp == pos`       → the slot is free for the producer of `pos`;
//! - `stamp == pos + 1`   → the slot holds the value written at `pos`;
//! - `stamp == pos + cap` → the value was consumed; free for `pos + cap`.
//!
//! A producer loads `tail`, checks the slot's stamp, claims the position with
//! a CAS on `tail`, writes the value, then publishes it by storing
//! `stamp = pos + 1` with `Release`. A consumer loads `head`, checks for
//! `stamp == pos + 1` with `Acquire` (which synchronises with the producer's
//! `Release`, so the value is fully written), claims with a CAS on `head`,
//! reads the value, and frees the slot with `stamp = pos + cap` (`Release`,
//! so the read happens-before the next producer's overwrite, which loads the
//! stamp with `Acquire`). Whoever wins a CAS on a position owns that slot
//! exclusively until it stores the next stamp, which is what makes the
//! `UnsafeCell` accesses sound.
//!
//! # Closing
//! [`Ring::close`] sets the top bit of `tail`. Producers treat a tail with
//! that bit as "no more claims", and a producer racing the close loses its
//! CAS (the value changed), so after `close` returns no position can be
//! claimed: the returned tail is final and the drainer can wait for every
//! claimed slot to be written. This is what lets shutdown promise that an
//! emit either fails with `Closed` or is stored — never a receipt for an
//! event that is then lost.
//!
//! The `tail` CAS is `SeqCst`: the batcher's sleep protocol (see
//! `batcher.rs`) relies on it being in the single total order with the
//! batcher's `SeqCst` store of its sleeping flag.

use std::cell::UnsafeCell;
use std::mem::MaybeUninit;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release, SeqCst};

use crossbeam_utils::{Backoff, CachePadded};

/// Set in `tail` by [`Ring::close`]; positions never reach 2^63.
const CLOSED: u64 = 1 << 63;

// One cache line per slot (a 40-byte item + stamp fits in 64 bytes): the
// consumer reading slot i must not steal the line the producer is about
// to write for slot i + 1 (measured: a large share of emit time otherwise).
#[repr(align(64))]
struct Slot<T> {
    stamp: AtomicU64,
    value: UnsafeCell<MaybeUninit<T>>,
}

/// How many slots ahead `pop_batch` prefetches while it scans.
const PREFETCH_AHEAD: u64 = 8;

/// Hint the CPU to fetch `slot`'s line; a no-op where there is no such hint.
#[inline(always)]
fn prefetch<T>(slot: &Slot<T>) {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    // SAFETY: a prefetch is only a hint; it never faults, even for an
    // address that is not mapped, and `slot` is a valid reference anyway.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>((slot as *const Slot<T>).cast());
    }
    #[cfg(any(not(target_arch = "x86_64"), miri))]
    let _ = slot;
}

/// A bounded MPMC ring whose claimed positions are sequence numbers.
pub(crate) struct Ring<T> {
    // Separate cache lines: producers hammer `tail`, consumers `head`.
    head: CachePadded<AtomicU64>,
    tail: CachePadded<AtomicU64>,
    slots: Box<[Slot<T>]>,
    mask: u64,
    cap: u64,
}

// SAFETY: values move between threads through the ring (needs `T: Send`);
// slot access is serialised by the stamp/CAS protocol described above.
unsafe impl<T: Send> Send for Ring<T> {}
// SAFETY: as above; `&Ring` only hands out owned values, never `&T`.
unsafe impl<T: Send> Sync for Ring<T> {}

impl<T> Ring<T> {
    /// A ring of `capacity` slots (a power of two, >= 2: with one slot the
    /// "written at pos" and "free for pos + cap" stamps would coincide)
    /// whose first position is `start` (so sequences can continue a
    /// persisted log).
    pub(crate) fn with_start(capacity: usize, start: u64) -> Self {
        assert!(capacity >= 2 && capacity.is_power_of_two(), "ring capacity must be a power of two >= 2");
        let cap = capacity as u64;
        let mask = cap - 1;
        let slots = (0..cap)
            .map(|j| Slot {
                // The first position >= start that maps to slot j.
                stamp: AtomicU64::new(start + (j.wrapping_sub(start) & mask)),
                value: UnsafeCell::new(MaybeUninit::uninit()),
            })
            .collect();
        Self {
            head: CachePadded::new(AtomicU64::new(start)),
            tail: CachePadded::new(AtomicU64::new(start)),
            slots,
            mask,
            cap,
        }
    }

    #[inline]
    fn slot(&self, pos: u64) -> &Slot<T> {
        let i = (pos & self.mask) as usize;
        debug_assert!(i < self.slots.len());
        // SAFETY: `slots.len() == cap` and `mask == cap - 1` (set together
        // in `with_start`, never changed), so `i < slots.len()`. Unchecked
        // because the check sat on every push and pop (measured: ~7% of a
        // batch push's instructions).
        unsafe { self.slots.get_unchecked(i) }
    }

    /// The next position a producer will claim (= events ever accepted
    /// plus the start offset).
    #[inline]
    pub(crate) fn tail(&self) -> u64 {
        self.tail.load(SeqCst) & !CLOSED
    }

    /// Refuse every further push; returns the final tail. Positions below
    /// it are claimed and will be written promptly (a claim is always
    /// followed by its write, which cannot block or panic).
    pub(crate) fn close(&self) -> u64 {
        self.tail.fetch_or(CLOSED, SeqCst) & !CLOSED
    }

    /// Whether [`close`](Self::close) was called.
    #[inline]
    pub(crate) fn is_closed(&self) -> bool {
        self.tail.load(Acquire) & CLOSED != 0
    }

    /// The next position a consumer will pop.
    #[inline]
    pub(crate) fn head(&self) -> u64 {
        self.head.load(SeqCst)
    }

    /// Claimed-but-not-popped positions right now (approximate under races).
    pub(crate) fn len(&self) -> usize {
        let head = self.head.load(Acquire);
        let tail = self.tail.load(Acquire) & !CLOSED;
        tail.saturating_sub(head) as usize
    }

    /// When the slot for `pos` is still occupied by the previous lap, the
    /// ring is full *unless* a consumer has already claimed that value and
    /// is about to free it; in that case wait briefly instead of reporting
    /// a spurious "full" (which under DropOldest would drop an event).
    #[inline]
    fn pop_in_flight(&self, pos: u64) -> bool {
        self.head.load(Acquire).wrapping_add(self.cap) > pos
    }

    /// Push one value; `Ok(position)`, or `Err(value)` when full or closed
    /// (tell them apart with [`is_closed`](Self::is_closed)). The bus uses
    /// `push_with`; this is the by-value form.
    #[cfg_attr(not(test), allow(dead_code))]
    #[inline]
    pub(crate) fn push(&self, value: T) -> Result<u64, T> {
        self.push_with(move || value).map_err(|make| make())
    }

    /// Push the value `make` builds, calling it only once a slot is
    /// claimed, so the value is built straight in the slot rather than
    /// moved in. `Err(make)` when full or closed, for a retry.
    #[inline]
    pub(crate) fn push_with<F: FnOnce() -> T>(&self, make: F) -> Result<u64, F> {
        match self.claim() {
            Some((pos, slot)) => {
                // SAFETY: `claim` gave us exclusive access to the slot.
                unsafe { (*slot.value.get()).write(make()) };
                slot.stamp.store(pos + 1, Release);
                Ok(pos)
            }
            None => Err(make),
        }
    }

    /// Push a value that `init` writes into the claimed slot itself, part
    /// by part, instead of building it elsewhere and copying it in: a
    /// value assembled from narrow writes and then read back whole stalls
    /// the CPU (its wide loads cannot be forwarded from the narrow stores),
    /// and the emit path paid that twice per event. `Err(init)` when full
    /// or closed, for a retry.
    ///
    /// # Safety
    /// `init` must initialise the whole value before returning: the slot
    /// is published as holding a `T` right after it.
    #[inline]
    pub(crate) unsafe fn push_init<F: FnOnce(&mut MaybeUninit<T>)>(&self, init: F) -> Result<u64, F> {
        match self.claim() {
            Some((pos, slot)) => {
                // SAFETY: exclusive access from `claim`; the caller promises
                // `init` leaves the value initialised.
                init(unsafe { &mut *slot.value.get() });
                slot.stamp.store(pos + 1, Release);
                Ok(pos)
            }
            None => Err(init),
        }
    }

    /// Claim the next position: its slot is then ours alone to write and
    /// publish (`stamp = pos + 1`). `None` when the ring is full or closed.
    ///
    /// Winning the CAS for `pos` while the stamp said "free for pos" gives
    /// exclusive access to the slot until the next stamp is published; the
    /// slot holds no live value (the consumer moved it out before storing
    /// `stamp = pos`).
    #[inline]
    fn claim(&self) -> Option<(u64, &Slot<T>)> {
        let backoff = Backoff::new();
        let mut pos = self.tail.load(Relaxed);
        loop {
            if pos & CLOSED != 0 {
                return None;
            }
            let slot = self.slot(pos);
            let stamp = slot.stamp.load(Acquire);
            let diff = stamp.wrapping_sub(pos) as i64;
            if diff == 0 {
                match self.tail.compare_exchange_weak(pos, pos + 1, SeqCst, Relaxed) {
                    Ok(_) => return Some((pos, slot)),
                    Err(current) => pos = current,
                }
            } else if diff < 0 {
                if !self.pop_in_flight(pos) {
                    let current = self.tail.load(Relaxed);
                    if current == pos {
                        return None;
                    }
                    pos = current;
                } else {
                    backoff.snooze();
                    pos = self.tail.load(Relaxed);
                }
            } else {
                // Another producer claimed `pos`; catch up.
                pos = self.tail.load(Relaxed);
            }
        }
    }

    /// Push as many values from `src` as fit contiguously, claiming them
    /// with ONE CAS on `tail`. `make` turns each source item into a value.
    /// Returns `(first_position, count)`; `count == 0` means full (or `src`
    /// empty, or the ring closed). Items not pushed stay in `src`. `src`
    /// must report its exact length (a vec or slice iterator, or a `map` of
    /// one): claimed slots are filled from it.
    pub(crate) fn push_batch<I: ExactSizeIterator>(
        &self,
        src: &mut I,
        mut make: impl FnMut(I::Item) -> T,
    ) -> (u64, usize) {
        let want = src.len() as u64;
        if want == 0 {
            return (self.tail.load(Relaxed), 0);
        }
        let backoff = Backoff::new();
        let mut pos = self.tail.load(Relaxed);
        loop {
            if pos & CLOSED != 0 {
                return (pos & !CLOSED, 0);
            }
            // Count contiguous slots free for pos, pos+1, ...: a slot whose
            // stamp equals its position can only be taken by whoever moves
            // `tail` past it, so if our CAS succeeds they are all ours.
            let mut free = 0u64;
            while free < want.min(self.cap) && self.slot(pos + free).stamp.load(Acquire) == pos + free {
                free += 1;
            }
            if free == 0 {
                let stamp = self.slot(pos).stamp.load(Acquire);
                if (stamp.wrapping_sub(pos) as i64) < 0 {
                    if self.pop_in_flight(pos) {
                        backoff.snooze();
                    } else if self.tail.load(Relaxed) == pos {
                        return (pos, 0);
                    }
                }
                pos = self.tail.load(Relaxed);
                continue;
            }
            match self.tail.compare_exchange_weak(pos, pos + free, SeqCst, Relaxed) {
                Ok(_) => {
                    for i in 0..free {
                        let slot = self.slot(pos + i);
                        // `src.len() >= free` (checked above, and the
                        // caller's iterator length is exact), so this never fails;
                        // if it somehow did, the claimed slots would stall
                        // consumers, hence the hard assertion.
                        let item = src.next().expect("batch source shorter than its length");
                        // SAFETY: the CAS made positions pos..pos+free ours
                        // and every stamp said "free", as in `push`.
                        unsafe { (*slot.value.get()).write(make(item)) };
                        slot.stamp.store(pos + i + 1, Release);
                    }
                    return (pos, free as usize);
                }
                Err(current) => pos = current,
            }
        }
    }

    /// Pop the oldest value with its position, or `None` if empty (or the
    /// oldest claimed position is not written yet). The bus itself uses
    /// `pop_batch`; this is the reference single-item form.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn pop(&self) -> Option<(u64, T)> {
        let mut pos = self.head.load(Relaxed);
        loop {
            let slot = self.slot(pos);
            let stamp = slot.stamp.load(Acquire);
            let diff = stamp.wrapping_sub(pos + 1) as i64;
            if diff == 0 {
                match self.head.compare_exchange_weak(pos, pos + 1, SeqCst, Relaxed) {
                    Ok(_) => {
                        // SAFETY: the Acquire load saw the producer's
                        // Release of `pos + 1`, so the value is initialised;
                        // winning the CAS makes us its only reader.
                        let value = unsafe { (*slot.value.get()).assume_init_read() };
                        slot.stamp.store(pos + self.cap, Release);
                        return Some((pos, value));
                    }
                    Err(current) => pos = current,
                }
            } else if diff < 0 {
                return None;
            } else {
                pos = self.head.load(Relaxed);
            }
        }
    }

    /// Pop up to `max` contiguous ready values with ONE CAS on `head`,
    /// handing each `(position, value)` to `sink` in position order.
    /// Returns how many were popped.
    pub(crate) fn pop_batch(&self, max: usize, mut sink: impl FnMut(u64, T)) -> usize {
        let max = max as u64;
        if max == 0 {
            return 0;
        }
        let mut pos = self.head.load(Relaxed);
        loop {
            let mut ready = 0u64;
            while ready < max.min(self.cap) && self.slot(pos + ready).stamp.load(Acquire) == pos + ready + 1 {
                // Each slot is a cache line last written by a producer on
                // another core: ask for the lines ahead while this one is
                // checked, instead of stalling on each in turn.
                prefetch(self.slot(pos + ready + PREFETCH_AHEAD));
                ready += 1;
            }
            if ready == 0 {
                let stamp = self.slot(pos).stamp.load(Acquire);
                if (stamp.wrapping_sub(pos + 1) as i64) < 0 {
                    return 0;
                }
                pos = self.head.load(Relaxed);
                continue;
            }
            match self.head.compare_exchange_weak(pos, pos + ready, SeqCst, Relaxed) {
                Ok(_) => {
                    for i in 0..ready {
                        let slot = self.slot(pos + i);
                        // SAFETY: as in `pop`, for each claimed position.
                        let value = unsafe { (*slot.value.get()).assume_init_read() };
                        slot.stamp.store(pos + i + self.cap, Release);
                        sink(pos + i, value);
                    }
                    return ready as usize;
                }
                Err(current) => pos = current,
            }
        }
    }
}

impl<T> Drop for Ring<T> {
    fn drop(&mut self) {
        // `&mut self`: no producer or consumer is mid-operation, so every
        // position in head..tail is written (a claim is always followed by
        // its write, which cannot panic) and still owned by the ring.
        let head = *self.head.get_mut();
        let tail = *self.tail.get_mut() & !CLOSED;
        for pos in head..tail {
            let slot = &mut self.slots[(pos & self.mask) as usize];
            if *slot.stamp.get_mut() == pos + 1 {
                // SAFETY: stamp `pos + 1` means initialised and not consumed.
                unsafe { slot.value.get_mut().assume_init_drop() };
            }
        }
    }
}

#[cfg(test)]
#[path = "ring_tests.rs"]
mod tests;
