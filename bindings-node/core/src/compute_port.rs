//! `DaemonPort`: the JS side of one daemon's foreign-call channel.
//!
//! The daemon's Rust half is the core's `ForeignDaemon`: every `process`,
//! `snapshot` and `restore` is a call through the core bridge, waited for
//! at most the daemon's `callbackTimeoutMs`. Queuing a call fires a
//! thread-safe function that runs the port's `wake` on the JS thread;
//! `wake` drains the queue with `next()` and answers each call with
//! `processed` / `snapshotted` / `restored` / `failed`. The JS thread is
//! the bridge's serving thread, so a call made from it is refused
//! (`reentrant-call`) instead of waiting on itself, and a callback that
//! keeps the thread busy past the bound is a `callback-timeout`.
//!
//! Two things keep a run of calls cheap: a call queued while JS is
//! already receiving fires no wake (`armed`), and while a batch delivery
//! is in flight `next()` waits a moment for the batch's next call instead
//! of returning to the event loop between every two events.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use napi::bindgen_prelude::Buffer;
use napi::threadsafe_function::{ErrorStrategy, ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, JsFunction};
use napi_derive::napi;
use net_sdk::compute::{foreign_channel, DaemonCall, DaemonHealth, DaemonReply, ForeignCall, ForeignDaemon, ForeignServer};

use crate::capabilities::caps_of;
use crate::compute_config::JsCausalEvent;
use crate::compute_packed::{pack_events, unpack_outputs, JsPackedEvents, JsPackedOutputs};
use crate::meshos_types::JsDaemonControl;
use crate::error::{invalid, napi_failure, Result};

/// How long `next()` waits for a batch's next call before it lets the
/// event loop run (a later call then wakes JS as usual).
const LINGER: Duration = Duration::from_millis(1);

/// What a port shares with the runtime and with the daemon's calls.
#[derive(Default)]
pub(crate) struct PortShared {
    /// JS is inside one of this daemon's callbacks now.
    pub busy: AtomicBool,
    /// JS is receiving (or a wake is queued): a new call needs no wake.
    armed: AtomicBool,
    /// Batch deliveries to this daemon in flight.
    pub batches: AtomicUsize,
}

/// One call waiting for its answer, as `next()` hands it to JS.
#[napi(object)]
pub struct JsDaemonCall {
    /// `"process"`, `"snapshot"`, `"restore"`, or one of the MeshOS
    /// supervisor's: `"control"`, `"health"`, `"saturation"`.
    pub op: String,
    /// The event, for `process`.
    pub event: Option<JsCausalEvent>,
    /// The state to take back, for `restore`.
    pub state: Option<Buffer>,
    /// The control event, for `control`.
    pub control: Option<JsDaemonControl>,
    /// The events, packed, for `processBatch` (process each in order,
    /// stop at the first that throws, answer with `processedBatch`).
    pub batch: Option<JsPackedEvents>,
}

/// The JS end of one daemon: built before its spawn, used by one spawn.
#[napi]
pub struct DaemonPort {
    server: ForeignServer<DaemonCall, DaemonReply>,
    /// The daemon's Rust half, until a spawn takes it.
    daemon: Option<ForeignDaemon>,
    /// The call handed out by `next()` and not answered yet.
    current: Option<ForeignCall<DaemonCall, DaemonReply>>,
    shared: Arc<PortShared>,
}

impl DaemonPort {
    /// The daemon's Rust half, once (`invalid_argument` for a used port).
    pub(crate) fn take_daemon(&mut self) -> Result<ForeignDaemon> {
        self.daemon.take().ok_or_else(|| invalid("this DaemonPort was already used by a spawn"))
    }

    /// The state the runtime reads (`busy`, to refuse a delivery made from
    /// inside the daemon's own callback) and writes (`batches`).
    pub(crate) fn shared(&self) -> Arc<PortShared> {
        self.shared.clone()
    }

