package net

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func openDb(t *testing.T, r *Redex, cfg NetDbConfig) *NetDb {
	t.Helper()
	db, err := OpenNetDb(r, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestNetDbTasksAndMemories(t *testing.T) {
	db := openDb(t, newRedex(t, ""), NetDbConfig{Origin: 0xABCD, WithTasks: true, WithMemories: true})
	tasks := db.Tasks()
	seq, err := tasks.Create(1, "write docs", 100)
	if err != nil || seq != 0 {
		t.Fatalf("Create = %d, %v", seq, err)
	}
	if err := tasks.WaitForSeq(context.Background(), seq); err != nil {
		t.Fatal(err)
	}
	tasks.Create(2, "ship it", 200)
	tasks.Rename(2, "ship it now")
	tasks.SetStatus(2, TaskInProgress)
	tasks.Complete(1)
	if _, err := tasks.Create(1, "dup", 0); !errors.Is(err, ErrCortexExists) {
		t.Fatalf("duplicate: %v", err)
	}
	if _, err := tasks.Delete(9); !errors.Is(err, ErrCortexNotFound) {
		t.Fatalf("missing: %v", err)
	}
	if _, err := tasks.SetStatus(1, "done"); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("bad status: %v", err)
	}
	list, err := tasks.List(TaskFilter{Status: TaskInProgress})
	if err != nil || len(list) != 1 || list[0].Title != "ship it now" || list[0].Origin != 0xABCD {
		t.Fatalf("List = %+v, %v", list, err)
	}
	if n, _ := tasks.Count(TaskFilter{}); n != 2 {
		t.Fatalf("Count = %d", n)
	}
	list, _ = tasks.List(TaskFilter{Order: "created_desc", Limit: 1})
	if len(list) != 1 || list[0].ID != 2 {
		t.Fatalf("ordered = %+v", list)
	}

	mem := db.Memories()
	mem.Store(1, "the sky is blue", []string{"fact", "color"}, 1)
	mem.Store(2, "call back", nil, 2)
	mem.Tag(2, "urgent")
	mem.Untag(1, "color")
	seq, _ = mem.Pin(1)
	if err := mem.WaitForSeq(context.Background(), seq); err != nil {
		t.Fatal(err)
	}
	pinned := true
	ms, err := mem.List(MemoryFilter{TagsAll: []string{"fact"}, Pinned: &pinned})
	if err != nil || len(ms) != 1 || !reflect.DeepEqual(ms[0].Tags, []string{"fact"}) {
		t.Fatalf("memories = %+v, %v", ms, err)
	}
	if n, _ := mem.Count(MemoryFilter{TagsAny: []string{"urgent"}}); n != 1 {
		t.Fatalf("tags_any count %d", n)
	}
	if _, err := mem.Tag(7, "x"); !errors.Is(err, ErrCortexNotFound) {
		t.Fatalf("tag missing: %v", err)
	}
	// A model that was not enabled.
	only := openDb(t, newRedex(t, ""), NetDbConfig{WithTasks: true})
	if _, err := only.Memories().Count(MemoryFilter{}); !errors.Is(err, ErrMissingModel) {
		t.Fatalf("missing model: %v", err)
	}
	// After Close: typed errors.
	db.Close()
	if _, err := tasks.Create(5, "late", 0); !errors.Is(err, ErrCortexClosed) {
		t.Fatalf("after close: %v", err)
	}
}

func TestNetDbPersistsAcrossReopenAndRestoresSnapshots(t *testing.T) {
	dir := t.TempDir()
	cfg := NetDbConfig{Origin: 7, Persistent: true, WithTasks: true, WithMemories: true, File: &RedexFileConfig{FsyncNever: true}}
	r := newRedex(t, dir)
	db := openDb(t, r, cfg)
	for id := uint64(0); id < 20; id++ {
		db.Tasks().Create(id, "persisted", id)
	}
	db.Tasks().Complete(3)
	db.Memories().Store(1, "kept", []string{"a"}, 0)
	before, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = openDb(t, r, cfg)
	after, _ := db.Snapshot()
	if string(before) != string(after) {
		t.Fatalf("state after reopen differs:\n%s\n%s", before, after)
	}
	if n, _ := db.Tasks().Count(TaskFilter{Status: TaskCompleted}); n != 1 {
		t.Fatalf("completed after reopen: %d", n)
	}
	// The bundle restores into a fresh in-memory Redex.
	restored, err := OpenNetDbFromSnapshot(newRedex(t, ""), NetDbConfig{WithTasks: true, WithMemories: true}, before)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	a, _ := db.Tasks().List(TaskFilter{})
	b, _ := restored.Tasks().List(TaskFilter{})
	if !reflect.DeepEqual(a, b) {
		t.Fatal("restored tasks differ")
	}
	if _, err := OpenNetDbFromSnapshot(newRedex(t, ""), NetDbConfig{WithTasks: true}, []byte("{}")); !errors.Is(err, ErrNetDbBundle) {
		t.Fatalf("bad bundle: %v", err)
	}
}

func openRestored(t *testing.T, open func(*Redex, NetDbConfig, []byte) (*NetDb, error), r *Redex, cfg NetDbConfig, snapshot []byte) *NetDb {
	t.Helper()
	db, err := open(r, cfg, snapshot)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func mustSnapshot(t *testing.T, snapshot func() ([]byte, error)) []byte {
	t.Helper()
	b, err := snapshot()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestNetDbModelSnapshots(t *testing.T) {
	r := newRedex(t, "")
	cfg := NetDbConfig{Origin: 7, WithTasks: true, WithMemories: true}
	db := openDb(t, r, cfg)
	tasks := db.Tasks()
	for i := uint64(0); i < 5; i++ {
		tasks.Create(i, "task", i)
	}
	tasks.Complete(1)
	db.Memories().Store(1, "kept", []string{"a"}, 1)
	snap := mustSnapshot(t, tasks.Snapshot)

	// A bundle carries exactly the model snapshots.
	var bundle map[string]json.RawMessage
	if err := json.Unmarshal(mustSnapshot(t, db.Snapshot), &bundle); err != nil {
		t.Fatal(err)
	}
	if string(bundle["tasks"]) != string(snap) || string(bundle["memories"]) != string(mustSnapshot(t, db.Memories().Snapshot)) {
		t.Fatalf("the bundle's models are not the model snapshots:\n%s", bundle["tasks"])
	}

	// On its own log: the snapshot's state, then each later event once.
	tasks.Rename(2, "after the snapshot")
	tasks.Delete(3)
	restored := openRestored(t, OpenNetDbFromTasksSnapshot, r, cfg, snap)
	a, _ := tasks.List(TaskFilter{})
	b, _ := restored.Tasks().List(TaskFilter{})
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("restored tasks differ:\n%v\n%v", a, b)
	}
	if string(mustSnapshot(t, restored.Tasks().Snapshot)) != string(mustSnapshot(t, tasks.Snapshot)) {
		t.Fatal("restored state or folded seq differs")
	}
	seq, _ := tasks.Create(10, "later", 0)
	if err := restored.Tasks().WaitForSeq(context.Background(), seq); err != nil {
		t.Fatal(err)
	}
	if next, err := restored.Tasks().Create(11, "from the restored side", 0); err != nil || next != seq+1 {
		t.Fatalf("create after restore: %d, %v", next, err)
	}
	// Only the restored model, whatever cfg enables.
	if _, err := restored.Memories().Count(MemoryFilter{}); !errors.Is(err, ErrMissingModel) {
		t.Fatalf("memories of a tasks-only NetDb: %v", err)
	}
	if _, err := restored.Memories().Snapshot(); !errors.Is(err, ErrMissingModel) {
		t.Fatalf("memories snapshot of a tasks-only NetDb: %v", err)
	}

	// Into a fresh Redex: the snapshot is the base.
	mems := openRestored(t, OpenNetDbFromMemoriesSnapshot, newRedex(t, ""), NetDbConfig{Origin: 7}, mustSnapshot(t, db.Memories().Snapshot))
	if _, err := mems.Memories().Tag(1, "b"); err != nil {
		t.Fatal(err)
	}
	if got, _ := mems.Memories().List(MemoryFilter{}); len(got) != 1 || !reflect.DeepEqual(got[0].Tags, []string{"a", "b"}) {
		t.Fatalf("restored memories: %+v", got)
	}

	// Bytes that are not a snapshot of that model.
	memSnap := mustSnapshot(t, db.Memories().Snapshot)
	for _, bad := range [][]byte{nil, []byte("garbage"), snap[:len(snap)-1], memSnap, mustSnapshot(t, db.Snapshot)} {
		if _, err := OpenNetDbFromTasksSnapshot(newRedex(t, ""), cfg, bad); !errors.Is(err, ErrNetDbBundle) {
			t.Fatalf("%q: %v", bad, err)
		}
	}
	_, err := OpenNetDbFromMemoriesSnapshot(newRedex(t, ""), cfg, snap)
	if !errors.Is(err, ErrNetDbBundle) || !strings.Contains(err.Error(), "a tasks snapshot, not a memories snapshot") {
		t.Fatalf("a tasks snapshot as memories: %v", err)
	}
	// Closed handles.
	closed := newRedex(t, "")
	closed.Close()
	if _, err := OpenNetDbFromTasksSnapshot(closed, cfg, snap); !errors.Is(err, ErrRedexClosed) {
		t.Fatalf("closed Redex: %v", err)
	}
	restored.Close()
	if _, err := restored.Tasks().Snapshot(); !errors.Is(err, ErrCortexClosed) {
		t.Fatalf("closed NetDb: %v", err)
	}
}

func TestNetDbWatchAndSnapshotAndWatch(t *testing.T) {
	db := openDb(t, newRedex(t, ""), NetDbConfig{WithTasks: true, WithMemories: true})
	tasks := db.Tasks()
	tasks.Create(1, "ship docs", 0)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	watch, err := tasks.Watch(ctx, TaskFilter{Status: TaskPending})
	if err != nil {
		t.Fatal(err)
	}
	step := 0
	for batch, err := range watch {
		if err != nil {
			t.Fatal(err)
		}
		ids := []uint64{}
		for _, task := range batch {
			ids = append(ids, task.ID)
		}
		switch step {
		case 0: // the current result first
			if !reflect.DeepEqual(ids, []uint64{1}) {
				t.Fatalf("first batch %v", ids)
			}
			tasks.Create(2, "more", 0)
		case 1:
			if !reflect.DeepEqual(ids, []uint64{1, 2}) {
				t.Fatalf("second batch %v", ids)
			}
		}
		step++
		if step == 2 {
			break
		}
	}
	snapshot, deltas, err := tasks.SnapshotAndWatch(ctx, TaskFilter{Status: TaskCompleted})
	if err != nil || len(snapshot) != 0 {
		t.Fatalf("snapshot %v, %v", snapshot, err)
	}
	tasks.Complete(1)
	for batch, err := range deltas {
		if err != nil || len(batch) != 1 || batch[0].ID != 1 {
			t.Fatalf("delta %v, %v", batch, err)
		}
		break
	}
	// Close ends a watch without an error, after what it had pending (its
	// first result).
	mwatch, _ := db.Memories().Watch(ctx, MemoryFilter{})
	db.Close()
	batches := 0
	for _, err := range mwatch {
		if err != nil {
			t.Fatal(err)
		}
		batches++
	}
	if batches != 1 {
		t.Fatalf("memories watch delivered %d batches before the end", batches)
	}
}
