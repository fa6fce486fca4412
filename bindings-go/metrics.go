package net

/*
#include "mesh_shim.h"
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// PrometheusText renders the counters of node's bus, of mesh and of each
// of mesh's open streams as Prometheus text (the OpenMetrics encoding of
// prometheus-client, ending in "# EOF"), exactly as every other face of
// Net and `net node run`'s /metrics render them. Either may be nil to
// leave that part out; a closed one is ErrClosed.
func PrometheusText(node *Node, mesh *MeshNode) (string, error) {
	var nh, mh C.uintptr_t
	if node != nil {
		if nh = node.h(); nh == 0 {
			return "", closedError("node")
		}
	}
	if mesh != nil {
		if mh = mesh.h(); mh == 0 {
			return "", closedError("mesh node")
		}
	}
	r := C.netgo_prometheus_text(nh, mh)
	runtime.KeepAlive(node)
	runtime.KeepAlive(mesh)
	if err := errorOf(r.code, r.err); err != nil {
		return "", err
	}
	defer C.free(unsafe.Pointer(r.text))
	return C.GoStringN(r.text, r.code), nil
}

// PrometheusText renders the node's bus counters as Prometheus text
// (see the package function PrometheusText).
func (n *Node) PrometheusText() (string, error) { return PrometheusText(n, nil) }

// PrometheusText renders the mesh's and its streams' counters as
// Prometheus text (see the package function PrometheusText).
func (n *MeshNode) PrometheusText() (string, error) { return PrometheusText(nil, n) }
