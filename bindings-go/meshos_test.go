package net

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestMeshOsDeliverSnapshotRestore(t *testing.T) {
	s := startSdk(t, MeshOsConfig{NodeID: 1})
	d := &counterDaemon{}
	h := register(t, s, "counter", seedA, d, DaemonOptions{})
	if h.Name() != "counter" || h.ID() == 0 {
		t.Fatalf("handle: name %q id %d", h.Name(), h.ID())
	}
	for i := uint64(1); i <= 3; i++ {
		deliverOK(t, s, h.ID(), i, fmt.Sprint("e", i))
	}
	snap, err := s.Snapshot(h.ID())
	if err != nil || len(snap) == 0 {
		t.Fatalf("snapshot: %d bytes, %v", len(snap), err)
	}
	deliverOK(t, s, h.ID(), 4, "e4")
	deliverOK(t, s, h.ID(), 5, "e5")
	if d.count.Load() != 5 {
		t.Fatalf("count %d before restore, want 5", d.count.Load())
	}
	if err := s.Restore(h.ID(), snap); err != nil {
		t.Fatal(err)
	}
	if d.count.Load() != 3 {
		t.Fatalf("count %d after restore, want the snapshot's 3", d.count.Load())
	}
	// The state after the restore is the snapshot's: snapshotting again
	// gives the same daemon state (the chain point too, as both stand
	// after event 3).
	again, err := s.Snapshot(h.ID())
	if err != nil || string(again) != string(snap) {
		t.Fatalf("snapshot after restore differs (%v)", err)
	}
	st, err := s.Stats(h.ID())
	if err != nil {
		t.Fatal(err)
	}
	if st.EventsProcessed != 5 || st.EventsEmitted != 5 || st.Errors != 0 || st.SnapshotsTaken != 2 {
		t.Fatalf("stats %+v", st)
	}
}

func TestMeshOsRestoreRefusesForeignAndGarbage(t *testing.T) {
	s := startSdk(t, MeshOsConfig{})
	a := register(t, s, "a", seedA, &counterDaemon{}, DaemonOptions{})
	b := register(t, s, "b", seedB, &counterDaemon{}, DaemonOptions{})
	deliverOK(t, s, a.ID(), 1, "x")
	snap, err := s.Snapshot(a.ID())
	if err != nil {
		t.Fatal(err)
	}
	wantErrIs(t, s.Restore(b.ID(), snap), ErrSnapshotMismatch)
	wantErrIs(t, s.Restore(a.ID(), []byte("not a snapshot")), ErrSnapshotDecode)
	_, err = s.Snapshot(42)
	wantErrIs(t, err, ErrDaemonNotFound)
	_, err = s.Deliver(42, CausalEvent{Payload: []byte("x")})
	wantErrIs(t, err, ErrDaemonNotFound)
	_, err = s.Stats(42)
	wantErrIs(t, err, ErrDaemonNotFound)
}

func TestMeshOsStatelessSnapshotIsNil(t *testing.T) {
	s := startSdk(t, MeshOsConfig{})
	h := register(t, s, "echo", seedA, echoDaemon{}, DaemonOptions{})
	snap, err := s.Snapshot(h.ID())
	if err != nil || snap != nil {
		t.Fatalf("stateless snapshot: %q, %v", snap, err)
	}
}

func TestMeshOsProcessErrorIsTypedAndCounted(t *testing.T) {
	s := startSdk(t, MeshOsConfig{})
	h := register(t, s, "counter", seedA, &counterDaemon{}, DaemonOptions{})
	deliverOK(t, s, h.ID(), 1, "ok")
	_, err := s.Deliver(h.ID(), CausalEvent{Origin: 7, Sequence: 2, Payload: []byte("fail")})
	wantErrIs(t, err, ErrProcessFailed)
	var de *DaemonError
	if !errors.As(err, &de) || de.Kind != "process-failed" {
		t.Fatalf("not a *DaemonError: %#v", err)
	}
	if !errors.Is(err, errRefused) {
		t.Fatalf("the daemon's own error is not the cause: %v", err)
	}
	st, err := s.Stats(h.ID())
	if err != nil {
		t.Fatal(err)
	}
	if st.Errors != 1 || st.EventsProcessed != 2 {
		t.Fatalf("stats %+v, want 1 error of 2 processed", st)
	}
	deliverOK(t, s, h.ID(), 3, "still serving")
}

// panicky panics in every method but Process (which panics on "panic").
type panicky struct{ counterDaemon }

func (p *panicky) Snapshot() ([]byte, error) { panic("snapshot boom") }
func (p *panicky) Restore([]byte) error      { panic("restore boom") }
func (p *panicky) Health() DaemonHealth      { panic("health boom") }
func (p *panicky) Saturation() float32       { panic("saturation boom") }
func (p *panicky) OnControl(DaemonControl)   { panic("control boom") }

