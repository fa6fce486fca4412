package net

/*
#include "shim.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Node is a local event-bus node: sharded rings drained into an in-memory
// backend. Its methods are safe for concurrent use. Close it when done;
// a Node that becomes unreachable unclosed is shut down by a cleanup, but
// that is only a safety net.
type Node struct {
	// handle is libnet's node handle (a number, kept as one: see shim.h),
	// 0 once Close has started.
	handle  atomic.Uintptr
	once    sync.Once
	err     error
	cleanup runtime.Cleanup
	// stager is the node's batch stager (C memory, see stager.go),
	// guarded by stageMu; 0 once Close has freed it.
	stageMu sync.Mutex
	stager  C.uintptr_t
}

// nodeRes is what the cleanup of a node never closed releases.
type nodeRes struct{ handle, stager C.uintptr_t }

// NewNode starts a node with cfg.
func NewNode(cfg Config) (*Node, error) {
	text, err := cfg.json()
	if err != nil {
		return nil, err
	}
	ctext := C.CString(text)
	defer C.free(unsafe.Pointer(ctext))
	r := C.netgo_init(ctext)
	if r.handle == 0 {
		return nil, errorOf(-1, r.err)
	}
	n := &Node{stager: C.netgo_stager_new()}
	if n.stager == 0 {
		freeError(C.netgo_shutdown(r.handle).err)
		return nil, errNoStager()
	}
	n.handle.Store(uintptr(r.handle))
	n.cleanup = runtime.AddCleanup(n, func(r nodeRes) {
		freeError(C.netgo_shutdown(r.handle).err)
		C.netgo_stager_free(r.stager)
	}, nodeRes{r.handle, n.stager})
	return n, nil
}

// h is the live handle, or 0 once Close has started. Callers follow
// their C call with runtime.KeepAlive(n) so the cleanup cannot shut the
// node down under the call.
func (n *Node) h() C.uintptr_t { return C.uintptr_t(n.handle.Load()) }

// Close drains every pending event into the backend and stops the node.
// It is idempotent: later calls return the first call's result. Every
// other method returns ErrClosed afterwards; running Events loops end.
func (n *Node) Close() error {
	n.once.Do(func() {
		n.cleanup.Stop()
		n.err = statusErr(C.netgo_shutdown(C.uintptr_t(n.handle.Swap(0))))
		// After the handle: a batch staged meanwhile finds it shut down.
		n.freeStager()
		runtime.KeepAlive(n)
	})
	return n.err
}

// Shards is the number of shards, or 0 once the node is closed.
func (n *Node) Shards() int {
	h := n.h()
	if h == 0 {
		return 0
	}
	count := int(C.netgo_num_shards(h))
	runtime.KeepAlive(n)
	return count
}

// Flush returns once every event emitted before the call is visible to
// Poll and Events, or when ctx is done (the flush itself then completes in
// the background).
func (n *Node) Flush(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	h := n.h()
	if h == 0 {
		return closedError("node")
	}
	done := make(chan error, 1)
	go func() {
		// The C side holds its own reference to the node while it
		// flushes, so a Close meanwhile cannot free it under this call.
		done <- statusErr(C.netgo_flush(h))
		runtime.KeepAlive(n)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stats are a node's ingestion counters.
type Stats struct {
	// EventsIngested counts events accepted into a ring.
	EventsIngested uint64 `json:"events_ingested"`
	// EventsDropped counts events discarded by DropOldest/DropNewest.
	EventsDropped uint64 `json:"events_dropped"`
	// BatchesDispatched counts batches handed to the backend.
	BatchesDispatched uint64 `json:"batches_dispatched"`
	// ShardDepths is the number of events waiting in each shard's ring.
	ShardDepths []int `json:"shard_depths"`
	// BackendErrors counts failed backend appends (each failed retry).
	BackendErrors uint64 `json:"backend_errors"`
	// Reconnects counts the backend's recoveries: an append that
	// succeeded after failures.
	Reconnects uint64 `json:"reconnects"`
	// SinceLastSuccessMs is the time since the latest successful append in
	// milliseconds; nil before the first.
	SinceLastSuccessMs *uint64 `json:"since_last_success_ms"`
	// ForwardFailures counts, on a mesh transport, events not delivered to
	// a peer (gone when they were forwarded, or not acknowledged by
	// shutdown).
	ForwardFailures uint64 `json:"forward_failures"`
	// RemoteEvents counts, on a mesh transport, events received from peers
	// and stored here.
	RemoteEvents uint64 `json:"remote_events"`
}

// Stats reads the node's counters.
func (n *Node) Stats() (Stats, error) {
	h := n.h()
	if h == 0 {
		return Stats{}, closedError("node")
	}
	defer runtime.KeepAlive(n)
	// A few words per shard; grow and retry on the rare buffer_too_small.
	buf := make([]byte, 256+16*int(C.netgo_num_shards(h)))
	for {
		r := C.netgo_stats(h, (*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)))
		if err := statusErr(r); err != nil {
			if e, ok := err.(*Error); ok && e.Kind == "buffer_too_small" {
				buf = make([]byte, 2*len(buf))
				continue
			}
			return Stats{}, err
		}
		var s Stats
		err := json.Unmarshal(buf[:r.code], &s)
		return s, err
	}
}
