//! `NetMeshOsDaemonControl`, the control event's C form, and the
//! conversions both ways (the `kind` numbers are the seed's and stable
//! across faces).

use std::ffi::c_int;
use std::time::Duration;

use net_sdk::compute::DaemonControl;

pub const NET_MESHOS_CONTROL_NONE: c_int = 0;
pub const NET_MESHOS_CONTROL_SHUTDOWN: c_int = 1;
pub const NET_MESHOS_CONTROL_DRAIN_START: c_int = 2;
pub const NET_MESHOS_CONTROL_DRAIN_FINISH: c_int = 3;
pub const NET_MESHOS_CONTROL_BACKPRESSURE_ON: c_int = 4;
pub const NET_MESHOS_CONTROL_BACKPRESSURE_OFF: c_int = 5;
pub const NET_MESHOS_CONTROL_UNKNOWN: c_int = 99;

/// A control event as C sees it.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NetMeshOsDaemonControl {
    pub kind: c_int,
    pub grace_period_ms: u64,
    pub level: f32,
}

impl NetMeshOsDaemonControl {
    pub(crate) const NONE: NetMeshOsDaemonControl =
        NetMeshOsDaemonControl { kind: NET_MESHOS_CONTROL_NONE, grace_period_ms: 0, level: 0.0 };
}

pub(crate) fn control_to_wire(c: &DaemonControl) -> NetMeshOsDaemonControl {
    let ms = |d: &Duration| d.as_millis().min(u128::from(u64::MAX)) as u64;
    let (kind, grace_period_ms, level) = match c {
        DaemonControl::Shutdown { grace_period } => (NET_MESHOS_CONTROL_SHUTDOWN, ms(grace_period), 0.0),
        DaemonControl::DrainStart { grace_period } => (NET_MESHOS_CONTROL_DRAIN_START, ms(grace_period), 0.0),
        DaemonControl::DrainFinish => (NET_MESHOS_CONTROL_DRAIN_FINISH, 0, 0.0),
        DaemonControl::BackpressureOn { level } => (NET_MESHOS_CONTROL_BACKPRESSURE_ON, 0, *level),
        DaemonControl::BackpressureOff => (NET_MESHOS_CONTROL_BACKPRESSURE_OFF, 0, 0.0),
        DaemonControl::Unknown => (NET_MESHOS_CONTROL_UNKNOWN, 0, 0.0),
    };
    NetMeshOsDaemonControl { kind, grace_period_ms, level }
}

/// The control event `kind` names; `None` for `NONE`. A kind this build
/// does not know becomes `Unknown` (forward compatible), a level outside
/// `[0, 1]` is refused by the caller.
pub(crate) fn control_from_wire(kind: c_int, grace_period_ms: u64, level: f32) -> Option<DaemonControl> {
    let grace_period = Duration::from_millis(grace_period_ms);
    Some(match kind {
        NET_MESHOS_CONTROL_NONE => return None,
        NET_MESHOS_CONTROL_SHUTDOWN => DaemonControl::Shutdown { grace_period },
        NET_MESHOS_CONTROL_DRAIN_START => DaemonControl::DrainStart { grace_period },
        NET_MESHOS_CONTROL_DRAIN_FINISH => DaemonControl::DrainFinish,
        NET_MESHOS_CONTROL_BACKPRESSURE_ON => DaemonControl::BackpressureOn { level },
        NET_MESHOS_CONTROL_BACKPRESSURE_OFF => DaemonControl::BackpressureOff,
        _ => DaemonControl::Unknown,
    })
}
