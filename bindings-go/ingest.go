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
	// Evicted is how many older events this emit evicted to make room for
	// itself: only under DropOldest (also counted in Stats.EventsDropped),
	// 0 under every other policy.
	Evicted uint32
}

// The raw ingestion path passes the caller's bytes to C as pointer
// arguments of type *C.uint8_t: cgo pins an argument for the call and
// need not check it (bytes hold no pointers), and the shims are declared
// `#cgo noescape` and `#cgo nocallback` (cgo.go) because libnet copies
// the bytes and keeps no pointer once the call returns — so the bytes may
// stay on the caller's stack and nothing is allocated or copied in Go.

// EmitRaw emits one event (UTF-8 text, JSON by convention) as it is. The
// bytes are copied into the node before EmitRaw returns, so the caller may
// reuse raw at once. It allocates nothing.
//
// Errors: ErrBackpressure (FailProducer with the ring full, or Block
// with the ring still full after Config.BlockTimeout), ErrClosed,
// ErrInvalidUTF8.
func (n *Node) EmitRaw(raw []byte) (Receipt, error) {
	h := n.h()
	if h == 0 {
		return Receipt{}, closedError("node")
	}
	var r C.netgo_receipt
	code := C.netgo_ingest_raw(h, bytesPtr(raw), C.size_t(len(raw)), &r)
	runtime.KeepAlive(n)
	if code < 0 {
		return Receipt{}, errorOf(code, C.netgo_error_block(r.err))
	}
	return Receipt{
		Shard:     uint16(r.shard),
		Sequence:  uint64(r.sequence),
		Timestamp: time.Unix(0, int64(r.timestamp)),
		Dropped:   r.dropped != 0,
		Evicted:   uint32(r.evicted),
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
	r := C.netgo_ingest_json(h, bytesPtr(raw), C.size_t(len(raw)))
	runtime.KeepAlive(n)
	return statusErr(r)
}

// EmitRawBatch emits every element of batch into one shard, in order,
// and returns how many were stored: fewer than len(batch) when the ring
// fills under FailProducer or DropNewest, or stays full for
// Config.BlockTimeout under Block. Every element is checked first,
// so one that is not UTF-8 stores nothing (the error names its index).
// It allocates nothing in Go.
//
// A [][]byte cannot cross to C (it is Go memory holding Go pointers), so
// the elements go over chunkLen at a time as call arguments; a batch
// longer than that is staged in C memory and ingested by the call that
// carries its last chunk (see shim.h). Errors: ErrBackpressure
// (FailProducer or Block, nothing stored), ErrClosed, ErrInvalidUTF8, and
// "out_of_memory" if C memory to stage the batch ran out.
func (n *Node) EmitRawBatch(batch [][]byte) (int, error) {
	h := n.h()
	if h == 0 {
		return 0, closedError("node")
	}
	if len(batch) == 0 {
		return 0, nil
	}
	defer runtime.KeepAlive(n)
	if len(batch) <= chunkLen {
		p, l := layOut(batch)
		return countOf(C.netgo_ingest_small(h,
			p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15],
			p[16], p[17], p[18], p[19], p[20], p[21], p[22], p[23], p[24], p[25], p[26], p[27], p[28], p[29], p[30], p[31],
			&l[0], C.size_t(len(batch))))
	}
	st, owned, err := n.takeStager()
	if err != nil {
		return 0, err
	}
	defer n.putStager(st, owned)
	// The first chunk sizes the stager for the whole batch.
	total, totalBytes := len(batch), 0
	for _, b := range batch {
		totalBytes += len(b)
	}
	for first := 0; ; first += chunkLen {
		chunk := batch[first:min(first+chunkLen, len(batch))]
		last := first+len(chunk) == len(batch)
		p, l := layOut(chunk)
		r := C.netgo_ingest_chunk(h, st, C.size_t(total), C.size_t(totalBytes), cBool(last),
			p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15],
			p[16], p[17], p[18], p[19], p[20], p[21], p[22], p[23], p[24], p[25], p[26], p[27], p[28], p[29], p[30], p[31],
			&l[0], C.size_t(len(chunk)))
		if r.code < 0 || last {
			return countOf(r)
		}
		total = 0
	}
}

// chunkLen is how many elements one cgo call carries (shim.h).
const chunkLen = C.NETGO_CHUNK

func countOf(r C.netgo_status) (int, error) {
	if r.code < 0 {
		return 0, errorOf(r.code, r.err)
	}
	return int(r.code), nil
}

// layOut lays out up to chunkLen elements for a shim call: each
// element's address (passed to C as an argument of its own, never as
// memory) and its length (an array of integers C may read). Returned by
// value so that both stay on the caller's frame.
func layOut(chunk [][]byte) (p [chunkLen]*C.uint8_t, l [chunkLen]C.size_t) {
	for i, b := range chunk {
		p[i] = bytesPtr(b)
		l[i] = C.size_t(len(b))
	}
	return p, l
}

func cBool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}