    /// The next queued call; while a batch is in flight, waiting up to
    /// [`LINGER`] for it.
    fn receive(&self) -> Option<ForeignCall<DaemonCall, DaemonReply>> {
        self.shared.armed.store(true, Ordering::SeqCst);
        if let Some(call) = self.server.try_recv() {
            return Some(call);
        }
        let deadline = Instant::now() + LINGER;
        while self.shared.batches.load(Ordering::SeqCst) > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            if let Some(call) = self.server.recv_timeout(left.min(Duration::from_micros(200))) {
                return Some(call);
            }
        }
        self.shared.armed.store(false, Ordering::SeqCst);
        // A call queued between the last look and the store above saw
        // `armed` set and fired no wake: look once more.
        let call = self.server.try_recv()?;
        self.shared.armed.store(true, Ordering::SeqCst);
        Some(call)
    }

    /// Answer the current call; `false` when its caller stopped waiting.
    fn answer(&mut self, reply: impl FnOnce(&DaemonCall) -> Result<DaemonReply>) -> Result<bool> {
        let call = self.current.take().ok_or_else(|| invalid("no daemon call is waiting for an answer"))?;
        let resp = match reply(&call.request) {
            Ok(r) => r,
            Err(e) => {
                // Answered wrongly (a snapshot's bytes for a process
                // call): the call stays current for a proper answer.
                self.current = Some(call);
                return Err(e);
            }
        };
        self.shared.busy.store(false, Ordering::Release);
        Ok(call.reply(resp))
    }
}

fn wrong(op: &str) -> crate::error::Error {
    invalid(format!("the waiting daemon call is not a {op} call"))
}

#[napi]
impl DaemonPort {
    /// A port for a daemon called `name`. `wake` runs on the JS thread each
    /// time a call is queued. `requiredCapabilities` / `optionalCapabilities`
    /// are capability-set JSON (the required tags are checked at spawn).
    #[napi(constructor)]
    pub fn new(
        env: Env,
        name: String,
        wake: JsFunction,
        required_capabilities: Option<String>,
        optional_capabilities: Option<String>,
    ) -> Result<Self> {
        let required = required_capabilities.as_deref().map(caps_of).transpose()?;
        let optional = optional_capabilities.as_deref().map(caps_of).transpose()?;
        let mut wake: ThreadsafeFunction<(), ErrorStrategy::Fatal> =
            wake.create_threadsafe_function(0, |_| Ok(Vec::<bool>::new())).map_err(napi_failure)?;
        // A port alone must not keep the process alive; a pending deliver
        // does (its Promise), and that is when wakes matter.
        wake.unref(&env).map_err(napi_failure)?;
        // The bound is the daemon's callbackTimeoutMs, set at spawn.
        let (caller, server) = foreign_channel(Duration::from_secs(60));
        server.bind_current_thread();
        let shared = Arc::new(PortShared::default());
        let armed = shared.clone();
        let caller = caller.with_notify(move || {
            if !armed.armed.swap(true, Ordering::SeqCst) {
                wake.call((), ThreadsafeFunctionCallMode::NonBlocking);
            }
        });
        let mut daemon = ForeignDaemon::new(name, caller);
        if let Some(caps) = required {
            daemon = daemon.with_required_capabilities(caps);
        }
        if let Some(caps) = optional {
            daemon = daemon.with_optional_capabilities(caps);
        }
        Ok(DaemonPort { server, daemon: Some(daemon), current: None, shared })
    }

    /// The next queued call, or `null` when none waits. `wake` must call
    /// it until it returns `null` (no wake comes for a call queued while
    /// JS is receiving). A call handed out before and never answered is
    /// dropped (its caller gets `callback-dropped`).
    #[napi]
    pub fn next(&mut self) -> Option<JsDaemonCall> {
        self.current = None;
        self.shared.busy.store(false, Ordering::Release);
        let call = self.receive()?;
        let op = |op: &str| JsDaemonCall { op: op.into(), event: None, state: None, control: None, batch: None };
        let js = match &call.request {
            DaemonCall::Process(e) => JsDaemonCall { event: Some(JsCausalEvent::from_core(e)), ..op("process") },
            DaemonCall::ProcessBatch(es) => JsDaemonCall { batch: Some(pack_events(es)), ..op("processBatch") },
            DaemonCall::Snapshot => op("snapshot"),
            DaemonCall::Restore(s) => JsDaemonCall { state: Some(s.to_vec().into()), ..op("restore") },
            DaemonCall::Control(c) => JsDaemonCall { control: Some(JsDaemonControl::from_core(c)), ..op("control") },
            DaemonCall::Health => op("health"),
            DaemonCall::Saturation => op("saturation"),
        };
        self.shared.busy.store(true, Ordering::Release);
        self.current = Some(call);
        Some(js)
    }

