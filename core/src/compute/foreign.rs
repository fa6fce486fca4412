//! [`ForeignDaemon`]: a [`MeshDaemon`] whose callbacks run on another
//! thread, reached through the [`bridge`](super::bridge). The bindings
//! serve its [`DaemonCall`]s on their language's thread (a JS thread-safe
//! function, a Python thread, a Go goroutine, a C vtable worker); every
//! call waits at most the daemon's `callback_timeout_ms`, which the host
//! hands over through `configure`. The supervision calls (`on_control`,
//! `health`, `saturation`) go the same way; one that fails or times out
//! reads as `Unhealthy` / no saturation (a daemon that cannot answer its
//! health check is not healthy).

use bytes::Bytes;

use super::bridge::{ForeignCaller, ServingThread};
use super::config::DaemonHostConfig;
use super::control::{DaemonControl, DaemonHealth};
use super::daemon::MeshDaemon;
use super::error::ComputeDaemonError;
use super::event::CausalEvent;
use crate::capabilities::{CapabilityFilter, CapabilitySet};

/// A call from the runtime to a foreign daemon.
#[derive(Debug, Clone, PartialEq)]
pub enum DaemonCall {
    /// Run `process` on this event.
    Process(CausalEvent),
    /// Run `process` on each of these events in order, stopping at the
    /// first failure: one crossing for a whole batch.
    ProcessBatch(Vec<CausalEvent>),
    /// Run `snapshot`.
    Snapshot,
    /// Run `restore` with this state.
    Restore(Bytes),
    /// Run `on_control` with this control event (MeshOS supervision).
    Control(DaemonControl),
    /// Run `health`.
    Health,
    /// Run `saturation`.
    Saturation,
}

/// A foreign daemon's answer. An `Err` string is the foreign error's
/// message (an exception, a status); it surfaces as `Callback`.
#[derive(Debug, Clone, PartialEq)]
pub enum DaemonReply {
    /// `process` returned these payloads, or failed.
    Processed(Result<Vec<Bytes>, String>),
    /// The outputs of each event processed, in order, and the failure
    /// that stopped the batch, if one did.
    ProcessedBatch(Vec<Vec<Bytes>>, Option<String>),
    /// `snapshot` returned this state (`None`: stateless), or failed.
    Snapshot(Result<Option<Bytes>, String>),
    /// `restore` succeeded, or failed.
    Restored(Result<(), String>),
    /// `on_control` returned, or failed.
    Controlled(Result<(), String>),
    /// `health` answered, or failed.
    Health(Result<DaemonHealth, String>),
    /// `saturation` answered, or failed.
    Saturation(Result<f32, String>),
}

/// A daemon served by another thread.
pub struct ForeignDaemon {
    name: String,
    requirements: CapabilityFilter,
    required: CapabilitySet,
    optional: CapabilitySet,
    caller: ForeignCaller<DaemonCall, DaemonReply>,
}

impl ForeignDaemon {
    /// A daemon called `name` whose calls go through `caller`.
    pub fn new(name: impl Into<String>, caller: ForeignCaller<DaemonCall, DaemonReply>) -> Self {
        ForeignDaemon {
            name: name.into(),
            requirements: CapabilityFilter::default(),
            required: CapabilitySet::new(),
            optional: CapabilitySet::new(),
            caller,
        }
    }

    /// With a placement filter.
    pub fn with_requirements(mut self, filter: CapabilityFilter) -> Self {
        self.requirements = filter;
        self
    }

    /// With required capability tags.
    pub fn with_required_capabilities(mut self, caps: CapabilitySet) -> Self {
        self.required = caps;
        self
    }

    /// With optional capability tags.
    pub fn with_optional_capabilities(mut self, caps: CapabilitySet) -> Self {
        self.optional = caps;
        self
    }

    fn unexpected(reply: &DaemonReply) -> ComputeDaemonError {
        ComputeDaemonError::Callback(format!("unexpected reply {reply:?}"))
    }
}

impl MeshDaemon for ForeignDaemon {
    fn name(&self) -> &str {
        &self.name
    }

    fn requirements(&self) -> CapabilityFilter {
        self.requirements.clone()
    }

    fn process(&mut self, event: &CausalEvent) -> Result<Vec<Bytes>, ComputeDaemonError> {
        match self.caller.call(DaemonCall::Process(event.clone()))? {
            DaemonReply::Processed(r) => r.map_err(ComputeDaemonError::Callback),
            other => Err(Self::unexpected(&other)),
        }
    }

    fn process_batch(&mut self, events: &[CausalEvent]) -> (Vec<Vec<Bytes>>, Option<ComputeDaemonError>) {
        match self.caller.call(DaemonCall::ProcessBatch(events.to_vec())) {
            Ok(DaemonReply::ProcessedBatch(outputs, failure)) => {
                let complete = failure.is_some() || outputs.len() == events.len();
                if outputs.len() > events.len() || !complete {
                    let why = format!("a batch of {} events answered with {} outputs", events.len(), outputs.len());
                    return (Vec::new(), Some(ComputeDaemonError::Callback(why)));
                }
                (outputs, failure.map(ComputeDaemonError::Callback))
            }
            Ok(other) => (Vec::new(), Some(Self::unexpected(&other))),
            Err(e) => (Vec::new(), Some(e)),
        }
    }

    fn snapshot(&self) -> Option<Bytes> {
        self.try_snapshot().ok().flatten()
    }

    fn try_snapshot(&self) -> Result<Option<Bytes>, ComputeDaemonError> {
        match self.caller.call(DaemonCall::Snapshot)? {
            DaemonReply::Snapshot(r) => r.map_err(ComputeDaemonError::Callback),
            other => Err(Self::unexpected(&other)),
        }
    }

    fn restore(&mut self, state: Bytes) -> Result<(), ComputeDaemonError> {
        match self.caller.call(DaemonCall::Restore(state))? {
            DaemonReply::Restored(r) => r.map_err(ComputeDaemonError::Restore),
            other => Err(Self::unexpected(&other)),
        }
    }

    fn required_capabilities(&self) -> CapabilitySet {
        self.required.clone()
    }

    fn optional_capabilities(&self) -> CapabilitySet {
        self.optional.clone()
    }

    fn configure(&mut self, config: &DaemonHostConfig) {
        self.caller = self.caller.clone().with_timeout(config.callback_timeout());
    }

    fn serving_thread(&self) -> Option<ServingThread> {
        Some(self.caller.serving_thread())
    }

    fn health(&self) -> DaemonHealth {
        match self.caller.call(DaemonCall::Health) {
            Ok(DaemonReply::Health(Ok(h))) => h,
            _ => DaemonHealth::Unhealthy,
        }
    }

    fn saturation(&self) -> f32 {
        match self.caller.call(DaemonCall::Saturation) {
            Ok(DaemonReply::Saturation(Ok(s))) => s,
            _ => 0.0,
        }
    }

    fn on_control(&mut self, control: &DaemonControl) {
        // Nothing to report to: the control event is also on the daemon's
        // channel, and a failing callback shows in its health.
        let _ = self.caller.call(DaemonCall::Control(*control));
    }
}
