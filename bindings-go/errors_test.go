package net

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"
)

func TestErrorMatching(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", &Error{Kind: "expired", Message: "token has expired", Code: -13})
	if !errors.Is(err, ErrExpired) || errors.Is(err, ErrInvalidSignature) {
		t.Fatal("errors.Is must match on the kind alone")
	}
	var e *Error
	if !errors.As(err, &e) || e.Message != "token has expired" || e.Code != -13 {
		t.Fatalf("errors.As: %#v", e)
	}
	if got := e.Error(); got != "net: expired: token has expired" {
		t.Fatalf("Error() = %q", got)
	}
	if ErrClosed.Error() != "net: closed" {
		t.Fatalf("sentinel text %q", ErrClosed.Error())
	}
}

// The last-error pair is thread-local in libnet and goroutines hop
// between OS threads, so many goroutines failing in different ways at
// once (and succeeding in between) must each get their own kind and
// message: the shim copies the pair inside the call that failed.
func TestConcurrentFailuresKeepTheirOwnKinds(t *testing.T) {
	runtime.GOMAXPROCS(max(runtime.GOMAXPROCS(0), 4))
	fail := Config{Shards: 1, RingCapacity: 2, Backpressure: FailProducer, MaxBatch: 1, MaxDelay: time.Second}
	full := newNode(t, fail)
	for {
		if _, err := full.EmitRaw([]byte(`{}`)); err != nil {
			break
		}
	}
	ok := newNode(t, Config{RingCapacity: 1 << 16})
	closed, err := NewNode(Config{})
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	good, err := IdentityFromSeed(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	defer good.Close()
	token, err := good.IssueToken(good.EntityID(), ScopePublish, "a/b", time.Minute, 0)
	if err != nil {
		t.Fatal(err)
	}
	tampered := append(Token(nil), token...)
	tampered[100] ^= 1

	cases := []struct {
		kind string
		call func() error
	}{
		{"backpressure", func() error { _, err := full.EmitRaw([]byte(`{}`)); return err }},
		{"invalid_utf8", func() error { _, err := ok.EmitRaw([]byte{0xff}); return err }},
		{"invalid_json", func() error { return ok.EmitJSON([]byte(`nope`)) }},
		{"invalid_length", func() error { _, err := IdentityFromSeed([]byte{1, 2, 3}); return err }},
		{"invalid_signature", func() error { return tampered.Verify() }},
		{"invalid_format", func() error { return Token(token[:160]).Verify() }},
		{"invalid_channel", func() error { _, _, err := ChannelHash("bad//name"); return err }},
		{"invalid_cursor", func() error { _, err := ok.Poll(t.Context(), PollRequest{Cursor: "x"}); return err }},
		{"zero_ttl", func() error { _, err := good.IssueToken(good.EntityID(), ScopePublish, "a", 0, 0); return err }},
		{"expired", func() error { return token.VerifyAt(time.Now().Add(time.Hour)) }},
		{"not_yet_valid", func() error { return token.VerifyAt(time.Now().Add(-time.Hour)) }},
		{"invalid_entity_id", func() error { _, err := EntityID{1}.NodeID(); return err }},
		{"invalid_argument", func() error { _, err := good.IssueToken(good.EntityID(), 0, "a", time.Minute, 0); return err }},
		{"delegation_not_allowed", func() error { _, err := good.Delegate(token, good.EntityID(), ScopePublish, time.Minute); return err }},
		{"", func() error { _, err := ok.EmitRaw([]byte(`{"fine":1}`)); return err }},
		{"", func() error { return token.Verify() }},
	}
	const goroutines, rounds = 32, 300
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				c := cases[(g+r)%len(cases)]
				err := c.call()
				var e *Error
				switch {
				case c.kind == "" && err != nil:
					t.Errorf("expected success, got %v", err)
				case c.kind == "backpressure" && err == nil:
					// The batcher drains the full ring now and then; a
					// success is fine, a wrong kind is not.
				case c.kind != "" && (!errors.As(err, &e) || e.Kind != c.kind || e.Message == ""):
					t.Errorf("want kind %s, got %v", c.kind, err)
				}
				if r%17 == 0 {
					runtime.Gosched() // encourage hops between OS threads
				}
			}
		}(g)
	}
	wg.Wait()
	if _, err := closed.EmitRaw([]byte(`{}`)); !errors.Is(err, ErrClosed) {
		t.Fatalf("closed node: %v", err)
	}
}
