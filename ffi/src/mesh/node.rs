//! Mesh nodes: `net_mesh_new`, keys and ids, `net_mesh_start`, counters,
//! shutdown and `net_mesh_free`. Handshakes are in `handshake`, peers and
//! their liveness in `peers`.

use std::ffi::{c_char, c_int};
use std::net::SocketAddr;

use net_sdk::mesh::Mesh;
use net_sdk::runtime::{block_on, runtime};

use crate::identity::NetIdentity;
use crate::registry::Registry;
use crate::status::{FfiError, NetStatus};
use crate::{args, guard};

/// A mesh node (opaque). Created by `net_mesh_new`, released by
/// `net_mesh_free`.
pub struct NetMesh {
    pub(crate) mesh: Mesh,
}

pub(crate) static MESHES: Registry<NetMesh> = Registry::new();

/// Size of a mesh public key (the static x25519 key a peer dials).
pub const NET_MESH_PUBLIC_KEY_LEN: usize = 32;

/// Room for any `"ip:port"` the mesh reports, NUL included (the longest,
/// a scoped IPv6 address with a port, is 64 characters).
pub const NET_MESH_ADDR_LEN: usize = 72;

/// Node-wide counters of a mesh.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct NetMeshStats {
    /// Datagrams received (any kind).
    pub datagrams_received: u64,
    /// Datagrams handed to the socket.
    pub datagrams_sent: u64,
    /// Packets that failed authentication and were dropped.
    pub tampered: u64,
    /// Authentic packets refused as replays.
    pub replayed: u64,
    /// Datagrams that were not packets, or for no known session.
    pub malformed: u64,
    /// Handshakes that produced a session.
    pub handshakes_completed: u64,
    /// Handshakes refused or failed.
    pub handshakes_failed: u64,
    /// Sessions whose peer has not confirmed yet.
    pub pending_handshakes: u64,
    /// Live sessions.
    pub sessions: u64,
    /// Panics the receive task caught and survived (each lost one
    /// datagram or one batch of acks).
    pub receive_panics: u64,
    /// Panics the timer task caught and survived (each lost one sweep).
    pub maintenance_panics: u64,
    /// Datagrams the socket refused because its send buffer was full
    /// (reliable packets among them are retransmitted).
    pub datagrams_refused: u64,
}

pub(crate) fn mesh_error(e: net_sdk::SdkError) -> FfiError {
    FfiError::from_sdk(e, NetStatus::NET_ERR_UNKNOWN)
}

/// Run a short call on a live mesh.
pub(crate) fn with_mesh<R>(mesh: *const NetMesh, f: impl FnOnce(&Mesh) -> Result<R, FfiError>) -> Result<R, FfiError> {
    MESHES.with(mesh.cast_mut(), "mesh", |node| f(&node.mesh))?
}

/// Create a mesh node from a JSON configuration (NUL-terminated):
/// `{"bind_addr": "127.0.0.1:0", "psk": "<64 hex digits>"}` plus the
/// optional `handshake_timeout_ms`, `heartbeat_interval_ms`,
/// `suspect_after_ms`, `dead_after_ms` and `max_datagram`.
///
/// `identity` names the node and keys its handshakes; it is copied, so the
/// caller still owns and frees it. NULL generates a fresh identity.
///
/// The socket is bound and handshakes can be answered as soon as this
/// returns. Returns a handle owned by the caller, released with
/// `net_mesh_free`, or NULL on failure (kinds `invalid_json`,
/// `invalid_config`, `io` when the address cannot be bound).
#[no_mangle]
pub extern "C" fn net_mesh_new(config_json: *const c_char, identity: *const NetIdentity) -> *mut NetMesh {
    guard::pointer(|| {
        let text = args::optional_cstr(config_json, "config_json")?.ok_or_else(|| FfiError::null("config_json"))?;
        // SAFETY: NULL or a live identity from this library.
        let identity = unsafe { identity.as_ref() }.map(|id| id.identity.clone());
        let builder = super::config::builder_from_json(text, identity)?;
        let mesh = block_on(builder.build()).map_err(|e| FfiError::from_sdk(e, NetStatus::NET_ERR_INIT_FAILED))?;
        MESHES.insert(NetMesh { mesh })
    })
}

/// Write the node's 64-bit id (derived from its identity) to `*out`.
#[no_mangle]
pub extern "C" fn net_mesh_node_id(mesh: *const NetMesh, out: *mut u64) -> c_int {
    guard::status(|| {
        let out = args::out(out, "out")?;
        *out = with_mesh(mesh, |m| Ok(m.node_id()))?;
        Ok(())
    })
}

