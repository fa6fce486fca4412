//! The engine behind [`Net`](super::Net): shards, backend, lifecycle.

use std::sync::atomic::Ordering::{Acquire, Relaxed, SeqCst};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8};
use std::sync::Arc;

use crossbeam_utils::CachePadded;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use super::backend::Backend;
use super::config::BusConfig;
use super::block::EventBlock;
use super::shard::{Shard, ShardSignals};
use crate::clock::Clock;
use crate::error::{Result, SdkError};

const OPEN: u8 = 0;
const CLOSING: u8 = 1;
const CLOSED: u8 = 2;

/// The local event bus: N shards of lock-free rings, drainer tasks that
/// each serve a group of shards, and a [`Backend`]. Reached through [`Net::bus`](super::Net::bus);
/// [`Net`](super::Net) is the ergonomic front door.
pub struct EventBus {
    pub(crate) config: BusConfig,
    pub(crate) shards: Box<[Shard]>,
    pub(crate) backend: Arc<dyn Backend>,
    pub(crate) clock: Clock,
    /// Round-robin counter (own cache line: producers share it).
    pub(crate) rr: CachePadded<AtomicU64>,
    state: AtomicU8,
    /// Signalled once the bus is fully shut down (subscribers end).
    pub(crate) closed: Notify,
    pub(crate) tasks: parking_lot::Mutex<Vec<JoinHandle<()>>>,
    shutdown_lock: tokio::sync::Mutex<()>,
    backend_errors: AtomicU64,
    /// Appends that succeeded after one or more failed in a row: the
    /// backend's server came back.
    reconnects: AtomicU64,
    /// Whether the latest append attempt failed.
    failing: AtomicBool,
    /// When the latest append succeeded (clock nanoseconds; 0: never).
    last_success: AtomicU64,
}

impl EventBus {
    /// A bus whose shards are drained by `drainers` tasks: shard `i` by
    /// drainer `i % drainers`, whose signals it shares.
    pub(crate) fn new(config: BusConfig, backend: Arc<dyn Backend>, clock: Clock, drainers: usize) -> Self {
        let signals: Vec<Arc<ShardSignals>> = (0..drainers.max(1)).map(|_| Arc::default()).collect();
        let shards = (0..config.shards)
            // Continue the backend's sequences (a persistent log may
            // already hold events).
            .map(|id| {
                let signals = signals[id as usize % signals.len()].clone();
                Shard::new(id, config.ring_capacity, backend.producer_start(id), signals)
            })
            .collect();
        Self {
            config,
            shards,
            backend,
            clock,
            rr: CachePadded::new(AtomicU64::new(0)),
            state: AtomicU8::new(OPEN),
            closed: Notify::new(),
            tasks: parking_lot::Mutex::new(Vec::new()),
            shutdown_lock: tokio::sync::Mutex::new(()),
            backend_errors: AtomicU64::new(0),
            reconnects: AtomicU64::new(0),
            failing: AtomicBool::new(false),
            last_success: AtomicU64::new(0),
        }
    }

    /// The backend events are stored in.
    pub fn backend(&self) -> &Arc<dyn Backend> {
        &self.backend
    }

    /// Number of shards.
    pub fn shard_count(&self) -> u16 {
        self.config.shards
    }

    /// Ring capacity per shard (after rounding to a power of two).
    pub fn ring_capacity(&self) -> usize {
        self.config.ring_capacity
    }

    /// The clock stamping events.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Whether `shutdown` has started (emits and polls are refused).
    pub fn is_stopping(&self) -> bool {
        self.state.load(Acquire) != OPEN
    }

    /// Whether `shutdown` has completed.
    pub fn is_shut_down(&self) -> bool {
        self.state.load(Acquire) == CLOSED
    }

    /// Append failures seen by the drainers since start.
    pub fn backend_errors(&self) -> u64 {
        self.backend_errors.load(Relaxed)
    }

    pub(crate) fn record_backend_error(&self) {
        self.backend_errors.fetch_add(1, Relaxed);
        self.failing.store(true, Relaxed);
    }

    pub(crate) fn record_backend_success(&self) {
        if self.failing.swap(false, Relaxed) {
            self.reconnects.fetch_add(1, Relaxed);
        }
        self.last_success.store(self.clock.now_nanos().max(1), Relaxed);
    }

