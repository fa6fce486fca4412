//! A Python daemon behind the core's foreign-call bridge.
//!
//! Each spawned daemon gets a thread of its own that serves its calls
//! (`process`, `snapshot`, `restore`) and takes the GIL only to run them.
//! The runtime's side (`ForeignDaemon`) waits for each answer at most the
//! daemon's `callback_timeout_ms`, so a callback that stalls becomes a
//! `callback-timeout` error instead of a hang, and a callback that calls
//! into its own daemon is refused by the core as re-entrant (it runs on
//! the serving thread). One thread per daemon keeps a stalled daemon from
//! holding up the others; the thread ends when the daemon is dropped.

use std::time::{Duration, Instant};

use net_sdk::capabilities::CapabilitySet;
use net_sdk::compute::{
    foreign_channel, ComputeDaemonError, DaemonCall, DaemonFactory, DaemonHealth, DaemonHostConfig, DaemonReply,
    ForeignCall, ForeignDaemon, ForeignServer, MeshDaemon,
};
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::capability_json::caps_or_tags;
use crate::compute_control::{health_of, DaemonControl};
use crate::compute_payload::{binary, binary_list};
use crate::compute_records::CausalEvent;
use crate::exit_guard::with_gil_unless_exiting;

/// What a Python exception says, as the core's callback error carries it.
fn describe(py: Python<'_>, err: &PyErr) -> String {
    let name = err.get_type(py).name().map(|n| n.to_string()).unwrap_or_else(|_| "Exception".into());
    format!("{name}: {}", err.value(py))
}

/// The capability tags a daemon declares in attribute `attr` (a set or a
/// list of tags; absent or None: none).
fn declared(daemon: &Bound<'_, PyAny>, attr: &str) -> PyResult<CapabilitySet> {
    match daemon.getattr_opt(attr)? {
        Some(value) if !value.is_none() => Ok(caps_or_tags(&value)?.0),
        _ => Ok(CapabilitySet::new()),
    }
}

/// Host the Python object `daemon`: read what it declares (`name`, else
/// `default_name`; the capability attributes) and start the thread that
/// serves its calls. The bound is replaced by the spawn's
/// `callback_timeout_ms` (`ForeignDaemon::configure`) before the first call.
pub(crate) fn foreign_daemon(daemon: &Bound<'_, PyAny>, default_name: &str) -> PyResult<Box<dyn MeshDaemon>> {
    let py = daemon.py();
    if !daemon.getattr_opt(intern!(py, "process"))?.is_some_and(|p| p.is_callable()) {
        let ty = daemon.get_type().name().map(|n| n.to_string()).unwrap_or_default();
        return Err(PyTypeError::new_err(format!("a daemon needs a process method; {ty} has none")));
    }
    let name = match daemon.getattr_opt(intern!(py, "name"))? {
        Some(n) if !n.is_none() => n.extract::<String>()?,
        _ => default_name.to_owned(),
    };
    let required = declared(daemon, "required_capabilities")?;
    let optional = declared(daemon, "optional_capabilities")?;
    let (caller, server) = foreign_channel(DaemonHostConfig::default().callback_timeout());
    let served = daemon.clone().unbind();
    std::thread::Builder::new()
        .name(format!("net-daemon {name}"))
        .spawn(move || serve(&server, served))
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start the daemon's thread: {e}")))?;
    Ok(Box::new(
        ForeignDaemon::new(name, caller).with_required_capabilities(required).with_optional_capabilities(optional),
    ))
}

/// Builds a Python daemon per spawn with the user's factory (a class or
/// any callable).
pub(crate) struct PyFactory {
    kind: String,
    factory: PyObject,
}

impl PyFactory {
    pub(crate) fn new(kind: &str, factory: PyObject) -> Self {
        Self { kind: kind.to_owned(), factory }
    }
}

impl DaemonFactory for PyFactory {
    /// Runs on the spawning thread, which released the GIL.
    fn create(&self) -> Result<Box<dyn MeshDaemon>, ComputeDaemonError> {
        with_gil_unless_exiting(|py| {
            self.factory.bind(py).call0().and_then(|d| foreign_daemon(&d, &self.kind)).map_err(|e| describe(py, &e))
        })
        .ok_or(ComputeDaemonError::CallbackDropped)?
        .map_err(ComputeDaemonError::Callback)
    }
}

