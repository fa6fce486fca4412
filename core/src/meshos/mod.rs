//! MeshOS: the daemon-side supervision SDK (`net_sdk::meshos`).
//!
//! A [`MeshOsDaemonSdk`] hosts daemons ([`MeshDaemon`]) in a compute
//! [`DaemonRuntime`] and gives each a [`MeshOsDaemonHandle`]:
//!
//! - **control events** ([`DaemonControl`]: `Shutdown`, `DrainStart`,
//!   `DrainFinish`, `BackpressureOn { level }`, `BackpressureOff`), routed by
//!   the SDK's supervisor thread to the daemon's `on_control` and its
//!   bounded channel (`next_control`, `try_next_control`). Delivery is at
//!   most once: an event for a full channel is dropped and counted
//!   ([`MeshOsDaemonSdk::dropped_control_events`]). The supervisor samples
//!   each daemon's `health` / `saturation` every tick and turns saturation
//!   into backpressure events itself;
//! - **logs** at five [`LogLevel`]s into a bounded ring the host drains;
//! - **metadata** ([`MetadataView`]): node, daemon, health, peers;
//! - **capabilities**: tags a daemon publishes are committed to the node's
//!   signed capability announcement, so peers find the node by them;
//! - **graceful shutdown** with a grace period.
//!
//! Events reach a daemon through the runtime ([`MeshOsDaemonSdk::runtime`]
//! then `deliver(daemon_id, &event)`), which also snapshots and restores it.
//!
//! An SDK starts on a [`MeshOsDispatcher`], the node it runs on: a
//! [`Mesh`](crate::mesh::Mesh) or a [`LocalDispatcher`]. [`run_daemon`] (and
//! [`daemon_main!`](crate::daemon_main)) runs one daemon's whole lifecycle.
//!
//! The SDK is daemon-side only: operator actions (drain, cordon, placement)
//! are not here. [`MeshOsDaemonSdk::route_control`] is the supervisor's
//! entry, for the host that embeds the SDK and for tests.
//!
//! Every error is a [`MeshOsError`] whose text is the envelope
//! `<<meshos-sdk-kind:KIND>>MSG` shared by every face.
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use bytes::Bytes;
//! use net_sdk::meshos::*;
//!
//! struct Echo;
//! impl MeshDaemon for Echo {
//!     fn name(&self) -> &str { "echo" }
//!     fn requirements(&self) -> CapabilityFilter { CapabilityFilter::default() }
//!     fn process(&mut self, e: &CausalEvent) -> Result<Vec<Bytes>, DaemonError> {
//!         Ok(vec![e.payload.clone()])
//!     }
//! }
//!
//! let sdk = MeshOsDaemonSdk::start(MeshOsConfig::default(), Arc::new(LocalDispatcher::new()));
//! let handle = sdk.register_daemon(Box::new(Echo), EntityKeypair::generate()).unwrap();
//! let out = sdk.runtime()
//!     .deliver_payloads(handle.daemon_id(), &CausalEvent::new(1, 1, Bytes::from_static(b"hi")))
//!     .unwrap();
//! assert_eq!(out, vec![Bytes::from_static(b"hi")]);
//!
//! sdk.route_control(handle.daemon_id(), DaemonControl::DrainFinish).unwrap();
//! assert_eq!(handle.next_control_blocking(Some(Duration::from_secs(5))), Some(DaemonControl::DrainFinish));
//! handle.publish_log(LogLevel::Info, "drained").unwrap();
//! assert_eq!(sdk.drain_logs()[0].message, "drained");
//! handle.graceful_shutdown_blocking(Duration::from_millis(1)).unwrap();
//! sdk.shutdown_now().unwrap();
//! ```

mod config;
mod daemon_main;
mod dispatcher;
mod error;
mod handle;
mod log;
mod metadata;
mod queue;
mod sdk;
mod spin;
mod supervisor;

pub use config::{
    MeshOsConfig, DEFAULT_ACTION_QUEUE_CAPACITY, DEFAULT_CONTROL_CAPACITY, DEFAULT_EVENT_QUEUE_CAPACITY,
    DEFAULT_GRACEFUL_SHUTDOWN, DEFAULT_TICK_INTERVAL,
};
pub use daemon_main::{run_daemon, supervise, SIGNAL_SHUTDOWN_GRACE};
pub use dispatcher::{ControlRouter, LocalDispatcher, MeshOsDispatcher};
pub use error::{MeshOsError, MeshOsErrorKind};
pub use handle::MeshOsDaemonHandle;
pub use log::{LogLevel, LogRecord};
pub use metadata::{MaintenanceState, MetadataView, PeerView};
pub use sdk::MeshOsDaemonSdk;
pub use supervisor::{BACKPRESSURE_OFF, BACKPRESSURE_ON};

pub use crate::capabilities::{CapabilityFilter, CapabilitySet};
pub use crate::compute::{
    CausalEvent, DaemonControl, DaemonError, DaemonHealth, DaemonHostConfig, DaemonRuntime, MeshDaemon,
};
/// The seed's name for a daemon's signing keypair.
pub use crate::identity::Identity as EntityKeypair;
