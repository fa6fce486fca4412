package net

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"testing"
	"time"
)

func newNode(t testing.TB, cfg Config) *Node {
	t.Helper()
	n, err := NewNode(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

func pollAll(t *testing.T, n *Node) []Event {
	t.Helper()
	ctx := context.Background()
	if err := n.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var all []Event
	cursor := ""
	for {
		page, err := n.Poll(ctx, PollRequest{Limit: 64, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Events...)
		cursor = page.NextCursor
		if !page.HasMore {
			return all
		}
	}
}

func TestEmitPollRoundTrip(t *testing.T) {
	n := newNode(t, Config{Shards: 2, RingCapacity: 1024})
	if n.Shards() != 2 {
		t.Fatalf("shards = %d", n.Shards())
	}
	before := time.Now().Add(-time.Second)
	r, err := n.EmitRaw([]byte(`{"n":0}`))
	if err != nil {
		t.Fatal(err)
	}
	if r.Shard >= 2 || r.Dropped || r.Timestamp.Before(before) {
		t.Fatalf("receipt %+v", r)
	}
	if _, err := n.Emit(map[string]int{"n": 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.EmitString(`{"n":2}`); err != nil {
		t.Fatal(err)
	}
	if err := n.EmitJSON([]byte(`{"n":3}`)); err != nil {
		t.Fatal(err)
	}
	got := map[int]Event{}
	for _, ev := range pollAll(t, n) {
		var body struct{ N int }
		if err := ev.Decode(&body); err != nil {
			t.Fatal(err)
		}
		if ev.ID != fmt.Sprintf("%d:%d", ev.Shard, ev.Sequence) || ev.Timestamp.Before(before) {
			t.Fatalf("event %+v", ev)
		}
		got[body.N] = ev
	}
	if len(got) != 4 {
		t.Fatalf("polled %d distinct events, want 4", len(got))
	}
	if first := got[0]; first.Shard != r.Shard || first.Sequence != r.Sequence || !first.Timestamp.Equal(r.Timestamp) {
		t.Fatalf("event %+v does not match its receipt %+v", first, r)
	}
	var bad struct{ N string }
	if err := got[0].Decode(&bad); err == nil || err.(*Error).Kind != "deserialization" {
		t.Fatalf("decode into the wrong type: %v", err)
	}
}

func TestPollResumesExactlyOnce(t *testing.T) {
	n := newNode(t, Config{Shards: 4, Retention: 10_000})
	ctx := context.Background()
	for i := 0; i < 500; i++ {
		if _, err := n.Emit(i); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	for _, ev := range pollAll(t, n) {
		if seen[string(ev.Raw)] {
			t.Fatalf("event %s read twice", ev.Raw)
		}
		seen[string(ev.Raw)] = true
	}
	if len(seen) != 500 {
		t.Fatalf("read %d events, want 500", len(seen))
	}
	page, err := n.Poll(ctx, PollRequest{})
	if err != nil || len(page.Events) != DefaultPollLimit || !page.HasMore {
		t.Fatalf("default limit page: %d events, more %v, %v", len(page.Events), page.HasMore, err)
	}
	if _, err := n.Poll(ctx, PollRequest{Cursor: "not a cursor"}); !errors.Is(err, ErrInvalidCursor) {
		t.Fatalf("bad cursor: %v", err)
	}
	if _, err := n.Poll(ctx, PollRequest{Limit: -1}); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("negative limit: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := n.Poll(cancelled, PollRequest{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled poll: %v", err)
	}
}

func TestBatch(t *testing.T) {
	n := newNode(t, Config{Shards: 3, RingCapacity: 4096})
	batch := make([][]byte, 300)
	for i := range batch {
		batch[i] = []byte(fmt.Sprintf(`{"i":%d}`, i))
	}
	count, err := n.EmitRawBatch(batch)
	if err != nil || count != 300 {
		t.Fatalf("batch: %d, %v", count, err)
	}
	if count, err := n.EmitRawBatch(nil); err != nil || count != 0 {
		t.Fatalf("empty batch: %d, %v", count, err)
	}
	events := pollAll(t, n)
	if len(events) != 300 {
		t.Fatalf("polled %d events", len(events))
	}
	// One batch goes to one shard, in order.
	for i, ev := range events {
		if ev.Shard != events[0].Shard || string(ev.Raw) != string(batch[i]) || (i > 0 && ev.Sequence != events[i-1].Sequence+1) {
			t.Fatalf("event %d: %+v", i, ev)
		}
	}
	// One element that is not UTF-8 stores nothing.
	bad := [][]byte{[]byte(`{"ok":1}`), {0xff, 0xfe}}
	if count, err := n.EmitRawBatch(bad); !errors.Is(err, ErrInvalidUTF8) || count != 0 {
		t.Fatalf("bad batch: %d, %v", count, err)
	}
	if st, _ := n.Stats(); st.EventsIngested != 300 {
		t.Fatalf("a refused batch was ingested: %+v", st)
	}
}

func TestBackpressurePolicies(t *testing.T) {
	// A ring of 2 in one shard, with batching slowed down so it stays full.
	slow := Config{Shards: 1, RingCapacity: 2, MaxBatch: 1, MaxDelay: time.Second}

	cfg := slow
	cfg.Backpressure = FailProducer
	n := newNode(t, cfg)
	var failed error
	for i := 0; i < 10_000 && failed == nil; i++ {
		_, failed = n.EmitRaw([]byte(`{}`))
	}
	if !errors.Is(failed, ErrBackpressure) {
		t.Fatalf("FailProducer never refused: %v", failed)
	}
	var e *Error
	if !errors.As(failed, &e) || e.Code != -12 || e.Message == "" {
		t.Fatalf("backpressure error %#v", e)
	}

	cfg.Backpressure = DropNewest
	n = newNode(t, cfg)
	dropped := false
	for i := 0; i < 10_000 && !dropped; i++ {
		r, err := n.EmitRaw([]byte(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		if r.Dropped && r.Sequence != math.MaxUint64 {
			t.Fatalf("dropped receipt %+v", r)
		}
		dropped = r.Dropped
	}
	st, err := n.Stats()
	if !dropped || err != nil || st.EventsDropped == 0 || len(st.ShardDepths) != 1 {
		t.Fatalf("DropNewest: dropped %v, stats %+v, %v", dropped, st, err)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{{Shards: 5000}, {RingCapacity: 1}, {Shards: -1}, {Backpressure: 7}, {Strategy: 9}} {
		if n, err := NewNode(cfg); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%+v: %v", cfg, err)
			if n != nil {
				n.Close()
			}
		}
	}
	n := newNode(t, Config{Strategy: ShardRoundRobin, Backpressure: DropNewest, MaxBatch: 8, MaxDelay: time.Microsecond})
	if n.Shards() != 4 {
		t.Fatalf("default shard count %d", n.Shards())
	}
}

func TestInvalidInput(t *testing.T) {
	n := newNode(t, Config{})
	if _, err := n.EmitRaw([]byte{0xc3, 0x28}); !errors.Is(err, ErrInvalidUTF8) {
		t.Fatalf("bad UTF-8: %v", err)
	}
	if err := n.EmitJSON([]byte(`{"unclosed"`)); !errors.Is(err, ErrInvalidJSON) {
		t.Fatalf("bad JSON: %v", err)
	}
	if _, err := n.Emit(make(chan int)); err == nil || err.(*Error).Kind != "serialization" {
		t.Fatalf("unencodable value: %v", err)
	}
}

func TestUseAfterClose(t *testing.T) {
	n, err := NewNode(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.EmitRaw([]byte(`{"last":true}`)); err != nil {
		t.Fatal(err)
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	if err := n.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	ctx := context.Background()
	checks := map[string]error{}
	_, checks["EmitRaw"] = n.EmitRaw([]byte(`{}`))
	_, checks["Emit"] = n.Emit(1)
	checks["EmitJSON"] = n.EmitJSON([]byte(`{}`))
	_, checks["EmitRawBatch"] = n.EmitRawBatch([][]byte{[]byte(`{}`)})
	_, checks["EmitRawBatch staged"] = n.EmitRawBatch(batchOf(chunkLen + 1))
	_, checks["Poll"] = n.Poll(ctx, PollRequest{})
	_, checks["Stats"] = n.Stats()
	checks["Flush"] = n.Flush(ctx)
	for _, err := range n.Events(ctx, EventsOptions{}) {
		checks["Events"] = err
	}
	for name, err := range checks {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: %v", name, err)
		}
	}
	if n.Shards() != 0 {
		t.Errorf("Shards after Close = %d", n.Shards())
	}
}

func TestConcurrentEmittersAndClose(t *testing.T) {
	n, err := NewNode(Config{Shards: 4, RingCapacity: 1 << 14, Retention: 1 << 16})
	if err != nil {
		t.Fatal(err)
	}
	const workers, each = 8, 2000
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if i%100 == 0 {
					batch := [][]byte{[]byte(fmt.Sprintf(`{"w":%d,"b":%d}`, w, i))}
					if _, err := n.EmitRawBatch(batch); err != nil {
						t.Error(err)
						return
					}
					continue
				}
				if _, err := n.Emit(map[string]int{"w": w, "i": i}); err != nil {
					t.Error(err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	st, err := n.Stats()
	if err != nil || st.EventsIngested != workers*each {
		t.Fatalf("stats %+v, %v", st, err)
	}
	// Close racing emitters: each emit either succeeds or sees ErrClosed.
	var racing sync.WaitGroup
	for w := 0; w < 4; w++ {
		racing.Add(1)
		go func() {
			defer racing.Done()
			for {
				if _, err := n.EmitRaw([]byte(`{}`)); err != nil {
					if !errors.Is(err, ErrClosed) {
						t.Errorf("emit racing Close: %v", err)
					}
					return
				}
			}
		}()
	}
	time.Sleep(5 * time.Millisecond)
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	racing.Wait()
}

func TestFlushHonoursContext(t *testing.T) {
	n := newNode(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := n.Flush(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled flush: %v", err)
	}
	if err := n.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestVersion(t *testing.T) {
	if Version() == "" {
		t.Fatal("empty version")
	}
}

// A Node dropped without Close is shut down by its cleanup (the safety
// net), which releases the libnet handle.
func TestUnreachableNodeIsShutDown(t *testing.T) {
	n, err := NewNode(Config{Shards: 3})
	if err != nil {
		t.Fatal(err)
	}
	probe := &Node{}
	probe.handle.Store(n.handle.Load()) // same handle, no cleanup of its own
	if probe.Shards() != 3 {
		t.Fatal("probe does not see the node")
	}
	n = nil
	deadline := time.Now().Add(5 * time.Second)
	for probe.Shards() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the cleanup never shut the node down")
		}
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	if _, err := probe.EmitRaw([]byte(`{}`)); !errors.Is(err, ErrClosed) {
		t.Fatalf("emit on a handle the cleanup released: %v", err)
	}
	probe.handle.Store(0)
}
