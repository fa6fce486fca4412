package net

/*
// The send and receive shims keep no Go pointer after returning and never
// call back into Go (see cgo.go for why both annotations are needed): the
// caller's message and the error slot may then stay on its stack, so
// sending a []byte allocates nothing in Go (mesh_alloc_test.go).
#cgo noescape netgo_mesh_send
#cgo nocallback netgo_mesh_send
#cgo noescape netgo_mesh_send_block
#cgo nocallback netgo_mesh_send_block
#cgo noescape netgo_mesh_recv_batch
#cgo nocallback netgo_mesh_recv_batch
#include "mesh_shim.h"
*/
import "C"

import (
	"context"
	"errors"
	"math"
	"runtime"
	"sync"
)

// A [][]byte cannot cross to C (Go memory holding Go pointers), so a
// batch is laid out back to back in one Go buffer plus an array of
// lengths — both pointer-free, so cgo may pass them — and sent by
// net_mesh_send_block, which copies it once. Each stream keeps one such
// stage, reused; a send that finds it busy (another goroutine is sending
// on the stream) lays its batch out in a temporary one.

// stageKeepMesh is how much a stream's stage may keep between batches.
const stageKeepMesh = 4 << 20

type sendStage struct {
	mu    sync.Mutex
	batch stagedBatch
}

type stagedBatch struct {
	data []byte
	lens []C.size_t
}

// lay copies msgs into the batch's buffers.
func (b *stagedBatch) lay(msgs [][]byte) {
	b.data, b.lens = b.data[:0], b.lens[:0]
	for _, m := range msgs {
		b.data = append(b.data, m...)
		b.lens = append(b.lens, C.size_t(len(m)))
	}
}

// Send sends one message (any bytes, at most 64 KiB) now or not at all;
// it never waits. It allocates nothing in Go: the bytes go to libnet as a
// pinned call argument and are copied there, so msg may be reused at once.
//
// Errors: ErrBackpressure (a reliable stream's window is full; nothing
// was sent — retry, or use SendWithRetry / SendBlocking), ErrNotConnected
// (the peer is dead or the stream closed), ErrMessageTooLarge, ErrClosed.
func (s *Stream) Send(msg []byte) error {
	h := s.h()
	if h == 0 {
		return closedError("stream")
	}
	var failed C.uintptr_t
	code := C.netgo_mesh_send(h, bytesPtr(msg), C.size_t(len(msg)), &failed)
	runtime.KeepAlive(s)
	if code < 0 {
		return errorOf(code, C.netgo_error_block(failed))
	}
	return nil
}

// SendBatch sends msgs as one batch, coalesced into as few datagrams as
// fit: all of it now, or — with ErrBackpressure, when a reliable stream's
// window has no room for the whole batch — none of it. It never waits.
// Other errors as for Send. A batch larger than the window can never fit
// (ErrInvalidArgument).
func (s *Stream) SendBatch(msgs [][]byte) error {
	return s.sendBlock(msgs, 0, 0)
}

// SendWithRetry is SendBatch that, on back-pressure, waits and tries the
// whole batch again up to maxRetries times (back-off 5 ms doubling to
// 200 ms); the last ErrBackpressure is returned when they run out.
func (s *Stream) SendWithRetry(msgs [][]byte, maxRetries int) error {
	if maxRetries < 0 {
		return &Error{Kind: ErrInvalidArgument.Kind, Message: "negative maxRetries", Code: -16}
	}
	// math.MaxUint32 means "blocking" to net_mesh_send_block.
	return s.sendBlock(msgs, C.uint32_t(min(maxRetries, math.MaxUint32-1)), 0)
}

// SendBlocking is SendBatch that waits, on back-pressure, until the
// window lets the whole batch through or ctx ends (libnet itself gives up
// after about 13.7 minutes with ErrBackpressure). When ctx ends first the
// error is ErrTimeout or ErrCancelled (matching context.DeadlineExceeded
// or context.Canceled too), and nothing of the batch was sent.
func (s *Stream) SendBlocking(ctx context.Context, msgs [][]byte) error {
	if err := contextError(ctx); err != nil {
		return err
	}
	if ctx.Done() != nil {
		// A batch the window takes at once needs no cancellation token.
		if err := s.sendBlock(msgs, 0, 0); !errors.Is(err, ErrBackpressure) {
			return err
		}
	}
	cancel, err := bindCancel(ctx)
	if err != nil {
		return err
	}
	err = s.sendBlock(msgs, C.NET_MESH_RETRY_BLOCKING, cancel.token)
	cancel.release()
	return settle(err, ctx, "stream")
}

// sendBlock lays msgs out and sends them with net_mesh_send_block.
func (s *Stream) sendBlock(msgs [][]byte, retries C.uint32_t, token C.uintptr_t) error {
	h := s.h()
	if h == 0 {
		return closedError("stream")
	}
	if len(msgs) == 0 {
		return nil
	}
	defer runtime.KeepAlive(s)
	b := &s.send.batch
	if s.send.mu.TryLock() {
		defer s.send.mu.Unlock()
	} else {
		b = &stagedBatch{}
	}
	b.lay(msgs)
	var failed C.uintptr_t
	code := C.netgo_mesh_send_block(h, bytesPtr(b.data), C.size_t(len(b.data)), &b.lens[0], C.size_t(len(b.lens)),
		retries, token, &failed)
	if cap(b.data) > stageKeepMesh {
		b.data = nil // a rare huge batch does not pin its memory for good
	}
	if code < 0 {
		return errorOf(code, C.netgo_error_block(failed))
	}
	return nil
}
