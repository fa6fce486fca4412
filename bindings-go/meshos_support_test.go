package net

import (
	"encoding/binary"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Daemons and helpers shared by the MeshOS tests.

var (
	seedA = [32]byte{0: 0xA1, 31: 0x01}
	seedB = [32]byte{0: 0xB2, 31: 0x02}
)

// counterDaemon echoes every payload and counts the events it processed;
// its state (the count) snapshots as 8 little-endian bytes. A payload of
// "fail" fails and "panic" panics.
type counterDaemon struct {
	count atomic.Uint64

	mu       sync.Mutex
	controls []DaemonControl
}

var errRefused = errors.New("counter refuses this payload")

func (d *counterDaemon) Process(ev CausalEvent) ([][]byte, error) {
	switch string(ev.Payload) {
	case "fail":
		return nil, errRefused
	case "panic":
		panic("counter told to panic")
	}
	d.count.Add(1)
	return [][]byte{ev.Payload}, nil
}

func (d *counterDaemon) Snapshot() ([]byte, error) {
	return binary.LittleEndian.AppendUint64(nil, d.count.Load()), nil
}

func (d *counterDaemon) Restore(state []byte) error {
	if len(state) != 8 {
		return errors.New("counter state must be 8 bytes")
	}
	d.count.Store(binary.LittleEndian.Uint64(state))
	return nil
}

func (d *counterDaemon) OnControl(c DaemonControl) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.controls = append(d.controls, c)
}

func (d *counterDaemon) seen() []DaemonControl {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]DaemonControl(nil), d.controls...)
}

// echoDaemon is stateless: its outputs are its input.
type echoDaemon struct{}

func (echoDaemon) Process(ev CausalEvent) ([][]byte, error) { return [][]byte{ev.Payload}, nil }

func startSdk(t testing.TB, cfg MeshOsConfig) *MeshOsDaemonSdk {
	t.Helper()
	s, err := StartMeshOs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func register(t testing.TB, s *MeshOsDaemonSdk, name string, seed [32]byte, d MeshDaemon, opts DaemonOptions) *MeshOsDaemonHandle {
	t.Helper()
	h, err := s.Register(name, seed, d, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// deliverOK delivers payload as (origin 7, seq) and wants it echoed.
func deliverOK(t testing.TB, s *MeshOsDaemonSdk, id, seq uint64, payload string) {
	t.Helper()
	outs, err := s.Deliver(id, CausalEvent{Origin: 7, Sequence: seq, Payload: []byte(payload)})
	if err != nil {
		t.Fatalf("deliver %q: %v", payload, err)
	}
	if len(outs) != 1 || string(outs[0]) != payload {
		t.Fatalf("deliver %q: outputs %q", payload, outs)
	}
}

func wantErrIs(t testing.TB, err, sentinel error) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Fatalf("got %v, want %v", err, sentinel)
	}
}

// waitFor fails the test unless cond holds within 10 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	if !eventually(10*time.Second, cond) {
		t.Fatalf("timed out waiting for %s", what)
	}
}
