package net

/*
#include "shim.h"
*/
import "C"

import (
	"encoding/json"
	"runtime"
	"time"
	"unsafe"
)

// Receipt says where an emitted event went.
type Receipt struct {
	// Shard is the shard the event was routed to.
	Shard uint16
	// Sequence is its per-shard sequence (math.MaxUint64 when Dropped).
	Sequence uint64
	// Timestamp is when it was emitted.
	Timestamp time.Time
	// Dropped is true only under DropNewest when the ring was full: the
	// event was discarded (and counted in Stats.EventsDropped).
	Dropped bool
}

// The raw ingestion path hands libnet the caller's memory directly: the
// address of the bytes (or of a [][]byte's slice headers) crosses as an
// integer, so cgo neither checks nor boxes it and nothing is allocated or
// copied in Go. //go:uintptrescapes makes the compiler keep the pointed-to
// memory on the heap and alive for the call — the guarantee cgo gives a
// pointer argument — and libnet keeps no reference after returning (it
// copies the bytes into its ring). Go's heap does not move objects, and a
// [][]byte's elements live on the heap because the array holding them does.

//go:uintptrescapes
func ingestRaw(h C.uintptr_t, data uintptr, n int, out *C.netgo_receipt) C.int {
	return C.netgo_ingest_raw(h, C.uintptr_t(data), C.size_t(n), out)
}

//go:uintptrescapes
func ingestJSON(h C.uintptr_t, data uintptr, n int) C.netgo_status {
	return C.netgo_ingest_json(h, C.uintptr_t(data), C.size_t(n))
}

//go:uintptrescapes
func ingestRawBatch(h C.uintptr_t, slices uintptr, n int) C.netgo_status {
	return C.netgo_ingest_raw_batch(h, C.uintptr_t(slices), C.size_t(n))
}

// The shim reads [][]byte elements with Go's slice-header layout.
var _ [unsafe.Sizeof([]byte(nil)) - unsafe.Sizeof(C.netgo_slice{})]struct{}
var _ [unsafe.Sizeof(C.netgo_slice{}) - unsafe.Sizeof([]byte(nil))]struct{}

// EmitRaw emits one event (UTF-8 text, JSON by convention) as it is. The
// bytes are copied into the node before EmitRaw returns, so the caller may
// reuse raw at once. It allocates nothing.
//
// Errors: ErrBackpressure (FailProducer, ring full), ErrClosed,
// ErrInvalidUTF8.
func (n *Node) EmitRaw(raw []byte) (Receipt, error) {
	h := n.h()
	if h == 0 {
		return Receipt{}, closedError("node")
	}
	var r C.netgo_receipt
	code := ingestRaw(h, uintptr(unsafe.Pointer(unsafe.SliceData(raw))), len(raw), &r)
	runtime.KeepAlive(n)
	if code < 0 {
		return Receipt{}, errorOf(code, C.netgo_error_block(r.err))
	}
	return Receipt{
		Shard:     uint16(r.shard),
		Sequence:  uint64(r.sequence),
		Timestamp: time.Unix(0, int64(r.timestamp)),
		Dropped:   r.dropped != 0,
	}, nil
}

// EmitString is EmitRaw for text.
func (n *Node) EmitString(s string) (Receipt, error) {
	return n.EmitRaw(unsafe.Slice(unsafe.StringData(s), len(s)))
}

// Emit encodes v as JSON (encoding/json) and emits it.
func (n *Node) Emit(v any) (Receipt, error) {
	text, err := json.Marshal(v)
	if err != nil {
		return Receipt{}, &Error{Kind: "serialization", Message: err.Error(), Code: -99}
	}
	return n.EmitRaw(text)
}

// EmitJSON emits raw after libnet has checked that it is one valid JSON
// value (ErrInvalidJSON otherwise). net.h's checked path reports no
// receipt, so neither does this.
func (n *Node) EmitJSON(raw []byte) error {
	h := n.h()
	if h == 0 {
		return closedError("node")
	}
	r := ingestJSON(h, uintptr(unsafe.Pointer(unsafe.SliceData(raw))), len(raw))
	runtime.KeepAlive(n)
	return statusErr(r)
}

// EmitRawBatch emits every element of batch into one shard, in order,
// and returns how many were stored: fewer than len(batch) when the ring
// fills under FailProducer or DropNewest. Every element is checked first,
// so one that is not UTF-8 stores nothing. It allocates nothing in Go.
func (n *Node) EmitRawBatch(batch [][]byte) (int, error) {
	h := n.h()
	if h == 0 {
		return 0, closedError("node")
	}
	if len(batch) == 0 {
		return 0, nil
	}
	r := ingestRawBatch(h, uintptr(unsafe.Pointer(unsafe.SliceData(batch))), len(batch))
	runtime.KeepAlive(n)
	if r.code < 0 {
		return 0, errorOf(r.code, r.err)
	}
	return int(r.code), nil
}
