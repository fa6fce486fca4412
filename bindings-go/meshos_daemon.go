package net

import "fmt"

// CausalEvent is one event handed to a daemon: who sent it (Origin, the
// sender's origin hash), where it stands in that sender's chain
// (Sequence) and its bytes.
type CausalEvent struct {
	Origin   uint64
	Sequence uint64
	Payload  []byte
}

// MeshDaemon is a daemon written in Go: the MeshOS runtime (libnet) calls
// Process for every event delivered to it, on the delivering goroutine's
// thread, one call at a time per daemon. Its outputs are the events it
// emits, in order; an error fails the delivery with kind "process-failed"
// and counts in DaemonStats.Errors.
//
// A daemon may also implement DaemonSnapshotter, DaemonRestorer,
// DaemonControlHandler, DaemonHealthReporter and DaemonSaturationReporter;
// the runtime uses its defaults for the ones it does not (stateless, no
// control hook, always healthy, never saturated).
//
// A panic in any of these methods is recovered at the boundary: it fails
// the call like an error would (the *DaemonPanic is the error's cause),
// or, where the call has no failure to report, takes the default.
type MeshDaemon interface {
	Process(event CausalEvent) ([][]byte, error)
}

// DaemonSnapshotter is a daemon with state: Snapshot returns it as bytes
// (nil: nothing to save). Called by MeshOsDaemonSdk.Snapshot.
type DaemonSnapshotter interface {
	Snapshot() ([]byte, error)
}

// DaemonRestorer takes back the state a Snapshot returned.
type DaemonRestorer interface {
	Restore(state []byte) error
}

// DaemonControlHandler hears each control event as the supervisor routes
// it (on the SDK's supervisor thread, before the event waits on the
// daemon's channel for NextControl). It must return quickly.
type DaemonControlHandler interface {
	OnControl(control DaemonControl)
}

// DaemonHealthReporter reports the daemon's health; the supervisor samples
// it every tick.
type DaemonHealthReporter interface {
	Health() DaemonHealth
}

// DaemonSaturationReporter reports how loaded the daemon is, in [0, 1];
// the supervisor samples it every tick and turns 0.8 or more into a
// ControlBackpressureOn event and less than 0.5 into
// ControlBackpressureOff.
type DaemonSaturationReporter interface {
	Saturation() float32
}

// DaemonHealth is what a DaemonHealthReporter says.
type DaemonHealth int

// The values net_meshos.h's NET_MESHOS_HEALTH_* carry.
const (
	Healthy   DaemonHealth = 0
	Degraded  DaemonHealth = 1
	Unhealthy DaemonHealth = 2
)

func (h DaemonHealth) String() string {
	switch h {
	case Healthy:
		return "healthy"
	case Degraded:
		return "degraded"
	case Unhealthy:
		return "unhealthy"
	}
	return fmt.Sprintf("DaemonHealth(%d)", int(h))
}

// DaemonPanic is the cause of a call that failed because a Go daemon
// method panicked: the recovered value and where.
type DaemonPanic struct {
	Method string
	Value  any
}

func (p *DaemonPanic) Error() string { return fmt.Sprintf("daemon %s panicked: %v", p.Method, p.Value) }
