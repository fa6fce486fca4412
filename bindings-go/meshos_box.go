package net

import (
	"runtime/cgo"
	"sync"
)

// daemonBox is what a Go daemon's cgo.Handle (libnet's user_ctx) holds:
// the daemon, its optional interfaces resolved once, and the Go errors
// behind the failures libnet reports only as a status code, kept until
// the call that failed picks them up.
type daemonBox struct {
	d          MeshDaemon
	snapshot   DaemonSnapshotter
	restore    DaemonRestorer
	control    DaemonControlHandler
	health     DaemonHealthReporter
	saturation DaemonSaturationReporter

	mu     sync.Mutex
	causes map[causeKey]error
}

// causeKey names the call a failure belongs to: a delivery by its event
// (origin, sequence) — the one thing both the callback and Deliver know —
// or the daemon's snapshot/restore.
type causeKey struct {
	origin, seq uint64
	state       bool
}

var stateCauseKey = causeKey{state: true}

// maxCauses bounds the errors kept for calls that never collect them (a
// snapshot the runtime took by itself, say).
const maxCauses = 256

func newDaemonBox(d MeshDaemon) *daemonBox {
	b := &daemonBox{d: d, causes: map[causeKey]error{}}
	b.snapshot, _ = d.(DaemonSnapshotter)
	b.restore, _ = d.(DaemonRestorer)
	b.control, _ = d.(DaemonControlHandler)
	b.health, _ = d.(DaemonHealthReporter)
	b.saturation, _ = d.(DaemonSaturationReporter)
	return b
}

// vtableMask says which optional callbacks libnet gets (meshos_shim.h).
func (b *daemonBox) vtableMask() int {
	mask := 0
	if b.snapshot != nil {
		mask |= 1
	}
	if b.restore != nil {
		mask |= 2
	}
	if b.control != nil {
		mask |= 4
	}
	if b.health != nil {
		mask |= 8
	}
	if b.saturation != nil {
		mask |= 16
	}
	return mask
}

func (b *daemonBox) putCause(k causeKey, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.causes) >= maxCauses {
		clear(b.causes)
	}
	b.causes[k] = err
}

func (b *daemonBox) takeCause(k causeKey) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	err := b.causes[k]
	delete(b.causes, k)
	return err
}

// boxOf is the daemon behind user_ctx; false when the handle was already
// deleted (a callback racing the daemon's Close), which cgo.Handle.Value
// reports by panicking.
func boxOf(ctx uintptr) (b *daemonBox, ok bool) {
	defer func() {
		if recover() != nil {
			b, ok = nil, false
		}
	}()
	b, ok = cgo.Handle(ctx).Value().(*daemonBox)
	return b, ok
}

// guard runs f, turning a panic into a *DaemonPanic error.
func guard(method string, f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &DaemonPanic{Method: method, Value: v}
		}
	}()
	return f()
}

func (b *daemonBox) process(ev CausalEvent) (outs [][]byte, err error) {
	err = guard("Process", func() error {
		var e error
		outs, e = b.d.Process(ev)
		return e
	})
	return outs, err
}

func (b *daemonBox) takeSnapshot() (state []byte, err error) {
	err = guard("Snapshot", func() error {
		var e error
		state, e = b.snapshot.Snapshot()
		return e
	})
	return state, err
}

func (b *daemonBox) giveRestore(state []byte) error {
	return guard("Restore", func() error { return b.restore.Restore(state) })
}

func (b *daemonBox) onControl(c DaemonControl) {
	// A panicking OnControl has nothing to fail: the event still reaches
	// the channel, so it is dropped here.
	_ = guard("OnControl", func() error { b.control.OnControl(c); return nil })
}

func (b *daemonBox) reportHealth() (h DaemonHealth) {
	// A daemon whose Health panics is not healthy.
	h = Unhealthy
	_ = guard("Health", func() error { h = b.health.Health(); return nil })
	return h
}

func (b *daemonBox) reportSaturation() (s float32) {
	// A panicking Saturation reports none, as a daemon without the method
	// would; out-of-range values are clamped to what the ABI allows.
	_ = guard("Saturation", func() error { s = b.saturation.Saturation(); return nil })
	if !(s >= 0) { // negative or NaN
		return 0
	}
	return min(s, 1)
}
