package net

/*
#include "shim.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// Event is one event read back from a node.
type Event struct {
	// ID is "<shard>:<sequence>".
	ID string
	// Shard and Sequence locate the event (Sequence grows per shard).
	Shard    uint16
	Sequence uint64
	// Raw is the payload exactly as emitted (a copy owned by Go).
	Raw []byte
	// Timestamp is when it was emitted.
	Timestamp time.Time
}

// Decode unmarshals the JSON payload into v.
func (e Event) Decode(v any) error {
	if err := json.Unmarshal(e.Raw, v); err != nil {
		return &Error{Kind: "deserialization", Message: "event " + e.ID + ": " + err.Error(), Code: -99}
	}
	return nil
}

// PollRequest asks for up to Limit events after Cursor ("" starts at the
// oldest retained event).
type PollRequest struct {
	Limit  int
	Cursor string
}

// PollResponse is one page of events. Pass NextCursor back to resume:
// every retained event is read exactly once, in per-shard order.
type PollResponse struct {
	Events     []Event
	NextCursor string
	// HasMore is true when more events were already available.
	HasMore bool
}

// DefaultPollLimit is used when PollRequest.Limit is 0.
const DefaultPollLimit = 100

// Poll reads one page of events. It does not wait for new events (use
// Events for that); ctx is checked before the call.
func (n *Node) Poll(ctx context.Context, req PollRequest) (PollResponse, error) {
	if err := ctx.Err(); err != nil {
		return PollResponse{}, err
	}
	if req.Limit < 0 {
		return PollResponse{}, &Error{Kind: ErrInvalidArgument.Kind, Message: "negative poll limit", Code: -16}
	}
	if req.Limit == 0 {
		req.Limit = DefaultPollLimit
	}
	h := n.h()
	if h == 0 {
		return PollResponse{}, closedError("node")
	}
	var cursor *C.char
	if req.Cursor != "" {
		cursor = C.CString(req.Cursor)
		defer C.free(unsafe.Pointer(cursor))
	}
	r := C.netgo_poll(h, C.size_t(req.Limit), cursor)
	runtime.KeepAlive(n)
	if r.code < 0 {
		return PollResponse{}, errorOf(r.code, r.err)
	}
	defer C.net_free_poll_result(&r.result)
	return PollResponse{
		Events:     eventsOf(&r.result),
		NextCursor: C.GoString(r.result.next_id),
		HasMore:    r.result.has_more != 0,
	}, nil
}

// eventsOf copies a result's events into Go memory.
func eventsOf(r *C.net_poll_result_t) []Event {
	if r.count == 0 {
		return nil
	}
	table := unsafe.Slice(r.events, int(r.count))
	out := make([]Event, len(table))
	for i := range table {
		ev := &table[i]
		id := C.GoStringN(ev.id, C.int(ev.id_len))
		out[i] = Event{
			ID:        id,
			Shard:     uint16(ev.shard_id),
			Sequence:  sequenceOf(id),
			Raw:       C.GoBytes(unsafe.Pointer(ev.raw), C.int(ev.raw_len)),
			Timestamp: time.Unix(0, int64(ev.insertion_ts)),
		}
	}
	return out
}

// sequenceOf reads the sequence half of an event id "<shard>:<sequence>".
func sequenceOf(id string) uint64 {
	_, seq, _ := strings.Cut(id, ":")
	n, _ := strconv.ParseUint(seq, 10, 64)
	return n
}
