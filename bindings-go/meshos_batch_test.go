package net

import (
	"errors"
	"fmt"
	"testing"
)

func TestMeshOsDeliverBatchGroupsOutputsPerEvent(t *testing.T) {
	s := startSdk(t, MeshOsConfig{})
	h := register(t, s, "counter", seedA, &counterDaemon{}, DaemonOptions{})
	payloads := [][]byte{[]byte("a"), {}, []byte("ccc")}
	outs, err := s.DeliverBatch(h.ID(), 7, 1, payloads)
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 3 {
		t.Fatalf("%d events answered, want 3: %q", len(outs), outs)
	}
	for i, p := range payloads {
		if len(outs[i]) != 1 || string(outs[i][0]) != string(p) {
			t.Fatalf("event %d answered %q, want %q", i, outs[i], p)
		}
	}
	st, err := s.Stats(h.ID())
	if err != nil || st.EventsProcessed != 3 {
		t.Fatalf("stats %+v, %v", st, err)
	}
	if outs, err := s.DeliverBatch(h.ID(), 7, 4, nil); err != nil || outs != nil {
		t.Fatalf("an empty batch gave %q, %v", outs, err)
	}
}

func TestMeshOsDeliverBatchStopsAtAFailureAndKeepsWhatCameBefore(t *testing.T) {
	s := startSdk(t, MeshOsConfig{})
	d := &counterDaemon{}
	h := register(t, s, "counter", seedA, d, DaemonOptions{})
	outs, err := s.DeliverBatch(h.ID(), 7, 10, [][]byte{[]byte("x"), []byte("y"), []byte("fail"), []byte("z")})
	wantErrIs(t, err, ErrProcessFailed)
	if !errors.Is(err, errRefused) {
		t.Fatalf("the daemon's own error is not the cause: %v", err)
	}
	if len(outs) != 2 || string(outs[1][0]) != "y" {
		t.Fatalf("outputs before the failure: %q", outs)
	}
	if d.count.Load() != 2 {
		t.Fatalf("the event after the failure reached the daemon: count %d", d.count.Load())
	}
	_, err = s.DeliverBatch(12345, 7, 1, [][]byte{[]byte("x")})
	wantErrIs(t, err, ErrDaemonNotFound)
}

func TestMeshOsDeliverBatchAfterCloseIsRefused(t *testing.T) {
	s, err := StartMeshOs(MeshOsConfig{})
	if err != nil {
		t.Fatal(err)
	}
	h, err := s.Register("echo", seedB, echoDaemon{}, DaemonOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id := h.ID()
	h.Close()
	s.Close()
	if _, err := s.DeliverBatch(id, 1, 1, [][]byte{[]byte("late")}); err == nil {
		t.Fatal("a batch to a closed SDK was accepted")
	}
}

func ExampleMeshOsDaemonSdk_DeliverBatch() {
	s, _ := StartMeshOs(MeshOsConfig{})
	defer s.Close()
	h, _ := s.Register("echo", [32]byte{1}, echoDaemon{}, DaemonOptions{})
	defer h.Close()
	outs, err := s.DeliverBatch(h.ID(), 1, 1, [][]byte{[]byte("one"), []byte("two")})
	fmt.Println(len(outs), string(outs[0][0]), string(outs[1][0]), err)
	// Output: 2 one two <nil>
}
