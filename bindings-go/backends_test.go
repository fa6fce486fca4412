package net

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// serverURL is the URL tests/servers/run_with_servers.py exported for
// kind ("NET_REDIS_URL", "NET_NATS_URL"); without it the test is skipped
// (make test runs these tests under that script).
func serverURL(t *testing.T, env string) string {
	t.Helper()
	url := os.Getenv(env)
	if url == "" {
		t.Skipf("%s not set: run under tests/servers/run_with_servers.py", env)
	}
	return url
}

type numbered struct {
	N int `json:"n"`
}

// emitAndReadBack emits count events to a fresh node over cfg and checks
// poll returns each once, in order per shard, and that live Events sees
// the ones emitted after it started.
func emitAndReadBack(t *testing.T, cfg Config) {
	n := newNode(t, cfg)
	const count = 1000
	for i := 0; i < count; i++ {
		if _, err := n.Emit(numbered{i}); err != nil {
			t.Fatal(err)
		}
	}
	all := pollAll(t, n)
	if len(all) != count {
		t.Fatalf("read back %d of %d events", len(all), count)
	}
	last := map[uint16]int{}
	var got []int
	for _, e := range all {
		var v numbered
		if err := json.Unmarshal(e.Raw, &v); err != nil {
			t.Fatal(err)
		}
		if prev, ok := last[e.Shard]; ok && v.N <= prev {
			t.Fatalf("shard %d: %d after %d", e.Shard, v.N, prev)
		}
		last[e.Shard] = v.N
		got = append(got, v.N)
	}
	sort.Ints(got)
	for i, v := range got {
		if v != i {
			t.Fatalf("event %d missing or duplicated", i)
		}
	}

	// Live: a subscription from the cursor after everything read waits for,
	// and sees, what is emitted next. (Events starts when first pulled, so
	// it is given the cursor rather than started live.)
	page, err := n.Poll(context.Background(), PollRequest{Limit: 100000})
	if err != nil || len(page.Events) != count {
		t.Fatalf("poll all: %d events, %v", len(page.Events), err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := n.Events(ctx, EventsOptions{Cursor: page.NextCursor})
	next, stop := iter.Pull2(events)
	defer stop()
	for i := count; i < count+10; i++ {
		if _, err := n.Emit(numbered{i}); err != nil {
			t.Fatal(err)
		}
	}
	var live []int
	for len(live) < 10 {
		e, err, ok := next()
		if !ok || err != nil {
			t.Fatalf("live stream ended: %v", err)
		}
		var v numbered
		_ = json.Unmarshal(e.Raw, &v)
		live = append(live, v.N)
	}
	sort.Ints(live)
	if live[0] != count || live[9] != count+9 {
		t.Fatalf("live events %v", live)
	}
	s, err := n.Stats()
	if err != nil || s.BackendErrors != 0 || s.SinceLastSuccessMs == nil {
		t.Fatalf("stats %+v, %v", s, err)
	}
}

func TestRedisTransportEmitPollAndLive(t *testing.T) {
	url := serverURL(t, "NET_REDIS_URL")
	nonce := filepath.Join(t.TempDir(), "producer.nonce")
	emitAndReadBack(t, Config{Shards: 2, Redis: &RedisTransport{URL: url, Prefix: fmt.Sprintf("go%d", os.Getpid())}, ProducerNoncePath: nonce})
	if b, err := os.ReadFile(nonce); err != nil || len(b) != 17 {
		t.Fatalf("nonce file %q, %v", b, err)
	}
}

func TestJetStreamTransportEmitPollAndLive(t *testing.T) {
	url := serverURL(t, "NET_NATS_URL")
	emitAndReadBack(t, Config{Shards: 2, JetStream: &JetStreamTransport{URL: url, Stream: fmt.Sprintf("GO%d", os.Getpid()), SubjectPrefix: fmt.Sprintf("go%d", os.Getpid())}})
}

func TestBackendTransportsRefuseWithTypedErrors(t *testing.T) {
	redis := serverURL(t, "NET_REDIS_URL")
	_, err := NewNode(Config{Redis: &RedisTransport{URL: "redis://:hunter2@127.0.0.1:1"}})
	if !(errors.Is(err, ErrBackend) || errors.Is(err, ErrTimeout)) || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "redis://:***@127.0.0.1:1") {
		t.Fatalf("unreachable redis: %v", err)
	}
	_, err = NewNode(Config{JetStream: &JetStreamTransport{URL: "nats://u:hunter2@127.0.0.1:1"}})
	if !(errors.Is(err, ErrBackend) || errors.Is(err, ErrTimeout)) || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("unreachable nats: %v", err)
	}
	nonce := filepath.Join(t.TempDir(), "producer.nonce")
	if err := os.WriteFile(nonce, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = NewNode(Config{Redis: &RedisTransport{URL: redis}, ProducerNoncePath: nonce})
	if !errors.Is(err, ErrCorruptNonce) {
		t.Fatalf("corrupt nonce: %v", err)
	}
	_, err = NewNode(Config{Redis: &RedisTransport{URL: redis}, JetStream: &JetStreamTransport{URL: "nats://x"}})
	if !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("two transports: %v", err)
	}
}

func TestRedisStreamDedup(t *testing.T) {
	d, err := NewRedisStreamDedup(2)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	check := func(id string, want bool) {
		t.Helper()
		got, err := d.IsDuplicate(id)
		if err != nil || got != want {
			t.Fatalf("IsDuplicate(%q) = %v, %v; want %v", id, got, err, want)
		}
	}
	if !d.IsEmpty() || d.Capacity() != 2 {
		t.Fatalf("fresh filter: empty %v capacity %d", d.IsEmpty(), d.Capacity())
	}
	check("n:0:0:0", false)
	check("n:0:0:0", true)
	check("n:0:0:1", false)
	check("n:0:0:2", false) // evicts n:0:0:0
	check("n:0:0:0", false)
	if d.Len() != 2 || d.IsEmpty() {
		t.Fatalf("len %d", d.Len())
	}
	if _, err := d.IsDuplicate("\xff"); !errors.Is(err, ErrInvalidUTF8) {
		t.Fatalf("invalid UTF-8: %v", err)
	}
	d.Clear()
	if !d.IsEmpty() {
		t.Fatal("not empty after Clear")
	}
	d.Close()
	d.Close()
	def, _ := NewRedisStreamDedup(0)
	defer def.Close()
	if def.Capacity() != DefaultRedisDedupCapacity {
		t.Fatalf("default capacity %d", def.Capacity())
	}
	if _, err := NewRedisStreamDedup(-1); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("negative capacity: %v", err)
	}
}