    /// Answer the waiting `process` call with its outputs. `false` when the
    /// caller had stopped waiting (it timed out): the answer is dropped.
    #[napi]
    pub fn processed(&mut self, outputs: Vec<Buffer>) -> Result<bool> {
        self.answer(|c| match c {
            DaemonCall::Process(_) => {
                Ok(DaemonReply::Processed(Ok(outputs.iter().map(|b| Bytes::copy_from_slice(b)).collect())))
            }
            _ => Err(wrong("process")),
        })
    }

    /// Answer the waiting `processBatch` call: the outputs of each event
    /// processed, in order, and the message of the throw that stopped the
    /// batch, if one did.
    #[napi]
    pub fn processed_batch(&mut self, outputs: JsPackedOutputs, error: Option<String>) -> Result<bool> {
        let outputs = unpack_outputs(&outputs)?;
        self.answer(|c| match c {
            DaemonCall::ProcessBatch(_) => Ok(DaemonReply::ProcessedBatch(outputs, error)),
            _ => Err(wrong("processBatch")),
        })
    }

    /// Answer the waiting `snapshot` call (`null`: stateless).
    #[napi]
    pub fn snapshotted(&mut self, state: Option<Buffer>) -> Result<bool> {
        self.answer(|c| match c {
            DaemonCall::Snapshot => Ok(DaemonReply::Snapshot(Ok(state.map(|s| Bytes::copy_from_slice(&s))))),
            _ => Err(wrong("snapshot")),
        })
    }

    /// Answer the waiting `restore` call: the state was taken.
    #[napi]
    pub fn restored(&mut self) -> Result<bool> {
        self.answer(|c| match c {
            DaemonCall::Restore(_) => Ok(DaemonReply::Restored(Ok(()))),
            _ => Err(wrong("restore")),
        })
    }

    /// Answer the waiting `control` call: `onControl` returned.
    #[napi]
    pub fn controlled(&mut self) -> Result<bool> {
        self.answer(|c| match c {
            DaemonCall::Control(_) => Ok(DaemonReply::Controlled(Ok(()))),
            _ => Err(wrong("control")),
        })
    }

    /// Answer the waiting `health` call: `"healthy"`, `"degraded"` or
    /// `"unhealthy"` (anything else is refused).
    #[napi]
    pub fn health_answered(&mut self, health: String) -> Result<bool> {
        let h = match health.as_str() {
            "healthy" => DaemonHealth::Healthy,
            "degraded" => DaemonHealth::Degraded,
            "unhealthy" => DaemonHealth::Unhealthy,
            other => return Err(invalid(format!("health must be healthy, degraded or unhealthy, got {other:?}"))),
        };
        self.answer(|c| match c {
            DaemonCall::Health => Ok(DaemonReply::Health(Ok(h))),
            _ => Err(wrong("health")),
        })
    }

    /// Answer the waiting `saturation` call with a value in `[0, 1]`.
    #[napi]
    pub fn saturation_answered(&mut self, saturation: f64) -> Result<bool> {
        self.answer(|c| match c {
            DaemonCall::Saturation => Ok(DaemonReply::Saturation(Ok(saturation as f32))),
            _ => Err(wrong("saturation")),
        })
    }

    /// Answer the waiting call, whatever it is, with a failure (the
    /// callback threw `message`).
    #[napi]
    pub fn failed(&mut self, message: String) -> Result<bool> {
        self.answer(|c| {
            Ok(match c {
                DaemonCall::Process(_) => DaemonReply::Processed(Err(message)),
                DaemonCall::ProcessBatch(_) => DaemonReply::ProcessedBatch(Vec::new(), Some(message)),
                DaemonCall::Snapshot => DaemonReply::Snapshot(Err(message)),
                DaemonCall::Restore(_) => DaemonReply::Restored(Err(message)),
                DaemonCall::Control(_) => DaemonReply::Controlled(Err(message)),
                DaemonCall::Health => DaemonReply::Health(Err(message)),
                DaemonCall::Saturation => DaemonReply::Saturation(Err(message)),
            })
        })
    }
}
