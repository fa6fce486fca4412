//! `prometheusText(node?, mesh?)`: the bus, mesh and stream counters as
//! Prometheus text, rendered by the core as every face renders them.

use napi::bindgen_prelude::ClassInstance;
use napi_derive::napi;

use crate::mesh::MeshNode;
use crate::node::NetNode;

/// The counters of `node`'s bus, of `mesh` and of each of its open streams
/// as Prometheus text (OpenMetrics encoding, ending in `# EOF`). Either may
/// be null or omitted to leave that part out.
#[napi(ts_args_type = "node?: NetNode | null, mesh?: MeshNode | null")]
pub fn prometheus_text(node: Option<ClassInstance<NetNode>>, mesh: Option<ClassInstance<MeshNode>>) -> String {
    net_sdk::metrics::prometheus_text(node.as_ref().map(|n| n.net()), mesh.as_ref().map(|m| m.mesh()))
}
