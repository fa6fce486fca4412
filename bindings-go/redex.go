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
	"sync/atomic"
	"time"
	"unsafe"
)

// Redex opens RedEX files: crash-safe, append-only logs, in memory or on
// disk. Close it when done (files opened through it stay usable).
type Redex struct {
	handle  atomic.Uintptr
	once    sync.Once
	cleanup runtime.Cleanup
}

// NewRedex returns a manager whose persistent files live under
// persistentDir ("" for a memory-only manager, which refuses Persistent
// files).
func NewRedex(persistentDir string) (*Redex, error) {
	var dir *C.char
	if persistentDir != "" {
		dir = C.CString(persistentDir)
		defer C.free(unsafe.Pointer(dir))
	}
	r := C.netgo_redex_new(dir)
	if r.handle == 0 {
		return nil, errorOf(-1, r.err)
	}
	x := &Redex{}
	x.handle.Store(uintptr(r.handle))
	x.cleanup = runtime.AddCleanup(x, func(h C.uintptr_t) { C.netgo_redex_free(h) }, r.handle)
	return x, nil
}

func (r *Redex) h() C.uintptr_t { return C.uintptr_t(r.handle.Load()) }

// Close releases the manager. It is idempotent.
func (r *Redex) Close() error {
	r.once.Do(func() {
		r.cleanup.Stop()
		C.netgo_redex_free(C.uintptr_t(r.handle.Swap(0)))
	})
	return nil
}

// RedexFileConfig configures one file. The zero value is an in-memory
// file with the default fsync policy (every 100 ms) and no retention.
type RedexFileConfig struct {
	// Persistent keeps the file under the manager's directory.
	Persistent bool
	// At most one fsync policy: every N records, every interval, or never.
	FsyncEveryN     uint64
	FsyncIntervalMs uint64
	FsyncNever      bool
	// Retention caps (0: none).
	RetentionMaxEvents uint64
	RetentionMaxBytes  uint64
	RetentionMaxAge    time.Duration
	// SegmentMaxBytes rolls to a new segment file past this size (0: 64 MiB).
	SegmentMaxBytes uint64
	// Recover cuts a corrupt log at its last good record instead of
	// failing with ErrRedexCorrupt.
	Recover bool
}

func (c RedexFileConfig) jsonValue() map[string]any {
	m := map[string]any{"persistent": c.Persistent, "recover": c.Recover}
	if c.FsyncEveryN != 0 {
		m["fsync_every_n"] = c.FsyncEveryN
	}
	if c.FsyncIntervalMs != 0 {
		m["fsync_interval_ms"] = c.FsyncIntervalMs
	}
	if c.FsyncNever {
		m["fsync"] = "never"
	}
	if c.RetentionMaxEvents != 0 {
		m["retention_max_events"] = c.RetentionMaxEvents
	}
	if c.RetentionMaxBytes != 0 {
		m["retention_max_bytes"] = c.RetentionMaxBytes
	}
	if c.RetentionMaxAge != 0 {
		m["retention_max_age_ms"] = max(c.RetentionMaxAge.Milliseconds(), 1)
	}
	if c.SegmentMaxBytes != 0 {
		m["segment_max_bytes"] = c.SegmentMaxBytes
	}
	return m
}

func jsonCString(v any) *C.char {
	text, err := json.Marshal(v)
	if err != nil {
		panic("net: a configuration did not serialize: " + err.Error())
	}
	return C.CString(string(text))
}

// RedexFile is an open RedEX file. Its methods are safe for concurrent
// use. Close it when done.
type RedexFile struct {
	handle cortexHandle
}

// RedexEvent is one record of a file.
type RedexEvent struct {
	Seq            uint64
	TimestampNanos uint64
	Payload        []byte
}

// RedexFileInfo is what a file holds now.
type RedexFileInfo struct {
	NextSeq, FirstSeq, Len, RetainedBytes uint64
	Closed                                bool
}

