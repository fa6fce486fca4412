//! `net_prometheus_text`: the statistics of a node's bus, a mesh node and
//! each of its streams as Prometheus text, rendered by the core
//! (`net_sdk::metrics`) exactly as every other face renders them.

use std::ffi::{c_char, c_int};

use crate::mesh::{with_mesh, NetMesh};
use crate::node::{with_net, net_handle_t};
use crate::{args, guard, poll};

/// Render the counters of `node` (the bus) and `mesh` (the mesh node and
/// each open stream) as Prometheus text (`prometheus-client`'s encoding,
/// ending in `# EOF`). Either may be NULL to leave that part out; both NULL
/// renders just `# EOF`.
///
/// On success `*out` is a new NUL-terminated string the caller owns and
/// releases with `net_free_string`, and the return value is its length
/// without the NUL; on failure `*out` is left untouched and a negative
/// code is returned (a stale handle: `invalid_handle`).
#[no_mangle]
pub extern "C" fn net_prometheus_text(node: net_handle_t, mesh: *const NetMesh, out: *mut *mut c_char) -> c_int {
    guard::count(|| {
        let out = args::out(out, "out")?;
        let bus = if node.is_null() { None } else { Some(with_net(node, |n| Ok(n.clone()))?) };
        let mesh = if mesh.is_null() { None } else { Some(with_mesh(mesh, |m| Ok(m.clone()))?) };
        let text = net_sdk::metrics::prometheus_text(bus.as_ref(), mesh.as_ref());
        *out = poll::malloc_cstring(&text)?;
        Ok(text.len())
    })
}
