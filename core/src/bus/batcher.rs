//! The per-shard batcher task: drains the ring into the backend.
//!
//! # Batching
//! Each round pops every ready event up to `max_batch` (one CAS) into a
//! reused `Vec` and appends it at once. The batch size therefore adapts to
//! load: one event when traffic is light (latency first, no lingering),
//! up to `max_batch` under pressure (throughput). `max_delay` bounds how
//! long an idle batcher sleeps before re-checking on its own.
//!
//! # Sleeping without lost wake-ups
//! Producers must not pay a syscall or a `Notify` per event, so the batcher
//! announces sleep with a flag and producers notify only when they see it:
//!
//! ```text
//! batcher:  sleeping.store(true, SeqCst);  if tail != head (SeqCst) { don't sleep }
//! producer: tail.CAS(SeqCst); write slot;  if sleeping.load(SeqCst) { notify }
//! ```
//! All four operations are SeqCst, so they sit in one total order. If the
//! producer's load comes after the batcher's store it sees `true` and
//! notifies (a `Notify` permit is stored if the batcher is not yet
//! awaiting, so it cannot be lost). Otherwise the load precedes the store,
//! so the producer's CAS precedes the batcher's tail load, which then sees
//! the new event and does not sleep. Either way nothing is left behind.
//! (On x86 the CAS is a locked instruction already and SeqCst loads are
//! plain loads: producers pay nothing extra.)

use std::sync::atomic::Ordering::{Relaxed, SeqCst};
use std::sync::{Arc, Weak};
use std::time::Duration;

use super::backend::Backend;
use super::event::StoredEvent;
use super::event_bus::EventBus;
use super::payload::Gather;
use super::shard::ShardSignals;

/// Upper bound of the idle back-off: an idle bus wakes each batcher at
/// most this often (the wake protocol is lossless; this is a safety net).
const MAX_IDLE_WAIT: Duration = Duration::from_millis(100);

/// A batch smaller than this is followed by a short pause (see `run`).
const SMALL_BATCH: usize = 64;
/// Length of that pause in spin-loop hints (about a microsecond).
const PAUSE_SPINS: u32 = 64;

/// Scheduler turns an empty batcher stays awake before it parks.
const SPIN_TURNS: u32 = 64;

/// Checks of the ring per in-place wait, `PAUSE_SPINS` hints apart (about
/// two microseconds in all).
const WAIT_CHECKS: u32 = 32;

/// Spin until the ring has an event or `WAIT_CHECKS` checks pass; true if
/// an event arrived. Bounded, so the worker thread is held only briefly.
fn wait_in_place(shard: &super::shard::Shard) -> bool {
    for _ in 0..WAIT_CHECKS {
        for _ in 0..PAUSE_SPINS / 2 {
            std::hint::spin_loop();
        }
        if shard.ring.tail() != shard.ring.head() {
            return true;
        }
    }
    false
}

/// Marks the shard's batcher as stopped however the task ends (return,
/// panic, or the runtime dropping it) and releases anyone in `flush`.
struct StoppedGuard(Arc<ShardSignals>);

impl Drop for StoppedGuard {
    fn drop(&mut self) {
        self.0.stopped.store(true, SeqCst);
        self.0.committed.notify_waiters();
    }
}

/// Run shard `idx`'s batcher until the bus shuts down (after draining its
/// ring) or is dropped. Holds only a `Weak` to the bus while asleep.
pub(crate) async fn run(
    bus: Weak<EventBus>,
    idx: usize,
    signals: Arc<ShardSignals>,
    backend: Arc<dyn Backend>,
    max_batch: usize,
    max_delay: Duration,
) {
    let _guard = StoppedGuard(signals.clone());
    let mut buf: Vec<StoredEvent> = Vec::with_capacity(max_batch);
    let mut gather = Gather::default();
    let mut idle_wait = max_delay;
    let mut idle_turns = 0u32;
    loop {
        let Some(strong) = bus.upgrade() else { return };
        let shard = &strong.shards[idx];
        // Write only if needed: producers read this line on every emit.
        if shard.sleeping.load(Relaxed) {
            shard.sleeping.store(false, Relaxed);
        }
        let n = shard.ring.pop_batch(max_batch, |sequence, (timestamp, raw)| {
            gather.push(&mut buf, sequence, timestamp, raw)
        });
        gather.finish(&mut buf);
        if n > 0 {
            idle_wait = max_delay;
            idle_turns = 0;
            match backend.append(shard.id, &mut buf).await {
                Ok(()) => {
                    shard.batches.fetch_add(1, Relaxed);
                }
                Err(_) => {
                    // The events are lost: account for them so stats and
                    // health tell the truth, and keep serving.
                    shard.dropped.fetch_add(n as u64, Relaxed);
                    strong.record_backend_error();
                }
            }
            buf.clear();
            shard.commit();
            if n < SMALL_BATCH {
                // Chasing the producer slot by slot makes both cores fight
                // over the same cache lines; a pause of about a microsecond
                // lets a bigger batch build up (bounded: well under any
                // sensible `max_delay`).
                for _ in 0..PAUSE_SPINS {
                    std::hint::spin_loop();
                }
            }
            continue;
        }
        // Producers under DropOldest may have popped: publish that too.
        shard.commit();
        if strong.is_stopping() {
            if shard.ring.len() == 0 {
                return;
            }
            // A producer claimed a slot but has not written it yet.
            tokio::task::yield_now().await;
            continue;
        }
        // Caught up. Stay awake for a few scheduler turns before parking:
        // a producer that finds the batcher asleep pays a thread wake-up
        // inside `emit`, which costs more than these yields when events are
        // still flowing. An idle bus parks after ~SPIN_TURNS turns.
        if idle_turns < SPIN_TURNS {
            idle_turns += 1;
            // First wait in place: a producer emitting steadily refills
            // the ring within a microsecond or two, and spinning here keeps
            // the runtime quiet. A `yield_now` per empty check made tokio
            // wake the other worker (an eventfd write and a clock read each
            // time), which then competed with the producers for the cores.
            if wait_in_place(shard) {
                continue;
            }
            drop(strong);
            tokio::task::yield_now().await;
            continue;
        }
        idle_turns = 0;
        shard.sleeping.store(true, SeqCst);
        if shard.ring.tail() != shard.ring.head() {
            shard.sleeping.store(false, Relaxed);
            tokio::task::yield_now().await;
            continue;
        }
        // Do not keep the bus alive while asleep: dropping the last `Net`
        // must end this task.
        drop(strong);
        if tokio::time::timeout(idle_wait, signals.wake.notified()).await.is_err() {
            idle_wait = (idle_wait * 2).min(MAX_IDLE_WAIT.max(max_delay));
        }
    }
}
