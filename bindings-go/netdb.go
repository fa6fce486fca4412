package net

/*
#include "cortex_shim.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"runtime"
	"sync"
	"unsafe"
)

// NetDbConfig configures a NetDb.
type NetDbConfig struct {
	// Origin is the producer identity stamped on every event.
	Origin uint64
	// Persistent keeps the models' files on disk (the Redex needs a
	// directory).
	Persistent   bool
	WithTasks    bool
	WithMemories bool
	// File tunes the models' files (fsync policy...); Persistent wins over
	// File.Persistent.
	File *RedexFileConfig
}

func (c NetDbConfig) cjson() *C.char {
	m := map[string]any{"origin": c.Origin, "persistent": c.Persistent, "with_tasks": c.WithTasks, "with_memories": c.WithMemories}
	if c.File != nil {
		file := c.File.jsonValue()
		delete(file, "persistent")
		m["file"] = file
	}
	return jsonCString(m)
}

// NetDb is event-sourced state — tasks and memories — folded from RedEX
// files. Its methods are safe for concurrent use. Close it when done.
type NetDb struct {
	handle cortexHandle
}

// OpenNetDb opens the models cfg enables on redex, folding their logs.
func OpenNetDb(redex *Redex, cfg NetDbConfig) (*NetDb, error) {
	return openNetDb(redex, cfg, modelBundle, nil)
}

// OpenNetDbFromSnapshot opens the models on top of a bundle from
// NetDb.Snapshot, folding only the events after it.
func OpenNetDbFromSnapshot(redex *Redex, cfg NetDbConfig, bundle []byte) (*NetDb, error) {
	return openNetDb(redex, cfg, modelBundle, given(bundle))
}

// OpenNetDbFromTasksSnapshot opens a NetDb holding only the tasks model,
// restored from a Tasks.Snapshot: its state, then the events the log
// holds after it. cfg's WithTasks and WithMemories are ignored. Bytes
// that are not a tasks snapshot (garbage, truncated, another model's) are
// ErrNetDbBundle.
func OpenNetDbFromTasksSnapshot(redex *Redex, cfg NetDbConfig, snapshot []byte) (*NetDb, error) {
	return openNetDb(redex, cfg, modelTasks, given(snapshot))
}

// OpenNetDbFromMemoriesSnapshot opens a NetDb holding only the memories
// model, restored from a Memories.Snapshot; as OpenNetDbFromTasksSnapshot.
func OpenNetDbFromMemoriesSnapshot(redex *Redex, cfg NetDbConfig, snapshot []byte) (*NetDb, error) {
	return openNetDb(redex, cfg, modelMemories, given(snapshot))
}

// given keeps "restore from these bytes" apart from "no snapshot" when
// the bytes are empty.
func given(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// openNetDb opens on top of snapshot (model modelTasks, modelMemories or
// modelBundle says what it is), or from the logs alone when it is nil.
func openNetDb(redex *Redex, cfg NetDbConfig, model int, snapshot []byte) (*NetDb, error) {
	h := redex.h()
	if h == 0 {
		return nil, &Error{Kind: ErrRedexClosed.Kind, Message: "the Redex is closed", Code: -8}
	}
	ccfg := cfg.cjson()
	defer C.free(unsafe.Pointer(ccfg))
	var r C.netgo_chandle
	if snapshot == nil {
		r = C.netgo_netdb_open(h, ccfg)
	} else {
		r = C.netgo_netdb_open_from_snapshot(h, ccfg, C.int(model), bytesPtr(snapshot), C.size_t(len(snapshot)))
	}
	runtime.KeepAlive(redex)
	runtime.KeepAlive(snapshot)
	if r.handle == 0 {
		return nil, cortexErr(-1, r.err)
	}
	db := &NetDb{}
	adoptCortexHandle(db, &db.handle, r.handle, freeNetDb)
	return db, nil
}

func freeNetDb(h C.uintptr_t) { C.netgo_netdb_free(h) }

func (db *NetDb) h() (C.uintptr_t, error) {
	return db.handle.live(ErrCortexClosed.Kind, "the NetDb is closed")
}

// Snapshot returns every model's snapshot (Tasks.Snapshot,
// Memories.Snapshot) as one bundle for OpenNetDbFromSnapshot.
func (db *NetDb) Snapshot() ([]byte, error) { return db.snapshot(modelBundle) }

func (db *NetDb) snapshot(model int) ([]byte, error) {
	h, err := db.h()
	if err != nil {
		return nil, err
	}
	r := C.netgo_netdb_snapshot(h, C.int(model))
	runtime.KeepAlive(db)
	if r.code < 0 {
		return nil, cortexErr(r.code, r.err)
	}
	defer C.net_cortex_free_string(r.json)
	return []byte(C.GoString(r.json)), nil
}

// Close closes every model (files synced and closed, watches ended) and
// releases the NetDb. Idempotent: later calls return the first result.
func (db *NetDb) Close() error {
	return db.handle.close(func(h C.uintptr_t) C.netgo_status { return C.netgo_netdb_close(h) }, freeNetDb)
}

// Tasks is the tasks model of db.
func (db *NetDb) Tasks() *Tasks { return &Tasks{db: db} }

// Memories is the memories model of db.
func (db *NetDb) Memories() *Memories { return &Memories{db: db} }

// What a model argument of the shims names.
const (
	modelTasks    = 0
	modelMemories = 1
	// Every model at once: a NetDb snapshot bundle.
	modelBundle = -1
)

func seqResult(db *NetDb, r C.netgo_seq) (uint64, error) {
	runtime.KeepAlive(db)
	if r.code < 0 {
		return 0, cortexErr(r.code, r.err)
	}
	return uint64(r.seq), nil
}

func (db *NetDb) query(model int, filter any, out any) error {
	h, err := db.h()
	if err != nil {
		return err
	}
	cf := jsonCString(filter)
	defer C.free(unsafe.Pointer(cf))
	r := C.netgo_netdb_query(h, C.int(model), cf)
	runtime.KeepAlive(db)
	if r.code < 0 {
		return cortexErr(r.code, r.err)
	}
	defer C.net_cortex_free_string(r.json)
	return json.Unmarshal([]byte(C.GoString(r.json)), out)
}

func (db *NetDb) count(model int, filter any) (int, error) {
	h, err := db.h()
	if err != nil {
		return 0, err
	}
	cf := jsonCString(filter)
	defer C.free(unsafe.Pointer(cf))
	s := C.netgo_netdb_count(h, C.int(model), cf)
	runtime.KeepAlive(db)
	if s.code < 0 {
		return 0, cortexErr(s.code, s.err)
	}
	return int(s.code), nil
}

// waitForSeq waits in short steps so ctx is honoured between them.
func (db *NetDb) waitForSeq(ctx context.Context, model int, seq uint64) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		h, err := db.h()
		if err != nil {
			return err
		}
		s := C.netgo_netdb_wait_for_seq(h, C.int(model), C.uint64_t(seq), 100)
		runtime.KeepAlive(db)
		err = cortexErr(s.code, s.err)
		if !errors.Is(err, ErrTimeout) {
			return err
		}
	}
}

// watch streams JSON result batches decoded into T.
func watchBatches[T any](ctx context.Context, db *NetDb, model int, filter any, snapshot *[]T) (iter.Seq2[[]T, error], error) {
	h, err := db.h()
	if err != nil {
		return nil, err
	}
	cf := jsonCString(filter)
	defer C.free(unsafe.Pointer(cf))
	var handle C.uintptr_t
	if snapshot != nil {
		r := C.netgo_netdb_snapshot_and_watch(h, C.int(model), cf)
		runtime.KeepAlive(db)
		if r.handle == 0 {
			return nil, cortexErr(-1, r.err)
		}
		text := C.GoString(r.json)
		C.net_cortex_free_string(r.json)
		if err := json.Unmarshal([]byte(text), snapshot); err != nil {
			C.netgo_netdb_watch_free(r.handle)
			return nil, err
		}
		handle = r.handle
	} else {
		r := C.netgo_netdb_watch(h, C.int(model), cf)
		runtime.KeepAlive(db)
		if r.handle == 0 {
			return nil, cortexErr(-1, r.err)
		}
		handle = r.handle
	}
	// The watch handle is released when the loop ends, or by a cleanup if
	// the sequence is never ranged over.
	owner := &struct{ once sync.Once }{}
	release := func() { owner.once.Do(func() { C.netgo_netdb_watch_free(handle) }) }
	cleanup := runtime.AddCleanup(owner, func(h C.uintptr_t) { C.netgo_netdb_watch_free(h) }, handle)
	return func(yield func([]T, error) bool) {
		defer func() {
			cleanup.Stop()
			release()
		}()
		for {
			if err := ctx.Err(); err != nil {
				yield(nil, err)
				return
			}
			r := C.netgo_netdb_watch_next(handle, 100)
			if r.code < 0 {
				err := cortexErr(r.code, r.err)
				if !errors.Is(err, ErrCortexClosed) {
					yield(nil, err)
				}
				return
			}
			if r.code == 0 {
				continue
			}
			text := C.GoString(r.json)
			C.net_cortex_free_string(r.json)
			var batch []T
			if err := json.Unmarshal([]byte(text), &batch); err != nil {
				yield(nil, err)
				return
			}
			if !yield(batch, nil) {
				return
			}
		}
	}, nil
}