// RepairReport is what opening a persistent file had to cut.
type RepairReport struct {
	// Kind is "torn_tail" (an append that never finished) or "corruption"
	// (cut because the file was opened with Recover).
	Kind            string `json:"kind"`
	File            string `json:"file"`
	Offset          uint64 `json:"offset"`
	Reason          string `json:"reason"`
	BytesCut        uint64 `json:"bytes_cut"`
	SegmentsRemoved int    `json:"segments_removed"`
}

// OpenFile opens the file name (a channel name such as "analytics/clicks").
// A persistent file is verified: a torn final record is cut (see
// RepairReport); damage anywhere else is ErrRedexCorrupt unless Recover.
func (r *Redex) OpenFile(name string, cfg RedexFileConfig) (*RedexFile, error) {
	h := r.h()
	if h == 0 {
		return nil, &Error{Kind: ErrRedexClosed.Kind, Message: "the Redex is closed", Code: -8}
	}
	ccfg := jsonCString(cfg.jsonValue())
	defer C.free(unsafe.Pointer(ccfg))
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	res := C.netgo_redex_open_file(h, cname, C.size_t(len(name)), ccfg)
	runtime.KeepAlive(r)
	if res.handle == 0 {
		return nil, cortexErr(-1, res.err)
	}
	f := &RedexFile{}
	adoptCortexHandle(f, &f.handle, res.handle, freeRedexFile)
	return f, nil
}

// cortexErr is errorOf without its node-specific renaming: a stale cortex
// handle is this package's closed error for that surface.
func cortexErr(code C.int, block *C.char) error {
	err := errorOf(code, block)
	var e *Error
	if errors.As(err, &e) && e.Kind == ErrClosed.Kind {
		e.Kind = ErrRedexClosed.Kind
	}
	return err
}

func freeRedexFile(h C.uintptr_t) { C.netgo_redex_file_free(h) }

func (f *RedexFile) h() (C.uintptr_t, error) {
	return f.handle.live(ErrRedexClosed.Kind, "the file is closed")
}

// Append appends one record and returns its seq.
func (f *RedexFile) Append(payload []byte) (uint64, error) {
	h, err := f.h()
	if err != nil {
		return 0, err
	}
	r := C.netgo_redex_append(h, bytesPtr(payload), C.size_t(len(payload)))
	runtime.KeepAlive(f)
	runtime.KeepAlive(payload)
	if r.code < 0 {
		return 0, cortexErr(r.code, r.err)
	}
	return uint64(r.seq), nil
}

// AppendBatch appends payloads with consecutive seqs and returns the first
// one; ok is false for an empty batch (nothing was appended).
func (f *RedexFile) AppendBatch(payloads [][]byte) (first uint64, ok bool, err error) {
	h, err := f.h()
	if err != nil || len(payloads) == 0 {
		return 0, false, err
	}
	data, lens := packPayloads(payloads)
	r := C.netgo_redex_append_batch(h, bytesPtr(data), &lens[0], C.size_t(len(payloads)))
	runtime.KeepAlive(f)
	runtime.KeepAlive(data)
	if r.code < 0 {
		return 0, false, cortexErr(r.code, r.err)
	}
	return uint64(r.seq), true, nil
}

// AppendIdempotent appends payload identified by key once: a retry with a
// key whose record is still retained returns that record's seq.
func (f *RedexFile) AppendIdempotent(key, payload []byte) (uint64, error) {
	h, err := f.h()
	if err != nil {
		return 0, err
	}
	r := C.netgo_redex_append_idempotent(h, bytesPtr(key), C.size_t(len(key)), bytesPtr(payload), C.size_t(len(payload)))
	runtime.KeepAlive(f)
	runtime.KeepAlive(key)
	runtime.KeepAlive(payload)
	if r.code < 0 {
		return 0, cortexErr(r.code, r.err)
	}
	return uint64(r.seq), nil
}

func eventsOfC(events *C.net_redex_events_t) []RedexEvent {
	if events.count == 0 {
		return nil
	}
	table := unsafe.Slice(events.events, int(events.count))
	out := make([]RedexEvent, len(table))
	for i, e := range table {
		out[i] = RedexEvent{
			Seq:            uint64(e.seq),
			TimestampNanos: uint64(e.timestamp_nanos),
			Payload:        C.GoBytes(unsafe.Pointer(e.payload), C.int(e.payload_len)),
		}
	}
	return out
}

