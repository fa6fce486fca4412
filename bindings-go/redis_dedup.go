package net

/*
#include "shim.h"
*/
import "C"

import (
	"runtime"
	"sync"
	"unsafe"
)

// DefaultRedisDedupCapacity is the capacity NewRedisStreamDedup(0) uses.
const DefaultRedisDedupCapacity = C.NET_REDIS_DEDUP_DEFAULT_CAPACITY

// RedisStreamDedup drops Redis Streams entries written twice. Every entry
// the Redis transport writes carries a dedup_id field
// ("{producer_nonce:hex}:{shard}:{sequence_start}:{i}") that stays the
// same when a batch is retried (and, with Config.ProducerNoncePath, when
// the producer restarts); IsDuplicate answers whether an id was among the
// Capacity most recently seen ones, and remembers it.
//
// It is safe for concurrent use. Close releases it (a cleanup does it for
// an unreachable one, only as a safety net); using it after Close panics.
type RedisStreamDedup struct {
	mu      sync.RWMutex
	ptr     *C.net_redis_dedup_t
	cleanup runtime.Cleanup
}

// NewRedisStreamDedup makes a filter remembering capacity ids (0:
// DefaultRedisDedupCapacity).
func NewRedisStreamDedup(capacity int) (*RedisStreamDedup, error) {
	if capacity < 0 {
		return nil, invalidConfig("negative RedisStreamDedup capacity")
	}
	r := C.netgo_redis_dedup_new(C.size_t(capacity))
	if r.ptr == nil {
		return nil, errorOf(-1, r.err)
	}
	d := &RedisStreamDedup{ptr: (*C.net_redis_dedup_t)(r.ptr)}
	d.cleanup = runtime.AddCleanup(d, func(p *C.net_redis_dedup_t) { C.net_redis_dedup_free(p) }, d.ptr)
	return d, nil
}

// live read-locks d and returns its pointer; the caller unlocks.
func (d *RedisStreamDedup) live() *C.net_redis_dedup_t {
	d.mu.RLock()
	if d.ptr == nil {
		d.mu.RUnlock()
		panic("net: RedisStreamDedup used after Close")
	}
	return d.ptr
}

// IsDuplicate reports whether id was seen among the Capacity most recent
// ids, and records it as the most recent. An id that is not UTF-8 is an
// error (ErrInvalidUTF8).
func (d *RedisStreamDedup) IsDuplicate(id string) (bool, error) {
	p := d.live()
	defer d.mu.RUnlock()
	r := C.netgo_redis_dedup_is_duplicate(p, (*C.char)(unsafe.Pointer(unsafe.StringData(id))), C.size_t(len(id)))
	if err := statusErr(r); err != nil {
		return false, err
	}
	return r.code == 1, nil
}

// Len is the number of ids remembered.
func (d *RedisStreamDedup) Len() int {
	p := d.live()
	defer d.mu.RUnlock()
	return int(C.netgo_redis_dedup_len(p))
}

// Capacity is the most ids remembered at once.
func (d *RedisStreamDedup) Capacity() int {
	p := d.live()
	defer d.mu.RUnlock()
	return int(C.netgo_redis_dedup_capacity(p))
}

// IsEmpty reports whether no id is remembered.
func (d *RedisStreamDedup) IsEmpty() bool {
	p := d.live()
	defer d.mu.RUnlock()
	return C.net_redis_dedup_is_empty(p) == 1
}

// Clear forgets every id.
func (d *RedisStreamDedup) Clear() {
	p := d.live()
	defer d.mu.RUnlock()
	C.net_redis_dedup_clear(p)
}

// Close releases the filter; idempotent.
func (d *RedisStreamDedup) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ptr == nil {
		return
	}
	d.cleanup.Stop()
	C.net_redis_dedup_free(d.ptr)
	d.ptr = nil
}