func TestMeshOsPanicsAreRecovered(t *testing.T) {
	s := startSdk(t, MeshOsConfig{TickInterval: 10 * time.Millisecond})
	other := register(t, s, "other", seedB, &counterDaemon{}, DaemonOptions{})
	deliverOK(t, s, other.ID(), 1, "x")
	foreign, err := s.Snapshot(other.ID())
	if err != nil {
		t.Fatal(err)
	}
	h := register(t, s, "panicky", seedA, &panicky{}, DaemonOptions{})

	_, err = s.Deliver(h.ID(), CausalEvent{Origin: 1, Sequence: 1, Payload: []byte("panic")})
	wantErrIs(t, err, ErrProcessFailed)
	var p *DaemonPanic
	if !errors.As(err, &p) || p.Method != "Process" || !strings.Contains(fmt.Sprint(p.Value), "told to panic") {
		t.Fatalf("cause is not the Process panic: %v", err)
	}
	deliverOK(t, s, h.ID(), 2, "alive after the panic")

	_, err = s.Snapshot(h.ID())
	var de *DaemonError
	if !errors.As(err, &de) || !errors.As(err, &p) || p.Method != "Snapshot" {
		t.Fatalf("snapshot panic: %v", err)
	}
	// Restoring runs Restore only for a snapshot of this daemon; another
	// daemon's is refused before it.
	wantErrIs(t, s.Restore(h.ID(), foreign), ErrSnapshotMismatch)

	// OnControl panics on the supervisor thread; the event still arrives.
	if err := s.SendControl(h.ID(), DaemonControl{Kind: ControlDrainFinish}); err != nil {
		t.Fatal(err)
	}
	c, err := h.NextControl(t.Context())
	if err != nil || c.Kind != ControlDrainFinish {
		t.Fatalf("control after an OnControl panic: %v, %v", c, err)
	}
	// Health panics every tick: the daemon is reported unhealthy.
	waitFor(t, "health sampled as unhealthy", func() bool {
		m, err := h.RefreshMetadata()
		return err == nil && m.Health == Unhealthy
	})
	deliverOK(t, s, h.ID(), 3, "still alive")
}

// restorePanicky is a counter whose Restore panics.
type restorePanicky struct{ counterDaemon }

func (p *restorePanicky) Restore([]byte) error { panic("restore boom") }

func TestMeshOsRestoreFailures(t *testing.T) {
	s := startSdk(t, MeshOsConfig{})
	h := register(t, s, "rp", seedA, &restorePanicky{}, DaemonOptions{})
	deliverOK(t, s, h.ID(), 1, "x")
	snap, err := s.Snapshot(h.ID())
	if err != nil {
		t.Fatal(err)
	}
	err = s.Restore(h.ID(), snap)
	wantErrIs(t, err, ErrStateFailed)
	var p *DaemonPanic
	if !errors.As(err, &p) || p.Method != "Restore" {
		t.Fatalf("restore panic cause: %v", err)
	}

	r := register(t, s, "refuser", seedB, &refusingRestore{}, DaemonOptions{})
	deliverOK(t, s, r.ID(), 1, "x")
	snap, err = s.Snapshot(r.ID())
	if err != nil {
		t.Fatal(err)
	}
	err = s.Restore(r.ID(), snap)
	wantErrIs(t, err, ErrStateFailed)
	if !errors.Is(err, errRefused) {
		t.Fatalf("restore error cause: %v", err)
	}
}

// refusingRestore is a counter whose Restore always fails.
type refusingRestore struct{ counterDaemon }

func (r *refusingRestore) Restore([]byte) error { return errRefused }

// reentrant delivers to itself from inside Process.
type reentrant struct {
	sdk *MeshOsDaemonSdk
	id  uint64
}

func (r *reentrant) Process(ev CausalEvent) ([][]byte, error) {
	_, err := r.sdk.Deliver(r.id, CausalEvent{Origin: ev.Origin, Sequence: ev.Sequence + 1, Payload: ev.Payload})
	return nil, err
}

func TestMeshOsReentrantDeliveryRefused(t *testing.T) {
	s := startSdk(t, MeshOsConfig{})
	r := &reentrant{sdk: s}
	h := register(t, s, "reentrant", seedA, r, DaemonOptions{})
	r.id = h.ID()
	_, err := s.Deliver(h.ID(), CausalEvent{Origin: 1, Sequence: 1, Payload: []byte("x")})
	wantErrIs(t, err, ErrProcessFailed)
	wantErrIs(t, err, ErrReentrantCall) // the inner delivery's error, as the cause
}
