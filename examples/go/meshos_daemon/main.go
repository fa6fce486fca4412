// meshos_daemon: a MeshOS daemon written in Go — a word counter that
// answers every event with its running total, snapshots and restores its
// state, hears control events, logs, and publishes a capability tag. The
// Go face of the daemon SDK in one file.
package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log"
	"strings"
	"sync"
	"time"

	net "github.com/net-mesh/net/bindings-go"
)

// wordCounter counts the words of the events it processes. Process runs
// on the delivering goroutine's thread; OnControl on the SDK's supervisor
// thread — hence the lock.
type wordCounter struct {
	mu    sync.Mutex
	words uint64
}

func (w *wordCounter) Process(ev net.CausalEvent) ([][]byte, error) {
	text := string(ev.Payload)
	if text == "" {
		return nil, errors.New("empty event")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.words += uint64(len(strings.Fields(text)))
	return [][]byte{fmt.Appendf(nil, "%d words so far", w.words)}, nil
}

func (w *wordCounter) Snapshot() ([]byte, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return binary.LittleEndian.AppendUint64(nil, w.words), nil
}

func (w *wordCounter) Restore(state []byte) error {
	if len(state) != 8 {
		return fmt.Errorf("a word count is 8 bytes, not %d", len(state))
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.words = binary.LittleEndian.Uint64(state)
	return nil
}

func (w *wordCounter) OnControl(c net.DaemonControl) {
	fmt.Println("on_control:", c.Kind)
}

func main() {
	sdk, err := net.StartMeshOs(net.MeshOsConfig{NodeID: 1})
	if err != nil {
		log.Fatal(err)
	}
	defer sdk.Close()

	var seed [32]byte
	copy(seed[:], "example daemon seed, 32 bytes!!!")
	counter := &wordCounter{}
	h, err := sdk.Register("word-counter", seed, counter, net.DaemonOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	fmt.Printf("registered %s as %#x\n", h.Name(), h.ID())

	// The supervisor's side: deliver events, snapshot, restore.
	deliver := func(seq uint64, text string) {
		outs, err := sdk.Deliver(h.ID(), net.CausalEvent{Origin: 42, Sequence: seq, Payload: []byte(text)})
		if err != nil {
			fmt.Println("deliver:", err)
			return
		}
		fmt.Printf("event %d -> %s\n", seq, outs[0])
	}
	deliver(1, "the quick brown fox")
	deliver(2, "jumps over")
	snap, err := sdk.Snapshot(h.ID())
	if err != nil {
		log.Fatal(err)
	}
	deliver(3, "the lazy dog")
	if err := sdk.Restore(h.ID(), snap); err != nil {
		log.Fatal(err)
	}
	fmt.Println("restored to the snapshot taken after event 2")
	deliver(3, "the lazy dog")

	// A failing Process is a typed error carrying the daemon's own.
	_, err = sdk.Deliver(h.ID(), net.CausalEvent{Origin: 42, Sequence: 4})
	var de *net.DaemonError
	if errors.As(err, &de) {
		fmt.Printf("failed delivery: kind %s, cause %v\n", de.Kind, de.Cause)
	}
	stats, _ := sdk.Stats(h.ID())
	fmt.Printf("stats: %+v\n", stats)

	// Control: the supervisor routes an event; the daemon receives it.
	if err := sdk.SendControl(h.ID(), net.DaemonControl{Kind: net.ControlDrainStart, Grace: time.Second}); err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := h.NextControl(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("next control: %s (grace %v)\n", c.Kind, c.Grace)

	// Logs, capabilities, metadata.
	if err := h.PublishLog(net.LogInfo, "draining"); err != nil {
		log.Fatal(err)
	}
	lines, _ := sdk.DrainLogs()
	for _, l := range lines {
		fmt.Printf("log [%s] %s: %s\n", l.Level, l.DaemonName, l.Message)
	}
	if err := h.PublishCapabilities([]string{"model:word-counter"}); err != nil {
		log.Fatal(err)
	}
	meta, err := h.RefreshMetadata()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("metadata: node %d, %s, health %s, tags %v\n", meta.NodeID, meta.MaintenanceState.Kind, meta.Health, meta.Capabilities)

	if err := h.GracefulShutdown(50 * time.Millisecond); err != nil {
		log.Fatal(err)
	}
	_, err = sdk.Deliver(h.ID(), net.CausalEvent{Origin: 42, Sequence: 5, Payload: []byte("late")})
	fmt.Println("after shutdown:", errors.Is(err, net.ErrDaemonNotFound))
}
