package net

import (
	"testing"
)

// The raw ingestion path hands libnet the caller's memory: no Go
// allocation, no copy. (The race detector instruments allocations, so
// these counts are only meaningful without -race; see race_on_test.go.)

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
}

func TestEmitRawBatchAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	n := newNode(t, Config{RingCapacity: 1 << 14, Retention: 1 << 12})
	// Both sides of the shim's stack/heap switch (256 elements).
	for _, size := range []int{10, 1000} {
		batch := make([][]byte, size)
		for i := range batch {
			batch[i] = []byte(`{"a":123}`)
		}
		if allocs := testing.AllocsPerRun(20, func() {
			if count, err := n.EmitRawBatch(batch); err != nil || count != size {
				t.Fatal(count, err)
			}
		}); allocs != 0 {
			t.Fatalf("EmitRawBatch(%d) allocates %v times per call", size, allocs)
		}
	}
}
