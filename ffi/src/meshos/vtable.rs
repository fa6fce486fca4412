//! The C daemon: `NetMeshOsDaemonVtable`'s function pointers behind the
//! core's `MeshDaemon` trait, and the emit contexts its `process` /
//! `snapshot` callbacks write their outputs through (copied at once).
//!
//! What a callback returns is checked, never trusted: a non-zero status is
//! a typed error; an emit with a NULL pointer and a non-zero length fails
//! the call it belongs to; a `health` outside the three constants counts as
//! unhealthy; a `saturation` that is NaN or out of `[0, 1]` is clamped by
//! the supervisor.

use std::ffi::{c_int, c_void};

use bytes::Bytes;
use net_sdk::capabilities::{CapabilityFilter, CapabilitySet};
use net_sdk::compute::{CausalEvent, DaemonControl, DaemonError, DaemonHealth, MeshDaemon};

use super::wire::control_to_wire;

/// `health` says: healthy.
pub const NET_MESHOS_HEALTH_HEALTHY: c_int = 0;
/// `health` says: degraded.
pub const NET_MESHOS_HEALTH_DEGRADED: c_int = 1;
/// `health` says: unhealthy (so does any other value).
pub const NET_MESHOS_HEALTH_UNHEALTHY: c_int = 2;

/// `process`: returns 0 on success.
pub type ProcessFn = unsafe extern "C" fn(
    user_ctx: *mut c_void,
    emit_ctx: *mut NetMeshOsProcessEmitCtx,
    origin_hash: u64,
    sequence: u64,
    payload_ptr: *const u8,
    payload_len: usize,
) -> c_int;

/// The seed's vtable, field for field.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct NetMeshOsDaemonVtable {
    pub process: Option<
        unsafe extern "C" fn(
            user_ctx: *mut c_void,
            emit_ctx: *mut NetMeshOsProcessEmitCtx,
            origin_hash: u64,
            sequence: u64,
            payload_ptr: *const u8,
            payload_len: usize,
        ) -> c_int,
    >,
    pub snapshot: Option<unsafe extern "C" fn(user_ctx: *mut c_void, emit_ctx: *mut NetMeshOsSnapshotEmitCtx)>,
    pub restore: Option<unsafe extern "C" fn(user_ctx: *mut c_void, payload_ptr: *const u8, payload_len: usize) -> c_int>,
    pub on_control: Option<unsafe extern "C" fn(user_ctx: *mut c_void, kind: c_int, grace_period_ms: u64, level: f32)>,
    pub health: Option<unsafe extern "C" fn(user_ctx: *mut c_void) -> c_int>,
    pub saturation: Option<unsafe extern "C" fn(user_ctx: *mut c_void) -> f32>,
}

/// Where a `process` callback's outputs go.
pub struct NetMeshOsProcessEmitCtx {
    outputs: Vec<Bytes>,
    bad_emit: bool,
}

/// Where a `snapshot` callback's state goes.
pub struct NetMeshOsSnapshotEmitCtx {
    state: Option<Bytes>,
    bad_emit: bool,
}

/// Copy `(ptr, len)`; `None` for a NULL pointer with a non-zero length.
fn copy_emitted(ptr: *const u8, len: usize) -> Option<Bytes> {
    if len == 0 {
        return Some(Bytes::new());
    }
    if ptr.is_null() {
        return None;
    }
    // SAFETY: the callback hands a buffer of `len` readable bytes (contract).
    Some(Bytes::copy_from_slice(unsafe { std::slice::from_raw_parts(ptr, len) }))
}

/// Emit one output of `process`; the bytes are copied before it returns.
#[no_mangle]
pub extern "C" fn net_meshos_process_emit(ctx: *mut NetMeshOsProcessEmitCtx, payload_ptr: *const u8, payload_len: usize) {
    // SAFETY: NULL or the context handed to the running `process` callback.
    let Some(ctx) = (unsafe { ctx.as_mut() }) else { return };
    match copy_emitted(payload_ptr, payload_len) {
        Some(b) => ctx.outputs.push(b),
        None => ctx.bad_emit = true,
    }
}

/// Emit the snapshot; only the first emit of a callback counts.
#[no_mangle]
pub extern "C" fn net_meshos_snapshot_emit(ctx: *mut NetMeshOsSnapshotEmitCtx, payload_ptr: *const u8, payload_len: usize) {
    // SAFETY: NULL or the context handed to the running `snapshot` callback.
    let Some(ctx) = (unsafe { ctx.as_mut() }) else { return };
    if ctx.state.is_some() || ctx.bad_emit {
        return;
    }
    match copy_emitted(payload_ptr, payload_len) {
        Some(b) => ctx.state = Some(b),
        None => ctx.bad_emit = true,
    }
}

