package net

/*
#include "meshos_shim.h"
*/
import "C"

import (
	"math"
	"runtime"
	"sync"
	"time"
	"unsafe"
)

// MeshOsConfig tunes a MeshOsDaemonSdk; every zero field takes libnet's
// default.
type MeshOsConfig struct {
	// NodeID is the local node's id (StartMeshOs only; on a mesh it is the
	// mesh's). Default 0.
	NodeID uint64
	// TickInterval is the supervisor's cadence: health and saturation are
	// sampled this often. Default 500 ms.
	TickInterval time.Duration
	// EventQueueCapacity and ActionQueueCapacity bound the supervisor's
	// queues. Default 1024 each.
	EventQueueCapacity  int
	ActionQueueCapacity int
	// ControlCapacity bounds each daemon's control channel; events routed
	// to a full channel are dropped and counted (DroppedControlEvents).
	// Default 8.
	ControlCapacity int
}

// MeshOsDaemonSdk is the MeshOS runtime that hosts daemons: it registers
// them, delivers events to them (the supervisor's side: Deliver, Snapshot,
// Restore, Stats, SendControl, DrainLogs) and runs a supervisor thread that
// routes control events and samples health. Its methods are safe for
// concurrent use.
//
// Shutdown stops it; Close (which shuts it down first if needed) releases
// it. After either, its calls fail with ErrMeshOsAlreadyShutdown.
type MeshOsDaemonSdk struct {
	// mu guards h's lifetime: calls hold it shared, Close exclusively, so
	// the SDK is never freed under a call.
	mu sync.RWMutex
	h  C.uintptr_t // libnet's NetMeshOsSdk*, 0 once closed
	// mesh keeps the node an SDK was started on reachable (libnet holds its
	// own reference to the node itself).
	mesh    *MeshNode
	cleanup runtime.Cleanup
	// daemons are the Go daemons registered here, by id: where a failed
	// delivery finds the Go error behind it.
	daemons sync.Map // uint64 -> *daemonBox
}

// StartMeshOs starts an SDK on its own: daemons' published capability
// tags stay in their metadata. Use StartMeshOsOnMesh for peers to see them.
func StartMeshOs(cfg MeshOsConfig) (*MeshOsDaemonSdk, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	r := C.netgo_meshos_sdk_start(C.uint64_t(cfg.NodeID), cfg.tickMs(), C.size_t(cfg.EventQueueCapacity),
		C.size_t(cfg.ActionQueueCapacity), C.size_t(cfg.ControlCapacity))
	if r.handle == 0 {
		return nil, meshosErr(-2, r.err)
	}
	return adoptSdk(r.handle, nil), nil
}

// StartMeshOsOnMesh starts an SDK on mesh: tags its daemons publish join
// the node's capability announcement (peers' FindNodes sees them), a
// daemon's required capabilities are checked against what the node
// announces, and metadata lists its peers. cfg.NodeID is ignored (the
// mesh's id is used). The SDK keeps the node running until it is closed.
func StartMeshOsOnMesh(mesh *MeshNode, cfg MeshOsConfig) (*MeshOsDaemonSdk, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	m := mesh.h()
	if m == 0 {
		return nil, closedError("mesh node")
	}
	r := C.netgo_meshos_sdk_start_on_mesh(m, cfg.tickMs(), C.size_t(cfg.EventQueueCapacity),
		C.size_t(cfg.ActionQueueCapacity), C.size_t(cfg.ControlCapacity))
	runtime.KeepAlive(mesh)
	if r.handle == 0 {
		return nil, errorOf(-1, r.err)
	}
	return adoptSdk(r.handle, mesh), nil
}

func (cfg MeshOsConfig) check() error {
	if cfg.TickInterval < 0 || cfg.EventQueueCapacity < 0 || cfg.ActionQueueCapacity < 0 || cfg.ControlCapacity < 0 {
		return &MeshOsError{Kind: "invalid_argument", Message: "MeshOsConfig fields must not be negative", Code: -3}
	}
	return nil
}

func (cfg MeshOsConfig) tickMs() C.uint64_t {
	if cfg.TickInterval > 0 && cfg.TickInterval < time.Millisecond {
		return 1 // a positive interval must not round to "default"
	}
	return C.uint64_t(cfg.TickInterval / time.Millisecond)
}

func adoptSdk(h C.uintptr_t, mesh *MeshNode) *MeshOsDaemonSdk {
	s := &MeshOsDaemonSdk{h: h, mesh: mesh}
	s.cleanup = runtime.AddCleanup(s, func(h C.uintptr_t) { C.netgo_meshos_sdk_free(h) }, h)
	return s
}

// with runs f on the live SDK pointer, holding it against Close.
func (s *MeshOsDaemonSdk) with(f func(h C.uintptr_t) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.h == 0 {
		return sdkClosedError("the MeshOS SDK")
	}
	return f(s.h)
}

// Shutdown stops the supervisor and the runtime. A second Shutdown fails
// with ErrMeshOsAlreadyShutdown, as does every other call afterwards.
func (s *MeshOsDaemonSdk) Shutdown() error {
	return s.with(func(h C.uintptr_t) error {
		return meshosStatus(C.netgo_meshos_sdk_shutdown(h))
	})
}

// Close shuts the SDK down (if Shutdown was not called) and releases it.
// It waits for calls in flight. Idempotent.
func (s *MeshOsDaemonSdk) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.h == 0 {
		return nil
	}
	s.cleanup.Stop()
	err := meshosStatus(C.netgo_meshos_sdk_shutdown(s.h))
	if e, ok := err.(*MeshOsError); ok && e.Kind == ErrMeshOsAlreadyShutdown.Kind {
		err = nil // Shutdown already did it
	}
	C.netgo_meshos_sdk_free(s.h)
	s.h = 0
	return err
}

// DroppedControlEvents is how many control events the supervisor dropped,
// across all daemons, because a daemon's channel was full.
func (s *MeshOsDaemonSdk) DroppedControlEvents() (uint64, error) {
	var n uint64
	err := s.with(func(h C.uintptr_t) error {
		n = uint64(C.netgo_meshos_dropped(h))
		if n == math.MaxUint64 {
			return &MeshOsError{Kind: ErrMeshOsAlreadyShutdown.Kind, Message: "the MeshOS SDK was shut down", Code: -4}
		}
		return nil
	})
	return n, err
}

// meshosStatus is the error of a net_meshos_* status, nil for OK.
func meshosStatus(s C.netgo_status) error { return meshosErr(s.code, s.err) }

// meshosErr turns a shim's error block from net_meshos.h's pair into a
// *MeshOsError and frees the block.
func meshosErr(code C.int, block *C.char) error {
	if code == 0 {
		return nil
	}
	kind, msg := takeErrorBlock(block)
	return &MeshOsError{Kind: kind, Message: msg, Code: int(code)}
}

// daemonErr turns a net_daemon_* failure into its typed error.
func daemonErr(code C.int, block *C.char) error {
	if code >= 0 {
		return nil
	}
	kind, msg := takeErrorBlock(block)
	return netDaemonErr(int(code), kind, msg)
}

// takeErrorBlock reads and frees a "kind\0message\0" block.
func takeErrorBlock(block *C.char) (kind, msg string) {
	if block == nil {
		return "unknown", "libnet failed and the error could not be copied"
	}
	defer C.free(unsafe.Pointer(block))
	kind = C.GoString(block)
	msg = C.GoString((*C.char)(unsafe.Add(unsafe.Pointer(block), len(kind)+1)))
	return kind, msg
}
