//! The host of one daemon ([`DaemonHost`], crate-private) and the user's
//! view of it, [`DaemonHandle`].
//!
//! A host owns the daemon behind a lock (one call at a time), the head of
//! its causal chain, the replay log since the last snapshot, the latest
//! snapshot and the counters. Counters are atomics so `stats()` never waits
//! on a daemon that is busy.

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::Arc;

use bytes::Bytes;
use parking_lot::Mutex;

use super::bridge::ServingThread;
use super::config::{DaemonHostConfig, DaemonStats};
use super::daemon::MeshDaemon;
use super::error::ComputeDaemonError;
use super::event::{CausalEvent, ChainHead};
use super::snapshot::StateSnapshot;
use crate::identity::EntityId;

thread_local! {
    /// Origins whose `process` runs on this thread right now (outermost
    /// first): a delivery to one of them from inside would wait on itself.
    static INSIDE: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
}

/// Pops this thread's innermost origin when a delivery ends (or unwinds).
struct InsideGuard;

impl InsideGuard {
    fn enter(origin: u64) -> Result<InsideGuard, ComputeDaemonError> {
        INSIDE.with(|s| {
            let mut s = s.borrow_mut();
            if s.contains(&origin) {
                return Err(ComputeDaemonError::Reentrant(format!(
                    "delivery to daemon {origin:#018x} from inside its own processing"
                )));
            }
            s.push(origin);
            Ok(InsideGuard)
        })
    }
}

impl Drop for InsideGuard {
    fn drop(&mut self) {
        INSIDE.with(|s| s.borrow_mut().pop());
    }
}

struct HostState {
    daemon: Box<dyn MeshDaemon>,
    head: ChainHead,
    log: Vec<CausalEvent>,
    since_snapshot: u64,
}

/// Written only by the holder of the daemon's lock (so a plain load and
/// store, no locked read-modify-write), read by anyone.
#[derive(Default)]
struct Counters {
    processed: AtomicU64,
    emitted: AtomicU64,
    errors: AtomicU64,
    snapshots: AtomicU64,
}

/// One hosted daemon.
pub(crate) struct DaemonHost {
    kind: String,
    name: String,
    entity_id: EntityId,
    config: DaemonHostConfig,
    state: Mutex<HostState>,
    counters: Counters,
    stopped: AtomicBool,
    latest: Mutex<Option<StateSnapshot>>,
    /// A foreign daemon's serving thread, refused before the lock.
    serving: Option<ServingThread>,
}

fn bump(c: &AtomicU64, n: u64) {
    c.store(c.load(Relaxed) + n, Relaxed);
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic payload".to_owned())
}

impl DaemonHost {
    pub(crate) fn new(
        kind: String,
        entity_id: EntityId,
        daemon: Box<dyn MeshDaemon>,
        head: ChainHead,
        config: DaemonHostConfig,
    ) -> Self {
        let name = daemon.name().to_owned();
        let serving = daemon.serving_thread();
        let log = Vec::with_capacity(config.max_log_entries.min(1024));
        DaemonHost {
            kind,
            name,
            entity_id,
            config,
            state: Mutex::new(HostState { daemon, head, log, since_snapshot: 0 }),
            counters: Counters::default(),
            stopped: AtomicBool::new(false),
            latest: Mutex::new(None),
            serving,
        }
    }

