package net

/*
#include "meshos_shim.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"iter"
	"runtime"
	"runtime/cgo"
	"sync"
	"time"
	"unsafe"
)

// DaemonOptions are a registration's optional settings.
type DaemonOptions struct {
	// RequiredCapabilities are tags the node must announce, or the
	// registration is refused (ErrRegisterFailed, the message names the
	// missing tag).
	RequiredCapabilities []string
	// OptionalCapabilities are tags the daemon prefers.
	OptionalCapabilities []string
	// CallbackTimeout bounds how long a delivery waits for the daemon while
	// another call is inside it; past it the delivery fails with
	// ErrCallbackTimeout. Zero: libnet's default.
	CallbackTimeout time.Duration
	// AutoSnapshotInterval: the runtime snapshots the daemon every this
	// many events. Zero: libnet's default.
	AutoSnapshotInterval uint64
	// MaxLogEntries bounds the daemon's log. Zero: libnet's default.
	MaxLogEntries int
}

// MeshOsDaemonHandle is a registered daemon's own side: its identity, its
// control channel, its logs, metadata and capabilities, and its shutdown.
// Events reach it through the SDK's Deliver. Its methods are safe for
// concurrent use.
//
// GracefulShutdown unregisters the daemon; Close releases the handle (and
// unregisters the daemon if GracefulShutdown was not called). After
// either, its calls fail with ErrMeshOsAlreadyShutdown.
type MeshOsDaemonHandle struct {
	sdk  *MeshOsDaemonSdk
	id   uint64
	name string
	box  *daemonBox
	ctx  cgo.Handle

	// mu guards h's lifetime: calls hold it shared, Close exclusively.
	mu      sync.RWMutex
	h       C.uintptr_t // libnet's NetMeshOsHandle*, 0 once closed
	cleanup runtime.Cleanup
}

// Register registers daemon under name, with the identity the 32-byte
// ed25519 seed gives (its id is that key's origin hash). The daemon's
// methods are called by libnet until the handle is closed.
func (s *MeshOsDaemonSdk) Register(name string, seed [32]byte, daemon MeshDaemon, opts DaemonOptions) (*MeshOsDaemonHandle, error) {
	if daemon == nil {
		return nil, &MeshOsError{Kind: "invalid_argument", Message: "the daemon is nil", Code: -3}
	}
	optJSON, err := opts.json()
	if err != nil {
		return nil, err
	}
	box := newDaemonBox(daemon)
	ctx := cgo.NewHandle(box)
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	cseed := (*C.uint8_t)(C.CBytes(seed[:]))
	defer C.free(unsafe.Pointer(cseed))
	var r C.netgo_mhandle
	err = s.with(func(h C.uintptr_t) error {
		r = registerDaemon(h, cname, C.size_t(len(name)), cseed, C.int(box.vtableMask()), C.uintptr_t(ctx), optJSON)
		if r.handle == 0 {
			return meshosErr(-2, r.err)
		}
		return nil
	})
	if err != nil {
		ctx.Delete()
		return nil, err
	}
	d := &MeshOsDaemonHandle{sdk: s, id: uint64(r.id), name: name, box: box, ctx: ctx, h: r.handle}
	s.daemons.Store(d.id, box)
	d.cleanup = runtime.AddCleanup(d, func(c daemonRelease) { c.release() }, daemonRelease{r.handle, ctx})
	return d, nil
}

// daemonRelease is what a handle that was never closed frees.
type daemonRelease struct {
	h   C.uintptr_t
	ctx cgo.Handle
}

func (c daemonRelease) release() {
	C.netgo_meshos_handle_free(c.h)
	c.ctx.Delete()
}

// ID is the daemon's id (its key's origin hash): what the SDK's Deliver,
// Snapshot, Restore, Stats and SendControl take.
func (d *MeshOsDaemonHandle) ID() uint64 { return d.id }

// Name is the name it was registered under.
func (d *MeshOsDaemonHandle) Name() string { return d.name }

func (d *MeshOsDaemonHandle) with(f func(h C.uintptr_t) error) error {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.h == 0 {
		return sdkClosedError("the daemon handle")
	}
	return f(d.h)
}

// Close unregisters the daemon (unless GracefulShutdown did) and releases
// the handle; libnet calls none of the daemon's methods afterwards. It
// waits for the handle's calls in flight. Idempotent.
func (d *MeshOsDaemonHandle) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.h == 0 {
		return nil
	}
	d.cleanup.Stop()
	d.sdk.daemons.CompareAndDelete(d.id, d.box)
	daemonRelease{d.h, d.ctx}.release()
	d.h = 0
	return nil
}

// TryNextControl returns the next control event if one is waiting
// (ok = true), without blocking.
func (d *MeshOsDaemonHandle) TryNextControl() (c DaemonControl, ok bool, err error) {
	err = d.with(func(h C.uintptr_t) error {
		r := C.netgo_meshos_try_next_control(h)
		if r.code != 0 {
			return meshosErr(r.code, r.err)
		}
		c = controlOf(int(r.control.kind), uint64(r.control.grace_period_ms), float32(r.control.level))
		return nil
	})
	return c, err == nil && c.Kind != ControlNone, err
}

// controlSlice is the longest single wait in libnet: NextControl waits in
// slices so that its ctx and Close are noticed in time, since the C call
// has no way to be woken early.
const controlSlice = 50 * time.Millisecond

// NextControl waits for the next control event until ctx ends (its error
// is returned) or the daemon is shut down (ErrMeshOsAlreadyShutdown).
func (d *MeshOsDaemonHandle) NextControl(ctx context.Context) (DaemonControl, error) {
	for {
		if err := ctx.Err(); err != nil {
			return DaemonControl{}, err
		}
		wait := controlSlice
		if dl, ok := ctx.Deadline(); ok {
			wait = min(wait, time.Until(dl))
		}
		// At least 1 ms: 0 would mean "forever" to libnet (and a deadline
		// just passed makes wait negative).
		ms := uint64(max(wait.Milliseconds(), 1))
		var c DaemonControl
		err := d.with(func(h C.uintptr_t) error {
			r := C.netgo_meshos_next_control(h, C.uint64_t(ms))
			if r.code != 0 {
				return meshosErr(r.code, r.err)
			}
			c = controlOf(int(r.control.kind), uint64(r.control.grace_period_ms), float32(r.control.level))
			return nil
		})
		if err != nil || c.Kind != ControlNone {
			return c, err
		}
	}
}

// Controls yields control events as they arrive, until ctx ends or the
// daemon is shut down (both end it quietly); other failures are yielded
// once and end it.
func (d *MeshOsDaemonHandle) Controls(ctx context.Context) iter.Seq2[DaemonControl, error] {
	return func(yield func(DaemonControl, error) bool) {
		for {
			c, err := d.NextControl(ctx)
			if err != nil {
				if ctx.Err() == nil && !isAlreadyShutdown(err) {
					yield(c, err)
				}
				return
			}
			if !yield(c, nil) {
				return
			}
		}
	}
}

func isAlreadyShutdown(err error) bool {
	e, ok := err.(*MeshOsError)
	return ok && e.Kind == ErrMeshOsAlreadyShutdown.Kind
}

// PublishLog publishes a log line tagged with the daemon (the SDK's
// DrainLogs collects them). ErrInvalidLogLevel for a level outside
// LogTrace..LogError; ErrMeshOsQueueFull when the log ring is full.
func (d *MeshOsDaemonHandle) PublishLog(level LogLevel, message string) error {
	return d.with(func(h C.uintptr_t) error {
		cmsg := C.CString(message)
		defer C.free(unsafe.Pointer(cmsg))
		return meshosStatus(C.netgo_meshos_publish_log(h, C.int(level), cmsg, C.size_t(len(message))))
	})
}

// GracefulShutdown sends the daemon ControlShutdown with grace, waits out
// grace (blocking), then unregisters it and withdraws its published tags.
// Zero grace takes libnet's default (5 s). The handle still needs Close.
func (d *MeshOsDaemonHandle) GracefulShutdown(grace time.Duration) error {
	ms := uint64(grace.Milliseconds())
	if grace > 0 && ms == 0 {
		ms = 1
	}
	return d.with(func(h C.uintptr_t) error {
		return meshosStatus(C.netgo_meshos_graceful_shutdown(h, C.uint64_t(ms)))
	})
}

// PublishCapabilities replaces the capability tags the daemon advertises
// (nil or empty clears them). On an SDK started on a mesh they join the
// node's announcement, so peers' FindNodes sees them. A tag the schema
// refuses fails with kind "invalid_argument" and the previous tags stay.
func (d *MeshOsDaemonHandle) PublishCapabilities(tags []string) error {
	if tags == nil {
		tags = []string{}
	}
	text, err := json.Marshal(tags)
	if err != nil {
		return err
	}
	return d.with(func(h C.uintptr_t) error {
		ctext := C.CString(string(text))
		defer C.free(unsafe.Pointer(ctext))
		return meshosStatus(C.netgo_meshos_publish_capabilities(h, ctext, C.size_t(len(text))))
	})
}

// Metadata is the daemon's view of its node and peers, as last cached.
func (d *MeshOsDaemonHandle) Metadata() (DaemonMetadata, error) { return d.metadata(false) }

// RefreshMetadata refreshes the cache from the runtime and returns it.
func (d *MeshOsDaemonHandle) RefreshMetadata() (DaemonMetadata, error) { return d.metadata(true) }

func (d *MeshOsDaemonHandle) metadata(refresh bool) (DaemonMetadata, error) {
	var m DaemonMetadata
	err := d.with(func(h C.uintptr_t) error {
		flag := C.int(0)
		if refresh {
			flag = 1
		}
		r := C.netgo_meshos_metadata(h, flag)
		if r.json == nil {
			return meshosErr(r.code, r.err)
		}
		defer C.free(unsafe.Pointer(r.json))
		return json.Unmarshal([]byte(C.GoString(r.json)), &m)
	})
	return m, err
}
