package net

/*
#include <stdint.h>
#include "net_meshos.h"
*/
import "C"

import "unsafe"

// The Go exports libnet calls through a Go daemon's vtable (via the C
// trampolines of meshos_bridge.c). user_ctx arrives as the daemon's
// cgo.Handle. None may panic into C: each recovers (daemonBox's guard)
// and reports a failure status or a default instead.

//export netgoMeshosProcess
func netgoMeshosProcess(ctx C.uintptr_t, emit *C.NetMeshOsProcessEmitCtx, origin, seq C.uint64_t, p *C.uint8_t, n C.size_t) C.int {
	b, ok := boxOf(uintptr(ctx))
	if !ok {
		return 1
	}
	ev := CausalEvent{Origin: uint64(origin), Sequence: uint64(seq), Payload: C.GoBytes(unsafe.Pointer(p), C.int(n))}
	outs, err := b.process(ev)
	if err != nil {
		b.putCause(causeKey{origin: ev.Origin, seq: ev.Sequence}, err)
		return 1
	}
	for _, o := range outs {
		C.net_meshos_process_emit(emit, bytesPtr(o), C.size_t(len(o)))
	}
	return 0
}

//export netgoMeshosSnapshot
func netgoMeshosSnapshot(ctx C.uintptr_t, emit *C.NetMeshOsSnapshotEmitCtx) {
	b, ok := boxOf(uintptr(ctx))
	var state []byte
	var err error
	if ok {
		state, err = b.takeSnapshot()
	}
	if !ok || err != nil {
		if ok {
			b.putCause(stateCauseKey, err)
		}
		// The callback has no status to return; a NULL buffer with a
		// non-zero length is the one emit libnet refuses, which fails the
		// snapshot (kind "callback-failed") rather than passing it off as
		// a stateless one.
		C.net_meshos_snapshot_emit(emit, nil, 1)
		return
	}
	if state != nil {
		C.net_meshos_snapshot_emit(emit, bytesPtr(state), C.size_t(len(state)))
	}
}

//export netgoMeshosRestore
func netgoMeshosRestore(ctx C.uintptr_t, p *C.uint8_t, n C.size_t) C.int {
	b, ok := boxOf(uintptr(ctx))
	if !ok {
		return 1
	}
	if err := b.giveRestore(C.GoBytes(unsafe.Pointer(p), C.int(n))); err != nil {
		b.putCause(stateCauseKey, err)
		return 1
	}
	return 0
}

//export netgoMeshosControl
func netgoMeshosControl(ctx C.uintptr_t, kind C.int, graceMs C.uint64_t, level C.float) {
	if b, ok := boxOf(uintptr(ctx)); ok {
		b.onControl(controlOf(int(kind), uint64(graceMs), float32(level)))
	}
}

//export netgoMeshosHealth
func netgoMeshosHealth(ctx C.uintptr_t) C.int {
	b, ok := boxOf(uintptr(ctx))
	if !ok {
		return C.int(Unhealthy)
	}
	return C.int(b.reportHealth())
}

//export netgoMeshosSaturation
func netgoMeshosSaturation(ctx C.uintptr_t) C.float {
	b, ok := boxOf(uintptr(ctx))
	if !ok {
		return 0
	}
	return C.float(b.reportSaturation())
}