/// A daemon whose behaviour is C callbacks. `process` is required (checked
/// at registration); a NULL `processs` never reaches here.
pub(crate) struct VtableDaemon {
    name: String,
    vtable: NetMeshOsDaemonVtable,
    process: ProcessFn,
    user_ctx: *mut c_void,
    required: CapabilitySet,
    optional: CapabilitySet,
}

// SAFETY: the header makes the consumer responsible for the thread-safety
// of `user_ctx` and its callbacks ("callbacks fire from worker threads").
unsafe impl Send for VtableDaemon {}
// SAFETY: as above; the runtime calls one method at a time per daemon.
unsafe impl Sync for VtableDaemon {}

impl VtableDaemon {
    pub(crate) fn new(name: String, vtable: NetMeshOsDaemonVtable, process: ProcessFn, user_ctx: *mut c_void) -> Self {
        VtableDaemon { name, vtable, process, user_ctx, required: CapabilitySet::new(), optional: CapabilitySet::new() }
    }

    /// With the capability tags it needs (refused at registration when the
    /// node lacks one) and prefers.
    pub(crate) fn with_capabilities(mut self, required: CapabilitySet, optional: CapabilitySet) -> Self {
        self.required = required;
        self.optional = optional;
        self
    }
}

impl MeshDaemon for VtableDaemon {
    fn name(&self) -> &str {
        &self.name
    }

    fn requirements(&self) -> CapabilityFilter {
        CapabilityFilter::default()
    }

    fn process(&mut self, event: &CausalEvent) -> Result<Vec<Bytes>, DaemonError> {
        let mut ctx = NetMeshOsProcessEmitCtx { outputs: Vec::new(), bad_emit: false };
        let payload = &event.payload;
        // SAFETY: a function pointer the consumer registered; the context
        // lives for the call.
        let rc = unsafe {
            (self.process)(self.user_ctx, &mut ctx, event.origin_hash(), event.sequence(), payload.as_ptr(), payload.len())
        };
        if ctx.bad_emit {
            return Err(DaemonError::Callback("process emitted a NULL buffer with a non-zero length".into()));
        }
        if rc != 0 {
            return Err(DaemonError::process(format!("process callback returned {rc}")));
        }
        Ok(ctx.outputs)
    }

    fn snapshot(&self) -> Option<Bytes> {
        self.try_snapshot().ok().flatten()
    }

    fn try_snapshot(&self) -> Result<Option<Bytes>, DaemonError> {
        let Some(f) = self.vtable.snapshot else { return Ok(None) };
        let mut ctx = NetMeshOsSnapshotEmitCtx { state: None, bad_emit: false };
        // SAFETY: as for `process`.
        unsafe { f(self.user_ctx, &mut ctx) };
        if ctx.bad_emit {
            return Err(DaemonError::Callback("snapshot emitted a NULL buffer with a non-zero length".into()));
        }
        Ok(ctx.state)
    }

    fn restore(&mut self, state: Bytes) -> Result<(), DaemonError> {
        let Some(f) = self.vtable.restore else { return Ok(()) };
        // SAFETY: as for `process`; `state` outlives the call.
        let rc = unsafe { f(self.user_ctx, state.as_ptr(), state.len()) };
        if rc != 0 {
            return Err(DaemonError::Restore(format!("restore callback returned {rc}")));
        }
        Ok(())
    }

    fn on_control(&mut self, control: &DaemonControl) {
        if let Some(f) = self.vtable.on_control {
            let wire = control_to_wire(control);
            // SAFETY: as for `process`.
            unsafe { f(self.user_ctx, wire.kind, wire.grace_period_ms, wire.level) };
        }
    }

    fn health(&self) -> DaemonHealth {
        let Some(f) = self.vtable.health else { return DaemonHealth::Healthy };
        // SAFETY: as for `process`.
        match unsafe { f(self.user_ctx) } {
            NET_MESHOS_HEALTH_HEALTHY => DaemonHealth::Healthy,
            NET_MESHOS_HEALTH_DEGRADED => DaemonHealth::Degraded,
            _ => DaemonHealth::Unhealthy,
        }
    }

    fn saturation(&self) -> f32 {
        let Some(f) = self.vtable.saturation else { return 0.0 };
        // SAFETY: as for `process`.
        unsafe { f(self.user_ctx) }
    }

    fn required_capabilities(&self) -> CapabilitySet {
        self.required.clone()
    }

    fn optional_capabilities(&self) -> CapabilitySet {
        self.optional.clone()
    }
}

/// The lifecycle-only daemon of `net_meshos_register_daemon`: it takes
/// every event and emits nothing.
pub(crate) struct LifecycleDaemon {
    pub(crate) name: String,
}

impl MeshDaemon for LifecycleDaemon {
    fn name(&self) -> &str {
        &self.name
    }

    fn requirements(&self) -> CapabilityFilter {
        CapabilityFilter::default()
    }

    fn process(&mut self, _event: &CausalEvent) -> Result<Vec<Bytes>, DaemonError> {
        Ok(Vec::new())
    }
}
