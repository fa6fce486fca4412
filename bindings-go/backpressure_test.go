package net

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

// distinctEvent writes `{"i":i}` into buf and returns it.
func distinctEvent(buf []byte, i int) []byte {
	buf = append(buf[:0], `{"i":`...)
	buf = strconv.AppendInt(buf, int64(i), 10)
	return append(buf, '}')
}

// readAll polls every retained event in big pages and returns how many
// times each `{"i":N}` (N < expected) was read.
func readAll(t *testing.T, n *Node, expected int) []uint8 {
	t.Helper()
	seen := make([]uint8, expected)
	cursor := ""
	for {
		page, err := n.Poll(context.Background(), PollRequest{Limit: 1 << 16, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range page.Events {
			raw := string(ev.Raw)
			i, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(raw, `{"i":`), "}"))
			if err != nil || !strings.HasPrefix(raw, `{"i":`) || i < 0 || i >= expected {
				t.Fatalf("unexpected event %q", raw)
			}
			if seen[i] < 255 {
				seen[i]++
			}
		}
		cursor = page.NextCursor
		if !page.HasMore {
			return seen
		}
	}
}

func countOfSeen(seen []uint8, times uint8) int {
	c := 0
	for _, s := range seen {
		if s == times {
			c++
		}
	}
	return c
}

func TestBlockIsTheZeroValueAndTheDefault(t *testing.T) {
	var zero Backpressure
	if zero != Block || Block.String() != "block" {
		t.Fatalf("the zero Backpressure is %v", zero)
	}
	text, err := Config{}.json()
	if err != nil || !strings.Contains(text, `"backpressure":"block"`) || strings.Contains(text, "block_timeout_ms") {
		t.Fatalf("Config{} renders as %s, %v", text, err)
	}
	for _, c := range []struct {
		timeout time.Duration
		json    string
	}{
		{time.Microsecond, `"block_timeout_ms":1`}, // a positive wait is never rounded down to none
		{250 * time.Millisecond, `"block_timeout_ms":250`},
		{3 * time.Second, `"block_timeout_ms":3000`},
	} {
		cfg := Config{BlockTimeout: c.timeout}
		if text, err := cfg.json(); err != nil || !strings.Contains(text, c.json) {
			t.Fatalf("BlockTimeout %v renders as %s, %v", c.timeout, text, err)
		}
		n := newNode(t, cfg)
		if r, err := n.EmitRaw([]byte(`{}`)); err != nil || r.Dropped || r.Evicted != 0 {
			t.Fatalf("BlockTimeout %v: %+v, %v", c.timeout, r, err)
		}
	}
	if _, err := NewNode(Config{BlockTimeout: -time.Second}); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("a negative BlockTimeout: %v", err)
	}

	// The default waits for room instead of evicting: a ring of 2 that
	// overflows all the time still loses nothing.
	emitAllAndReadBack(t, newNode(t, Config{Shards: 1, RingCapacity: 2}), 20_000)
}

// Issue 17: under the default configuration, 2,000,000 distinct events
// emitted in a tight loop — far more than the rings hold (4 shards x
// 8192) — all succeed, and after a flush each reads back exactly once.
func TestDefaultConfigStoresEverySustainedEvent(t *testing.T) {
	emitAllAndReadBack(t, newNode(t, Config{}), 2_000_000)
}

// emitAllAndReadBack emits total distinct events in a tight loop, each
// stored with a clean receipt, flushes, and checks that the stats count
// no drop and that each event reads back exactly once.
func emitAllAndReadBack(t *testing.T, n *Node, total int) {
	t.Helper()
	buf := make([]byte, 0, 32)
	for i := 0; i < total; i++ {
		r, err := n.EmitRaw(distinctEvent(buf, i))
		if err != nil || r.Dropped || r.Evicted != 0 {
			t.Fatalf("emit %d: %+v, %v", i, r, err)
		}
	}
	if err := n.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	st, err := n.Stats()
	if err != nil || st.EventsIngested != uint64(total) || st.EventsDropped != 0 {
		t.Fatalf("stats %+v, %v", st, err)
	}
	seen := readAll(t, n, total)
	if once := countOfSeen(seen, 1); once != total {
		t.Fatalf("%d of %d events read back exactly once (%d missing)", once, total, countOfSeen(seen, 0))
	}
}

// Under DropOldest every eviction is reported to the emit that caused it:
// the receipts' Evicted add up to Stats.EventsDropped.
func TestDropOldestReportsEveryEviction(t *testing.T) {
	n := newNode(t, Config{Shards: 1, RingCapacity: 64, Backpressure: DropOldest})
	buf := make([]byte, 0, 32)
	evicted, emitted := 0, 0
	for evicted == 0 && emitted < 2_000_000 {
		for k := 0; k < 20_000; k++ {
			r, err := n.EmitRaw(distinctEvent(buf, emitted))
			if err != nil || r.Dropped {
				t.Fatalf("emit %d: %+v, %v", emitted, r, err)
			}
			evicted += int(r.Evicted)
			emitted++
		}
	}
	if evicted == 0 {
		t.Fatal("a 64-slot ring kept up with 2M emits")
	}
	if err := n.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	st, err := n.Stats()
	if err != nil || st.EventsDropped != uint64(evicted) || st.EventsIngested != uint64(emitted) {
		t.Fatalf("stats %+v, %v; receipts evicted %d of %d", st, err, evicted, emitted)
	}
	seen := readAll(t, n, emitted)
	if countOfSeen(seen, 1) != emitted-evicted || countOfSeen(seen, 0) != evicted {
		t.Fatalf("read back %d once, %d never; want %d and %d", countOfSeen(seen, 1), countOfSeen(seen, 0), emitted-evicted, evicted)
	}
}
