package net

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// MeshOS benchmarks: a Go echo daemon driven through libnet's vtable.

// BenchmarkDeliverGoDaemon: one op is one Deliver of a 64-byte event to a
// Go echo daemon — a cgo call into libnet, the callback into Go's Process,
// the emit back into libnet and the copy of the output. A delivery counts
// only when it answered: each call's output is checked, and a missing or
// wrong one fails the benchmark. Reported as answered events per second.
func BenchmarkDeliverGoDaemon(b *testing.B) {
	s := startSdk(b, MeshOsConfig{})
	h := register(b, s, "echo", seedA, echoDaemon{}, DaemonOptions{})
	payload := bytes.Repeat([]byte{0x5A}, 64)
	id := h.ID()
	answered := 0
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		outs, err := s.Deliver(id, CausalEvent{Origin: 1, Sequence: uint64(i) + 1, Payload: payload})
		if err != nil {
			b.Fatal(err)
		}
		if len(outs) != 1 || !bytes.Equal(outs[0], payload) {
			b.Fatalf("delivery %d was not answered: %q", i, outs)
		}
		answered++
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(answered)/elapsed.Seconds(), "events/s")
}

// BenchmarkControlRoundTrip: one op sends a control event with
// SendControl (the supervisor's side: it goes through the SDK's
// supervisor thread) and receives it with NextControl; each round is
// timed on its own for p50 / p99.
func BenchmarkControlRoundTrip(b *testing.B) {
	s := startSdk(b, MeshOsConfig{})
	h := register(b, s, "ctl", seedA, echoDaemon{}, DaemonOptions{})
	ctx := context.Background()
	want := DaemonControl{Kind: ControlBackpressureOn, Level: 0.25}
	round := func() {
		if err := s.SendControl(h.ID(), want); err != nil {
			b.Fatal(err)
		}
		c, err := h.NextControl(ctx)
		if err != nil || c != want {
			b.Fatalf("received %+v, %v", c, err)
		}
	}
	benchRoundTrips(b, 200, round)
}

// BenchmarkDeliverGoDaemonBatch: the same echo daemon fed 1,024 events per
// DeliverBatch call; counts events answered.
func BenchmarkDeliverGoDaemonBatch(b *testing.B) {
	s := startSdk(b, MeshOsConfig{})
	h := register(b, s, "echo", seedA, echoDaemon{}, DaemonOptions{})
	const batch = 1024
	payloads := make([][]byte, batch)
	for i := range payloads {
		payloads[i] = bytes.Repeat([]byte{0x5A}, 64)
	}
	id := h.ID()
	answered := 0
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		outs, err := s.DeliverBatch(id, 1, uint64(i)*batch+1, payloads)
		if err != nil {
			b.Fatal(err)
		}
		for e := range outs {
			if len(outs[e]) != 1 || !bytes.Equal(outs[e][0], payloads[e]) {
				b.Fatalf("event %d of batch %d was not answered", e, i)
			}
			answered++
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(answered)/elapsed.Seconds(), "events/s")
}
