package net

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestEventsFromBeginningEndsAtClose(t *testing.T) {
	n, err := NewNode(Config{Shards: 2})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		if _, err := n.Emit(i); err != nil {
			t.Fatal(err)
		}
	}
	got := make(chan int, 100)
	done := make(chan error, 1)
	go func() {
		for ev, err := range n.Events(context.Background(), EventsOptions{FromBeginning: true, Batch: 3}) {
			if err != nil {
				done <- err
				return
			}
			var i int
			if err := ev.Decode(&i); err != nil {
				done <- err
				return
			}
			got <- i
		}
		done <- nil // ended by Close, after every event
	}()
	for len(got) < 10 {
		time.Sleep(time.Millisecond)
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Events did not end after Close")
	}
	if len(got) != 10 {
		t.Fatalf("received %d events", len(got))
	}
}

func TestEventsLiveAndBreak(t *testing.T) {
	n := newNode(t, Config{Shards: 2})
	if _, err := n.EmitString(`"before"`); err != nil {
		t.Fatal(err)
	}
	if err := n.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	go func() {
		time.Sleep(20 * time.Millisecond)
		for i := 0; i < 3; i++ {
			n.EmitString(fmt.Sprintf(`"live %d"`, i))
		}
	}()
	var seen []string
	for ev, err := range n.Events(ctx, EventsOptions{Wake: 10 * time.Millisecond}) {
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, string(ev.Raw))
		if len(seen) == 3 {
			break // releases the subscription
		}
	}
	for _, s := range seen {
		if s == `"before"` {
			t.Fatalf("a live stream replayed an old event: %v", seen)
		}
	}
}

func TestEventsResumeAndCancel(t *testing.T) {
	n := newNode(t, Config{Shards: 1})
	ctx := context.Background()
	for i := 0; i < 4; i++ {
		n.Emit(i)
	}
	n.Flush(ctx)
	page, err := n.Poll(ctx, PollRequest{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	var rest []string
	var last error
	for ev, err := range n.Events(short, EventsOptions{Cursor: page.NextCursor, Wake: 10 * time.Millisecond}) {
		if err != nil {
			last = err
			break
		}
		rest = append(rest, string(ev.Raw))
	}
	if len(rest) != 2 || rest[0] != "2" || rest[1] != "3" {
		t.Fatalf("resumed stream: %v", rest)
	}
	if !errors.Is(last, context.DeadlineExceeded) {
		t.Fatalf("stream end: %v", last)
	}
	for _, err := range n.Events(ctx, EventsOptions{Cursor: "garbage"}) {
		if !errors.Is(err, ErrInvalidCursor) {
			t.Fatalf("bad cursor: %v", err)
		}
	}
}
