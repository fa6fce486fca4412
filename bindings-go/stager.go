package net

/*
#include "shim.h"
*/
import "C"

// A batch longer than one chunk is staged in a stager (shim.h): C memory
// that holds copies of the batch's bytes between the cgo calls carrying
// it. Each Node keeps one, reused so a steady stream of batches mallocs
// nothing; it holds no Go pointer, so it may outlive any call.

// takeStager returns a stager for one batch, to be given back with
// putStager. The node's own stager is taken if free (owned); a call that
// finds it busy (another goroutine is staging) uses a temporary one made
// and freed in C, so concurrent batches neither wait nor allocate in Go.
func (n *Node) takeStager() (st C.uintptr_t, owned bool, err error) {
	if n.stageMu.TryLock() {
		if n.stager != 0 {
			return n.stager, true, nil
		}
		// Close has freed it: the node is closed.
		n.stageMu.Unlock()
		return 0, false, closedError("node")
	}
	if st = C.netgo_stager_new(); st == 0 {
		return 0, false, errNoStager()
	}
	return st, false, nil
}

func (n *Node) putStager(st C.uintptr_t, owned bool) {
	if owned {
		n.stageMu.Unlock()
	} else {
		C.netgo_stager_free(st)
	}
}

// freeStager frees the node's stager once no batch is using it.
func (n *Node) freeStager() {
	n.stageMu.Lock()
	C.netgo_stager_free(n.stager)
	n.stager = 0
	n.stageMu.Unlock()
}

func errNoStager() error {
	return &Error{Kind: "out_of_memory", Message: "could not allocate a batch stager", Code: int(C.NET_ERR_UNKNOWN)}
}

// stageKeep is how much a stager may keep between batches (shim.h).
const stageKeep = C.NETGO_STAGE_KEEP

// stagerHeld is how many bytes of C memory the node's stager holds.
func (n *Node) stagerHeld() int {
	n.stageMu.Lock()
	defer n.stageMu.Unlock()
	return int(C.netgo_stager_held(n.stager))
}
