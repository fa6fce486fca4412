package net

import (
	"context"
	"fmt"
	"testing"
)

// The ingest shims are `#cgo noescape`, so bytes on the caller's stack
// stay there (`go test -gcflags=-m` reports no "moved to heap" for the
// arrays below; alloc_test.go counts 0 allocations). That is sound only
// because each Go pointer is used during the one call it is an argument
// of: a goroutine stack can move between two calls — here it is grown,
// and so copied, right before the batch is built — but never during one,
// and a batch longer than a chunk is copied to C memory chunk by chunk.

// onGrownStack grows the goroutine stack (and so copies it) depth frames
// deep, then runs emit, whose locals are laid out on the grown stack.
func onGrownStack(depth int, emit func() (int, error)) (int, error) {
	if depth == 0 {
		return emit()
	}
	var pad [256]byte
	pad[depth%len(pad)] = byte(depth)
	count, err := onGrownStack(depth-1, emit)
	return count + int(pad[depth%len(pad)]-byte(depth)), err
}

// emitFromLocals emits a batch of two whose arrays live on the stack.
func emitFromLocals(n *Node, depth int) (int, error) {
	return onGrownStack(depth, func() (int, error) {
		a := [7]byte{'{', '"', 'x', '"', ':', '1', '}'}
		b := [7]byte{'{', '"', 'x', '"', ':', '2', '}'}
		batch := [2][]byte{a[:], b[:]}
		return n.EmitRawBatch(batch[:])
	})
}

// localBatch is longer than a chunk, so it is staged over several calls.
const localBatch = 2*chunkLen + 3

// emitManyLocals emits a batch of localBatch events, all on the stack.
func emitManyLocals(n *Node, depth int) (int, error) {
	return onGrownStack(depth, func() (int, error) {
		var texts [localBatch][9]byte
		var batch [localBatch][]byte
		for i := range texts {
			texts[i] = [9]byte{'{', '"', 'y', '"', ':', '0' + byte(i/100), '0' + byte(i/10%10), '0' + byte(i%10), '}'}
			batch[i] = texts[i][:]
		}
		return n.EmitRawBatch(batch[:])
	})
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
	if count, err := emitManyLocals(n, 100); err != nil || count != localBatch {
		t.Fatalf("long batch of locals: %d, %v", count, err)
	}
	if err := n.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	page, err := n.Poll(context.Background(), PollRequest{Limit: 1000})
	if err != nil || len(page.Events) != 3+localBatch {
		t.Fatalf("poll: %d events, %v", len(page.Events), err)
	}
	want := []string{`{"x":1}`, `{"x":2}`, `{"x":3}`}
	for i := 0; i < localBatch; i++ {
		want = append(want, fmt.Sprintf(`{"y":%03d}`, i))
	}
	for i, w := range want {
		if got := string(page.Events[i].Raw); got != w {
			t.Fatalf("event %d = %s, want %s", i, got, w)
		}
	}
}
