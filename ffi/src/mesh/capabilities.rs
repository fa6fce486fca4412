//! Capability announcements and discovery on a mesh node:
//! `net_mesh_announce_capabilities`, `net_mesh_find_nodes[_scoped]`,
//! `net_mesh_find_best_node_scoped`, `net_mesh_capabilities_of`,
//! `net_mesh_capability_stats`, and the test hook
//! `net_mesh_send_capability_bytes`.

use std::ffi::{c_char, c_int};

use net_sdk::capabilities::{CapabilityError, CapabilityFilter, ScopeFilterSpec};
use serde::Serialize;

use super::node::{mesh_error, with_mesh, NetMesh};
use crate::capabilities::{caps_arg, out_string};
use crate::status::FfiError;
use crate::{args, guard};

/// Capability counters of a mesh node.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct NetCapabilityStats {
    /// Announcements received (including malformed bytes).
    pub received: u64,
    /// Accepted (new or newer, verified).
    pub accepted: u64,
    /// Exact duplicates dropped.
    pub duplicates: u64,
    /// Undecodable bytes.
    pub rejected_malformed: u64,
    /// Bad signatures (tampered or forged).
    pub rejected_signature: u64,
    /// Signer does not derive the claimed origin (forged).
    pub rejected_origin: u64,
    /// Replayed older versions.
    pub rejected_stale: u64,
    /// Over the hop limit.
    pub rejected_hops: u64,
    /// Entries evicted by TTL.
    pub evicted: u64,
    /// Broadcasts of this node's own capabilities.
    pub broadcasts: u64,
    /// Messages sent forwarding others' announcements.
    pub forwarded: u64,
    /// Nodes in the index now.
    pub entries: u64,
}

fn filter_arg(ptr: *const c_char, len: usize) -> Result<CapabilityFilter, FfiError> {
    let text = args::text(ptr, len, "filter_json")?;
    Ok(CapabilityFilter::from_json(text)?)
}

fn scope_arg(ptr: *const c_char, len: usize) -> Result<ScopeFilterSpec, FfiError> {
    let text = args::text(ptr, len, "scope_json")?;
    serde_json::from_str(text).map_err(|e| CapabilityError::Json(format!("scope: {e}")).into())
}

/// Copy `ids` into `(out, out_cap)` (as many as fit) and return how many
/// there are in all: a caller whose buffer was too small calls again.
fn write_ids(ids: &[u64], out: *mut u64, out_cap: usize) -> Result<usize, FfiError> {
    let n = ids.len().min(out_cap);
    if n > 0 {
        if out.is_null() {
            return Err(FfiError::null("out"));
        }
        // SAFETY: non-NULL `out` has room for `out_cap` >= n ids.
        unsafe { std::ptr::copy_nonoverlapping(ids.as_ptr(), out, n) };
    }
    Ok(ids.len())
}

/// Announce this node's capabilities (JSON: `{"tags": [...], "metadata":
/// {...}}` and/or the typed sections `hardware`, `software`, `models`).
/// Validated first (`NET_ERR_CAPABILITY`, kind `invalid_capabilities` with
/// the schema errors in the message); indexed locally at once; broadcast
/// signed to every connected peer (coalesced within the node's
/// `min_announce_interval_ms`). Never blocks on the network.
#[no_mangle]
pub extern "C" fn net_mesh_announce_capabilities(mesh: *mut NetMesh, caps_json: *const c_char, caps_len: usize) -> c_int {
    guard::status(|| {
        let caps = caps_arg(caps_json, caps_len, "caps_json")?;
        with_mesh(mesh, |m| {
            let _context = net_sdk::runtime::runtime().enter();
            m.announce_capabilities_now(caps).map_err(sdk_error)
        })
    })
}

fn sdk_error(e: net_sdk::SdkError) -> FfiError {
    match e {
        net_sdk::SdkError::Capability(c) => c.into(),
        other => mesh_error(other),
    }
}

/// Nodes whose capabilities match `filter_json` (`{"require_gpu": true,
/// "gpu_vendor": "nvidia", "min_vram_mb": 40000, "min_memory_gb", "min_cpu_cores",
/// "min_cpu_threads", "require_tags": [...], "model", "min_context_length",
/// "os", "predicate": {...}}`, every key optional), this node included on
/// a self-match, sorted. Writes up to `out_cap` ids to `out` and returns
/// how many match in all (call again with a larger buffer if that is
/// more than `out_cap`). No scope filtering.
#[no_mangle]
pub extern "C" fn net_mesh_find_nodes(
    mesh: *const NetMesh,
    filter_json: *const c_char,
    filter_len: usize,
    out: *mut u64,
    out_cap: usize,
) -> c_int {
    guard::count(|| {
        let filter = filter_arg(filter_json, filter_len)?;
        let ids = with_mesh(mesh, |m| Ok(m.find_nodes(&filter)))?;
        write_ids(&ids, out, out_cap)
    })
}

