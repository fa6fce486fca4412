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
use super::shard::ShardSignals;

/// Upper bound of the idle back-off: an idle bus wakes each batcher at
/// most this often (the wake protocol is lossless; this is a safety net).
const MAX_IDLE_WAIT: Duration = Duration::from_millis(100);

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
    let mut idle_wait = max_delay;
    loop {
        let Some(strong) = bus.upgrade() else { return };
        let shard = &strong.shards[idx];
        // Write only if needed: producers read this line on every emit.
        if shard.sleeping.load(Relaxed) {
            shard.sleeping.store(false, Relaxed);
        }
        let n = shard.ring.pop_batch(max_batch, |sequence, (timestamp, raw)| {
            buf.push(StoredEvent { sequence, timestamp, raw })
        });
        if n > 0 {
            idle_wait = max_delay;
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
