package net

/*
#include "cortex_shim.h"
*/
import "C"

import (
	"context"
	"iter"
	"unsafe"
)

// TaskStatus is where a task stands.
type TaskStatus string

const (
	TaskPending    TaskStatus = "pending"
	TaskInProgress TaskStatus = "in_progress"
	TaskCompleted  TaskStatus = "completed"
	TaskCancelled  TaskStatus = "cancelled"
)

// Task is a task as folded from its events.
type Task struct {
	ID             uint64     `json:"id"`
	Title          string     `json:"title"`
	Status         TaskStatus `json:"status"`
	CreatedAt      uint64     `json:"created_at"`
	UpdatedAtNanos uint64     `json:"updated_at_nanos"`
	Origin         uint64     `json:"origin"`
	Seq            uint64     `json:"seq"`
}

// TaskFilter selects tasks; every set field must match. Order is one of
// "id_asc" (default), "id_desc", "created_asc", "created_desc",
// "updated_asc", "updated_desc", "title_asc".
type TaskFilter struct {
	Status        TaskStatus `json:"status,omitempty"`
	TitleContains string     `json:"title_contains,omitempty"`
	Origin        *uint64    `json:"origin,omitempty"`
	Order         string     `json:"order,omitempty"`
	Limit         int        `json:"limit,omitempty"`
}

// Tasks is the tasks model of a NetDb. Every mutation returns its event's
// seq.
type Tasks struct{ db *NetDb }

func (t *Tasks) seqCall(call func(h C.uintptr_t) C.netgo_seq) (uint64, error) {
	h, err := t.db.h()
	if err != nil {
		return 0, err
	}
	return seqResult(t.db, call(h))
}

// Create creates task id (pending); createdAt is kept as given.
func (t *Tasks) Create(id uint64, title string, createdAt uint64) (uint64, error) {
	ct := C.CString(title)
	defer C.free(unsafe.Pointer(ct))
	return t.seqCall(func(h C.uintptr_t) C.netgo_seq {
		return C.netgo_tasks_create(h, C.uint64_t(id), ct, C.size_t(len(title)), C.uint64_t(createdAt))
	})
}

// Rename renames task id.
func (t *Tasks) Rename(id uint64, title string) (uint64, error) {
	ct := C.CString(title)
	defer C.free(unsafe.Pointer(ct))
	return t.seqCall(func(h C.uintptr_t) C.netgo_seq {
		return C.netgo_tasks_rename(h, C.uint64_t(id), ct, C.size_t(len(title)))
	})
}

// SetStatus sets task id's status.
func (t *Tasks) SetStatus(id uint64, status TaskStatus) (uint64, error) {
	cs := C.CString(string(status))
	defer C.free(unsafe.Pointer(cs))
	return t.seqCall(func(h C.uintptr_t) C.netgo_seq { return C.netgo_tasks_set_status(h, C.uint64_t(id), cs) })
}

// Complete marks task id completed.
func (t *Tasks) Complete(id uint64) (uint64, error) { return t.SetStatus(id, TaskCompleted) }

// Delete deletes task id.
func (t *Tasks) Delete(id uint64) (uint64, error) {
	return t.seqCall(func(h C.uintptr_t) C.netgo_seq { return C.netgo_tasks_delete(h, C.uint64_t(id)) })
}

// WaitForSeq returns once the event at seq is folded, or when ctx is done.
func (t *Tasks) WaitForSeq(ctx context.Context, seq uint64) error {
	return t.db.waitForSeq(ctx, modelTasks, seq)
}

// List returns the tasks filter selects, in its order.
func (t *Tasks) List(filter TaskFilter) ([]Task, error) {
	var out []Task
	err := t.db.query(modelTasks, filter, &out)
	return out, err
}

// Count is how many tasks filter selects.
func (t *Tasks) Count(filter TaskFilter) (int, error) { return t.db.count(modelTasks, filter) }

// Snapshot returns the tasks model's state and the seq it covers, for
// OpenNetDbFromTasksSnapshot (NetDb.Snapshot bundles exactly this).
func (t *Tasks) Snapshot() ([]byte, error) { return t.db.snapshot(modelTasks) }

// Watch streams the result of filter: the current one first, then each
// differing result. The loop ends when the NetDb closes; when ctx is done
// it yields ctx.Err() and ends.
func (t *Tasks) Watch(ctx context.Context, filter TaskFilter) (iter.Seq2[[]Task, error], error) {
	return watchBatches[Task](ctx, t.db, modelTasks, filter, nil)
}

// SnapshotAndWatch returns the current result and a stream of later
// differing results, atomically: a mutation racing the call is in the
// snapshot or comes out of the stream.
func (t *Tasks) SnapshotAndWatch(ctx context.Context, filter TaskFilter) ([]Task, iter.Seq2[[]Task, error], error) {
	var snapshot []Task
	seq, err := watchBatches(ctx, t.db, modelTasks, filter, &snapshot)
	return snapshot, seq, err
}

