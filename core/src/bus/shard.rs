//! One shard: its ring, counters, and the producer side of backpressure.

use std::sync::atomic::Ordering::{Acquire, Relaxed, Release, SeqCst};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::mem::MaybeUninit;
use std::sync::Arc;

use crossbeam_utils::{Backoff, CachePadded};
use tokio::sync::Notify;

use super::config::Backpressure;
use super::event::Receipt;
use super::payload::{Payload, Source};
use super::ring::Ring;
use crate::error::{Result, SdkError};

/// What a ring slot holds: (emit timestamp, payload).
pub(crate) type Item = (u64, Payload);

/// Signals shared with the shard's batcher task. Held in an `Arc` of its own
/// so the batcher can sleep on them without keeping the whole bus alive.
#[derive(Default)]
pub(crate) struct ShardSignals {
    /// Wakes the batcher (producers only use it when it is asleep).
    pub wake: Notify,
    /// Signalled (`notify_waiters`) when `Shard::committed` advances.
    pub committed: Notify,
    /// Cleared when the batcher task ends for any reason (incl. a panic).
    pub stopped: AtomicBool,
}

pub(crate) struct Shard {
    pub id: u16,
    /// The first sequence of this run (the backend's tail at build time).
    pub start: u64,
    pub ring: Ring<Item>,
    /// Set by the batcher just before it sleeps; producers read it after
    /// every push (see `batcher.rs` for the lost-wakeup argument). Own cache
    /// line: it is read on every emit but written only when the batcher
    /// sleeps or wakes.
    pub sleeping: CachePadded<AtomicBool>,
    pub dropped: CachePadded<AtomicU64>,
    pub batches: AtomicU64,
    /// Every position below this has been appended to the backend or dropped.
    pub committed: AtomicU64,
    pub signals: Arc<ShardSignals>,
    /// How many of the oldest events a single emit evicts from a full ring
    /// under `DropOldest` (see `evict_chunk`).
    evict_chunk: usize,
}

/// Events a single emit evicts at once from a full ring under `DropOldest`.
///
/// A producer that outpaces the batcher finds the ring full on every emit.
/// Evicting one event each time makes it fight the batcher for the ring's
/// head on every call (one contended CAS per event, and a wait whenever
/// the batcher holds the oldest slot); evicting a small run of the oldest
/// events at once pays that once per run. Small rings evict one at a time,
/// so the policy stays exact where a few events matter; at most 1/16 of a
/// ring goes at once.
fn evict_chunk(capacity: usize) -> usize {
    (capacity / 16).clamp(1, 32)
}

impl Shard {
    pub(crate) fn new(id: u16, capacity: usize, start: u64) -> Self {
        Self {
            id,
            start,
            ring: Ring::with_start(capacity, start),
            sleeping: CachePadded::new(AtomicBool::new(false)),
            dropped: CachePadded::new(AtomicU64::new(0)),
            batches: AtomicU64::new(0),
            committed: AtomicU64::new(start),
            signals: Arc::new(ShardSignals::default()),
            evict_chunk: evict_chunk(capacity),
        }
    }

    /// Wake the batcher if (and only if) it announced it is going to sleep.
    /// The common case is one plain load: no RMW, no syscall, no Notify.
    #[inline]
    pub(crate) fn wake_if_sleeping(&self) {
        // SeqCst load: pairs with the batcher's SeqCst store of `sleeping`
        // and the SeqCst CAS on the ring's tail (Dekker-style handshake).
        if self.sleeping.load(SeqCst) && self.sleeping.swap(false, SeqCst) {
            self.signals.wake.notify_one();
        }
    }

    /// Publish a new committed watermark (the ring's head: everything below
    /// it was dispatched by the batcher or dropped by a producer).
    pub(crate) fn commit(&self) {
        let head = self.ring.head();
        if self.committed.load(Acquire) < head {
            self.committed.store(head, Release);
            self.signals.committed.notify_waiters();
        }
    }

    /// Push one event under `policy`. Its payload is written straight
    /// into the claimed slot (see `Ring::push_init`).
    #[inline]
    pub(crate) fn emit(&self, ts: u64, src: Source<'_>, policy: Backpressure) -> Result<Receipt> {
        let mut item = move |slot: &mut MaybeUninit<Item>| {
            let item = slot.as_mut_ptr();
            // SAFETY: field pointers into the slot's (uninitialised) value;
            // both fields are written, so the whole item is initialised.
            unsafe {
                std::ptr::addr_of_mut!((*item).0).write(ts);
                Payload::write_in_place(&mut *std::ptr::addr_of_mut!((*item).1).cast::<MaybeUninit<Payload>>(), src);
            }
        };
        let backoff = Backoff::new();
        loop {
            // SAFETY: `item` initialises the whole value (above).
            match unsafe { self.ring.push_init(item) } {
                Ok(sequence) => {
                    self.wake_if_sleeping();
                    return Ok(Receipt { shard_id: self.id, sequence, timestamp: ts, dropped: false });
                }
                Err(back) => {
                    if self.ring.is_closed() {
                        return Err(SdkError::Closed);
                    }
                    // Full: the batcher is surely awake, but make sure.
                    self.wake_if_sleeping();
                    match policy {
                        Backpressure::DropOldest => {
                            item = back;
                            self.drop_oldest(self.evict_chunk, &backoff);
                        }
                        Backpressure::DropNewest => {
                            self.dropped.fetch_add(1, Relaxed);
                            return Ok(Receipt { shard_id: self.id, sequence: u64::MAX, timestamp: ts, dropped: true });
                        }
                        Backpressure::FailProducer => return Err(SdkError::Backpressure),
                    }
                }
            }
        }
    }

    /// Discard up to `n` of the oldest queued events, counting them.
    fn drop_oldest(&self, n: usize, backoff: &Backoff) {
        let k = self.ring.pop_batch(n, |_, _| {});
        if k == 0 {
            // The oldest slot is claimed but not yet written by a producer
            // that is mid-push: give it a moment.
            backoff.snooze();
        }
        self.dropped.fetch_add(k as u64, Relaxed);
    }

    /// Push a batch, in order, all stamped `ts`. Returns how many were
    /// accepted (stored), see `EventBus::emit_raw_batch` for the policy.
    /// `src` yields the payloads (its length must be exact, see
    /// `Ring::push_batch`); a payload is built only once its slot is ours.
    pub(crate) fn emit_batch<I: ExactSizeIterator<Item = Payload>>(
        &self,
        ts: u64,
        mut src: I,
        policy: Backpressure,
    ) -> Result<usize> {
        let total = src.len();
        let mut accepted = 0usize;
        let backoff = Backoff::new();
        while src.len() > 0 {
            let (_, n) = self.ring.push_batch(&mut src, |raw| (ts, raw));
            accepted += n;
            if n > 0 || src.len() == 0 {
                continue;
            }
            if self.ring.is_closed() {
                if accepted == 0 {
                    return Err(SdkError::Closed);
                }
                break;
            }
            self.wake_if_sleeping();
            match policy {
                Backpressure::DropOldest => self.drop_oldest(src.len(), &backoff),
                Backpressure::DropNewest => {
                    self.dropped.fetch_add(src.len() as u64, Relaxed);
                    break;
                }
                Backpressure::FailProducer => break,
            }
        }
        self.wake_if_sleeping();
        if accepted == 0 && total > 0 && policy == Backpressure::FailProducer {
            return Err(SdkError::Backpressure);
        }
        Ok(accepted)
    }
}