    fn lock(&self) -> Result<parking_lot::MutexGuard<'_, HostState>, ComputeDaemonError> {
        if self.serving.as_ref().is_some_and(ServingThread::is_current) {
            return Err(ComputeDaemonError::Reentrant(format!(
                "call into daemon {:?} from the thread serving its callbacks",
                self.name
            )));
        }
        self.state
            .try_lock_for(self.config.callback_timeout())
            .ok_or(ComputeDaemonError::CallbackTimeout { timeout_ms: self.config.callback_timeout_ms })
    }

    /// Run `event` through the daemon; wrap each output in the next link.
    pub(crate) fn deliver(&self, origin: u64, event: &CausalEvent) -> Result<Vec<CausalEvent>, ComputeDaemonError> {
        let _inside = InsideGuard::enter(origin)?;
        let mut guard = self.lock()?;
        if self.stopped.load(Relaxed) {
            return Err(ComputeDaemonError::DaemonNotFound(origin));
        }
        let st = &mut *guard;
        bump(&self.counters.processed, 1);
        let result = catch_unwind(AssertUnwindSafe(|| st.daemon.process(event)))
            .unwrap_or_else(|p| Err(ComputeDaemonError::Panicked(panic_message(p))));
        let payloads = match result {
            Ok(p) => p,
            Err(e) => {
                bump(&self.counters.errors, 1);
                return Err(e);
            }
        };
        let outputs: Vec<CausalEvent> = payloads.into_iter().map(|p| st.head.append(p)).collect();
        bump(&self.counters.emitted, outputs.len() as u64);
        if self.config.max_log_entries > 0 {
            st.log.push(event.clone());
        }
        st.since_snapshot += 1;
        let interval = self.config.auto_snapshot_interval;
        let log_full = self.config.max_log_entries > 0 && st.log.len() >= self.config.max_log_entries;
        if (interval > 0 && st.since_snapshot >= interval) || log_full {
            // An automatic snapshot that fails is not this event's failure:
            // the event was processed; the log stays for the next attempt.
            let _ = self.snapshot_locked(st);
        }
        Ok(outputs)
    }

    /// Run `events` through the daemon under one lock, in order, stopping
    /// at the first failure: each handled event's outputs wrapped in the
    /// next links, and the failure (counted in `errors`) if one stopped
    /// the run. An automatic snapshot due within the batch is taken at its
    /// end.
    pub(crate) fn deliver_batch(&self, origin: u64, events: &[CausalEvent]) -> Result<BatchDelivery, ComputeDaemonError> {
        let _inside = InsideGuard::enter(origin)?;
        let mut guard = self.lock()?;
        if self.stopped.load(Relaxed) {
            return Err(ComputeDaemonError::DaemonNotFound(origin));
        }
        let st = &mut *guard;
        let (payloads, error) = catch_unwind(AssertUnwindSafe(|| st.daemon.process_batch(events)))
            .unwrap_or_else(|p| (Vec::new(), Some(ComputeDaemonError::Panicked(panic_message(p)))));
        let handled = payloads.len();
        bump(&self.counters.processed, (handled + error.is_some() as usize) as u64);
        if error.is_some() {
            bump(&self.counters.errors, 1);
        }
        let mut emitted = 0;
        let outputs: Vec<Vec<CausalEvent>> = payloads
            .into_iter()
            .map(|out| {
                emitted += out.len();
                out.into_iter().map(|p| st.head.append(p)).collect()
            })
            .collect();
        bump(&self.counters.emitted, emitted as u64);
        if self.config.max_log_entries > 0 {
            st.log.extend_from_slice(&events[..handled]);
        }
        st.since_snapshot += handled as u64;
        let interval = self.config.auto_snapshot_interval;
        let log_full = self.config.max_log_entries > 0 && st.log.len() >= self.config.max_log_entries;
        if (interval > 0 && st.since_snapshot >= interval) || log_full {
            let _ = self.snapshot_locked(st);
        }
        Ok(BatchDelivery { outputs, error })
    }

    fn snapshot_locked(&self, st: &mut HostState) -> Result<Option<StateSnapshot>, ComputeDaemonError> {
        let state = catch_unwind(AssertUnwindSafe(|| st.daemon.try_snapshot()))
            .unwrap_or_else(|p| Err(ComputeDaemonError::Panicked(panic_message(p))))?;
        st.log.clear();
        st.since_snapshot = 0;
        let Some(state) = state else {
            return Ok(None);
        };
        let snap = StateSnapshot { kind: self.kind.clone(), entity_id: self.entity_id, head: st.head, state };
        bump(&self.counters.snapshots, 1);
        *self.latest.lock() = Some(snap.clone());
        Ok(Some(snap))
    }

    /// A snapshot now; `None` for a stateless daemon.
    pub(crate) fn snapshot(&self) -> Result<Option<StateSnapshot>, ComputeDaemonError> {
        let mut guard = self.lock()?;
        if self.stopped.load(Relaxed) {
            return Err(ComputeDaemonError::DaemonNotFound(guard.head.origin_hash));
        }
        self.snapshot_locked(&mut guard)
    }

    /// Give the daemon back a state (before it is registered).
    pub(crate) fn restore(&self, state: Bytes) -> Result<(), ComputeDaemonError> {
        let mut guard = self.lock()?;
        catch_unwind(AssertUnwindSafe(|| guard.daemon.restore(state)))
            .unwrap_or_else(|p| Err(ComputeDaemonError::Panicked(panic_message(p))))
    }

    /// Restore a running daemon from `snap` (see `DaemonRuntime::restore`).
    pub(crate) fn restore_in_place(&self, snap: &StateSnapshot) -> Result<(), ComputeDaemonError> {
        let mut guard = self.lock()?;
        if self.stopped.load(Relaxed) {
            return Err(ComputeDaemonError::DaemonNotFound(guard.head.origin_hash));
        }
        if snap.entity_id != self.entity_id || snap.head.origin_hash != guard.head.origin_hash {
            return Err(ComputeDaemonError::SnapshotMismatch(format!(
                "snapshot of entity {}, daemon is {}",
                snap.entity_id, self.entity_id
            )));
        }
        if snap.kind != self.kind {
            return Err(ComputeDaemonError::SnapshotMismatch(format!(
                "snapshot of kind {:?}, daemon is {:?}",
                snap.kind, self.kind
            )));
        }
        let st = &mut *guard;
        let state = snap.state.clone();
        catch_unwind(AssertUnwindSafe(|| st.daemon.restore(state)))
            .unwrap_or_else(|p| Err(ComputeDaemonError::Panicked(panic_message(p))))?;
        st.head = snap.head;
        st.log.clear();
        st.since_snapshot = 0;
        Ok(())
    }

    /// Run `f` on the daemon under its lock, a panic caught.
    pub(crate) fn with_daemon<R>(&self, f: impl FnOnce(&mut dyn MeshDaemon) -> R) -> Result<R, ComputeDaemonError> {
        let mut guard = self.lock()?;
        if self.stopped.load(Relaxed) {
            return Err(ComputeDaemonError::DaemonNotFound(guard.head.origin_hash));
        }
        let daemon: &mut dyn MeshDaemon = &mut *guard.daemon;
        catch_unwind(AssertUnwindSafe(|| f(daemon))).map_err(|p| ComputeDaemonError::Panicked(panic_message(p)))
    }

    pub(crate) fn mark_stopped(&self) {
        self.stopped.store(true, Relaxed);
    }

    pub(crate) fn stats(&self) -> DaemonStats {
        DaemonStats {
            events_processed: self.counters.processed.load(Relaxed),
            events_emitted: self.counters.emitted.load(Relaxed),
            errors: self.counters.errors.load(Relaxed),
            snapshots_taken: self.counters.snapshots.load(Relaxed),
        }
    }
}

