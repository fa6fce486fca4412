package net

/*
#include "meshos_shim.h"
*/
import "C"

import (
	"encoding/json"
	"time"
	"unsafe"
)

// registerDaemon registers through net_daemon_register, the seed's vtable
// registration plus options (opts: JSON, nil for none).
func registerDaemon(sdk C.uintptr_t, name *C.char, nameLen C.size_t, seed *C.uint8_t, mask C.int, ctx C.uintptr_t, opts []byte) C.netgo_mhandle {
	if len(opts) == 0 {
		return C.netgo_meshos_register(sdk, name, nameLen, seed, mask, ctx, nil, 0)
	}
	copts := C.CString(string(opts))
	defer C.free(unsafe.Pointer(copts))
	return C.netgo_meshos_register(sdk, name, nameLen, seed, mask, ctx, copts, C.size_t(len(opts)))
}

// json is the options as net_daemon_register takes them (nil for none).
func (o DaemonOptions) json() ([]byte, error) {
	if o.CallbackTimeout < 0 || o.MaxLogEntries < 0 {
		return nil, &MeshOsError{Kind: "invalid_argument", Message: "DaemonOptions fields must not be negative", Code: -3}
	}
	m := map[string]any{}
	if len(o.RequiredCapabilities) > 0 {
		m["required_capabilities"] = o.RequiredCapabilities
	}
	if len(o.OptionalCapabilities) > 0 {
		m["optional_capabilities"] = o.OptionalCapabilities
	}
	if o.CallbackTimeout > 0 {
		m["callback_timeout_ms"] = max(uint64(o.CallbackTimeout/time.Millisecond), 1)
	}
	if o.AutoSnapshotInterval > 0 {
		m["auto_snapshot_interval"] = o.AutoSnapshotInterval
	}
	if o.MaxLogEntries > 0 {
		m["max_log_entries"] = o.MaxLogEntries
	}
	if len(m) == 0 {
		return nil, nil
	}
	return json.Marshal(m)
}
