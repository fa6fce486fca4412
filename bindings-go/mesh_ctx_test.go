package net

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"testing"
	"time"
)

// A context's deadline and cancellation stop every blocking mesh call
// promptly, inside libnet (a cancellation token), and the error matches
// both this package's kind and the context package's error.

// isCtxTimeout reports an error that is both ErrTimeout and
// context.DeadlineExceeded.
func isCtxTimeout(err error) bool {
	return errors.Is(err, ErrTimeout) && errors.Is(err, context.DeadlineExceeded)
}

func isCtxCancel(err error) bool {
	return errors.Is(err, ErrCancelled) && errors.Is(err, context.Canceled)
}

// took runs f and returns how long it took.
func took(f func()) time.Duration {
	start := time.Now()
	f()
	return time.Since(start)
}

// cancelAfter returns a context cancelled after d.
func cancelAfter(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	time.AfterFunc(d, cancel)
	return ctx
}

func TestMeshRecvStopsWithItsContext(t *testing.T) {
	a, b := meshPair(t)
	_, ba := openBoth(t, a, b, 1, StreamConfig{})
	var err error
	if d := took(func() { _, err = ba.Recv(within(t, 100*time.Millisecond)) }); !isCtxTimeout(err) || d < 90*time.Millisecond || d > 2*time.Second {
		t.Fatalf("deadline: %v after %v", err, d)
	}
	if d := took(func() { _, err = ba.Recv(cancelAfter(t, 100*time.Millisecond)) }); !isCtxCancel(err) || d > 2*time.Second {
		t.Fatalf("cancel: %v after %v", err, d)
	}
	// Already ended: at once, without touching the stream.
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ba.Recv(done); !isCtxCancel(err) {
		t.Fatalf("an ended ctx: %v", err)
	}
	// A goroutine waiting for another's Recv gives up with its own ctx.
	first := make(chan error, 1)
	go func() { _, err := ba.Recv(within(t, time.Second)); first <- err }()
	time.Sleep(20 * time.Millisecond)
	if d := took(func() { _, err = ba.Recv(within(t, 100*time.Millisecond)) }); !isCtxTimeout(err) || d > 900*time.Millisecond {
		t.Fatalf("waiting behind another Recv: %v after %v", err, d)
	}
	if err := <-first; !isCtxTimeout(err) {
		t.Fatalf("the first Recv: %v", err)
	}
	// The stream still works afterwards.
	ab, err := a.OpenStream(b.NodeID(), 1, StreamConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer ab.Close()
	if err := ab.Send([]byte("after")); err != nil {
		t.Fatal(err)
	}
	if m, err := ba.Recv(within(t, 5*time.Second)); err != nil || string(m) != "after" {
		t.Fatalf("after the timeouts: %q %v", m, err)
	}
}

func TestMeshHandshakeStopsWithItsContext(t *testing.T) {
	cfg := testMeshConfig(psk42)
	cfg.HandshakeTimeout = 20 * time.Second // so only the ctx can stop them early
	a, b := newMeshNode(t, cfg), newMeshNode(t, cfg)
	var err error
	if d := took(func() { _, err = a.Accept(within(t, 100*time.Millisecond), b.NodeID()) }); !isCtxTimeout(err) || d > 2*time.Second {
		t.Fatalf("accept, deadline: %v after %v", err, d)
	}
	if d := took(func() { _, err = a.Accept(cancelAfter(t, 100*time.Millisecond), b.NodeID()) }); !isCtxCancel(err) || d > 2*time.Second {
		t.Fatalf("accept, cancel: %v after %v", err, d)
	}
	// A dial to an address where nobody answers.
	key := bytes.Repeat([]byte{9}, 32)
	if d := took(func() { err = a.Connect(within(t, 100*time.Millisecond), "127.0.0.1:9", key, 77) }); !isCtxTimeout(err) || d > 2*time.Second {
		t.Fatalf("connect, deadline: %v after %v", err, d)
	}
	if d := took(func() { err = a.Connect(cancelAfter(t, 100*time.Millisecond), "127.0.0.1:9", key, 77) }); !isCtxCancel(err) || d > 2*time.Second {
		t.Fatalf("connect, cancel: %v after %v", err, d)
	}
	// libnet's own limit, shorter than the ctx: ErrTimeout, not the ctx's.
	short := testMeshConfig(psk42)
	short.HandshakeTimeout = 100 * time.Millisecond
	c := newMeshNode(t, short)
	err = c.Connect(within(t, 10*time.Second), "127.0.0.1:9", key, 77)
	if !errors.Is(err, ErrTimeout) || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("handshake timeout: %v", err)
	}
	// After all that, a real handshake still works.
	if cerr, aerr := handshake(within(t, 10*time.Second), a, b, b.PublicKey(), b.NodeID()); cerr != nil || aerr != nil {
		t.Fatalf("handshake: %v / %v", cerr, aerr)
	}
}

