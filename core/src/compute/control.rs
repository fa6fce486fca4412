//! What a supervisor tells a daemon ([`DaemonControl`]) and what a daemon
//! tells back about itself ([`DaemonHealth`]). They live beside
//! [`MeshDaemon`](super::MeshDaemon) because its `on_control` / `health`
//! methods speak them; the MeshOS SDK routes them.

use std::time::Duration;

/// A control event routed to a daemon. Delivery is at most once: a daemon
/// whose control channel is full loses the event (the SDK counts it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DaemonControl {
    /// Stop within `grace_period`.
    Shutdown {
        /// How long the daemon has to finish.
        grace_period: Duration,
    },
    /// Stop taking new work; finish what is in flight within `grace_period`.
    DrainStart {
        /// How long the drain may take.
        grace_period: Duration,
    },
    /// The drain is over.
    DrainFinish,
    /// The node is saturated; `level` in `[0, 1]` says how much.
    BackpressureOn {
        /// Saturation, 0 (none) to 1 (full).
        level: f32,
    },
    /// Saturation has passed.
    BackpressureOff,
    /// A variant this build does not know (a newer supervisor): tolerate it.
    Unknown,
}

impl DaemonControl {
    /// The variant's stable name, the same in every face ("Shutdown",
    /// "DrainStart", "DrainFinish", "BackpressureOn", "BackpressureOff",
    /// "Unknown").
    pub fn variant(&self) -> &'static str {
        match self {
            DaemonControl::Shutdown { .. } => "Shutdown",
            DaemonControl::DrainStart { .. } => "DrainStart",
            DaemonControl::DrainFinish => "DrainFinish",
            DaemonControl::BackpressureOn { .. } => "BackpressureOn",
            DaemonControl::BackpressureOff => "BackpressureOff",
            DaemonControl::Unknown => "Unknown",
        }
    }

    /// The grace period a `Shutdown` or `DrainStart` carries.
    pub fn grace_period(&self) -> Option<Duration> {
        match self {
            DaemonControl::Shutdown { grace_period } | DaemonControl::DrainStart { grace_period } => Some(*grace_period),
            _ => None,
        }
    }

    /// The level a `BackpressureOn` carries.
    pub fn level(&self) -> Option<f32> {
        match self {
            DaemonControl::BackpressureOn { level } => Some(*level),
            _ => None,
        }
    }
}

/// How a daemon judges itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DaemonHealth {
    /// Working normally.
    #[default]
    Healthy,
    /// Working, but impaired.
    Degraded,
    /// Not working.
    Unhealthy,
}

impl DaemonHealth {
    /// The stable name ("healthy", "degraded", "unhealthy").
    pub fn as_str(&self) -> &'static str {
        match self {
            DaemonHealth::Healthy => "healthy",
            DaemonHealth::Degraded => "degraded",
            DaemonHealth::Unhealthy => "unhealthy",
        }
    }
}