    /// Times the backend recovered: an append succeeded after failures.
    pub fn reconnects(&self) -> u64 {
        self.reconnects.load(Relaxed)
    }

    /// Whether the latest append attempt failed (the drainers are retrying).
    pub fn backend_failing(&self) -> bool {
        self.failing.load(Relaxed)
    }

    /// Time since the latest successful append (`None` before the first).
    pub fn since_last_success(&self) -> Option<std::time::Duration> {
        match self.last_success.load(Relaxed) {
            0 => None,
            t => Some(self.clock.since(t)),
        }
    }

    #[inline]
    pub(crate) fn check_open(&self) -> Result<()> {
        if self.state.load(Acquire) == OPEN {
            Ok(())
        } else {
            Err(SdkError::Closed)
        }
    }

    /// Wait until every event emitted before this call is in the backend
    /// (or was dropped by the backpressure policy).
    pub async fn flush(&self) -> Result<()> {
        for shard in self.shards.iter() {
            let target = shard.ring.tail();
            loop {
                let notified = shard.signals.committed.notified();
                tokio::pin!(notified);
                // Register before checking, so a commit in between wakes us.
                notified.as_mut().enable();
                if shard.committed.load(Acquire) >= target {
                    break;
                }
                if shard.signals.stopped.load(SeqCst) {
                    if self.is_stopping() {
                        // shutdown drains the rest.
                        break;
                    }
                    return Err(SdkError::Backend(format!("the batcher of shard {} stopped", shard.id)));
                }
                shard.signals.wake.notify_one();
                notified.await;
            }
        }
        Ok(())
    }

    /// Refuse new events, drain every ring into the backend, stop the
    /// drainers, close the backend. Idempotent; concurrent callers wait
    /// for the first one to finish.
    ///
    /// Events whose `emit` returned before this call are all delivered. An
    /// emit racing with it either fails with `Closed` or is delivered,
    /// except in the narrow window where it passed the open check just
    /// before and claims its slot after the final drain.
    pub async fn shutdown(&self) -> Result<()> {
        let _once = self.shutdown_lock.lock().await;
        if self.state.load(Acquire) == CLOSED {
            return Ok(());
        }
        self.state.store(CLOSING, SeqCst);
        // Close every ring first: from here on a producer that slipped past
        // `check_open` fails with `Closed` instead of claiming a slot that
        // nobody would drain.
        let final_tails: Vec<u64> = self.shards.iter().map(|shard| shard.ring.close()).collect();
        for shard in self.shards.iter() {
            shard.signals.wake.notify_one();
        }
        let tasks = std::mem::take(&mut *self.tasks.lock());
        for task in tasks {
            // A panicked drainer is reported by the final drain's result.
            let _ = task.await;
        }
        // Final sweep: anything a drainer could not take (it panicked) or a
        // straggling producer pushed after the drainer left.
        let mut result = Ok(());
        let mut block = EventBlock::default();
        for (shard, &end) in self.shards.iter().zip(&final_tails) {
            // Every position below `end` was claimed before the close and
            // is being written right now if it is not yet: wait for it.
            while shard.ring.head() < end {
                let n = shard.ring.pop_batch(usize::MAX, |sequence, (timestamp, raw)| block.push(sequence, timestamp, raw));
                if n == 0 {
                    tokio::task::yield_now().await;
                    continue;
                }
                match self.backend.append_block(shard.id, &block).await {
                    Ok(()) => self.record_backend_success(),
                    Err(e) => {
                        self.record_backend_error();
                        shard.dropped.fetch_add(block.len() as u64, Relaxed);
                        result = Err(e);
                    }
                }
                block.clear();
            }
            shard.commit();
        }
        let closed = self.backend.close().await;
        self.state.store(CLOSED, SeqCst);
        self.closed.notify_waiters();
        for shard in self.shards.iter() {
            shard.signals.committed.notify_waiters();
        }
        result.and(closed)
    }
}

impl Drop for EventBus {
    fn drop(&mut self) {
        // Wake sleeping drainers: their `Weak` no longer upgrades, so they
        // exit now rather than at their next timeout.
        for shard in self.shards.iter() {
            shard.signals.wake.notify_one();
        }
    }
}
