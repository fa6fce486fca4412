package net

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// series is the value of one series (name with its labels) in Prometheus text.
func series(t *testing.T, text, name string) uint64 {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return n
		}
	}
	t.Fatalf("no series %s in\n%s", name, text)
	return 0
}

func TestPrometheusTextMatchesStats(t *testing.T) {
	node := newNode(t, Config{Shards: 2})
	for i := 0; i < 5; i++ {
		if _, err := node.EmitRaw([]byte(fmt.Sprintf(`{"i":%d}`, i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := node.Flush(within(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	a, b := meshPair(t)
	ab, ba := openBoth(t, a, b, 9, StreamConfig{})
	if err := ab.Send([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	if _, err := ba.Recv(within(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}

	text, err := PrometheusText(node, b)
	if err != nil {
		t.Fatal(err)
	}
	stats, err := node.Stats()
	if err != nil {
		t.Fatal(err)
	}
	ms, err := b.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if got := series(t, text, "net_bus_events_ingested_total"); got != stats.EventsIngested || got != 5 {
		t.Errorf("events ingested %d, stats say %d", got, stats.EventsIngested)
	}
	if got := series(t, text, "net_mesh_handshakes_completed_total"); got != ms.HandshakesCompleted {
		t.Errorf("handshakes %d, stats say %d", got, ms.HandshakesCompleted)
	}
	labels := fmt.Sprintf(`{peer="0x%016x",stream="9"}`, a.NodeID())
	if got := series(t, text, "net_stream_messages_received_total"+labels); got != 1 {
		t.Errorf("stream messages received %d, want 1", got)
	}
	if !strings.HasSuffix(text, "# EOF\n") {
		t.Errorf("no terminator: %q", text)
	}

	bus, err := node.PrometheusText()
	if err != nil || strings.Contains(bus, "net_mesh_") || !strings.Contains(bus, "net_bus_events_ingested_total 5") {
		t.Errorf("bus only: %v\n%s", err, bus)
	}
	mesh, err := b.PrometheusText()
	if err != nil || strings.Contains(mesh, "net_bus_") || !strings.Contains(mesh, "net_mesh_sessions 1") {
		t.Errorf("mesh only: %v\n%s", err, mesh)
	}
	if none, err := PrometheusText(nil, nil); err != nil || none != "# EOF\n" {
		t.Errorf("neither part: %q, %v", none, err)
	}

	node.Close()
	if _, err := node.PrometheusText(); !errors.Is(err, ErrClosed) {
		t.Errorf("closed node: %v, want ErrClosed", err)
	}
}
