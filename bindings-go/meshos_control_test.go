package net

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestMeshOsControlEventsInOrder(t *testing.T) {
	s := startSdk(t, MeshOsConfig{ControlCapacity: 16})
	d := &counterDaemon{}
	h := register(t, s, "ctl", seedA, d, DaemonOptions{})
	if _, ok, err := h.TryNextControl(); ok || err != nil {
		t.Fatalf("empty channel: ok %v, %v", ok, err)
	}
	sent := []DaemonControl{
		{Kind: ControlDrainStart, Grace: 1500 * time.Millisecond},
		{Kind: ControlBackpressureOn, Level: 0.75},
		{Kind: ControlBackpressureOff},
		{Kind: ControlDrainFinish},
		{Kind: ControlShutdown, Grace: 2 * time.Second},
	}
	for _, c := range sent {
		if err := s.SendControl(h.ID(), c); err != nil {
			t.Fatalf("send %v: %v", c.Kind, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var got []DaemonControl
	for c, err := range h.Controls(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, c)
		if len(got) == len(sent) {
			break
		}
	}
	for i := range sent {
		if i >= len(got) || got[i] != sent[i] {
			t.Fatalf("received %v, sent %v", got, sent)
		}
	}
	// OnControl heard them first, in the same order.
	waitFor(t, "OnControl of every event", func() bool { return len(d.seen()) == len(sent) })
	for i, c := range d.seen() {
		if c != sent[i] {
			t.Fatalf("OnControl heard %v, sent %v", d.seen(), sent)
		}
	}
	if n, err := s.DroppedControlEvents(); n != 0 || err != nil {
		t.Fatalf("dropped %d, %v", n, err)
	}
}

func TestMeshOsControlRefusals(t *testing.T) {
	s := startSdk(t, MeshOsConfig{})
	h := register(t, s, "ctl", seedA, &counterDaemon{}, DaemonOptions{})
	wantErrIs(t, s.SendControl(h.ID(), DaemonControl{Kind: ControlNone}), ErrInvalidArgument)
	wantErrIs(t, s.SendControl(h.ID(), DaemonControl{Kind: ControlBackpressureOn, Level: 1.5}), ErrInvalidArgument)
	if err := s.SendControl(99, DaemonControl{Kind: ControlDrainFinish}); err == nil {
		t.Fatal("control to an unknown daemon was accepted")
	}
}

func TestMeshOsNextControlHonoursContext(t *testing.T) {
	s := startSdk(t, MeshOsConfig{})
	h := register(t, s, "ctl", seedA, echoDaemon{}, DaemonOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if _, err := h.NextControl(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("NextControl past its deadline: %v", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	if _, err := h.NextControl(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("NextControl cancelled: %v", err)
	}
}

func TestMeshOsFullControlChannelDropsAndCounts(t *testing.T) {
	s := startSdk(t, MeshOsConfig{ControlCapacity: 1})
	d := &counterDaemon{}
	h := register(t, s, "small", seedA, d, DaemonOptions{})
	for range 3 {
		if err := s.SendControl(h.ID(), DaemonControl{Kind: ControlDrainFinish}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "three OnControl calls", func() bool { return len(d.seen()) == 3 })
	if n, err := s.DroppedControlEvents(); n != 2 || err != nil {
		t.Fatalf("dropped %d (%v), want 2", n, err)
	}
	if c, ok, err := h.TryNextControl(); !ok || err != nil || c.Kind != ControlDrainFinish {
		t.Fatalf("the event that fit: %v %v %v", c, ok, err)
	}
	if _, ok, _ := h.TryNextControl(); ok {
		t.Fatal("more than the channel's capacity was kept")
	}
}

// saturated reports a saturation the test sets.
type saturated struct {
	echoDaemon
	level chan float32
	last  float32
}

func (s *saturated) Saturation() float32 {
	select {
	case s.last = <-s.level:
	default:
	}
	return s.last
}

func TestMeshOsSaturationTurnsIntoBackpressure(t *testing.T) {
	s := startSdk(t, MeshOsConfig{TickInterval: 5 * time.Millisecond})
	d := &saturated{level: make(chan float32, 1)}
	h := register(t, s, "busy", seedA, d, DaemonOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d.level <- 0.9
	c, err := h.NextControl(ctx)
	if err != nil || c.Kind != ControlBackpressureOn {
		t.Fatalf("at 0.9: %v, %v", c, err)
	}
	d.level <- 0.1
	c, err = h.NextControl(ctx)
	if err != nil || c.Kind != ControlBackpressureOff {
		t.Fatalf("at 0.1: %v, %v", c, err)
	}
}
