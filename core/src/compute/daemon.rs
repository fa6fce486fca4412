//! [`MeshDaemon`]: a stateful event processor, and [`DaemonFactory`]: what
//! builds one for a kind.

use bytes::Bytes;

use super::bridge::ServingThread;
use super::config::DaemonHostConfig;
use super::control::{DaemonControl, DaemonHealth};
use super::error::ComputeDaemonError as DaemonError;
use super::event::CausalEvent;
use crate::capabilities::{CapabilityFilter, CapabilitySet};

/// A stateful event processor hosted by a [`DaemonRuntime`](super::DaemonRuntime).
///
/// The runtime calls one method at a time on a daemon (a per-daemon lock),
/// so `process` takes `&mut self`. The first five methods are the seed's;
/// the others have defaults, so a daemon written against the seed compiles
/// unchanged:
///
/// - `required_capabilities` / `optional_capabilities` are capability tags:
///   every required tag must be in the local node's announced set, or the
///   spawn fails with `MissingCapabilities` naming the absent tags; optional
///   tags never refuse a spawn (they are placement preferences, kept for a
///   scheduler). `requirements()` is the structured filter (GPU, memory,
///   models…), also checked at spawn.
/// - `configure` hands the daemon its host configuration once, before any
///   other call: a daemon that forwards its calls to another thread (a
///   foreign daemon) reads `callback_timeout_ms` there.
/// - `try_snapshot` is `snapshot` with a way to fail.
/// - `health`, `saturation` and `on_control` are what a supervisor (the
///   MeshOS SDK) reads and tells: a daemon that ignores them is healthy,
///   never saturated, and learns of control events only through its
///   handle's channel.
pub trait MeshDaemon: Send + Sync {
    /// A human-readable name, for diagnostics.
    fn name(&self) -> &str;

    /// The structured filter the hosting node must match.
    fn requirements(&self) -> CapabilityFilter;

    /// Handle one event; each returned payload becomes an output event in
    /// this daemon's causal chain. An error is counted and returned to the
    /// caller; the daemon stays usable.
    fn process(&mut self, event: &CausalEvent) -> Result<Vec<Bytes>, DaemonError>;

    /// Handle `events` in order, stopping at the first failure: the
    /// outputs of each event handled, and the failure if one stopped the
    /// run. The default calls `process` per event; a daemon served by
    /// another thread overrides it to cross to that thread once per batch.
    fn process_batch(&mut self, events: &[CausalEvent]) -> (Vec<Vec<Bytes>>, Option<DaemonError>) {
        let mut outputs = Vec::with_capacity(events.len());
        for event in events {
            match self.process(event) {
                Ok(out) => outputs.push(out),
                Err(e) => return (outputs, Some(e)),
            }
        }
        (outputs, None)
    }

    /// The daemon's state, for persistence and migration; `None` = stateless.
    fn snapshot(&self) -> Option<Bytes> {
        None
    }

    /// `snapshot`, able to fail: what the runtime calls. The default wraps
    /// `snapshot`; a daemon whose snapshot can fail (a foreign callback that
    /// times out) overrides it so the failure is reported, not mistaken for
    /// a stateless daemon.
    fn try_snapshot(&self) -> Result<Option<Bytes>, DaemonError> {
        Ok(self.snapshot())
    }

    /// Take back a state produced by `snapshot`.
    fn restore(&mut self, _state: Bytes) -> Result<(), DaemonError> {
        Ok(())
    }

    /// Tags the hosting node must announce (hard requirement).
    fn required_capabilities(&self) -> CapabilitySet {
        CapabilitySet::new()
    }

    /// Tags the daemon prefers (soft: never refuses a spawn).
    fn optional_capabilities(&self) -> CapabilitySet {
        CapabilitySet::new()
    }

    /// Receive the host configuration, once, before any other call.
    fn configure(&mut self, _config: &DaemonHostConfig) {}

    /// The thread that serves this daemon's callbacks, when they run on a
    /// thread of their own (a foreign daemon). The host refuses a call
    /// made from that thread (`Reentrant`) at once: it would wait for the
    /// daemon's lock, held by the very call being served.
    fn serving_thread(&self) -> Option<ServingThread> {
        None
    }

    /// How the daemon judges itself.
    fn health(&self) -> DaemonHealth {
        DaemonHealth::Healthy
    }

    /// How full the daemon is, in `[0, 1]`; the supervisor turns a high
    /// value into `BackpressureOn`.
    fn saturation(&self) -> f32 {
        0.0
    }

    /// A control event routed to this daemon (also queued on its handle).
    fn on_control(&mut self, _control: &DaemonControl) {}
}

/// Builds daemons of one kind. Any `Fn() -> Box<dyn MeshDaemon>` closure is
/// one; a factory that can fail (a foreign constructor that throws)
/// implements `create` itself.
pub trait DaemonFactory: Send + Sync {
    /// A new daemon in its initial state.
    fn create(&self) -> Result<Box<dyn MeshDaemon>, DaemonError>;
}

impl<F> DaemonFactory for F
where
    F: Fn() -> Box<dyn MeshDaemon> + Send + Sync,
{
    fn create(&self) -> Result<Box<dyn MeshDaemon>, DaemonError> {
        Ok(self())
    }
}
