package net

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"
)

// EmitRawBatch crosses to C chunkLen elements per call and stages longer
// batches in C memory (shim.h). These tests hold it to net.h's batch
// semantics at and around the chunk boundaries.

// batchOf builds n distinct events whose lengths cycle through every
// branch of the shim's copy (0, 1–3, 4–7, 8–16 and longer).
func batchOf(n int) [][]byte {
	batch := make([][]byte, n)
	for i := range batch {
		switch i % 6 {
		case 0:
			batch[i] = []byte(fmt.Sprintf(`{"i":%d,"pad":"%s"}`, i, strings.Repeat("x", i%40)))
		case 1:
			batch[i] = []byte(fmt.Sprint(i % 1000)) // 1 to 3 bytes
		case 2:
			batch[i] = []byte(fmt.Sprintf("%05d", i)) // 5 bytes
		case 3:
			batch[i] = []byte{} // an empty event
		case 4:
			batch[i] = []byte(fmt.Sprintf(`{"i":%07d}`, i)) // 13 bytes
		default:
			batch[i] = []byte(fmt.Sprintf(`"é%d"`, i)) // UTF-8, not ASCII
		}
	}
	return batch
}

// shardRuns groups events by shard, in sequence order.
func shardRuns(events []Event) map[uint16][]Event {
	runs := map[uint16][]Event{}
	for _, ev := range events {
		runs[ev.Shard] = append(runs[ev.Shard], ev)
	}
	for _, run := range runs {
		sort.Slice(run, func(i, j int) bool { return run[i].Sequence < run[j].Sequence })
	}
	return runs
}

func TestBatchAcrossChunks(t *testing.T) {
	for _, size := range []int{0, 1, chunkLen - 1, chunkLen, chunkLen + 1, 3*chunkLen + 5, 1000} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			n := newNode(t, Config{Shards: 3, RingCapacity: 4096, Retention: 4096})
			batch := batchOf(size)
			// Three times: in the node's stager, again in it (reused), and
			// in a temporary one while the node's is busy.
			const rounds = 3
			for round := 0; round < rounds; round++ {
				if round == 2 {
					n.stageMu.Lock() // as if another goroutine were staging
				}
				count, err := n.EmitRawBatch(batch)
				if round == 2 {
					n.stageMu.Unlock()
				}
				if err != nil || count != size {
					t.Fatalf("round %d: %d, %v", round, count, err)
				}
			}
			events := pollAll(t, n)
			if len(events) != rounds*size {
				t.Fatalf("polled %d events, want %d", len(events), rounds*size)
			}
			for _, run := range shardRuns(events) {
				for i, ev := range run {
					if i > 0 && ev.Sequence != run[i-1].Sequence+1 {
						t.Fatalf("sequence gap at %d: %d after %d", i, ev.Sequence, run[i-1].Sequence)
					}
				}
				// Each batch lands whole in one shard, so a shard holds
				// whole copies, each in order, byte for byte.
				if len(run)%size != 0 {
					t.Fatalf("a shard holds %d events of batches of %d", len(run), size)
				}
				for i, ev := range run {
					if !bytes.Equal(ev.Raw, batch[i%size]) {
						t.Fatalf("event %d = %q, want %q", i, ev.Raw, batch[i%size])
					}
				}
			}
		})
	}
}

