package net

import (
	"strings"
	"testing"
	"time"
)

func TestMeshOsRequiredCapabilityMissingRefused(t *testing.T) {
	s := startSdk(t, MeshOsConfig{})
	_, err := s.Register("needy", seedA, &counterDaemon{}, DaemonOptions{RequiredCapabilities: []string{"hardware.gpu"}})
	wantErrIs(t, err, ErrRegisterFailed)
	if !strings.Contains(err.Error(), "hardware.gpu") {
		t.Fatalf("the refusal does not name the tag: %v", err)
	}
	// Refused, nothing registered: the same identity registers fine without
	// the requirement, and optional tags never refuse.
	h := register(t, s, "relaxed", seedA, &counterDaemon{}, DaemonOptions{OptionalCapabilities: []string{"hardware.gpu"}})
	deliverOK(t, s, h.ID(), 1, "x")
	if _, err := s.Register("bad", seedB, echoDaemon{}, DaemonOptions{CallbackTimeout: -time.Second}); err == nil {
		t.Fatal("a negative callback timeout was accepted")
	}
}

func TestMeshOsRequiredCapabilityAnnouncedOnMesh(t *testing.T) {
	a, _ := meshPair(t)
	if err := a.AnnounceCapabilities(EmptyCapabilities().WithTag("model:llama3")); err != nil {
		t.Fatal(err)
	}
	s, err := StartMeshOsOnMesh(a, MeshOsConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h := register(t, s, "llm", seedA, echoDaemon{}, DaemonOptions{RequiredCapabilities: []string{"model:llama3"}})
	deliverOK(t, s, h.ID(), 1, "served")
	_, err = s.Register("gpu", seedB, echoDaemon{}, DaemonOptions{RequiredCapabilities: []string{"hardware.gpu"}})
	wantErrIs(t, err, ErrRegisterFailed)
}

// staller blocks inside Process on "stall" until released.
type staller struct {
	entered chan struct{}
	release chan struct{}
}

func (s *staller) Process(ev CausalEvent) ([][]byte, error) {
	if string(ev.Payload) == "stall" {
		close(s.entered)
		<-s.release
	}
	return [][]byte{ev.Payload}, nil
}

func TestMeshOsStalledCallbackTimesOut(t *testing.T) {
	s := startSdk(t, MeshOsConfig{})
	d := &staller{entered: make(chan struct{}), release: make(chan struct{})}
	h := register(t, s, "staller", seedA, d, DaemonOptions{CallbackTimeout: 100 * time.Millisecond})
	first := make(chan error, 1)
	go func() {
		outs, err := s.Deliver(h.ID(), CausalEvent{Origin: 1, Sequence: 1, Payload: []byte("stall")})
		if err == nil && (len(outs) != 1 || string(outs[0]) != "stall") {
			t.Errorf("the stalled delivery's outputs: %q", outs)
		}
		first <- err
	}()
	<-d.entered
	start := time.Now()
	_, err := s.Deliver(h.ID(), CausalEvent{Origin: 2, Sequence: 1, Payload: []byte("x")})
	wantErrIs(t, err, ErrCallbackTimeout)
	if waited := time.Since(start); waited < 90*time.Millisecond {
		t.Fatalf("gave up after %v, before the 100 ms bound", waited)
	}
	close(d.release)
	if err := <-first; err != nil {
		t.Fatal("the stalled delivery:", err)
	}
	deliverOK(t, s, h.ID(), 2, "usable again")
}
