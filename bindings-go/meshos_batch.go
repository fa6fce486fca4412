package net

/*
#include "meshos_shim.h"
*/
import "C"

import "unsafe"

// DeliverBatch hands payloads to daemon daemonID in order, in one call
// into the runtime: payload i is the event from origin with sequence
// firstSeq+i. Process runs on this goroutine's thread for each of them.
//
// It returns one entry per event the daemon handled, holding that event's
// outputs (copies). When Process fails on an event the batch stops there:
// DeliverBatch returns the outputs of the events before it (so the failed
// event's index is the length of the result) together with the error, a
// *DaemonError of kind "process-failed" whose Cause is the Go daemon's
// error. Refusals before any event is handled (ErrDaemonNotFound,
// ErrReentrantCall, ErrCallbackTimeout) return no outputs. An empty batch
// returns nothing and no error.
func (s *MeshOsDaemonSdk) DeliverBatch(daemonID, origin, firstSeq uint64, payloads [][]byte) ([][][]byte, error) {
	data, lens := packPayloads(payloads)
	var lensPtr *C.size_t
	if len(lens) > 0 {
		lensPtr = &lens[0]
	}
	var outs [][][]byte
	err := s.with(func(h C.uintptr_t) error {
		r := C.netgo_daemon_deliver_batch(h, C.uint64_t(daemonID), C.uint64_t(origin), C.uint64_t(firstSeq),
			bytesPtr(data), C.size_t(len(data)), lensPtr, C.size_t(len(lens)))
		defer C.netgo_batch_free(&r)
		outs = copyBatchOutputs(&r)
		if r.code != 0 {
			failed := causeKey{origin: origin, seq: firstSeq + uint64(r.delivered)}
			return s.withCause(daemonID, failed, daemonErr(r.code, r.err))
		}
		return nil
	})
	return outs, err
}

// copyBatchOutputs copies a batch's outputs out of C memory, grouped by
// the event that produced them.
func copyBatchOutputs(r *C.netgo_batch) [][][]byte {
	delivered := int(r.delivered)
	if delivered == 0 {
		return nil
	}
	counts := unsafe.Slice(r.counts, delivered)
	slices := unsafe.Slice(r.slices, int(r.total))
	outs := make([][][]byte, delivered)
	next := 0
	for e, n := range counts {
		if n == 0 {
			continue
		}
		outs[e] = make([][]byte, int(n))
		for i := range outs[e] {
			sl := slices[next]
			outs[e][i] = C.GoBytes(unsafe.Pointer(sl.data), C.int(sl.len))
			next++
		}
	}
	return outs
}