/// Copy the node's 32-byte public key — what a peer passes to
/// `net_mesh_connect` — into `out` (`out_len` >= 32).
#[no_mangle]
pub extern "C" fn net_mesh_public_key(mesh: *const NetMesh, out: *mut u8, out_len: usize) -> c_int {
    guard::status(|| {
        let key = with_mesh(mesh, |m| Ok(m.public_key()))?;
        args::write_bytes(&key, out, out_len, "out")
    })
}

/// Copy the node's 32-byte entity id (ed25519 public key) into `out`.
#[no_mangle]
pub extern "C" fn net_mesh_entity_id(mesh: *const NetMesh, out: *mut u8, out_len: usize) -> c_int {
    guard::status(|| {
        let entity = with_mesh(mesh, |m| Ok(*m.entity_id().as_bytes()))?;
        args::write_bytes(&entity, out, out_len, "out")
    })
}

/// Write the bound address as NUL-terminated `"ip:port"` into `out`
/// (useful after binding port 0). Returns the length without the NUL, or
/// `NET_ERR_BUFFER_TOO_SMALL`.
#[no_mangle]
pub extern "C" fn net_mesh_local_addr(mesh: *const NetMesh, out: *mut c_char, out_len: usize) -> c_int {
    guard::count(|| {
        let addr = with_mesh(mesh, |m| Ok(m.local_addr()))?;
        write_addr(addr, out, out_len, "out")
    })
}

/// Write `addr` as NUL-terminated `"ip:port"` into `(out, out_len)`;
/// the length without the NUL.
pub(crate) fn write_addr(addr: SocketAddr, out: *mut c_char, out_len: usize, what: &str) -> Result<usize, FfiError> {
    let mut text = addr.to_string().into_bytes();
    let written = text.len();
    text.push(0);
    args::write_bytes(&text, out.cast(), out_len, what)?;
    Ok(written)
}

/// Start heartbeats, failure detection and retransmission. Calling it
/// again does nothing.
#[no_mangle]
pub extern "C" fn net_mesh_start(mesh: *mut NetMesh) -> c_int {
    guard::status(|| {
        with_mesh(mesh, |m| {
            // The mesh's timers are tasks on the shared runtime.
            let _context = runtime().enter();
            m.start().map_err(mesh_error)
        })
    })
}

/// Write the node's counters to `*out`.
#[no_mangle]
pub extern "C" fn net_mesh_stats(mesh: *const NetMesh, out: *mut NetMeshStats) -> c_int {
    guard::status(|| {
        let out = args::out(out, "out")?;
        let s = with_mesh(mesh, |m| Ok(m.stats()))?;
        *out = NetMeshStats {
            datagrams_received: s.datagrams_received,
            datagrams_sent: s.datagrams_sent,
            tampered: s.tampered,
            replayed: s.replayed,
            malformed: s.malformed,
            handshakes_completed: s.handshakes_completed,
            handshakes_failed: s.handshakes_failed,
            pending_handshakes: s.pending_handshakes,
            sessions: s.sessions,
            receive_panics: s.receive_panics,
            maintenance_panics: s.maintenance_panics,
            datagrams_refused: s.datagrams_refused,
        };
        Ok(())
    })
}

/// Tell every peer this node is leaving, close its sessions and stop its
/// tasks. The handle stays valid until `net_mesh_free`; other calls on it
/// fail with `NET_ERR_SHUTTING_DOWN`. Calling it twice is fine.
#[no_mangle]
pub extern "C" fn net_mesh_shutdown(mesh: *mut NetMesh) -> c_int {
    guard::status(|| {
        let node = MESHES.get(mesh, "mesh")?;
        let mesh = node.mesh.clone();
        block_on(async move { mesh.shutdown().await }).map_err(mesh_error)
    })
}

/// Shut the node down (as `net_mesh_shutdown`) and release the handle.
/// NULL is a no-op; a handle that was already freed is reported as kind
/// `invalid_handle` without touching memory. Stream handles opened on this
/// node stay valid until their own `net_mesh_stream_free`.
#[no_mangle]
pub extern "C" fn net_mesh_free(mesh: *mut NetMesh) {
    guard::guarded(
        |_| (),
        || {
            if mesh.is_null() {
                return Ok(());
            }
            let node = MESHES.remove(mesh, "mesh")?;
            let mesh = node.mesh.clone();
            block_on(async move { mesh.shutdown().await }).map_err(mesh_error)
        },
    )
}
