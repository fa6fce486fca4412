//! [`MeshOsConfig`]: how an SDK runs. Zero in any field picks its default
//! (as the C ABI's `net_meshos_sdk_start` documents).

use std::time::Duration;

/// Settings of a [`MeshOsDaemonSdk`](super::MeshOsDaemonSdk).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeshOsConfig {
    /// The local node id (a mesh SDK uses the mesh's when 0).
    pub this_node: u64,
    /// How often the supervisor samples each daemon's health and
    /// saturation (and turns saturation into backpressure). Default 500 ms.
    pub tick_interval: Duration,
    /// Capacity of the event ring daemons publish into (their log lines);
    /// a full ring refuses with `queue_full`. Default 1024.
    pub event_queue_capacity: usize,
    /// Capacity of the supervisor's action queue (control events waiting
    /// to be routed); a full queue refuses with `queue_full`. Default 1024.
    pub action_queue_capacity: usize,
    /// Capacity of each daemon's control channel; an event routed to a
    /// full channel is dropped and counted. Default 8.
    pub control_capacity: usize,
}

/// Default supervisor tick.
pub const DEFAULT_TICK_INTERVAL: Duration = Duration::from_millis(500);
/// Default event ring capacity.
pub const DEFAULT_EVENT_QUEUE_CAPACITY: usize = 1024;
/// Default action queue capacity.
pub const DEFAULT_ACTION_QUEUE_CAPACITY: usize = 1024;
/// Default per-daemon control channel capacity.
pub const DEFAULT_CONTROL_CAPACITY: usize = 8;
/// The grace period a graceful shutdown uses when given none.
pub const DEFAULT_GRACEFUL_SHUTDOWN: Duration = Duration::from_secs(5);

impl Default for MeshOsConfig {
    fn default() -> Self {
        MeshOsConfig {
            this_node: 0,
            tick_interval: DEFAULT_TICK_INTERVAL,
            event_queue_capacity: DEFAULT_EVENT_QUEUE_CAPACITY,
            action_queue_capacity: DEFAULT_ACTION_QUEUE_CAPACITY,
            control_capacity: DEFAULT_CONTROL_CAPACITY,
        }
    }
}

impl MeshOsConfig {
    /// The same with every zero replaced by its default.
    pub fn with_defaults(mut self) -> Self {
        let d = MeshOsConfig::default();
        if self.tick_interval.is_zero() {
            self.tick_interval = d.tick_interval;
        }
        if self.event_queue_capacity == 0 {
            self.event_queue_capacity = d.event_queue_capacity;
        }
        if self.action_queue_capacity == 0 {
            self.action_queue_capacity = d.action_queue_capacity;
        }
        if self.control_capacity == 0 {
            self.control_capacity = d.control_capacity;
        }
        self
    }
}
