package net

/*
#include "shim.h"
*/
import "C"

import (
	"context"
	"errors"
	"iter"
	"runtime"
	"time"
	"unsafe"
)

// EventsOptions says where a stream of events starts.
type EventsOptions struct {
	// Cursor resumes after a PollResponse.NextCursor; it takes precedence.
	Cursor string
	// FromBeginning starts at the oldest retained event; otherwise the
	// stream is live and starts at the current tail.
	FromBeginning bool
	// Batch is how many events are read from the node at a time (0: 256).
	Batch int
	// Wake bounds how long one wait inside libnet lasts, hence how soon a
	// cancelled ctx is noticed (0: 100 ms).
	Wake time.Duration
}

// Events streams the node's events for a range loop:
//
//	for ev, err := range node.Events(ctx, net.EventsOptions{FromBeginning: true}) {
//		if err != nil { return err }
//		...
//	}
//
// The stream waits for new events. It ends without an error once the node
// is closed and everything stored before was delivered; when ctx is done
// it yields ctx.Err() and ends. Breaking out of the loop releases the
// subscription.
func (n *Node) Events(ctx context.Context, opts EventsOptions) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		sub, err := n.subscribe(opts)
		if err != nil {
			yield(Event{}, err)
			return
		}
		defer C.net_subscription_free(sub)
		batch := opts.Batch
		if batch <= 0 {
			batch = 256
		}
		wake := opts.Wake
		if wake <= 0 {
			wake = 100 * time.Millisecond
		}
		for {
			if err := ctx.Err(); err != nil {
				yield(Event{}, err)
				return
			}
			events, err := next(sub, batch, wake)
			if errors.Is(err, ErrClosed) {
				return // the node shut down and everything was delivered
			}
			if err != nil {
				yield(Event{}, err)
				return
			}
			for _, ev := range events {
				if !yield(ev, nil) {
					return
				}
			}
		}
	}
}

func (n *Node) subscribe(opts EventsOptions) (*C.net_subscription_t, error) {
	h := n.h()
	if h == 0 {
		return nil, closedError("node")
	}
	var cursor *C.char
	if opts.Cursor != "" {
		cursor = C.CString(opts.Cursor)
		defer C.free(unsafe.Pointer(cursor))
	}
	from := C.int(0)
	if opts.FromBeginning {
		from = 1
	}
	r := C.netgo_subscribe(h, cursor, from, C.size_t(max(opts.Batch, 0)))
	runtime.KeepAlive(n)
	if r.ptr == nil {
		return nil, errorOf(-1, r.err)
	}
	return (*C.net_subscription_t)(r.ptr), nil
}

// next waits up to wake for the subscription's next events.
func next(sub *C.net_subscription_t, limit int, wake time.Duration) ([]Event, error) {
	r := C.netgo_subscription_next(sub, C.size_t(limit), C.uint64_t(max(wake.Milliseconds(), 1)))
	if r.code < 0 {
		return nil, errorOf(r.code, r.err)
	}
	defer C.net_free_poll_result(&r.result)
	return eventsOf(&r.result), nil
}
