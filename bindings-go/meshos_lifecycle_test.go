package net

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestMeshOsLogsAndGracefulShutdown(t *testing.T) {
	s := startSdk(t, MeshOsConfig{})
	d := &counterDaemon{}
	h := register(t, s, "worker", seedA, d, DaemonOptions{})
	other := register(t, s, "other", seedB, &counterDaemon{}, DaemonOptions{})
	if err := h.PublishLog(LogInfo, "started"); err != nil {
		t.Fatal(err)
	}
	if err := h.PublishLog(LogWarn, "draining soon"); err != nil {
		t.Fatal(err)
	}
	wantErrIs(t, h.PublishLog(LogLevel(9), "x"), ErrInvalidLogLevel)
	lines, err := s.DrainLogs()
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2 || lines[0].Message != "started" || lines[0].Level != "info" || lines[1].Level != "warn" ||
		lines[0].DaemonID != h.ID() || lines[0].DaemonName != "worker" || lines[0].AtMs == 0 {
		t.Fatalf("logs %+v", lines)
	}
	if lines, err := s.DrainLogs(); err != nil || len(lines) != 0 {
		t.Fatalf("second drain: %+v, %v", lines, err)
	}

	// The daemon hears Shutdown through OnControl and on its channel: a
	// NextControl waiting meanwhile receives it during the grace period.
	type received struct {
		c   DaemonControl
		err error
	}
	waiting := make(chan received, 1)
	go func() {
		c, err := h.NextControl(context.Background())
		waiting <- received{c, err}
	}()
	if err := h.GracefulShutdown(100 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if got := <-waiting; got.err != nil || got.c != (DaemonControl{Kind: ControlShutdown, Grace: 100 * time.Millisecond}) {
		t.Fatalf("the waiting NextControl got %+v", got)
	}
	heard := d.seen()
	if len(heard) != 1 || heard[0] != (DaemonControl{Kind: ControlShutdown, Grace: 100 * time.Millisecond}) {
		t.Fatalf("OnControl heard %+v", heard)
	}

	// Shut down: unregistered, and the handle refuses everything.
	_, err = s.Deliver(h.ID(), CausalEvent{Payload: []byte("x")})
	wantErrIs(t, err, ErrDaemonNotFound)
	wantErrIs(t, h.GracefulShutdown(time.Millisecond), ErrMeshOsAlreadyShutdown)
	wantErrIs(t, h.PublishLog(LogInfo, "late"), ErrMeshOsAlreadyShutdown)
	wantErrIs(t, h.PublishCapabilities([]string{"model:x"}), ErrMeshOsAlreadyShutdown)
	_, _, err = h.TryNextControl()
	wantErrIs(t, err, ErrMeshOsAlreadyShutdown)
	_, err = h.Metadata()
	wantErrIs(t, err, ErrMeshOsAlreadyShutdown)
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	wantErrIs(t, h.PublishLog(LogInfo, "closed"), ErrMeshOsAlreadyShutdown)
	if err := h.Close(); err != nil {
		t.Fatal("second Close:", err)
	}

	// The other daemon is untouched.
	deliverOK(t, s, other.ID(), 1, "still here")
}

func TestMeshOsSdkShutdownMisuse(t *testing.T) {
	s, err := StartMeshOs(MeshOsConfig{})
	if err != nil {
		t.Fatal(err)
	}
	h, err := s.Register("d", seedA, &counterDaemon{}, DaemonOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Shutdown(); err != nil {
		t.Fatal(err)
	}
	wantErrIs(t, s.Shutdown(), ErrMeshOsAlreadyShutdown)
	_, err = s.Deliver(h.ID(), CausalEvent{Payload: []byte("x")})
	wantErrIs(t, err, ErrMeshOsAlreadyShutdown)
	_, err = s.DroppedControlEvents()
	wantErrIs(t, err, ErrMeshOsAlreadyShutdown)
	_, err = s.DrainLogs()
	wantErrIs(t, err, ErrMeshOsAlreadyShutdown)
	wantErrIs(t, s.SendControl(h.ID(), DaemonControl{Kind: ControlDrainFinish}), ErrMeshOsAlreadyShutdown)
	_, err = s.Register("late", seedB, echoDaemon{}, DaemonOptions{})
	wantErrIs(t, err, ErrMeshOsAlreadyShutdown)
	if err := h.PublishLog(LogInfo, "after the SDK stopped"); err == nil {
		t.Fatal("a log was accepted after the SDK shut down")
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
	_, err = s.Snapshot(h.ID())
	wantErrIs(t, err, ErrMeshOsAlreadyShutdown)
	if _, err := s.Register("x", seedA, nil, DaemonOptions{}); err == nil {
		t.Fatal("a nil daemon was accepted")
	}
}

func TestMeshOsMetadataAndLocalCapabilities(t *testing.T) {
	s := startSdk(t, MeshOsConfig{NodeID: 77})
	h := register(t, s, "meta", seedA, echoDaemon{}, DaemonOptions{})
	if err := h.PublishCapabilities([]string{"model:llama3"}); err != nil {
		t.Fatal(err)
	}
	err := h.PublishCapabilities([]string{"software.nonsense=1"})
	if !strings.Contains(err.Error(), "invalid_argument") {
		t.Fatalf("a refused tag: %v", err)
	}
	m, err := h.RefreshMetadata()
	if err != nil {
		t.Fatal(err)
	}
	if m.NodeID != 77 || m.DaemonID != h.ID() || m.DaemonName != "meta" || m.MaintenanceState.Kind != "active" ||
		len(m.Capabilities) != 1 || m.Capabilities[0] != "model:llama3" || m.Health != Healthy {
		t.Fatalf("metadata %+v", m)
	}
	if err := h.PublishCapabilities(nil); err != nil {
		t.Fatal(err)
	}
	if m, err := h.RefreshMetadata(); err != nil || len(m.Capabilities) != 0 {
		t.Fatalf("cleared tags: %+v, %v", m, err)
	}
}

func TestMeshOsCapabilitiesReachPeers(t *testing.T) {
	a, b := meshPair(t)
	s, err := StartMeshOsOnMesh(a, MeshOsConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h := register(t, s, "gpu-agent", seedA, echoDaemon{}, DaemonOptions{})
	if err := h.PublishCapabilities([]string{"hardware.gpu", "model:llama3"}); err != nil {
		t.Fatal(err)
	}
	filter := CapabilityFilter{RequireTags: []string{"model:llama3"}}
	waitFor(t, "the peer to find the daemon's node", func() bool {
		ids, err := b.FindNodes(filter)
		return err == nil && len(ids) == 1 && ids[0] == a.NodeID()
	})
	m, err := h.RefreshMetadata()
	if err != nil {
		t.Fatal(err)
	}
	if m.NodeID != a.NodeID() || len(m.Peers) != 1 || m.Peers[0].NodeID != b.NodeID() {
		t.Fatalf("metadata on a mesh: %+v", m)
	}
	if err := h.GracefulShutdown(time.Millisecond); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the tags to be withdrawn", func() bool {
		ids, err := b.FindNodes(filter)
		return err == nil && len(ids) == 0
	})
}