func TestMeshSendBlockingStopsWithItsContext(t *testing.T) {
	a, b := meshPair(t)
	in, out := openSmallWindow(t, a, b)
	var err error
	four := [][]byte{{1}, {2}, {3}, {4}}
	if err := out.SendBatch(four); err != nil {
		t.Fatal(err)
	}
	if !eventually(5*time.Second, func() bool { st, _ := in.Stats(); return st.Inbox == 2 }) {
		t.Fatal("b's inbox never filled")
	}
	if d := took(func() { err = out.SendBlocking(within(t, 300*time.Millisecond), four) }); !isCtxTimeout(err) || d < 290*time.Millisecond || d > 3*time.Second {
		t.Fatalf("deadline: %v after %v", err, d)
	}
	if d := took(func() { err = out.SendBlocking(cancelAfter(t, 100*time.Millisecond), four) }); !isCtxCancel(err) || d > 3*time.Second {
		t.Fatalf("cancel: %v after %v", err, d)
	}
	// Nothing of the cancelled batches was sent.
	if st, _ := out.Stats(); st.MessagesSent != 4 {
		t.Fatalf("sent %d messages, want the first 4 only", st.MessagesSent)
	}
}

func TestMeshCloseStopsCallsInFlight(t *testing.T) {
	cfg := testMeshConfig(psk42)
	cfg.HandshakeTimeout = 20 * time.Second
	a, b := newMeshNode(t, cfg), newMeshNode(t, cfg)
	ctx := context.Background() // only Close can stop them
	key := bytes.Repeat([]byte{9}, 32)
	dialed, accepted := make(chan error, 1), make(chan error, 1)
	go func() { dialed <- a.Connect(ctx, "127.0.0.1:9", key, 77) }()
	go func() { _, err := a.Accept(ctx, b.NodeID()); accepted <- err }()
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	for name, ch := range map[string]chan error{"connect": dialed, "accept": accepted} {
		select {
		case err := <-ch:
			if !errors.Is(err, ErrClosed) {
				t.Errorf("%s: %v", name, err)
			}
		case <-time.After(3 * time.Second):
			t.Fatalf("%s still waiting %v after Close", name, time.Since(start))
		}
	}

	// A Recv with no deadline ends when its node closes.
	c, d := meshPair(t)
	_, dc := openBoth(t, c, d, 1, StreamConfig{})
	received := make(chan error, 1)
	go func() { _, err := dc.Recv(ctx); received <- err }()
	time.Sleep(100 * time.Millisecond)
	d.Close()
	select {
	case err := <-received:
		if !errors.Is(err, ErrNotConnected) {
			t.Errorf("recv: %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("recv still waiting after Close")
	}
}

// Waiting calls hold no Go-side resources once they return: many
// cancelled receives in a row leave no goroutine behind.
func TestMeshCancelledCallsLeaveNothingBehind(t *testing.T) {
	a, b := meshPair(t)
	_, ba := openBoth(t, a, b, 1, StreamConfig{})
	before := runtime.NumGoroutine()
	for range 50 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		if _, err := ba.Recv(ctx); !isCtxTimeout(err) {
			t.Fatal(err)
		}
		cancel()
	}
	if !eventually(2*time.Second, func() bool { return runtime.NumGoroutine() <= before+2 }) {
		t.Fatalf("goroutines: %d before, %d after", before, runtime.NumGoroutine())
	}
}
