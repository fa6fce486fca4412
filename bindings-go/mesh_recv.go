package net

/*
#include "mesh_shim.h"
*/
import "C"

import (
	"context"
	"errors"
	"iter"
	"runtime"
)

// Receiving takes messages from libnet in batches (net_mesh_recv_batch),
// written straight into a Go slab: one cgo call and one allocation serve
// up to recvBatchMax messages. Each message handed out is a slice of the
// slab with its capacity cut to its length, so appending to it never
// touches a neighbour — but a kept message keeps its slab (recvSlab
// bytes) alive; copy it if you keep a few small messages for long.

const (
	// recvSlab is the size of a fresh slab.
	recvSlab = 16 << 10
	// recvMinRoom: a slab with less room left than this is replaced
	// before the next call rather than filled with one or two messages.
	recvMinRoom = 2 << 10
	// recvBatchMax is the most messages one call takes.
	recvBatchMax = 256
)

// recvState is a stream's receive side. lock (a channel, so a goroutine
// waiting for it can give up when its ctx ends) is held by the one
// goroutine receiving; it guards everything else.
type recvState struct {
	lock  chan struct{}
	queue [][]byte // received, not yet handed out, from head on
	head  int
	slab  []byte // the unused rest of the current slab
	lens  []C.size_t
}

func (r *recvState) init() {
	r.lock = make(chan struct{}, 1)
	r.queue = make([][]byte, 0, recvBatchMax)
	r.lens = make([]C.size_t, recvBatchMax)
}

// acquire takes the lock, or gives up when ctx ends.
func (r *recvState) acquire(ctx context.Context) error {
	select {
	case r.lock <- struct{}{}:
		return nil
	default:
	}
	select {
	case r.lock <- struct{}{}:
		return nil
	case <-ctx.Done():
		return contextError(ctx)
	}
}

func (r *recvState) unlock() { <-r.lock }

// pop hands out the next received message, if there is one.
func (r *recvState) pop() ([]byte, bool) {
	if r.head == len(r.queue) {
		return nil, false
	}
	m := r.queue[r.head]
	r.queue[r.head] = nil
	r.head++
	if r.head == len(r.queue) {
		r.queue, r.head = r.queue[:0], 0
	}
	return m, true
}

// Recv returns the next message, waiting for one until ctx ends. After
// the stream or its peer closes, the messages already received are still
// returned, then ErrNotConnected. When ctx ends first: ErrTimeout or
// ErrCancelled (matching context.DeadlineExceeded / context.Canceled).
func (s *Stream) Recv(ctx context.Context) ([]byte, error) {
	if err := contextError(ctx); err != nil {
		return nil, err
	}
	if s.h() == 0 {
		return nil, closedError("stream")
	}
	if err := s.recv.acquire(ctx); err != nil {
		return nil, err
	}
	defer s.recv.unlock()
	if m, ok := s.recv.pop(); ok {
		return m, nil
	}
	if err := s.fill(ctx, true); err != nil {
		return nil, err
	}
	m, _ := s.recv.pop()
	return m, nil
}

// TryRecv returns a message that is already here, without waiting:
// (msg, true, nil), or (nil, false, nil) when none is (or another
// goroutine is receiving on the stream right now). ErrNotConnected once
// the stream or its peer closed and every message was taken.
func (s *Stream) TryRecv() ([]byte, bool, error) {
	if s.h() == 0 {
		return nil, false, closedError("stream")
	}
	select {
	case s.recv.lock <- struct{}{}:
	default:
		return nil, false, nil
	}
	defer s.recv.unlock()
	if m, ok := s.recv.pop(); ok {
		return m, true, nil
	}
	if err := s.fill(context.Background(), false); err != nil {
		return nil, false, err
	}
	m, ok := s.recv.pop()
	return m, ok, nil
}

// Messages is the stream's messages for a range loop:
//
//	for msg, err := range stream.Messages(ctx) {
//		if err != nil { return err } // ctx ended
//		...
//	}
//
// It ends without an error when the stream or its peer closes (after the
// messages already received) or the node is closed; when ctx ends it
// yields the ctx's error (as Recv) and ends.
func (s *Stream) Messages(ctx context.Context) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		for {
			m, err := s.Recv(ctx)
			if errors.Is(err, ErrNotConnected) || errors.Is(err, ErrClosed) {
				return
			}
			if !yield(m, err) || err != nil {
				return
			}
		}
	}
}

// fill takes a batch of messages into the queue: waiting for the first
// until ctx ends when wait is set, else only what is already here.
// Called with the receive lock held and the queue empty.
func (s *Stream) fill(ctx context.Context, wait bool) error {
	h := s.h()
	if h == 0 {
		return closedError("stream")
	}
	defer runtime.KeepAlive(s)
	if !wait {
		_, err := s.recvInto(h, 0, 0)
		return err
	}
	if ctx.Done() != nil {
		// Whatever is already queued needs no cancellation token.
		if n, err := s.recvInto(h, 0, 0); err != nil || n > 0 {
			return err
		}
	}
	cancel, err := bindCancel(ctx)
	if err != nil {
		return err
	}
	_, err = s.recvInto(h, C.NET_MESH_WAIT_FOREVER, cancel.token)
	cancel.release()
	return settle(err, ctx, "stream")
}

// recvInto makes one net_mesh_recv_batch call into the slab and queues
// what it returned; a message too large for the slab gets a slab of its
// own (libnet keeps it meanwhile, so it is neither lost nor reordered).
func (s *Stream) recvInto(h C.uintptr_t, timeout C.uint32_t, token C.uintptr_t) (int, error) {
	r := &s.recv
	for {
		if len(r.slab) < recvMinRoom {
			r.slab = make([]byte, recvSlab)
		}
		var failed C.uintptr_t
		code := C.netgo_mesh_recv_batch(h, bytesPtr(r.slab), C.size_t(len(r.slab)), &r.lens[0], C.size_t(len(r.lens)),
			timeout, token, &failed)
		if code == C.NET_ERR_BUFFER_TOO_SMALL {
			freeError(C.netgo_error_block(failed))
			r.slab = make([]byte, max(int(r.lens[0]), recvSlab))
			continue
		}
		if code < 0 {
			return 0, errorOf(code, C.netgo_error_block(failed))
		}
		for _, l := range r.lens[:code] {
			n := int(l)
			r.queue = append(r.queue, r.slab[:n:n])
			r.slab = r.slab[n:]
		}
		return int(code), nil
	}
}
