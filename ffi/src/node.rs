//! Node lifecycle: `net_init`, `net_shutdown`, `net_num_shards`,
//! `net_flush`, `net_version`.

use std::ffi::{c_char, c_int};

use net_sdk::runtime::block_on;
use net_sdk::Net;

use crate::registry::Registry;
use crate::status::{FfiError, NetStatus};
use crate::{args, guard};

/// An event-bus node (opaque). Created by `net_init`, released by
/// `net_shutdown`.
pub struct NetNode {
    pub(crate) net: Net,
}

/// Handle to a node, as returned by `net_init`.
#[allow(non_camel_case_types)]
pub type net_handle_t = *mut NetNode;

pub(crate) static NODES: Registry<NetNode> = Registry::new();

/// Run an async operation of `node` on the shared runtime and wait for it
/// (for calls that may block: flush, poll, shutdown). Generic failures get
/// the status `context`.
pub(crate) fn block_on_net<R, Fut>(node: &NetNode, context: NetStatus, op: impl FnOnce(Net) -> Fut) -> Result<R, FfiError>
where
    Fut: std::future::Future<Output = net_sdk::Result<R>> + Send + 'static,
    R: Send + 'static,
{
    block_on(op(node.net.clone())).map_err(|e| FfiError::from_sdk(e, context))
}

/// Run a short call on a live node.
pub(crate) fn with_net<R>(handle: net_handle_t, f: impl FnOnce(&Net) -> Result<R, FfiError>) -> Result<R, FfiError> {
    NODES.with(handle, "handle", |node| f(&node.net))?
}

/// The library version, a static NUL-terminated string; do not free.
#[no_mangle]
pub extern "C" fn net_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// Create a node from a JSON configuration (NUL-terminated; NULL or ""
/// for the defaults: 4 shards, in-memory backend).
///
/// Keys: `num_shards`, `ring_capacity` (alias `ring_buffer_capacity`),
/// `backpressure` (alias `backpressure_mode`: `"block"`, the default: an
/// ingest into a full ring waits for room and fails with
/// `NET_ERR_BACKPRESSURE` only after `block_timeout_ms`, default 1000, > 0;
/// `"drop_oldest"`: evicts the oldest queued events, reported in the
/// receipt's `evicted`; `"drop_newest"`: discards the new event, `dropped`
/// in its receipt; `"fail_producer"`: `NET_ERR_BACKPRESSURE` at once),
/// `block_timeout_ms`, `shard_strategy` (`"hash"`, `"round_robin"`),
/// `retention`, `batch` `{max_size, max_delay_ms}`. Every discarded event
/// is counted in the stats' `events_dropped`.
///
/// `transport` runs the bus over an encrypted mesh link instead of in
/// memory: `{"type": "mesh", "bind": "ip:port", "psk": "<64 hex>"}` plus,
/// on the side that dials, `"peer": "ip:port"` and `"peer_public_key":
/// "<64 hex>"` (the other side's `net_identity_mesh_public_key`).
/// Optional: `"identity_seed"` (64 hex; fixes this node's key),
/// `"peer_node_id"` (pins the peer), `"handshake_timeout_ms"` (default
/// 10000). The call returns once the handshake is done: the side without
/// `peer` waits that long for its peer. Handshake failures keep their
/// kinds (`wrong_psk`, `identity_mismatch`, `timeout`). A `"redis"` or
/// `"jetstream"` transport connects to its server first: an unreachable
/// server fails with kind `backend` (or `timeout`), refused credentials
/// with `auth_failed`, a corrupt `producer_nonce_path` file with
/// `corrupt_nonce`; messages name the URL without its password.
///
/// Returns a handle owned by the caller, released with `net_shutdown`, or
/// NULL on failure (see `net_last_error_message()`; kinds `invalid_json`,
/// `invalid_config`, `invalid_utf8`).
#[no_mangle]
pub extern "C" fn net_init(config_json: *const c_char) -> net_handle_t {
    guard::pointer(|| {
        let text = args::optional_cstr(config_json, "config_json")?.unwrap_or("");
        let builder = crate::config::builder_from_json(text)?;
        let net = block_on(builder.build()).map_err(|e| FfiError::from_sdk(e, NetStatus::NET_ERR_INIT_FAILED))?;
        NODES.insert(NetNode { net: net.clone() }).inspect_err(|_| {
            // No handle to give out: stop the node rather than leak it running.
            let _ = block_on(async move { net.shutdown().await });
        })
    })
}

/// Drain every pending event into the backend, stop the node and release
/// the handle. The handle is invalid afterwards; calling this again with it
/// fails with `NET_ERR_NULL_POINTER` (kind `invalid_handle`) without
/// touching memory. NULL fails with kind `null_parameter`.
#[no_mangle]
pub extern "C" fn net_shutdown(handle: net_handle_t) -> c_int {
    guard::status(|| {
        let node = NODES.remove(handle, "handle")?;
        block_on_net(&node, NetStatus::NET_ERR_UNKNOWN, |net| async move { net.shutdown().await })
    })
}

/// Number of shards of the node, or 0 for a NULL or dead handle.
#[no_mangle]
pub extern "C" fn net_num_shards(handle: net_handle_t) -> u16 {
    guard::guarded(|_| 0, || with_net(handle, |net| Ok(net.shards())))
}

/// Block until every event ingested before this call is visible to poll.
#[no_mangle]
pub extern "C" fn net_flush(handle: net_handle_t) -> c_int {
    guard::status(|| {
        let node = NODES.get(handle, "handle")?;
        block_on_net(&node, NetStatus::NET_ERR_UNKNOWN, |net| async move { net.flush().await })
    })
}
