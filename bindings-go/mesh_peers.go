package net

/*
#include "mesh_shim.h"
*/
import "C"

import (
	"fmt"
	"runtime"
)

// PeerState is a peer's liveness, from how long it has been silent.
type PeerState int

const (
	// PeerAlive: heard from within MeshConfig.SuspectAfter.
	PeerAlive PeerState = C.NET_MESH_PEER_ALIVE
	// PeerSuspect: silent for SuspectAfter; sends still go out.
	PeerSuspect PeerState = C.NET_MESH_PEER_SUSPECT
	// PeerDead: silent for DeadAfter, or it left: its session and streams
	// are closed and sends fail with ErrNotConnected until a new handshake.
	PeerDead PeerState = C.NET_MESH_PEER_DEAD
)

// String is "alive", "suspect" or "dead", as in every Net language.
func (s PeerState) String() string {
	switch s {
	case PeerAlive:
		return "alive"
	case PeerSuspect:
		return "suspect"
	case PeerDead:
		return "dead"
	}
	return fmt.Sprintf("PeerState(%d)", int(s))
}

// Peer is a peer with a session, as Peers lists it.
type Peer struct {
	// NodeID is the peer's node id.
	NodeID uint64
	// EntityID is its authenticated identity.
	EntityID EntityID
	// Addr is where its packets come from, "ip:port".
	Addr string
	// State is its liveness.
	State PeerState
}

// PeerState is the liveness of peer; ErrNotConnected if it never
// completed a handshake with this node.
func (n *MeshNode) PeerState(peer uint64) (PeerState, error) {
	h := n.h()
	if h == 0 {
		return 0, closedError("mesh node")
	}
	r := C.netgo_mesh_peer_state(h, C.uint64_t(peer))
	runtime.KeepAlive(n)
	if r.code < 0 {
		return 0, errorOf(r.code, r.err)
	}
	return PeerState(r.state), nil
}

// Peers lists every peer with a session (live or dead), by node id.
func (n *MeshNode) Peers() ([]Peer, error) {
	h := n.h()
	if h == 0 {
		return nil, closedError("mesh node")
	}
	defer runtime.KeepAlive(n)
	rows := make([]C.net_mesh_peer_t, 8)
	for {
		r := C.netgo_mesh_peers(h, &rows[0], C.size_t(len(rows)))
		if r.code < 0 {
			return nil, errorOf(r.code, r.err)
		}
		if int(r.code) > len(rows) {
			// More peers than rows (some connected meanwhile): ask again.
			rows = make([]C.net_mesh_peer_t, 2*int(r.code))
			continue
		}
		peers := make([]Peer, r.code)
		for i := range peers {
			row := &rows[i]
			peers[i] = Peer{NodeID: uint64(row.node_id), Addr: C.GoString(&row.addr[0]), State: PeerState(row.state)}
			for j := range peers[i].EntityID {
				peers[i].EntityID[j] = byte(row.entity_id[j])
			}
		}
		return peers, nil
	}
}