// Read returns the retained records with from <= seq < to
// (math.MaxUint64 for "to the end").
func (f *RedexFile) Read(from, to uint64) ([]RedexEvent, error) {
	h, err := f.h()
	if err != nil {
		return nil, err
	}
	r := C.netgo_redex_read(h, C.uint64_t(from), C.uint64_t(to))
	runtime.KeepAlive(f)
	if r.code < 0 {
		return nil, cortexErr(r.code, r.err)
	}
	defer C.net_redex_events_free(&r.events)
	return eventsOfC(&r.events), nil
}

// Info reports what the file holds now.
func (f *RedexFile) Info() (RedexFileInfo, error) {
	h, err := f.h()
	if err != nil {
		return RedexFileInfo{}, err
	}
	r := C.netgo_redex_info(h)
	runtime.KeepAlive(f)
	if r.code < 0 {
		return RedexFileInfo{}, cortexErr(r.code, r.err)
	}
	i := r.info
	return RedexFileInfo{uint64(i.next_seq), uint64(i.first_seq), uint64(i.len), uint64(i.retained_bytes), i.closed != 0}, nil
}

// RepairReport is what opening the file had to cut, or nil.
func (f *RedexFile) RepairReport() (*RepairReport, error) {
	h, err := f.h()
	if err != nil {
		return nil, err
	}
	r := C.netgo_redex_repair_report(h)
	runtime.KeepAlive(f)
	if r.code < 0 {
		return nil, cortexErr(r.code, r.err)
	}
	if r.code == 0 {
		return nil, nil
	}
	defer C.net_cortex_free_string(r.json)
	var report RepairReport
	if err := json.Unmarshal([]byte(C.GoString(r.json)), &report); err != nil {
		return nil, err
	}
	return &report, nil
}

// Sync writes and fsyncs everything appended so far.
func (f *RedexFile) Sync() error {
	h, err := f.h()
	if err != nil {
		return err
	}
	s := C.netgo_redex_sync(h)
	runtime.KeepAlive(f)
	return cortexErr(s.code, s.err)
}

// Close syncs and closes the file for every handle, then releases this
// one. Running Tail loops end once they delivered everything. Idempotent:
// later calls return the first call's result.
func (f *RedexFile) Close() error {
	return f.handle.close(func(h C.uintptr_t) C.netgo_status { return C.netgo_redex_close(h) }, freeRedexFile)
}

// Tail streams every record from fromSeq on: the retained ones first, then
// each new append, none missed or repeated. The loop ends without an error
// once the file is closed and everything was delivered; when ctx is done
// it yields ctx.Err() and ends. A tail that fell behind retention yields
// ErrRedexTailLagged once and continues from the oldest retained record.
// Breaking out of the loop releases the tail.
func (f *RedexFile) Tail(ctx context.Context, fromSeq uint64) iter.Seq2[RedexEvent, error] {
	return func(yield func(RedexEvent, error) bool) {
		h, err := f.h()
		if err != nil {
			yield(RedexEvent{}, err)
			return
		}
		t := C.netgo_redex_tail(h, C.uint64_t(fromSeq))
		runtime.KeepAlive(f)
		if t.handle == 0 {
			yield(RedexEvent{}, cortexErr(-1, t.err))
			return
		}
		defer C.netgo_redex_tail_free(t.handle)
		for {
			if err := ctx.Err(); err != nil {
				yield(RedexEvent{}, err)
				return
			}
			// Short waits, so a cancelled ctx is noticed within ~100 ms.
			r := C.netgo_redex_tail_next(t.handle, 256, 100)
			if r.code < 0 {
				err := cortexErr(r.code, r.err)
				if errors.Is(err, ErrRedexClosed) {
					return
				}
				if !yield(RedexEvent{}, err) || !errors.Is(err, ErrRedexTailLagged) {
					return
				}
				continue
			}
			events := eventsOfC(&r.events)
			C.net_redex_events_free(&r.events)
			for _, e := range events {
				if !yield(e, nil) {
					return
				}
			}
		}
	}
}