// Memory is a memory as folded from its events.
type Memory struct {
	ID             uint64   `json:"id"`
	Content        string   `json:"content"`
	Tags           []string `json:"tags"`
	Pinned         bool     `json:"pinned"`
	CreatedAt      uint64   `json:"created_at"`
	UpdatedAtNanos uint64   `json:"updated_at_nanos"`
	Origin         uint64   `json:"origin"`
	Seq            uint64   `json:"seq"`
}

// MemoryFilter selects memories; every set field must match.
type MemoryFilter struct {
	TagsAll         []string `json:"tags_all,omitempty"`
	TagsAny         []string `json:"tags_any,omitempty"`
	ContentContains string   `json:"content_contains,omitempty"`
	Pinned          *bool    `json:"pinned,omitempty"`
	Origin          *uint64  `json:"origin,omitempty"`
	Order           string   `json:"order,omitempty"`
	Limit           int      `json:"limit,omitempty"`
}

// Memories is the memories model of a NetDb.
type Memories struct{ db *NetDb }

func (m *Memories) seqCall(call func(h C.uintptr_t) C.netgo_seq) (uint64, error) {
	h, err := m.db.h()
	if err != nil {
		return 0, err
	}
	return seqResult(m.db, call(h))
}

// Store stores memory id with tags; createdAt is kept as given.
func (m *Memories) Store(id uint64, content string, tags []string, createdAt uint64) (uint64, error) {
	if tags == nil {
		tags = []string{}
	}
	cc := C.CString(content)
	defer C.free(unsafe.Pointer(cc))
	ct := jsonCString(tags)
	defer C.free(unsafe.Pointer(ct))
	return m.seqCall(func(h C.uintptr_t) C.netgo_seq {
		return C.netgo_memories_store(h, C.uint64_t(id), cc, C.size_t(len(content)), ct, C.uint64_t(createdAt))
	})
}

// Tag adds tag to memory id.
func (m *Memories) Tag(id uint64, tag string) (uint64, error) {
	ct := C.CString(tag)
	defer C.free(unsafe.Pointer(ct))
	return m.seqCall(func(h C.uintptr_t) C.netgo_seq {
		return C.netgo_memories_tag(h, C.uint64_t(id), ct, C.size_t(len(tag)))
	})
}

// Untag removes tag from memory id.
func (m *Memories) Untag(id uint64, tag string) (uint64, error) {
	ct := C.CString(tag)
	defer C.free(unsafe.Pointer(ct))
	return m.seqCall(func(h C.uintptr_t) C.netgo_seq {
		return C.netgo_memories_untag(h, C.uint64_t(id), ct, C.size_t(len(tag)))
	})
}

// Pin pins memory id.
func (m *Memories) Pin(id uint64) (uint64, error) {
	return m.seqCall(func(h C.uintptr_t) C.netgo_seq { return C.netgo_memories_pin(h, C.uint64_t(id), 1) })
}

// Unpin unpins memory id.
func (m *Memories) Unpin(id uint64) (uint64, error) {
	return m.seqCall(func(h C.uintptr_t) C.netgo_seq { return C.netgo_memories_pin(h, C.uint64_t(id), 0) })
}

// Delete deletes memory id.
func (m *Memories) Delete(id uint64) (uint64, error) {
	return m.seqCall(func(h C.uintptr_t) C.netgo_seq { return C.netgo_memories_delete(h, C.uint64_t(id)) })
}

// WaitForSeq returns once the event at seq is folded, or when ctx is done.
func (m *Memories) WaitForSeq(ctx context.Context, seq uint64) error {
	return m.db.waitForSeq(ctx, modelMemories, seq)
}

// List returns the memories filter selects, in its order.
func (m *Memories) List(filter MemoryFilter) ([]Memory, error) {
	var out []Memory
	err := m.db.query(modelMemories, filter, &out)
	return out, err
}

// Count is how many memories filter selects.
func (m *Memories) Count(filter MemoryFilter) (int, error) { return m.db.count(modelMemories, filter) }

// Snapshot returns the memories model's state and the seq it covers, for
// OpenNetDbFromMemoriesSnapshot.
func (m *Memories) Snapshot() ([]byte, error) { return m.db.snapshot(modelMemories) }

// Watch streams the result of filter (see Tasks.Watch).
func (m *Memories) Watch(ctx context.Context, filter MemoryFilter) (iter.Seq2[[]Memory, error], error) {
	return watchBatches[Memory](ctx, m.db, modelMemories, filter, nil)
}

// SnapshotAndWatch is Tasks.SnapshotAndWatch for memories.
func (m *Memories) SnapshotAndWatch(ctx context.Context, filter MemoryFilter) ([]Memory, iter.Seq2[[]Memory, error], error) {
	var snapshot []Memory
	seq, err := watchBatches(ctx, m.db, modelMemories, filter, &snapshot)
	return snapshot, seq, err
}
