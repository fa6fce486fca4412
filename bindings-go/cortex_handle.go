package net

/*
#include "cortex_shim.h"
*/
import "C"

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// cortexHandle is the handle a NetDb or a RedexFile holds into libnet:
// read by every call, swapped to 0 by the first Close (whose error every
// later Close returns), and freed by a cleanup if its owner is garbage
// collected without being closed.
type cortexHandle struct {
	handle  atomic.Uintptr
	once    sync.Once
	err     error
	cleanup runtime.Cleanup
}

// adoptCortexHandle makes h owner's handle (c is owner's field), freed
// with free once owner is unreachable — unless Close freed it first.
func adoptCortexHandle[T any](owner *T, c *cortexHandle, h C.uintptr_t, free func(C.uintptr_t)) {
	c.handle.Store(uintptr(h))
	c.cleanup = runtime.AddCleanup(owner, free, h)
}

// live returns the handle, or a closed error of kind (closedKind, message)
// once Close ran.
func (c *cortexHandle) live(closedKind, message string) (C.uintptr_t, error) {
	h := C.uintptr_t(c.handle.Load())
	if h == 0 {
		return 0, &Error{Kind: closedKind, Message: message, Code: -8}
	}
	return h, nil
}

// close runs closeC and then free on the handle, the first time only;
// every call returns closeC's error.
func (c *cortexHandle) close(closeC func(C.uintptr_t) C.netgo_status, free func(C.uintptr_t)) error {
	c.once.Do(func() {
		c.cleanup.Stop()
		h := C.uintptr_t(c.handle.Swap(0))
		s := closeC(h)
		c.err = cortexErr(s.code, s.err)
		free(h)
	})
	return c.err
}