func TestBatchRefusesABadElementInALaterChunk(t *testing.T) {
	n := newNode(t, Config{Shards: 2})
	for _, size := range []int{10, 3*chunkLen + 5} {
		for _, bad := range []int{size - 1, size / 2, 0} {
			batch := batchOf(size)
			batch[bad] = []byte{'{', 0xff, '}'}
			count, err := n.EmitRawBatch(batch)
			var e *Error
			if !errors.Is(err, ErrInvalidUTF8) || count != 0 || !errors.As(err, &e) {
				t.Fatalf("size %d, bad %d: %d, %v", size, bad, count, err)
			}
			// raws[i] from net_ingest_raw_batch (one chunk), events[i] from
			// net_ingest_raw_block (staged): the index is the batch's.
			if want := fmt.Sprintf("[%d] is not valid UTF-8", bad); !strings.Contains(e.Message, want) {
				t.Fatalf("size %d, bad %d: the error does not name %s: %q", size, bad, want, e.Message)
			}
		}
	}
	if events := pollAll(t, n); len(events) != 0 {
		t.Fatalf("a refused batch stored %d events", len(events))
	}
	// Nothing stale is left staged: the next batch is exactly itself.
	good := batchOf(2*chunkLen + 3)
	if count, err := n.EmitRawBatch(good); err != nil || count != len(good) {
		t.Fatalf("batch after refusals: %d, %v", count, err)
	}
	events := pollAll(t, n)
	if len(events) != len(good) {
		t.Fatalf("polled %d events", len(events))
	}
	for i, ev := range events {
		if !bytes.Equal(ev.Raw, good[i]) {
			t.Fatalf("event %d = %q, want %q", i, ev.Raw, good[i])
		}
	}
}

// Under FailProducer a batch longer than the ring stores its first events
// and reports how many; those are the batch's first ones, in order.
func TestBatchPartialUnderFailProducer(t *testing.T) {
	for _, size := range []int{chunkLen, 5 * chunkLen} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			n := newNode(t, Config{Shards: 1, RingCapacity: 2, Backpressure: FailProducer, MaxBatch: 1, MaxDelay: time.Second})
			batch := batchOf(size)
			count, err := n.EmitRawBatch(batch)
			if err != nil || count == 0 || count >= size {
				t.Fatalf("batch of %d into a ring of 2: %d, %v", size, count, err)
			}
			events := pollAll(t, n)
			if len(events) != count {
				t.Fatalf("stored %d, polled %d", count, len(events))
			}
			for i, ev := range events {
				if !bytes.Equal(ev.Raw, batch[i]) {
					t.Fatalf("event %d = %q, want %q", i, ev.Raw, batch[i])
				}
			}
		})
	}
}

