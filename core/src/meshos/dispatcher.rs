//! [`MeshOsDispatcher`]: the seam between the SDK and the node it runs on.
//!
//! The SDK decides; the dispatcher carries the decisions out on a node.
//! It names the node, says what the node announces (required capabilities
//! are checked against it at registration), commits the announcement when
//! daemons publish tags, lists the peers metadata shows, and is handed a
//! [`ControlRouter`] through which the node's side (an operator, a signal,
//! a test) sends control events to the daemons.
//!
//! Two dispatchers come with the SDK: [`Mesh`] itself (tags reach peers'
//! `find_nodes`) and [`LocalDispatcher`] (no network; announcements are
//! kept for whoever asks).

use std::sync::{Arc, Weak};

use parking_lot::Mutex;

use super::error::MeshOsError;
use super::metadata::PeerView;
use super::sdk::SdkInner;
use crate::capabilities::CapabilitySet;
use crate::compute::DaemonControl;
#[cfg(feature = "net")]
use super::error::MeshOsErrorKind;
#[cfg(feature = "net")]
use crate::mesh::Mesh;

/// Where an SDK's effects land. Implementations must be cheap to call from
/// any thread: the SDK calls them while registering daemons and while a
/// daemon publishes.
pub trait MeshOsDispatcher: Send + Sync + 'static {
    /// This node's id (an SDK whose config leaves `this_node` 0 uses it).
    fn node_id(&self) -> u64;

    /// What the node announces now.
    fn capabilities(&self) -> CapabilitySet;

    /// Commit `capabilities` as the node's announcement. The SDK passes the
    /// node's own capabilities plus every daemon's published tags, already
    /// validated.
    fn announce(&self, capabilities: CapabilitySet) -> Result<(), MeshOsError>;

    /// The peers a daemon's metadata lists.
    fn peers(&self) -> Vec<PeerView>;

    /// Called once, when an SDK starts on this dispatcher: `router` sends
    /// control events to that SDK's daemons for as long as it runs. The
    /// default keeps nothing (the host routes through the SDK itself).
    fn attach(&self, router: ControlRouter) {
        let _ = router;
    }
}

/// Sends control events to an SDK's daemons without owning the SDK: once
/// the SDK is gone every call reports `loop_closed`.
#[derive(Clone)]
pub struct ControlRouter {
    sdk: Weak<SdkInner>,
}

impl std::fmt::Debug for ControlRouter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ControlRouter").field("live", &(self.sdk.strong_count() > 0)).finish()
    }
}

impl ControlRouter {
    pub(crate) fn new(sdk: Weak<SdkInner>) -> Self {
        ControlRouter { sdk }
    }

    fn sdk(&self) -> Result<Arc<SdkInner>, MeshOsError> {
        self.sdk.upgrade().filter(|s| !s.is_shut()).ok_or_else(MeshOsError::loop_closed)
    }

    /// Route `control` to daemon `daemon_id`, as
    /// [`MeshOsDaemonSdk::route_control`](super::MeshOsDaemonSdk::route_control).
    pub fn route(&self, daemon_id: u64, control: DaemonControl) -> Result<(), MeshOsError> {
        self.sdk()?.route_control(daemon_id, control)
    }

    /// Route `control` to every registered daemon; the first refusal (a
    /// full action queue) is returned after trying them all.
    pub fn broadcast(&self, control: DaemonControl) -> Result<(), MeshOsError> {
        let sdk = self.sdk()?;
        let mut first_error = None;
        for id in sdk.daemon_ids() {
            if let Err(e) = sdk.route_control(id, control) {
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Ids of the daemons registered now (empty once the SDK is gone).
    pub fn daemon_ids(&self) -> Vec<u64> {
        self.sdk().map(|s| s.daemon_ids()).unwrap_or_default()
    }
}

/// A dispatcher for a node without a network: it starts from the
/// capabilities it is given, keeps each announcement the SDK commits (so
/// later registrations see published tags, as on a mesh), and holds the
/// router of the SDK started on it.
#[derive(Debug, Default)]
pub struct LocalDispatcher {
    node_id: u64,
    announced: Mutex<CapabilitySet>,
    router: Mutex<Option<ControlRouter>>,
}

impl LocalDispatcher {
    /// Node 0, announcing nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// A node `node_id` announcing `capabilities` before any daemon
    /// publishes.
    pub fn with_node(node_id: u64, capabilities: CapabilitySet) -> Self {
        LocalDispatcher { node_id, announced: Mutex::new(capabilities), router: Mutex::new(None) }
    }

    /// The router of the SDK started on this dispatcher, once one has.
    pub fn router(&self) -> Option<ControlRouter> {
        self.router.lock().clone()
    }
}

impl MeshOsDispatcher for LocalDispatcher {
    fn node_id(&self) -> u64 {
        self.node_id
    }

    fn capabilities(&self) -> CapabilitySet {
        self.announced.lock().clone()
    }

    fn announce(&self, capabilities: CapabilitySet) -> Result<(), MeshOsError> {
        *self.announced.lock() = capabilities;
        Ok(())
    }

    fn peers(&self) -> Vec<PeerView> {
        Vec::new()
    }

    fn attach(&self, router: ControlRouter) {
        *self.router.lock() = Some(router);
    }
}

/// On a mesh, announcements are signed and broadcast: peers' `find_nodes`
/// sees the tags daemons publish.
#[cfg(feature = "net")]
impl MeshOsDispatcher for Mesh {
    fn node_id(&self) -> u64 {
        Mesh::node_id(self)
    }

    fn capabilities(&self) -> CapabilitySet {
        self.own_capabilities()
    }

    fn announce(&self, capabilities: CapabilitySet) -> Result<(), MeshOsError> {
        // The announcement may start a broadcast task: give callers that
        // are not on a runtime (C, the supervisor thread) the shared one.
        let _context = tokio::runtime::Handle::try_current().is_err().then(|| crate::runtime::runtime().enter());
        self.announce_capabilities_now(capabilities)
            .map_err(|e| MeshOsError::new(MeshOsErrorKind::InvalidArgument, e.to_string()))
    }

    fn peers(&self) -> Vec<PeerView> {
        Mesh::peers(self)
            .into_iter()
            .map(|p| PeerView {
                node_id: p.node_id,
                health: p.state.as_str(),
                capability_set: self
                    .capabilities_of(p.node_id)
                    .map(|n| n.capabilities.tags().iter().map(|t| t.as_str().to_owned()).collect())
                    .unwrap_or_default(),
            })
            .collect()
    }
}
