package net

import (
	"testing"
)

// The raw ingestion path allocates nothing in Go: the caller's bytes go to
// C as pinned call arguments, and longer batches are staged in C memory.
// (The race detector instruments allocations, so these counts are only
// meaningful without -race; see race_on_test.go.)

func TestEmitRawAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	n := newNode(t, Config{RingCapacity: 1 << 12, Retention: 1 << 12})
	event := []byte(`{"a":123}`)
	if allocs := testing.AllocsPerRun(1000, func() {
		if _, err := n.EmitRaw(event); err != nil {
			t.Fatal(err)
		}
	}); allocs != 0 {
		t.Fatalf("EmitRaw allocates %v times per call", allocs)
	}
	// Bytes on the caller's stack stay there (#cgo noescape): were they
	// moved to the heap, each call would allocate them.
	if allocs := testing.AllocsPerRun(1000, func() {
		if _, err := emitOneLocal(n); err != nil {
			t.Fatal(err)
		}
	}); allocs != 0 {
		t.Fatalf("EmitRaw of a local array allocates %v times per call", allocs)
	}
}

func TestEmitRawBatchAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	n := newNode(t, Config{RingCapacity: 1 << 14, Retention: 1 << 12})
	// Straight from the arguments (up to chunkLen), staged in the node's
	// stager (one chunk more, and many), and staged in a temporary
	// stager when the node's is busy.
	for _, size := range []int{1, chunkLen, chunkLen + 1, 1000} {
		batch := make([][]byte, size)
		for i := range batch {
			batch[i] = []byte(`{"a":123}`)
		}
		emit := func() {
			if count, err := n.EmitRawBatch(batch); err != nil || count != size {
				t.Fatal(count, err)
			}
		}
		if allocs := testing.AllocsPerRun(20, emit); allocs != 0 {
			t.Fatalf("EmitRawBatch(%d) allocates %v times per call", size, allocs)
		}
		n.stageMu.Lock() // as if another goroutine were staging
		allocs := testing.AllocsPerRun(20, emit)
		n.stageMu.Unlock()
		if allocs != 0 {
			t.Fatalf("EmitRawBatch(%d) with the node's stager busy allocates %v times per call", size, allocs)
		}
	}
	// Batches of locals keep them on the stack.
	if allocs := testing.AllocsPerRun(20, func() {
		if count, err := emitFromLocals(n, 0); err != nil || count != 2 {
			t.Fatal(count, err)
		}
		if count, err := emitManyLocals(n, 0); err != nil || count != localBatch {
			t.Fatal(count, err)
		}
	}); allocs != 0 {
		t.Fatalf("EmitRawBatch of local arrays allocates %v times per call", allocs)
	}
}
