//! [`MetadataView`]: what a daemon may know about where it runs — its node,
//! itself, and the peers the node sees. Read-only by design: a daemon
//! cannot change the cluster's view of itself.

use serde::Serialize;

use crate::compute::DaemonHealth;

/// The node's maintenance state as the daemon sees it. Maintenance
/// transitions are operator actions (a later issue); until they exist a
/// node is always `Active`, and the JSON form already carries the `kind`
/// discriminator the other states will use.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MaintenanceState {
    /// Serving normally.
    Active,
}

/// A peer of the local node.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeerView {
    /// Its node id.
    pub node_id: u64,
    /// Its liveness: "alive", "suspect" or "dead".
    pub health: &'static str,
    /// The capability tags it announces (empty when none reached us).
    pub capability_set: Vec<String>,
}

/// A daemon's view of its surroundings (`metadata()` / the C ABI's JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetadataView {
    /// The local node id.
    pub node_id: u64,
    /// The daemon's id (its origin hash).
    pub daemon_id: u64,
    /// The daemon's name.
    pub daemon_name: String,
    /// What the daemon last said of its health (sampled each tick).
    pub health: DaemonHealth,
    /// Its last sampled saturation, `[0, 1]`.
    pub saturation: f32,
    /// The node's maintenance state.
    pub maintenance_state: MaintenanceState,
    /// The tags this daemon publishes (`publish_capabilities`).
    pub capabilities: Vec<String>,
    /// The node's peers, by node id.
    pub peers: Vec<PeerView>,
}

impl MetadataView {
    /// The JSON form.
    pub fn to_json(&self) -> String {
        // Every field is a plain number, string or list: serialising cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}