/// `net_mesh_find_nodes` with a scope filter (`scope_json`:
/// `{"kind": "any" | "globalOnly" | "sameSubnet"}`, `{"kind": "tenant",
/// "tenant": "..."}`, `{"kind": "tenants", "tenants": [...]}`,
/// `{"kind": "region", "region": "..."}`, `{"kind": "regions", "regions": [...]}`).
#[no_mangle]
pub extern "C" fn net_mesh_find_nodes_scoped(
    mesh: *const NetMesh,
    filter_json: *const c_char,
    filter_len: usize,
    scope_json: *const c_char,
    scope_len: usize,
    out: *mut u64,
    out_cap: usize,
) -> c_int {
    guard::count(|| {
        let filter = filter_arg(filter_json, filter_len)?;
        let scope = scope_arg(scope_json, scope_len)?;
        let ids = with_mesh(mesh, |m| Ok(m.find_nodes_scoped(&filter, &scope.as_filter())))?;
        write_ids(&ids, out, out_cap)
    })
}

/// The best match under a scope (most GPU memory, then memory, then CPU
/// threads, then fewest hops, then lowest id) in `*out`. Returns 1 when
/// one was found, 0 when none matches.
#[no_mangle]
pub extern "C" fn net_mesh_find_best_node_scoped(
    mesh: *const NetMesh,
    filter_json: *const c_char,
    filter_len: usize,
    scope_json: *const c_char,
    scope_len: usize,
    out: *mut u64,
) -> c_int {
    guard::count(|| {
        let filter = filter_arg(filter_json, filter_len)?;
        let scope = scope_arg(scope_json, scope_len)?;
        let slot = args::out(out, "out")?;
        match with_mesh(mesh, |m| Ok(m.find_best_node_scoped(&filter, &scope.as_filter())))? {
            Some(id) => {
                *slot = id;
                Ok(1)
            }
            None => Ok(0),
        }
    })
}

#[derive(Serialize)]
struct NodeJson {
    node_id: String,
    entity_id: String,
    version: String,
    hops: u8,
    capabilities: net_sdk::capabilities::CapabilitySet,
    subnet: net_sdk::subnets::SubnetId,
    scope: net_sdk::capabilities::CapabilityScope,
}

/// What this node knows of `node_id` (itself included): `*out_json`
/// receives `{"node_id": "<decimal>", "entity_id": "<hex>", "version":
/// "<decimal>", "hops", "capabilities": {...}, "subnet": {"levels": [...]},
/// "scope": {"kind": ...}}`, released with `net_free_string`. Returns 1
/// when known, 0 (and `*out_json` NULL) when not.
#[no_mangle]
pub extern "C" fn net_mesh_capabilities_of(mesh: *const NetMesh, node_id: u64, out_json: *mut *mut c_char) -> c_int {
    guard::count(|| {
        let slot = args::out(out_json, "out_json")?;
        *slot = std::ptr::null_mut();
        let Some(n) = with_mesh(mesh, |m| Ok(m.capabilities_of(node_id)))? else { return Ok(0) };
        let json = NodeJson {
            node_id: n.node_id.to_string(),
            entity_id: n.entity_id.to_string(),
            version: n.version.to_string(),
            hops: n.hops,
            capabilities: n.capabilities,
            subnet: n.subnet,
            scope: n.scope,
        };
        out_string(out_json, &serde_json::to_string(&json).expect("serializes"))?;
        Ok(1)
    })
}

/// Write the node's capability counters to `*out`.
#[no_mangle]
pub extern "C" fn net_mesh_capability_stats(mesh: *const NetMesh, out: *mut NetCapabilityStats) -> c_int {
    guard::status(|| {
        let out = args::out(out, "out")?;
        let s = with_mesh(mesh, |m| Ok(m.capability_stats()))?;
        *out = NetCapabilityStats {
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
        };
        Ok(())
    })
}

/// TEST HOOK: send raw bytes on the capability stream to `peer`, as a
/// (possibly malicious) forwarder would, so a test can check that the
/// peer refuses and counts forged, tampered, replayed and malformed
/// announcements. Not for applications.
#[no_mangle]
pub extern "C" fn net_mesh_send_capability_bytes(mesh: *mut NetMesh, peer: u64, bytes: *const u8, len: usize) -> c_int {
    guard::status(|| {
        let raw = args::bytes(bytes, len, "bytes")?.to_vec();
        with_mesh(mesh, |m| {
            let _context = net_sdk::runtime::runtime().enter();
            m.send_capability_bytes(peer, raw).map_err(sdk_error)
        })
    })
}
