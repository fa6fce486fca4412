//! Capabilities on a mesh node: the bodies of `MeshNode.announce_capabilities`,
//! `find_nodes`, `find_nodes_scoped`, `find_best_node_scoped`,
//! `capabilities_of`, `capability_stats`, `subnet` and `peer_subnet`
//! (the methods in `mesh_node` call these), and `CapabilityStats`.
//!
//! None of them waits: announcing indexes locally and hands the signed
//! broadcast to the node's task; queries read the local index. So there
//! are no `_async` forms (as for `send`); announcing still releases the
//! GIL around the signature and the socket writes.

use net_sdk::capabilities::CapabilityStats as CoreCapabilityStats;
use net_sdk::mesh::Mesh;
use net_sdk::runtime::runtime;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::blocking::detached;
use crate::capability_json::{caps_arg, filter_arg, mesh_error, scope_arg, to_py};

/// Validate, index locally and broadcast `caps`.
pub(crate) fn announce(py: Python<'_>, mesh: &Mesh, caps: &Bound<'_, PyAny>) -> PyResult<()> {
    let caps = caps_arg(caps)?;
    detached(py, || {
        // The broadcast is handed to tasks of the core's runtime.
        let _runtime = runtime().enter();
        mesh.announce_capabilities_now(caps)
    })
    .map_err(mesh_error)
}

/// The ids matching `filter`, under `scope` when it is given.
pub(crate) fn find(mesh: &Mesh, filter: Option<&Bound<'_, PyAny>>, scope: Option<Option<&Bound<'_, PyAny>>>) -> PyResult<Vec<u64>> {
    let filter = filter_arg(filter)?;
    Ok(match scope {
        None => mesh.find_nodes(&filter),
        Some(scope) => mesh.find_nodes_scoped(&filter, &scope_arg(scope)?.as_filter()),
    })
}

/// The best match under `scope`, or None.
pub(crate) fn find_best(mesh: &Mesh, filter: Option<&Bound<'_, PyAny>>, scope: Option<&Bound<'_, PyAny>>) -> PyResult<Option<u64>> {
    let filter = filter_arg(filter)?;
    Ok(mesh.find_best_node_scoped(&filter, &scope_arg(scope)?.as_filter()))
}

/// What `mesh` knows of `node_id`, as a `NodeCapabilities` dict.
pub(crate) fn capabilities_of(py: Python<'_>, mesh: &Mesh, node_id: u64) -> PyResult<Option<PyObject>> {
    let Some(n) = mesh.capabilities_of(node_id) else { return Ok(None) };
    let d = PyDict::new(py);
    d.set_item("node_id", n.node_id)?;
    d.set_item("entity_id", PyBytes::new(py, n.entity_id.as_bytes()))?;
    d.set_item("version", n.version)?;
    d.set_item("hops", n.hops)?;
    d.set_item("capabilities", to_py(py, &n.capabilities)?)?;
    d.set_item("subnet", to_py(py, &n.subnet)?)?;
    d.set_item("scope", to_py(py, &n.scope)?)?;
    Ok(Some(d.into_any().unbind()))
}

/// The subnet of `node_id` as `mesh` derives it (`{"levels": [...]}`).
pub(crate) fn peer_subnet(py: Python<'_>, mesh: &Mesh, node_id: u64) -> PyResult<Option<PyObject>> {
    mesh.peer_subnet(node_id).map(|s| to_py(py, &s)).transpose()
}

/// TEST HOOK: raw bytes on the capability stream to `peer`, as a
/// (possibly malicious) forwarder would send them.
pub(crate) fn send_bytes(mesh: &Mesh, peer: u64, data: &[u8]) -> PyResult<()> {
    let _runtime = runtime().enter();
    mesh.send_capability_bytes(peer, data.to_vec()).map_err(mesh_error)
}

/// A node's announcement counters; from `MeshNode.capability_stats()`.
#[pyclass(frozen, get_all, module = "net_sdk._native")]
pub struct CapabilityStats {
    /// Announcements received (malformed bytes included).
    received: u64,
    /// Accepted: new or newer, verified.
    accepted: u64,
    /// Exact duplicates dropped (diamonds, relays).
    duplicates: u64,
    /// Bytes that did not decode, or of an unsupported version.
    rejected_malformed: u64,
    /// Bad signatures: tampered or forged.
    rejected_signature: u64,
    /// Signed by a key that does not derive the claimed origin: forged.
    rejected_origin: u64,
    /// Replays of older versions.
    rejected_stale: u64,
    /// Over the hop limit.
    rejected_hops: u64,
    /// Entries evicted when their TTL ran out.
    evicted: u64,
    /// Broadcasts of this node's own capabilities.
    broadcasts: u64,
    /// Messages sent forwarding others' announcements.
    forwarded: u64,
    /// Nodes in the index now (this node included once it announced).
    entries: u64,
    /// Every rejection together.
    rejected: u64,
}

impl From<CoreCapabilityStats> for CapabilityStats {
    fn from(s: CoreCapabilityStats) -> Self {
        Self {
            received: s.received,
            accepted: s.accepted,
            duplicates: s.duplicates,
            rejected_malformed: s.rejected_malformed,
            rejected_signature: s.rejected_signature,
            rejected_origin: s.rejected_origin,
            rejected_stale: s.rejected_stale,
            rejected_hops: s.rejected_hops,
            evicted: s.evicted,
            broadcasts: s.broadcasts,
            forwarded: s.forwarded,
            entries: s.entries,
            rejected: s.rejected(),
        }
    }
}

#[pymethods]
impl CapabilityStats {
    fn __repr__(&self) -> String {
        format!(
            "CapabilityStats(received={}, accepted={}, duplicates={}, rejected_malformed={}, rejected_signature={}, \
             rejected_origin={}, rejected_stale={}, rejected_hops={}, evicted={}, broadcasts={}, forwarded={}, entries={})",
            self.received,
            self.accepted,
            self.duplicates,
            self.rejected_malformed,
            self.rejected_signature,
            self.rejected_origin,
            self.rejected_stale,
            self.rejected_hops,
            self.evicted,
            self.broadcasts,
            self.forwarded,
            self.entries
        )
    }
}