/// How long the serving thread looks for the next call before it parks.
/// Deliveries come in runs (a loop, a batch); a parked thread costs a
/// futex wake-up per call, which dominates a small `process`.
const SPIN: Duration = Duration::from_micros(50);

/// The next call: looked for during `SPIN`, then waited for.
fn next_call(server: &ForeignServer<DaemonCall, DaemonReply>) -> Option<ForeignCall<DaemonCall, DaemonReply>> {
    let until = Instant::now() + SPIN;
    loop {
        if let Some(call) = server.try_recv() {
            return Some(call);
        }
        if Instant::now() >= until {
            return server.recv();
        }
        std::hint::spin_loop();
    }
}

/// The daemon's thread: answer calls until the daemon is dropped.
fn serve(server: &ForeignServer<DaemonCall, DaemonReply>, daemon: PyObject) {
    while let Some(call) = next_call(server) {
        // Once the interpreter exits nobody may enter Python: dropping the
        // call answers the runtime with `callback-dropped`.
        let Some(reply) = with_gil_unless_exiting(|py| answer(daemon.bind(py), &call.request)) else {
            return;
        };
        // `false`: the caller timed out meanwhile; the answer is dropped.
        let _ = call.reply(reply);
    }
    let _ = with_gil_unless_exiting(move |_| drop(daemon));
}

/// Run one call on the Python daemon.
fn answer(daemon: &Bound<'_, PyAny>, request: &DaemonCall) -> DaemonReply {
    let py = daemon.py();
    let failed = |e: PyErr| describe(py, &e);
    match request {
        DaemonCall::Process(event) => DaemonReply::Processed(
            Bound::new(py, CausalEvent { inner: event.clone() })
                .and_then(|ev| daemon.call_method1(intern!(py, "process"), (ev,)))
                .and_then(|out| binary_list(&out, "process's result"))
                .map_err(failed),
        ),
        DaemonCall::ProcessBatch(events) => {
            // One crossing for the batch: each event through `process`
            // under this one hold of the GIL, stopping at the first raise.
            let mut outputs = Vec::with_capacity(events.len());
            for event in events {
                let result = Bound::new(py, CausalEvent { inner: event.clone() })
                    .and_then(|ev| daemon.call_method1(intern!(py, "process"), (ev,)))
                    .and_then(|out| binary_list(&out, "process's result"));
                match result {
                    Ok(out) => outputs.push(out),
                    Err(e) => return DaemonReply::ProcessedBatch(outputs, Some(failed(e))),
                }
            }
            DaemonReply::ProcessedBatch(outputs, None)
        }
        DaemonCall::Snapshot => DaemonReply::Snapshot(
            (|| match daemon.getattr_opt(intern!(py, "snapshot"))? {
                None => Ok(None),
                Some(f) => {
                    let state = f.call0()?;
                    if state.is_none() {
                        return Ok(None);
                    }
                    binary(&state, "snapshot's result").map(Some)
                }
            })()
            .map_err(failed),
        ),
        DaemonCall::Restore(state) => DaemonReply::Restored(
            (|| match daemon.getattr_opt(intern!(py, "restore"))? {
                None => Ok(()),
                Some(f) => f.call1((PyBytes::new(py, state),)).map(drop),
            })()
            .map_err(failed),
        ),
        // The MeshOS supervisor's calls; a daemon without the method
        // answers as the core's defaults do.
        DaemonCall::Control(control) => DaemonReply::Controlled(
            (|| match daemon.getattr_opt(intern!(py, "on_control"))? {
                None => Ok(()),
                Some(f) => f.call1((DaemonControl::from(*control),)).map(drop),
            })()
            .map_err(failed),
        ),
        DaemonCall::Health => DaemonReply::Health(
            (|| match daemon.getattr_opt(intern!(py, "health"))? {
                None => Ok(Ok(DaemonHealth::Healthy)),
                Some(f) => Ok(health_of(&f.call0()?.extract::<String>()?)),
            })()
            .map_err(failed)
            .and_then(|h| h),
        ),
        DaemonCall::Saturation => DaemonReply::Saturation(
            (|| match daemon.getattr_opt(intern!(py, "saturation"))? {
                None => Ok(0.0),
                Some(f) => f.call0()?.extract::<f32>(),
            })()
            .map_err(failed),
        ),
    }
}
