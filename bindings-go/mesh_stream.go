package net

/*
#include "mesh_shim.h"
*/
import "C"

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Stream is one stream with one peer, from OpenStream: Send* on it reach
// the peer's stream of the same id, Recv reads what the peer sent on it.
// Its methods are safe for concurrent use. Close it when done (a cleanup
// releases an unreachable one, only as a safety net).
//
// A stream belongs to the session it was opened on: after the peer dies
// or reconnects, its calls fail with ErrNotConnected; open it again.
type Stream struct {
	node *MeshNode
	// handle is libnet's net_mesh_stream_t (a number), 0 once closed.
	handle  atomic.Uintptr
	once    sync.Once
	err     error
	cleanup runtime.Cleanup
	peer    uint64
	id      uint64

	send sendStage // see mesh_send.go
	recv recvState // see mesh_recv.go
}

// OpenStream opens (or re-opens with a new window) stream id with peer;
// both sides use the same id, and a side that receives before opening
// gets the stream created for it. Errors: ErrNotConnected (no live
// session with peer), ErrInvalidArgument (a config out of range, or the
// id already open with the other Reliability), ErrClosed.
func (n *MeshNode) OpenStream(peer, id uint64, cfg StreamConfig) (*Stream, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	h := n.h()
	if h == 0 {
		return nil, closedError("mesh node")
	}
	r := C.netgo_mesh_open_stream(h, C.uint64_t(peer), C.uint64_t(id), C.int(cfg.Reliability),
		C.uint32_t(cfg.Window), C.uint32_t(cfg.ReceiveCapacity))
	runtime.KeepAlive(n)
	if r.handle == 0 {
		return nil, errorOf(-1, r.err)
	}
	s := &Stream{node: n, peer: peer, id: id}
	s.recv.init()
	s.handle.Store(uintptr(r.handle))
	s.cleanup = runtime.AddCleanup(s, func(h C.uintptr_t) { C.netgo_mesh_stream_free(h) }, r.handle)
	return s, nil
}

// h is the live handle, or 0 once Close has started; callers follow
// their C call with runtime.KeepAlive(s).
func (s *Stream) h() C.uintptr_t { return C.uintptr_t(s.handle.Load()) }

// Peer is the peer's node id.
func (s *Stream) Peer() uint64 { return s.peer }

// ID is the stream id.
func (s *Stream) ID() uint64 { return s.id }

// Stats reads the stream's live counters (ErrNotConnected once it is
// closed or its session ended).
func (s *Stream) Stats() (StreamStats, error) {
	if s.h() == 0 {
		return StreamStats{}, closedError("stream")
	}
	return s.node.StreamStats(s.peer, s.id)
}

// Close closes the stream on this side and releases it; a Recv waiting
// meanwhile returns ErrNotConnected. Idempotent; every method returns
// ErrClosed afterwards (messages received but not yet taken are dropped).
func (s *Stream) Close() error {
	s.once.Do(func() {
		s.cleanup.Stop()
		h := C.uintptr_t(s.handle.Swap(0))
		s.err = statusErr(C.netgo_mesh_stream_close(h))
		C.netgo_mesh_stream_free(h)
		runtime.KeepAlive(s)
	})
	return s.err
}
