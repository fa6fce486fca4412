package net

import "testing"

// Sending allocates nothing in Go: one message goes to libnet as a pinned
// call argument (#cgo noescape, so even a stack array stays on the
// stack), and a batch is laid out in the stream's reused stage. (The race
// detector instruments allocations; see race_on_test.go.)

func TestMeshSendAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	a, b := meshPair(t)
	// A window and inbox large enough for every send below.
	ab, ba := openBoth(t, a, b, 1, StreamConfig{Window: 1 << 16, ReceiveCapacity: 1 << 20})
	msg := []byte("sixty-four bytes would do as well as these twenty-nine")
	if allocs := testing.AllocsPerRun(500, func() {
		if err := ab.Send(msg); err != nil {
			t.Fatal(err)
		}
	}); allocs != 0 {
		t.Fatalf("Send allocates %v times per call", allocs)
	}
	if allocs := testing.AllocsPerRun(500, func() {
		if err := sendLocal(ab); err != nil {
			t.Fatal(err)
		}
	}); allocs != 0 {
		t.Fatalf("Send of a stack array allocates %v times per call", allocs)
	}
	batch := make([][]byte, 64)
	for i := range batch {
		batch[i] = msg
	}
	if allocs := testing.AllocsPerRun(50, func() {
		if err := ab.SendBatch(batch); err != nil {
			t.Fatal(err)
		}
	}); allocs != 0 {
		t.Fatalf("SendBatch(64) allocates %v times per call", allocs)
	}
	_ = ba
}

// sendLocal sends a message held in a local array.
//
//go:noinline
func sendLocal(s *Stream) error {
	var m [48]byte
	m[0] = 1
	return s.Send(m[:])
}
