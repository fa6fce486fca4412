package net

/*
#include "mesh_shim.h"
*/
import "C"

import (
	"context"
	"runtime"
	"unsafe"
)

// Connect handshakes with the node peerID listening at addr ("ip:port")
// whose static key is peerKey (its PublicKey). The peer must be in Accept
// (or have had a session with this node) for the reply to come, so run
// the two concurrently. It returns once both sides hold the session.
//
// It waits at most MeshConfig.HandshakeTimeout, less if ctx ends first.
// Errors: ErrHandshake with Kind "wrong_psk", "unknown_static_key" (the key
// is not the peer's), "identity_mismatch" (the node there is not
// peerID) or "handshake_refused"; ErrTimeout (also context.DeadlineExceeded
// when it was ctx's deadline); ErrCancelled (also context.Canceled);
// ErrInvalidLength (a key that is not 32 bytes); ErrInvalidArgument (a
// bad address, or this node's own id); ErrClosed. A failure leaves no
// session behind.
func (n *MeshNode) Connect(ctx context.Context, addr string, peerKey []byte, peerID uint64) error {
	if err := contextError(ctx); err != nil {
		return err
	}
	h := n.h()
	if h == 0 {
		return closedError("mesh node")
	}
	// A Close meanwhile cancels the dial too: shutdown alone would leave
	// it retransmitting its hello until the handshake timeout.
	cancel, err := bindCancel(ctx, n.closing)
	if err != nil {
		return err
	}
	r := C.netgo_mesh_connect(h, (*C.char)(unsafe.Pointer(unsafe.StringData(addr))), C.size_t(len(addr)),
		bytesPtr(peerKey), C.size_t(len(peerKey)), C.uint64_t(peerID), 0, cancel.token)
	cancel.release()
	runtime.KeepAlive(n)
	runtime.KeepAlive(peerKey)
	return settle(statusErr(r), ctx, "mesh node")
}

// Accept waits until the node peerID completes a handshake with this
// node (the other half of Connect) and returns where its packets come
// from. A node nobody accepts is never answered. It returns at once if
// peerID already has a live session.
//
// It waits at most MeshConfig.HandshakeTimeout, less if ctx ends first.
// Errors: ErrTimeout, ErrCancelled (as for Connect), ErrClosed.
func (n *MeshNode) Accept(ctx context.Context, peerID uint64) (string, error) {
	if err := contextError(ctx); err != nil {
		return "", err
	}
	h := n.h()
	if h == 0 {
		return "", closedError("mesh node")
	}
	// A Close meanwhile cancels the wait too: a node with no session at
	// all wakes no accept when it shuts down.
	cancel, err := bindCancel(ctx, n.closing)
	if err != nil {
		return "", err
	}
	r := C.netgo_mesh_accept(h, C.uint64_t(peerID), 0, cancel.token)
	cancel.release()
	runtime.KeepAlive(n)
	if r.code < 0 {
		return "", settle(errorOf(r.code, r.err), ctx, "mesh node")
	}
	return C.GoString(&r.addr[0]), nil
}
