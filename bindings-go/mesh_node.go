package net

/*
#include "mesh_shim.h"
*/
import "C"

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

// MeshNode is one node of the encrypted mesh: a UDP socket, Noise
// handshakes with peers that hold the same pre-shared key, and streams of
// messages to each peer. Its methods are safe for concurrent use.
//
//	a, _ := net.NewMeshNode(net.MeshConfig{BindAddr: "127.0.0.1:0", PSK: psk})
//	defer a.Close()
//	// hand a.LocalAddr(), a.PublicKey() and a.NodeID() to the peer;
//	// one side Connects while the other Accepts, then both Start.
//
// Close it when done; an unreachable node never closed is shut down by a
// cleanup, but that is only a safety net.
type MeshNode struct {
	// handle is libnet's net_mesh_t (a number: see shim.h), 0 once Close
	// has started.
	handle  atomic.Uintptr
	once    sync.Once
	err     error
	cleanup runtime.Cleanup
	// closing ends when Close starts: it cancels calls in flight that
	// libnet's shutdown would not end by itself (a dial waits out its
	// handshake timeout otherwise).
	closing context.Context
	close   context.CancelFunc

	nodeID    uint64
	publicKey [C.NET_MESH_PUBLIC_KEY_LEN]byte
	entityID  EntityID
	localAddr string
}

// NewMeshNode binds cfg.BindAddr and starts answering handshakes. Errors:
// ErrInvalidConfig (a missing or bad address, a PSK that is not 32
// bytes, an out-of-range tunable), ErrIO (the address cannot be bound),
// ErrClosed (cfg.Identity was closed).
func NewMeshNode(cfg MeshConfig) (*MeshNode, error) {
	text, err := cfg.json()
	if err != nil {
		return nil, err
	}
	ctext := C.CString(text)
	defer C.free(unsafe.Pointer(ctext))
	var r C.netgo_mesh
	if cfg.Identity == nil {
		r = C.netgo_mesh_new(ctext, nil)
	} else if err := cfg.Identity.with(func(id *C.net_identity_t) error {
		// libnet copies the identity; the read lock keeps it alive meanwhile.
		r = C.netgo_mesh_new(ctext, id)
		return nil
	}); err != nil {
		return nil, err
	}
	if r.handle == 0 {
		return nil, errorOf(-1, r.err)
	}
	n := &MeshNode{nodeID: uint64(r.node_id), localAddr: C.GoString(&r.addr[0])}
	for i := range n.publicKey {
		n.publicKey[i] = byte(r.public_key[i])
		n.entityID[i] = byte(r.entity_id[i])
	}
	n.closing, n.close = context.WithCancel(context.Background())
	n.handle.Store(uintptr(r.handle))
	n.cleanup = runtime.AddCleanup(n, func(h C.uintptr_t) { C.netgo_mesh_free(h) }, r.handle)
	return n, nil
}

// h is the live handle, or 0 once Close has started. Callers follow
// their C call with runtime.KeepAlive(n) so the cleanup cannot free the
// node under the call.
func (n *MeshNode) h() C.uintptr_t { return C.uintptr_t(n.handle.Load()) }

// Close tells every peer this node is leaving, closes its sessions and
// streams, and releases it. Calls waiting meanwhile return: Recv with
// ErrNotConnected, Connect and Accept with ErrClosed. Idempotent: later
// calls return the first one's result; every other method returns
// ErrClosed afterwards (the ids, key and address stay readable).
func (n *MeshNode) Close() error {
	n.once.Do(func() {
		n.cleanup.Stop()
		n.close()
		h := C.uintptr_t(n.handle.Swap(0))
		n.err = statusErr(C.netgo_mesh_shutdown(h))
		C.netgo_mesh_free(h)
		runtime.KeepAlive(n)
	})
	return n.err
}

// NodeID is this node's 64-bit id (derived from its identity): what a
// peer passes to Connect and Accept.
func (n *MeshNode) NodeID() uint64 { return n.nodeID }

// PublicKey is the node's 32-byte static key: what a peer passes to
// Connect. The slice is a fresh copy.
func (n *MeshNode) PublicKey() []byte { return append([]byte(nil), n.publicKey[:]...) }

// EntityID is the node's identity (ed25519 public key).
func (n *MeshNode) EntityID() EntityID { return n.entityID }

// LocalAddr is the bound "ip:port" (the real port after binding port 0).
func (n *MeshNode) LocalAddr() string { return n.localAddr }

// Start starts heartbeats, failure detection and retransmission; call it
// once the first handshake is done. Calling it again does nothing.
func (n *MeshNode) Start() error {
	h := n.h()
	if h == 0 {
		return closedError("mesh node")
	}
	err := statusErr(C.netgo_mesh_start(h))
	runtime.KeepAlive(n)
	return err
}
