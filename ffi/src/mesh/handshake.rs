//! Handshakes: `net_mesh_connect` / `net_mesh_accept` and their
//! cancellable forms `net_mesh_connect_ex` / `net_mesh_accept_ex`.

use std::ffi::{c_char, c_int};
use std::time::Duration;

use net_sdk::runtime::block_on;

use super::node::{mesh_error, write_addr, NetMesh, MESHES, NET_MESH_ADDR_LEN};
use crate::cancel::{or_cancelled, token, NetCancel};
use crate::status::FfiError;
use crate::{args, guard};

/// A timeout argument: 0 means the mesh's configured handshake timeout.
fn timeout(ms: u32) -> Option<Duration> {
    (ms != 0).then(|| Duration::from_millis(u64::from(ms)))
}

/// Handshake with the peer at `addr` (`addr_len` bytes, `"ip:port"`)
/// whose public key is `peer_public_key` (32 bytes) and whose node id is
/// `peer_node_id`. Blocks until the session is up, the peer refuses, or
/// `timeout_ms` passes (0: the configured handshake timeout).
///
/// The peer must be in `net_mesh_accept` (or already started) for the
/// reply to come: run the two calls concurrently. Fails with
/// `NET_ERR_HANDSHAKE` (kinds `wrong_psk`, `unknown_static_key`,
/// `identity_mismatch`, `handshake_refused`), `NET_ERR_TIMEOUT`, or
/// `NET_ERR_SHUTTING_DOWN`; a failure leaves no session behind.
#[no_mangle]
pub extern "C" fn net_mesh_connect(
    mesh: *mut NetMesh,
    addr: *const c_char,
    addr_len: usize,
    peer_public_key: *const u8,
    key_len: usize,
    peer_node_id: u64,
    timeout_ms: u32,
) -> c_int {
    net_mesh_connect_ex(mesh, addr, addr_len, peer_public_key, key_len, peer_node_id, timeout_ms, std::ptr::null())
}

/// `net_mesh_connect` that also returns `NET_ERR_CANCELLED` (kind
/// `cancelled`) as soon as `cancel` is triggered; `cancel` may be NULL.
/// A cancelled dial stops retransmitting its hello; a session the peer
/// was about to confirm may still come up afterwards (check
/// `net_mesh_peer_state`).
#[no_mangle]
#[allow(clippy::too_many_arguments)] // net_mesh_connect's arguments plus the token
pub extern "C" fn net_mesh_connect_ex(
    mesh: *mut NetMesh,
    addr: *const c_char,
    addr_len: usize,
    peer_public_key: *const u8,
    key_len: usize,
    peer_node_id: u64,
    timeout_ms: u32,
    cancel: *const NetCancel,
) -> c_int {
    guard::status(|| {
        let addr = args::text(addr, addr_len, "addr")?.to_owned();
        let key = args::bytes(peer_public_key, key_len, "peer_public_key")?.to_vec();
        let cancel = token(cancel)?;
        let mesh = MESHES.get(mesh, "mesh")?.mesh.clone();
        block_on(or_cancelled(cancel, "connect", async move {
            let dial = match timeout(timeout_ms) {
                Some(t) => mesh.connect_with_timeout(addr, &key, peer_node_id, t).await,
                None => mesh.connect(addr, &key, peer_node_id).await,
            };
            dial.map_err(mesh_error)
        }))
    })
}

/// Wait for the peer `peer_node_id` to complete a handshake with this node
/// (the other half of `net_mesh_connect`), for at most `timeout_ms`
/// (0: the configured handshake timeout). Fails with `NET_ERR_TIMEOUT`,
/// `NET_ERR_HANDSHAKE` or `NET_ERR_SHUTTING_DOWN`.
#[no_mangle]
pub extern "C" fn net_mesh_accept(mesh: *mut NetMesh, peer_node_id: u64, timeout_ms: u32) -> c_int {
    match net_mesh_accept_ex(mesh, peer_node_id, timeout_ms, std::ptr::null(), std::ptr::null_mut(), 0) {
        n if n < 0 => n,
        _ => 0,
    }
}

/// `net_mesh_accept` that also returns `NET_ERR_CANCELLED` (kind
/// `cancelled`) as soon as `cancel` is triggered (`cancel` may be NULL),
/// and reports where the peer's packets come from: unless `addr_out` is
/// NULL, the peer's `"ip:port"` is written there NUL-terminated, and
/// `addr_out_len` must then be at least `NET_MESH_ADDR_LEN` (checked
/// before waiting, so a short buffer never costs an accepted session).
/// Returns the address length (0 when `addr_out` is NULL) or a negative
/// code.
#[no_mangle]
pub extern "C" fn net_mesh_accept_ex(
    mesh: *mut NetMesh,
    peer_node_id: u64,
    timeout_ms: u32,
    cancel: *const NetCancel,
    addr_out: *mut c_char,
    addr_out_len: usize,
) -> c_int {
    guard::count(|| {
        if !addr_out.is_null() && addr_out_len < NET_MESH_ADDR_LEN {
            return Err(FfiError::buffer_too_small("addr_out", NET_MESH_ADDR_LEN, addr_out_len));
        }
        let cancel = token(cancel)?;
        let mesh = MESHES.get(mesh, "mesh")?.mesh.clone();
        let addr = block_on(or_cancelled(cancel, "accept", async move {
            let accepted = match timeout(timeout_ms) {
                Some(t) => mesh.accept_with_timeout(peer_node_id, t).await,
                None => mesh.accept(peer_node_id).await,
            };
            accepted.map_err(mesh_error)
        }))?;
        if addr_out.is_null() {
            return Ok(0);
        }
        write_addr(addr, addr_out, addr_out_len, "addr_out")
    })
}
