//! The Rust SDK README's `daemon_main!`: a telemetry daemon whose whole
//! lifecycle is one macro. It runs until SIGINT or SIGTERM (Ctrl-C, or
//! `kill`), which reaches it as a `Shutdown` control event, then shuts down
//! gracefully and exits 0.
//!
//! Run: `cargo run --release --example meshos_daemon`, then Ctrl-C.

use std::sync::Arc;

use bytes::Bytes;
use net_sdk::meshos::{
    CapabilityFilter, CausalEvent, DaemonControl, DaemonError, DaemonHealth, EntityKeypair, LocalDispatcher,
    MeshDaemon, MeshOsConfig,
};

struct TelemetryDaemon;

impl MeshDaemon for TelemetryDaemon {
    fn name(&self) -> &str {
        "telemetry"
    }
    fn requirements(&self) -> CapabilityFilter {
        CapabilityFilter::default()
    }
    fn process(&mut self, _event: &CausalEvent) -> Result<Vec<Bytes>, DaemonError> {
        Ok(vec![])
    }
    fn health(&self) -> DaemonHealth {
        DaemonHealth::Healthy
    }
    fn on_control(&mut self, control: &DaemonControl) {
        println!("telemetry: {}", control.variant());
    }
}

net_sdk::daemon_main! {
    daemon: TelemetryDaemon,
    keypair: EntityKeypair::generate(),
    config: MeshOsConfig::default(),
    dispatcher: Arc::new(LocalDispatcher::new()),
}
