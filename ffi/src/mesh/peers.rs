//! Peers and their liveness: `net_mesh_peer_state`, `net_mesh_peers`.

use std::ffi::{c_char, c_int};

use net_sdk::mesh::PeerState;
use net_sdk::SdkError;

use super::node::{mesh_error, with_mesh, write_addr, NetMesh, NET_MESH_ADDR_LEN};
use crate::identity::NET_ENTITY_ID_LEN;
use crate::status::FfiError;
use crate::{args, guard};

/// Peer liveness as `net_mesh_peer_state` reports it.
pub const NET_MESH_PEER_ALIVE: c_int = 0;
/// Silent for `suspect_after_ms`: sends still go out.
pub const NET_MESH_PEER_SUSPECT: c_int = 1;
/// Silent for `dead_after_ms`, or closed: sends fail with `not_connected`.
pub const NET_MESH_PEER_DEAD: c_int = 2;

/// A peer with a session, as `net_mesh_peers` lists it.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NetMeshPeer {
    /// The peer's node id.
    pub node_id: u64,
    /// The peer's authenticated identity (ed25519 public key).
    pub entity_id: [u8; NET_ENTITY_ID_LEN],
    /// Where its packets come from: NUL-terminated `"ip:port"`.
    pub addr: [c_char; NET_MESH_ADDR_LEN],
    /// `NET_MESH_PEER_ALIVE`, `_SUSPECT` or `_DEAD`.
    pub state: c_int,
}

fn state_code(state: PeerState) -> c_int {
    match state {
        PeerState::Alive => NET_MESH_PEER_ALIVE,
        PeerState::Suspect => NET_MESH_PEER_SUSPECT,
        PeerState::Dead => NET_MESH_PEER_DEAD,
    }
}

/// Write the liveness of `peer_node_id` (`NET_MESH_PEER_ALIVE`,
/// `_SUSPECT` or `_DEAD`) to `*out`. A peer that never completed a
/// handshake fails with `NET_ERR_NOT_CONNECTED`.
#[no_mangle]
pub extern "C" fn net_mesh_peer_state(mesh: *const NetMesh, peer_node_id: u64, out: *mut c_int) -> c_int {
    guard::status(|| {
        let out = args::out(out, "out")?;
        let state = with_mesh(mesh, |m| m.peer_state(peer_node_id).ok_or_else(|| mesh_error(SdkError::NotConnected)))?;
        *out = state_code(state);
        Ok(())
    })
}

/// List every peer with a session (live or dead), by node id, into
/// `out[0..cap]`. Returns how many peers there are — possibly more than
/// `cap`, in which case only the first `cap` were written: call again with
/// a larger array. `out` may be NULL when `cap` is 0 (to count).
#[no_mangle]
pub extern "C" fn net_mesh_peers(mesh: *const NetMesh, out: *mut NetMeshPeer, cap: usize) -> c_int {
    guard::count(|| {
        if out.is_null() && cap != 0 {
            return Err(FfiError::null("out"));
        }
        let peers = with_mesh(mesh, |m| Ok(m.peers()))?;
        for (i, p) in peers.iter().take(cap).enumerate() {
            let mut row = NetMeshPeer {
                node_id: p.node_id,
                entity_id: *p.entity_id.as_bytes(),
                addr: [0; NET_MESH_ADDR_LEN],
                state: state_code(p.state),
            };
            write_addr(p.addr, row.addr.as_mut_ptr(), NET_MESH_ADDR_LEN, "addr")?;
            // SAFETY: the caller promises `cap` writable elements at `out`.
            unsafe { out.add(i).write(row) };
        }
        Ok(peers.len())
    })
}
