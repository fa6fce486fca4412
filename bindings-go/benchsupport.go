package net

// Reference points for the benchmarks (cgo cannot appear in _test.go
// files): the cost of a cgo call that does nothing, and of net.h's ingest
// called from C in a loop. EmitRaw's cost is roughly the sum of the two.

/*
#include "shim.h"

#cgo noescape netgo_bench_ingest_loop
#cgo nocallback netgo_bench_ingest_loop
#cgo nocallback netgo_bench_nothing

static inline int netgo_bench_nothing(uintptr_t h) { return (int)(h & 1); }

static inline int netgo_bench_ingest_loop(uintptr_t h, const char *raw, size_t len, int n) {
    for (int i = 0; i < n; i++) {
        net_receipt_t r;
        int code = net_ingest_raw_ex(NETGO_H(h), raw, len, &r);
        if (code < 0) return code;
    }
    return 0;
}
*/
import "C"

import "unsafe"

// cgoNothing makes one cgo call that does no work.
func cgoNothing(n *Node) int { return int(C.netgo_bench_nothing(n.h())) }

// ingestFromC ingests raw count times from a C loop: net.h's own cost,
// without cgo in between.
func ingestFromC(n *Node, raw []byte, count int) error {
	code := C.netgo_bench_ingest_loop(n.h(), (*C.char)(unsafe.Pointer(unsafe.SliceData(raw))), C.size_t(len(raw)), C.int(count))
	if code < 0 {
		return &Error{Kind: "bench", Message: "ingest failed in the C loop", Code: int(code)}
	}
	return nil
}