/// What a batch delivery did: the outputs of each event handled, in
/// order (each wrapped in its links of the daemon's chain), and the failure
/// that stopped the batch, if one did (the events after it were not
/// handed to the daemon).
#[derive(Debug)]
pub struct BatchDelivery {
    /// One entry per event handled.
    pub outputs: Vec<Vec<CausalEvent>>,
    /// The failure of the event after the last handled one.
    pub error: Option<ComputeDaemonError>,
}

/// A running daemon, as its spawner sees it. Cloning shares the daemon;
/// dropping a handle does not stop it (`DaemonRuntime::stop` does).
#[derive(Clone)]
pub struct DaemonHandle {
    /// The daemon's origin hash: its key in the runtime.
    pub origin_hash: u64,
    /// The daemon's entity id (the ed25519 public key of its identity).
    pub entity_id: EntityId,
    host: Arc<DaemonHost>,
}

impl std::fmt::Debug for DaemonHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DaemonHandle")
            .field("origin_hash", &format_args!("{:#018x}", self.origin_hash))
            .field("kind", &self.host.kind)
            .field("name", &self.host.name)
            .finish()
    }
}

impl DaemonHandle {
    pub(crate) fn new(origin_hash: u64, host: Arc<DaemonHost>) -> Self {
        DaemonHandle { origin_hash, entity_id: host.entity_id, host }
    }

    /// The daemon's kind (the factory it came from).
    pub fn kind(&self) -> &str {
        &self.host.kind
    }

    /// The daemon's `name()`.
    pub fn name(&self) -> &str {
        &self.host.name
    }

    /// The host configuration it runs with.
    pub fn config(&self) -> DaemonHostConfig {
        self.host.config
    }

    /// Whether it still runs (not stopped, runtime not shut down).
    pub fn is_running(&self) -> bool {
        !self.host.stopped.load(Relaxed)
    }

    /// Its counters. `DaemonNotFound` once it has been stopped.
    pub fn stats(&self) -> Result<DaemonStats, ComputeDaemonError> {
        if !self.is_running() {
            return Err(ComputeDaemonError::DaemonNotFound(self.origin_hash));
        }
        Ok(self.host.stats())
    }

    /// A snapshot now (as `DaemonRuntime::snapshot`).
    pub fn snapshot(&self) -> Result<Option<StateSnapshot>, ComputeDaemonError> {
        self.host.snapshot()
    }

    /// The last snapshot taken, manual or automatic.
    pub fn latest_snapshot(&self) -> Option<StateSnapshot> {
        self.host.latest.lock().clone()
    }

    /// Events processed since the last snapshot and kept for replay (waits
    /// for the daemon's current call, if any).
    pub fn log_len(&self) -> usize {
        self.host.state.lock().log.len()
    }

    /// Where its causal chain stands (waits for the daemon's current call).
    pub fn chain_head(&self) -> ChainHead {
        self.host.state.lock().head
    }
}