// Many goroutines emitting batches at once: the node's stager is taken
// by one, the others stage in temporary ones. Nothing is lost and every
// batch stays whole and in order within its shard.
func TestConcurrentBatchesStayWhole(t *testing.T) {
	const workers, rounds = 8, 30
	n := newNode(t, Config{Shards: 4, RingCapacity: 1 << 15, Retention: 1 << 15})
	sizes := []int{1, chunkLen + 1, 3*chunkLen + 5, 7, 2 * chunkLen}
	var wg sync.WaitGroup
	want := 0
	for w := 0; w < workers; w++ {
		for r := 0; r < rounds; r++ {
			want += sizes[(w+r)%len(sizes)]
		}
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				batch := make([][]byte, sizes[(w+r)%len(sizes)])
				for i := range batch {
					batch[i] = []byte(fmt.Sprintf(`{"w":%d,"r":%d,"i":%d,"of":%d}`, w, r, i, len(batch)))
				}
				if count, err := n.EmitRawBatch(batch); err != nil || count != len(batch) {
					t.Errorf("worker %d round %d: %d, %v", w, r, count, err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	events := pollAll(t, n)
	if len(events) != want {
		t.Fatalf("polled %d events, want %d", len(events), want)
	}
	type key struct{ w, r, i int }
	seen := map[key]bool{}
	for _, run := range shardRuns(events) {
		next := 0 // the index the next event of the current batch must have
		var cur key
		for _, ev := range run {
			var k key
			var of int
			if _, err := fmt.Sscanf(string(ev.Raw), `{"w":%d,"r":%d,"i":%d,"of":%d}`, &k.w, &k.r, &k.i, &of); err != nil {
				t.Fatalf("event %q: %v", ev.Raw, err)
			}
			if seen[k] {
				t.Fatalf("event %q stored twice", ev.Raw)
			}
			seen[k] = true
			if next > 0 && (k.w != cur.w || k.r != cur.r || k.i != next) {
				t.Fatalf("batch w%d r%d interrupted at %d by %q", cur.w, cur.r, next, ev.Raw)
			}
			if next == 0 && k.i != 0 {
				t.Fatalf("a batch starts at element %d: %q", k.i, ev.Raw)
			}
			cur, next = k, k.i+1
			if next == of {
				next = 0
			}
		}
		if next != 0 {
			t.Fatalf("batch w%d r%d cut short at %d", cur.w, cur.r, next)
		}
	}
}

// A batch whose bytes C memory cannot hold is refused as "out_of_memory"
// with nothing stored, and the node's stager still works afterwards.
func TestBatchTooBigToStage(t *testing.T) {
	if raceEnabled {
		t.Skip("checkptr (on under -race) refuses the oversized slices below")
	}
	// Slices that claim a terabyte each over a few real bytes: the stager
	// asks malloc for the whole batch before reading any element, and
	// under Linux's heuristic or strict overcommit malloc refuses it. With
	// overcommit "always" it might not, and the copy would then read past
	// the real bytes, so the test needs one of the refusing modes.
	if mode, err := os.ReadFile("/proc/sys/vm/overcommit_memory"); err != nil || strings.TrimSpace(string(mode)) == "1" {
		t.Skip("malloc is not known to refuse a huge request here")
	}
	n := newNode(t, Config{Shards: 1})
	few := []byte(`{"a":1}`)
	huge := unsafe.Slice(&few[0], 1<<40)
	batch := make([][]byte, chunkLen+1)
	for i := range batch {
		batch[i] = huge
	}
	count, err := n.EmitRawBatch(batch)
	var e *Error
	if count != 0 || !errors.As(err, &e) || e.Kind != "out_of_memory" || !strings.Contains(e.Message, "stage the batch") {
		t.Fatalf("a batch of %d TiB: %d, %v", len(batch), count, err)
	}
	good := batchOf(chunkLen + 1)
	if count, err := n.EmitRawBatch(good); err != nil || count != len(good) {
		t.Fatalf("batch after the refusal: %d, %v", count, err)
	}
	if events := pollAll(t, n); len(events) != len(good) {
		t.Fatalf("polled %d events, want %d", len(events), len(good))
	}
}

// A stager that a big batch grew past NETGO_STAGE_KEEP gives its memory
// back; below that it keeps it for the next batch.
func TestStagerShrinksAfterABigBatch(t *testing.T) {
	n := newNode(t, Config{Shards: 1, RingCapacity: 1 << 16, Retention: 1 << 16})
	small := batchOf(1000)
	if _, err := n.EmitRawBatch(small); err != nil {
		t.Fatal(err)
	}
	kept := n.stagerHeld()
	if kept == 0 || kept > stageKeep {
		t.Fatalf("after a batch of 1000 the stager holds %d bytes", kept)
	}
	// 8 MiB of events, all the same 64 KiB.
	big := make([][]byte, 128)
	event := bytes.Repeat([]byte("x"), 64<<10)
	for i := range big {
		big[i] = event
	}
	if count, err := n.EmitRawBatch(big); err != nil || count != len(big) {
		t.Fatalf("big batch: %d, %v", count, err)
	}
	if held := n.stagerHeld(); held != 0 {
		t.Fatalf("after an 8 MiB batch the stager still holds %d bytes", held)
	}
}

// Close frees the node's stager while batches may be staging in it or in
// temporary ones: each batch is stored or refused with ErrClosed, and the
// stager is freed.
func TestBatchesRacingClose(t *testing.T) {
	n, err := NewNode(Config{Shards: 2, RingCapacity: 1 << 14, Retention: 1 << 16})
	if err != nil {
		t.Fatal(err)
	}
	batch := batchOf(3*chunkLen + 5)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				count, err := n.EmitRawBatch(batch)
				if err != nil {
					if !errors.Is(err, ErrClosed) || count != 0 {
						t.Errorf("batch racing Close: %d, %v", count, err)
					}
					return
				}
				// (A Close landing while a full ring is being drained may
				// cut a batch short: the engine's rule, not staging's.)
				if count == 0 || count > len(batch) {
					t.Errorf("batch racing Close stored %d of %d", count, len(batch))
					return
				}
			}
		}()
	}
	time.Sleep(5 * time.Millisecond)
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if held := n.stagerHeld(); held != 0 {
		t.Fatalf("a closed node's stager holds %d bytes", held)
	}
}
