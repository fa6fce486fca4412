// Package net is the Go face of Net, an encrypted, latency-first mesh
// event bus. It wraps libnet (the Rust engine's C ABI, include/net.h)
// through cgo: every behaviour lives in the engine, this package only
// translates types and errors into Go idioms.
//
// The compiler and linker flags come from pkg-config (`net.pc`): an
// installed libnet (`make install PREFIX=...` writes PREFIX/lib/pkgconfig/
// net.pc) is found through PKG_CONFIG_PATH. Inside the Net repository
// `make build` writes target/pkgconfig/net.pc, pointing at include/ and
// target/release, and the Makefile's Go rules put it on PKG_CONFIG_PATH.
package net

/*
#cgo CFLAGS: -O2
#cgo pkg-config: net
// The ingest shims receive Go pointers only as arguments and keep none,
// nor call back into Go: noescape lets the caller's bytes stay on its
// stack (see ingest.go). The compiler honours noescape only together with
// nocallback — a callback could grow and move the stack under C — so both
// are needed, although nocallback itself adds a check to each call
// (measured: an empty call takes ~5 ns longer); without it the receipt
// and stack-held events move to the heap (alloc_test.go catches that).
#cgo noescape netgo_ingest_raw
#cgo nocallback netgo_ingest_raw
#cgo noescape netgo_ingest_json
#cgo nocallback netgo_ingest_json
#cgo noescape netgo_ingest_chunk
#cgo noescape netgo_ingest_small
#cgo nocallback netgo_ingest_small
#cgo nocallback netgo_ingest_chunk
#cgo nocallback netgo_error_block
#cgo nocallback netgo_stager_new
#cgo nocallback netgo_stager_free
#include "shim.h"
*/
import "C"

import "unsafe"

// errorOf turns a shim's error block ("kind\0message\0", malloc'd in the
// same C call that failed) into an *Error and frees the block.
func errorOf(code C.int, block *C.char) error {
	if code >= 0 {
		return nil
	}
	if block == nil {
		return &Error{Kind: "unknown", Message: "libnet failed and the error could not be copied", Code: int(code)}
	}
	defer C.free(unsafe.Pointer(block))
	kind := C.GoString(block)
	msg := C.GoString((*C.char)(unsafe.Add(unsafe.Pointer(block), len(kind)+1)))
	// A handle Close already released is this package's ErrClosed.
	if kind == "invalid_handle" {
		kind = ErrClosed.Kind
	}
	return &Error{Kind: kind, Message: msg, Code: int(code)}
}

func statusErr(s C.netgo_status) error { return errorOf(s.code, s.err) }

// freeError drops an error block nobody will read.
func freeError(block *C.char) { C.free(unsafe.Pointer(block)) }

// bytesPtr is the address of b's bytes for a C parameter (NULL when empty).
func bytesPtr(b []byte) *C.uint8_t {
	if len(b) == 0 {
		return nil
	}
	return (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(b)))
}

// packPayloads flattens payloads into one buffer and their lengths: C
// must not be handed Go memory that holds Go pointers, so a [][]byte
// crosses as these two.
func packPayloads(payloads [][]byte) (data []byte, lens []C.size_t) {
	total := 0
	for _, p := range payloads {
		total += len(p)
	}
	data = make([]byte, 0, total)
	lens = make([]C.size_t, len(payloads))
	for i, p := range payloads {
		data = append(data, p...)
		lens[i] = C.size_t(len(p))
	}
	return data, lens
}

// Version is libnet's version string.
func Version() string { return C.GoString(C.net_version()) }
