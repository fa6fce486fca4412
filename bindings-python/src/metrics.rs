//! `prometheus_text`: the bus, mesh and stream counters as Prometheus
//! text, rendered by the core (`net_sdk::metrics`) as every face renders them.

use pyo3::prelude::*;

use crate::blocking::detached;
use crate::mesh_node::MeshNode;
use crate::node::NetNode;

/// The counters of `node`'s bus, of `mesh` and of each of `mesh`'s open
/// streams as Prometheus text (OpenMetrics encoding, ending in `# EOF`).
/// Either may be omitted to leave that part out; a shut-down one raises
/// `ClosedError`.
#[pyfunction]
#[pyo3(signature = (node=None, mesh=None))]
pub fn prometheus_text(py: Python<'_>, node: Option<PyRef<'_, NetNode>>, mesh: Option<PyRef<'_, MeshNode>>) -> PyResult<String> {
    let net = node.as_ref().map(|n| n.live_net().cloned()).transpose()?;
    let mesh = mesh.as_ref().map(|m| m.live_mesh().cloned()).transpose()?;
    Ok(detached(py, || net_sdk::metrics::prometheus_text(net.as_ref(), mesh.as_ref())))
}
