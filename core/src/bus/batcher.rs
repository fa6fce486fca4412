//! The drainer tasks: move events from the shards' rings into the backend.
//!
//! # Drainers, not one task per shard
//! One drainer serves a fixed group of shards (shard `i` belongs to
//! drainer `i % drainers`) and there are half as many drainers as the
//! runtime has workers (at least one, at most one per shard). A task per
//! shard made a bus of 4 shards on a 2-worker runtime lose events: a
//! batcher whose ring kept refilling never yielded (a memory append never
//! awaits), so the shards queued behind it on the same worker were not
//! drained for tens of milliseconds while their rings overflowed; and
//! idle batchers spinning on both workers took the cores the producers
//! needed. A drainer visits each of its shards in turn, every round, so
//! none is starved, and leaves the other workers to the producers.
//!
//! # Batching
//! Each visit pops every ready event of the shard up to `max_batch` (one
//! CAS) into a reused [`EventBlock`] and appends it at once. The batch size
//! therefore adapts to load: one event when traffic is light (latency
//! first, no lingering), up to `max_batch` under pressure (throughput).
//! `max_delay` bounds how long an idle drainer sleeps before re-checking
//! on its own.
//!
//! # Sleeping without lost wake-ups
//! Producers must not pay a syscall or a `Notify` per event, so the drainer
//! announces sleep with a flag on each of its shards and producers notify
//! only when they see it:
//!
//! ```text
//! drainer:  sleeping.store(true, SeqCst) (each shard);  if tail != head (SeqCst, each shard) { don't sleep }
//! producer: tail.CAS(SeqCst); write slot;  if sleeping.load(SeqCst) { notify }
//! ```
//! All of these are SeqCst, so they sit in one total order. If the
//! producer's load comes after the drainer's store it sees `true` and
//! notifies (a `Notify` permit is stored if the drainer is not yet
//! awaiting, so it cannot be lost). Otherwise the load precedes the store,
//! so the producer's CAS precedes the drainer's tail load, which then sees
//! the new event and does not sleep. Either way nothing is left behind.
//! (On x86 the CAS is a locked instruction already and SeqCst loads are
//! plain loads: producers pay nothing extra.)

use std::sync::atomic::Ordering::{Relaxed, SeqCst};
use std::sync::{Arc, Weak};
use std::time::Duration;

use super::backend::Backend;
use super::block::EventBlock;
use super::event_bus::EventBus;
use super::shard::{Shard, ShardSignals};

/// Upper bound of the idle back-off: an idle bus wakes each drainer at
/// most this often (the wake protocol is lossless; this is a safety net).
const MAX_IDLE_WAIT: Duration = Duration::from_millis(100);

/// A batch smaller than this is followed by a short pause (see `run`).
const SMALL_BATCH: usize = 64;
/// Length of that pause in spin-loop hints (about a microsecond).
const PAUSE_SPINS: u32 = 64;

/// Scheduler turns an idle drainer stays awake before it parks.
const SPIN_TURNS: u32 = 64;

/// Checks of the rings per in-place wait, `PAUSE_SPINS` hints apart (about
/// two microseconds in all).
const WAIT_CHECKS: u32 = 32;

/// How many drainers a bus of `shards` shards gets on a runtime of
/// `workers` worker threads: half the workers (the other half is left to
/// the producers and the rest of the program), at least one, at most one
/// per shard.
pub(crate) fn drainer_count(workers: usize, shards: u16) -> usize {
    (workers / 2).clamp(1, usize::from(shards.max(1)))
}

/// Whether any of `shards` holds an event the drainer has not popped.
fn any_pending(bus: &EventBus, shards: &[usize]) -> bool {
    shards.iter().any(|&i| bus.shards[i].ring.tail() != bus.shards[i].ring.head())
}

/// Spin until one of the rings has an event or `WAIT_CHECKS` checks pass;
/// true if an event arrived. Bounded, so the worker thread is held only
/// briefly.
fn wait_in_place(bus: &EventBus, shards: &[usize]) -> bool {
    for _ in 0..WAIT_CHECKS {
        for _ in 0..PAUSE_SPINS / 2 {
            std::hint::spin_loop();
        }
        if any_pending(bus, shards) {
            return true;
        }
    }
    false
}

/// Marks the drainer's shards as stopped however the task ends (return,
/// panic, or the runtime dropping it) and releases anyone in `flush`.
struct StoppedGuard(Arc<ShardSignals>);

impl Drop for StoppedGuard {
    fn drop(&mut self) {
        self.0.stopped.store(true, SeqCst);
        self.0.committed.notify_waiters();
    }
}

/// Rounds in a row that found events before a drainer yields to the
/// runtime anyway: a backend append that never awaits (the memory one)
/// would otherwise keep the drainer on its worker forever.
const ROUNDS_BEFORE_YIELD: u32 = 32;

