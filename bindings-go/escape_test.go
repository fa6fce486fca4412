package net

import (
	"context"
	"testing"
)

// emitFromLocals builds a batch whose arrays would live on this frame if
// nothing made them escape. EmitRawBatch's //go:uintptrescapes must move
// them to the heap (`go test -gcflags=-m` reports "moved to heap: a"),
// since a goroutine stack can move while its addresses are in flight.
func emitFromLocals(n *Node, depth int) (int, error) {
	if depth > 0 {
		// Grow the stack (and so copy it) before the batch is built.
		var pad [256]byte
		pad[depth%len(pad)] = byte(depth)
		count, err := emitFromLocals(n, depth-1)
		return count + int(pad[depth%len(pad)]-byte(depth)), err
	}
	a := [7]byte{'{', '"', 'x', '"', ':', '1', '}'}
	b := [7]byte{'{', '"', 'x', '"', ':', '2', '}'}
	batch := [2][]byte{a[:], b[:]}
	return n.EmitRawBatch(batch[:])
}

func emitOneLocal(n *Node) (Receipt, error) {
	c := [7]byte{'{', '"', 'x', '"', ':', '3', '}'}
	return n.EmitRaw(c[:])
}

func TestLocalBuffersSurviveStackMoves(t *testing.T) {
	n := newNode(t, Config{Shards: 1})
	if count, err := emitFromLocals(n, 200); err != nil || count != 2 {
		t.Fatalf("batch of locals: %d, %v", count, err)
	}
	if _, err := emitOneLocal(n); err != nil {
		t.Fatal(err)
	}
	if err := n.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	page, err := n.Poll(context.Background(), PollRequest{})
	if err != nil || len(page.Events) != 3 {
		t.Fatalf("poll: %v, %v", page, err)
	}
	for i, want := range []string{`{"x":1}`, `{"x":2}`, `{"x":3}`} {
		if got := string(page.Events[i].Raw); got != want {
			t.Fatalf("event %d = %s, want %s", i, got, want)
		}
	}
}
