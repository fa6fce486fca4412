//! One shard: its ring, counters, and the producer side of backpressure.

use std::sync::atomic::Ordering::{Acquire, Relaxed, Release, SeqCst};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::mem::MaybeUninit;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_utils::{Backoff, CachePadded};
use tokio::sync::Notify;

use super::config::Backpressure;
use super::event::Receipt;
use super::payload::{Payload, Source};
use super::ring::Ring;
use crate::error::{Result, SdkError};

/// What a ring slot holds: (emit timestamp, payload).
pub(crate) type Item = (u64, Payload);

/// Signals shared by the shards of one drainer task and that task. Held
/// in an `Arc` of its own so the drainer can sleep on them without keeping
/// the whole bus alive.
#[derive(Default)]
pub(crate) struct ShardSignals {
    /// Wakes the drainer (producers only use it when it is asleep).
    pub wake: Notify,
    /// Signalled (`notify_waiters`) when the `committed` watermark of one
    /// of the drainer's shards advances.
    pub committed: Notify,
    /// Set when the drainer task ends for any reason (incl. a panic).
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
    pub(crate) fn new(id: u16, capacity: usize, start: u64, signals: Arc<ShardSignals>) -> Self {
        Self {
            id,
            start,
            ring: Ring::with_start(capacity, start),
            sleeping: CachePadded::new(AtomicBool::new(false)),
            dropped: CachePadded::new(AtomicU64::new(0)),
            batches: AtomicU64::new(0),
            committed: AtomicU64::new(start),
            signals,
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
    /// into the claimed slot (see `Ring::push_init`). `block_timeout` is
    /// how long `Block` waits for room; `None` refuses at once instead (see
    /// `EventBus::try_emit_raw_copy`).
    #[inline]
    pub(crate) fn emit(
        &self,
        ts: u64,
        src: Source<'_>,
        policy: Backpressure,
        block_timeout: Option<Duration>,
    ) -> Result<Receipt> {
        let mut item = move |slot: &mut MaybeUninit<Item>| {
            let item = slot.as_mut_ptr();
            // SAFETY: field pointers into the slot's (uninitialised) value;
            // both fields are written, so the whole item is initialised.
            unsafe {
                std::ptr::addr_of_mut!((*item).0).write(ts);
                Payload::write_in_place(&mut *std::ptr::addr_of_mut!((*item).1).cast::<MaybeUninit<Payload>>(), src);
            }
        };
        let mut wait = FullWait::new(block_timeout);
        let mut evicted = 0u32;
        loop {
            // SAFETY: `item` initialises the whole value (above).
            match unsafe { self.ring.push_init(item) } {
                Ok(sequence) => {
                    self.wake_if_sleeping();
                    return Ok(Receipt { shard_id: self.id, sequence, timestamp: ts, dropped: false, evicted });
                }
                Err(back) => {
                    if self.ring.is_closed() {
                        return Err(SdkError::Closed);
                    }
                    // Full: the drainer is surely awake, but make sure.
                    self.wake_if_sleeping();
                    item = back;
                    match policy {
                        Backpressure::Block => {
                            if !wait.wait() {
                                return Err(SdkError::Backpressure);
                            }
                        }
                        Backpressure::DropOldest => {
                            let k = self.drop_oldest(self.evict_chunk, &wait.backoff);
                            evicted = evicted.saturating_add(k as u32);
                        }
                        Backpressure::DropNewest => {
                            self.dropped.fetch_add(1, Relaxed);
                            return Ok(Receipt {
                                shard_id: self.id,
                                sequence: u64::MAX,
                                timestamp: ts,
                                dropped: true,
                                evicted: 0,
                            });
                        }
                        Backpressure::FailProducer => return Err(SdkError::Backpressure),
                    }
                }
            }
        }
    }

    /// Discard up to `n` of the oldest queued events, counting them;
    /// returns how many went.
    fn drop_oldest(&self, n: usize, backoff: &Backoff) -> usize {
        let k = self.ring.pop_batch(n, |_, _| {});
        if k == 0 {
            // The oldest slot is claimed but not yet written by a producer
            // that is mid-push: give it a moment.
            backoff.snooze();
        }
        self.dropped.fetch_add(k as u64, Relaxed);
        k
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
        block_timeout: Duration,
    ) -> Result<usize> {
        let total = src.len();
        let mut accepted = 0usize;
        let mut wait = FullWait::new(Some(block_timeout));
        while src.len() > 0 {
            let (_, n) = self.ring.push_batch(&mut src, |raw| (ts, raw));
            accepted += n;
            if n > 0 || src.len() == 0 {
                // Progress: the drain is alive, so the timeout counts
                // afresh (a long batch behind a healthy drain never fails).
                wait = FullWait::new(Some(block_timeout));
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
                Backpressure::Block => {
                    if !wait.wait() {
                        break;
                    }
                }
                Backpressure::DropOldest => {
                    self.drop_oldest(src.len(), &wait.backoff);
                }
                Backpressure::DropNewest => {
                    self.dropped.fetch_add(src.len() as u64, Relaxed);
                    break;
                }
                Backpressure::FailProducer => break,
            }
        }
        self.wake_if_sleeping();
        if accepted == 0 && total > 0 && matches!(policy, Backpressure::FailProducer | Backpressure::Block) {
            return Err(SdkError::Backpressure);
        }
        Ok(accepted)
    }
}

/// A producer's wait for room in a full ring under `Backpressure::Block`.
///
/// It spins and then yields first: a healthy batcher frees up to a whole
/// batch within microseconds, and sleeping would cost more than that. Only
/// once those rounds are spent does it read the clock and sleep in short
/// naps, so a stalled backend does not keep a core busy, until the
/// deadline passes.
struct FullWait {
    backoff: Backoff,
    /// `None`: do not wait at all.
    timeout: Option<Duration>,
    deadline: Option<Instant>,
}

/// One nap of a producer that has waited past its spin and yield rounds.
const FULL_NAP: Duration = Duration::from_micros(50);

impl FullWait {
    fn new(timeout: Option<Duration>) -> Self {
        Self { backoff: Backoff::new(), timeout, deadline: None }
    }

    /// Wait a little before the next try; false once the deadline passed
    /// (at once without a timeout).
    fn wait(&mut self) -> bool {
        let Some(timeout) = self.timeout else { return false };
        if !self.backoff.is_completed() {
            self.backoff.snooze();
            return true;
        }
        let now = Instant::now();
        let deadline = *self.deadline.get_or_insert(now + timeout);
        if now >= deadline {
            return false;
        }
        std::thread::sleep(FULL_NAP.min(deadline - now));
        true
    }
}