/// The first pause after a failed append; it doubles up to [`RETRY_MAX`].
const RETRY_MIN: Duration = Duration::from_millis(2);
/// The longest pause between two attempts at the same block.
const RETRY_MAX: Duration = Duration::from_millis(500);
/// How long a drainer keeps retrying a block once shutdown has begun,
/// before it counts the block as dropped.
pub const SHUTDOWN_RETRY: Duration = Duration::from_secs(5);

/// Append `block` to its shard, retrying with back-off until it succeeds.
///
/// The same block is retried unchanged (same sequences, so the same dedup
/// ids), and the drainer takes nothing else from this shard meanwhile, so
/// nothing is reordered; the ring fills and producers feel the bus's
/// back-pressure policy. The block is given up (and counted as dropped)
/// only when shutdown has been retrying it for [`SHUTDOWN_RETRY`], or when
/// nothing but this drainer holds the bus any more (every handle dropped
/// without a shutdown: nobody could read the events).
async fn store(bus: &Arc<EventBus>, shard: &Shard, backend: &dyn Backend, block: &EventBlock) {
    let mut pause = RETRY_MIN;
    let mut shutdown_deadline = None;
    loop {
        match backend.append_block(shard.id, block).await {
            Ok(()) => {
                shard.batches.fetch_add(1, Relaxed);
                bus.record_backend_success();
                return;
            }
            Err(_) => {
                bus.record_backend_error();
                let out_of_time = bus.is_stopping()
                    && tokio::time::Instant::now()
                        >= *shutdown_deadline.get_or_insert_with(|| tokio::time::Instant::now() + SHUTDOWN_RETRY);
                if out_of_time || Arc::strong_count(bus) == 1 {
                    shard.dropped.fetch_add(block.len() as u64, Relaxed);
                    return;
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(RETRY_MAX);
            }
        }
    }
}

/// Drain `shards` until the bus shuts down (after draining their rings) or
/// is dropped. Holds only a `Weak` to the bus while asleep.
pub(crate) async fn run(
    bus: Weak<EventBus>,
    shards: Vec<usize>,
    signals: Arc<ShardSignals>,
    backend: Arc<dyn Backend>,
    max_batch: usize,
    max_delay: Duration,
) {
    let _guard = StoppedGuard(signals.clone());
    let mut block = EventBlock::default();
    let mut idle_wait = max_delay;
    let mut idle_turns = 0u32;
    let mut busy_rounds = 0u32;
    loop {
        let Some(strong) = bus.upgrade() else { return };
        let mut drained = 0usize;
        for &idx in &shards {
            let shard = &strong.shards[idx];
            // Write only if needed: producers read this line on every emit.
            if shard.sleeping.load(Relaxed) {
                shard.sleeping.store(false, Relaxed);
            }
            let n = shard.ring.pop_batch(max_batch, |sequence, (timestamp, raw)| block.push(sequence, timestamp, raw));
            if n > 0 {
                store(&strong, shard, &*backend, &block).await;
                block.clear();
            }
            // Producers under DropOldest may have popped: publish that too.
            shard.commit();
            drained += n;
        }
        if drained > 0 {
            idle_wait = max_delay;
            idle_turns = 0;
            busy_rounds += 1;
            if busy_rounds >= ROUNDS_BEFORE_YIELD {
                busy_rounds = 0;
                drop(strong);
                tokio::task::yield_now().await;
            } else if drained < SMALL_BATCH {
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
        busy_rounds = 0;
        if strong.is_stopping() {
            if shards.iter().all(|&i| strong.shards[i].ring.len() == 0) {
                return;
            }
            // A producer claimed a slot but has not written it yet.
            drop(strong);
            tokio::task::yield_now().await;
            continue;
        }
        // Caught up. Stay awake for a few scheduler turns before parking:
        // a producer that finds the drainer asleep pays a thread wake-up
        // inside `emit`, which costs more than these yields when events are
        // still flowing. An idle bus parks after ~SPIN_TURNS turns.
        if idle_turns < SPIN_TURNS {
            idle_turns += 1;
            // First wait in place: a producer emitting steadily refills
            // the ring within a microsecond or two, and spinning here keeps
            // the runtime quiet. A `yield_now` per empty check made tokio
            // wake the other worker (an eventfd write and a clock read each
            // time), which then competed with the producers for the cores.
            if wait_in_place(&strong, &shards) {
                continue;
            }
            drop(strong);
            tokio::task::yield_now().await;
            continue;
        }
        idle_turns = 0;
        for &i in &shards {
            strong.shards[i].sleeping.store(true, SeqCst);
        }
        if any_pending(&strong, &shards) {
            for &i in &shards {
                strong.shards[i].sleeping.store(false, Relaxed);
            }
            drop(strong);
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

#[cfg(test)]
mod tests {
    use super::drainer_count;

    #[test]
    fn drainers_take_half_the_workers_within_one_and_the_shard_count() {
        assert_eq!(drainer_count(1, 4), 1);
        assert_eq!(drainer_count(2, 4), 1);
        assert_eq!(drainer_count(4, 4), 2);
        assert_eq!(drainer_count(16, 4), 4);
        assert_eq!(drainer_count(16, 1), 1);
        assert_eq!(drainer_count(0, 0), 1);
    }
}
