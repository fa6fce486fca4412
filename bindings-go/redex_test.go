package net

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func newRedex(t *testing.T, dir string) *Redex {
	t.Helper()
	r, err := NewRedex(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func openFile(t *testing.T, r *Redex, name string, cfg RedexFileConfig) *RedexFile {
	t.Helper()
	f, err := r.OpenFile(name, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestRedexAppendReadBatchIdempotent(t *testing.T) {
	f := openFile(t, newRedex(t, ""), "analytics/clicks", RedexFileConfig{})
	if seq, err := f.Append([]byte("one")); err != nil || seq != 0 {
		t.Fatalf("Append = %d, %v", seq, err)
	}
	first, ok, err := f.AppendBatch([][]byte{[]byte("a"), {}, []byte("ccc")})
	if err != nil || !ok || first != 1 {
		t.Fatalf("AppendBatch = %d, %v, %v", first, ok, err)
	}
	if _, ok, err := f.AppendBatch(nil); ok || err != nil {
		t.Fatalf("an empty batch must append nothing: ok=%v err=%v", ok, err)
	}
	s1, _ := f.AppendIdempotent([]byte("k"), []byte("v"))
	s2, _ := f.AppendIdempotent([]byte("k"), []byte("retry"))
	if s1 != 4 || s2 != 4 {
		t.Fatalf("idempotent seqs %d, %d", s1, s2)
	}
	if _, err := f.AppendIdempotent(nil, []byte("x")); !errors.Is(err, ErrRedexInvalidKey) {
		t.Fatalf("empty key: %v", err)
	}
	events, err := f.Read(0, math.MaxUint64)
	if err != nil || len(events) != 5 {
		t.Fatalf("Read = %d events, %v", len(events), err)
	}
	want := []string{"one", "a", "", "ccc", "v"}
	for i, e := range events {
		if e.Seq != uint64(i) || string(e.Payload) != want[i] {
			t.Fatalf("event %d = %d %q", i, e.Seq, e.Payload)
		}
	}
	info, err := f.Info()
	if err != nil || info.NextSeq != 5 || info.Len != 5 || info.Closed {
		t.Fatalf("Info = %+v, %v", info, err)
	}
}

func TestRedexTypedErrors(t *testing.T) {
	r := newRedex(t, "")
	if _, err := r.OpenFile("a//b", RedexFileConfig{}); !errors.Is(err, ErrInvalidChannel) {
		t.Fatalf("bad name: %v", err)
	}
	if _, err := r.OpenFile("x", RedexFileConfig{Persistent: true}); !errors.Is(err, ErrRedexConfig) {
		t.Fatalf("persistent without a directory: %v", err)
	}
	if _, err := r.OpenFile("x", RedexFileConfig{FsyncEveryN: 1, FsyncNever: true}); !errors.Is(err, ErrRedexConfig) {
		t.Fatalf("two fsync policies: %v", err)
	}
	f := openFile(t, r, "x", RedexFileConfig{})
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Append([]byte("late")); !errors.Is(err, ErrRedexClosed) {
		t.Fatalf("append after close: %v", err)
	}
	var e *Error
	if _, err := f.Read(0, 1); !errors.As(err, &e) || e.Kind != "redex:closed" {
		t.Fatalf("read after close: %v", err)
	}
	r.Close()
	if _, err := r.OpenFile("y", RedexFileConfig{}); !errors.Is(err, ErrRedexClosed) {
		t.Fatalf("open on a closed Redex: %v", err)
	}
}

func TestRedexTailBackfillsThenStreamsLive(t *testing.T) {
	f := openFile(t, newRedex(t, ""), "t/live", RedexFileConfig{})
	for i := 0; i < 3; i++ {
		f.Append([]byte{byte(i)})
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for i := 3; i < 6; i++ {
			f.Append([]byte{byte(i)})
		}
	}()
	var got []uint64
	for e, err := range f.Tail(ctx, 1) {
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(e.Payload, []byte{byte(e.Seq)}) {
			t.Fatalf("seq %d payload %v", e.Seq, e.Payload)
		}
		got = append(got, e.Seq)
		if e.Seq == 5 {
			break
		}
	}
	if fmt.Sprint(got) != "[1 2 3 4 5]" {
		t.Fatalf("tail = %v", got)
	}
	// A cancelled ctx ends the loop with ctx.Err().
	cancel()
	for _, err := range f.Tail(ctx, 0) {
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled tail: %v", err)
		}
		break
	}
}

func TestRedexTailEndsOnCloseAndReportsLag(t *testing.T) {
	f := openFile(t, newRedex(t, ""), "t/lag", RedexFileConfig{RetentionMaxEvents: 2})
	for i := 0; i < 5; i++ {
		f.Append([]byte{byte(i)})
	}
	var seqs []uint64
	lagged := false
	done := make(chan struct{})
	go func() {
		defer close(done)
		for e, err := range f.Tail(context.Background(), 0) {
			if errors.Is(err, ErrRedexTailLagged) {
				lagged = true
				continue
			}
			if err != nil {
				t.Error(err)
				return
			}
			seqs = append(seqs, e.Seq)
			if e.Seq == 4 {
				f.Close()
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the tail did not end after Close")
	}
	if !lagged || fmt.Sprint(seqs) != "[3 4]" {
		t.Fatalf("lagged=%v seqs=%v", lagged, seqs)
	}
}

func TestRedexPersistsAcrossReopenAndRepairs(t *testing.T) {
	dir := t.TempDir()
	cfg := RedexFileConfig{Persistent: true, FsyncEveryN: 1}
	r := newRedex(t, dir)
	f := openFile(t, r, "orders/audit", cfg)
	for i := 0; i < 10; i++ {
		f.Append([]byte(fmt.Sprintf("order-%d", i)))
	}
	// One owner per directory.
	other := newRedex(t, dir)
	if _, err := other.OpenFile("orders/audit", cfg); !errors.Is(err, ErrRedexLocked) {
		t.Fatalf("second owner: %v", err)
	}
	f.Close()

	f = openFile(t, r, "orders/audit", cfg)
	events, _ := f.Read(0, math.MaxUint64)
	if len(events) != 10 || string(events[9].Payload) != "order-9" {
		t.Fatalf("after reopen: %d events", len(events))
	}
	if rep, err := f.RepairReport(); rep != nil || err != nil {
		t.Fatalf("clean reopen reported %+v, %v", rep, err)
	}
	f.Close()

	seg := filepath.Join(dir, "orders%2Faudit", "00000000000000000000.log")
	// A torn final record is cut and reported.
	h, _ := os.OpenFile(seg, os.O_APPEND|os.O_WRONLY, 0)
	h.Write([]byte{9, 0, 0})
	h.Close()
	f = openFile(t, r, "orders/audit", cfg)
	rep, err := f.RepairReport()
	if err != nil || rep == nil || rep.Kind != "torn_tail" || rep.BytesCut != 3 {
		t.Fatalf("torn tail report %+v, %v", rep, err)
	}
	f.Close()

	// A flipped byte in record 1 fails loudly, naming file and offset.
	raw, _ := os.ReadFile(seg)
	raw[32+7+32+2] ^= 0xff
	os.WriteFile(seg, raw, 0o644)
	_, err = r.OpenFile("orders/audit", cfg)
	var e *Error
	if !errors.Is(err, ErrRedexCorrupt) || !errors.As(err, &e) || !bytes.Contains([]byte(e.Message), []byte(seg)) ||
		!bytes.Contains([]byte(e.Message), []byte("offset 39")) {
		t.Fatalf("corrupt open: %v", err)
	}
	cfg.Recover = true
	f = openFile(t, r, "orders/audit", cfg)
	rep, _ = f.RepairReport()
	if rep == nil || rep.Kind != "corruption" || rep.Offset != 39 {
		t.Fatalf("recover report %+v", rep)
	}
	if info, _ := f.Info(); info.Len != 1 {
		t.Fatalf("after recover %+v", info)
	}
}
