package net

/*
#include "meshos_shim.h"
*/
import "C"

import (
	"encoding/json"
	"errors"
	"unsafe"
)

// The supervisor's side of the SDK (net.h's net_daemon_*): what the host
// that embeds the runtime does to its daemons. Each call names the daemon
// by id (MeshOsDaemonHandle.ID).

// DaemonStats are a daemon's counters.
type DaemonStats struct {
	// EventsProcessed counts events handed to Process, failed or not.
	EventsProcessed uint64
	// EventsEmitted counts outputs.
	EventsEmitted uint64
	// Errors counts Process calls that failed.
	Errors uint64
	// SnapshotsTaken counts snapshots.
	SnapshotsTaken uint64
}

// DaemonLogLine is one line a daemon published with PublishLog.
type DaemonLogLine struct {
	DaemonID   uint64 `json:"daemon_id"`
	DaemonName string `json:"daemon_name"`
	// Level is the level's name: "trace", "debug", "info", "warn", "error".
	Level   string `json:"level"`
	Message string `json:"message"`
	// AtMs is when it was published, in ms since the Unix epoch.
	AtMs uint64 `json:"at_ms"`
}

// Deliver hands event to daemon daemonID: its Process runs on this
// goroutine's thread, and Deliver returns the outputs (copies). A failed
// Process is a *DaemonError of kind "process-failed" whose Cause is the
// Go daemon's error (or *DaemonPanic); an unknown id is ErrDaemonNotFound;
// a delivery from inside the daemon's own Process is ErrReentrantCall; a
// daemon kept busy by another call past its callback timeout is
// ErrCallbackTimeout.
func (s *MeshOsDaemonSdk) Deliver(daemonID uint64, event CausalEvent) ([][]byte, error) {
	var outs [][]byte
	err := s.with(func(h C.uintptr_t) error {
		r := C.netgo_daemon_deliver(h, C.uint64_t(daemonID), C.uint64_t(event.Origin), C.uint64_t(event.Sequence),
			bytesPtr(event.Payload), C.size_t(len(event.Payload)))
		if r.code != 0 {
			return s.withCause(daemonID, causeKey{origin: event.Origin, seq: event.Sequence}, daemonErr(r.code, r.err))
		}
		defer C.netgo_daemon_outputs_free(r.outputs)
		n := int(r.count)
		if n == 0 {
			return nil
		}
		outs = make([][]byte, n)
		outs[0] = C.GoBytes(unsafe.Pointer(r.first), C.int(r.first_len))
		for i := 1; i < n; i++ {
			o := C.netgo_daemon_output(r.outputs, C.size_t(i))
			outs[i] = C.GoBytes(unsafe.Pointer(o.data), C.int(o.len))
		}
		return nil
	})
	return outs, err
}

// Snapshot runs daemon daemonID's Snapshot and returns the snapshot (its
// state plus where its chain stands), for Restore; nil for a stateless
// daemon. A Snapshot that fails or panics is a *DaemonError (kind
// "callback-failed") with the Go error as Cause.
func (s *MeshOsDaemonSdk) Snapshot(daemonID uint64) ([]byte, error) {
	var snap []byte
	err := s.with(func(h C.uintptr_t) error {
		r := C.netgo_daemon_snapshot(h, C.uint64_t(daemonID))
		if r.code != 0 {
			return s.withCause(daemonID, stateCauseKey, daemonErr(r.code, r.err))
		}
		if r.data != nil {
			snap = C.GoBytes(unsafe.Pointer(r.data), C.int(r.len))
			C.netgo_daemon_bytes_free(r.data, r.len)
		}
		return nil
	})
	return snap, err
}

// Restore gives daemon daemonID back the state in snapshot (its Restore
// runs; its chain continues from the snapshot point). ErrSnapshotDecode
// for bytes that are not a snapshot, ErrSnapshotMismatch for another
// daemon's, ErrStateFailed (Cause: the Go error) when Restore fails.
func (s *MeshOsDaemonSdk) Restore(daemonID uint64, snapshot []byte) error {
	return s.with(func(h C.uintptr_t) error {
		st := C.netgo_daemon_restore(h, C.uint64_t(daemonID), bytesPtr(snapshot), C.size_t(len(snapshot)))
		return s.withCause(daemonID, stateCauseKey, daemonErr(st.code, st.err))
	})
}

// Stats are daemon daemonID's counters.
func (s *MeshOsDaemonSdk) Stats(daemonID uint64) (DaemonStats, error) {
	var st DaemonStats
	err := s.with(func(h C.uintptr_t) error {
		r := C.netgo_daemon_stats(h, C.uint64_t(daemonID))
		if r.code != 0 {
			return daemonErr(r.code, r.err)
		}
		st = DaemonStats{
			EventsProcessed: uint64(r.stats.events_processed),
			EventsEmitted:   uint64(r.stats.events_emitted),
			Errors:          uint64(r.stats.errors),
			SnapshotsTaken:  uint64(r.stats.snapshots_taken),
		}
		return nil
	})
	return st, err
}

// SendControl routes control to daemon daemonID, as the supervisor would:
// its OnControl runs on the supervisor thread, then the event waits on its
// channel for NextControl. ControlNone is not an event, and Level must be
// in [0, 1] (ErrInvalidArgument); an unknown id fails too.
func (s *MeshOsDaemonSdk) SendControl(daemonID uint64, control DaemonControl) error {
	return s.with(func(h C.uintptr_t) error {
		st := C.netgo_daemon_send_control(h, C.uint64_t(daemonID), C.int(control.Kind),
			C.uint64_t(control.Grace.Milliseconds()), C.float(control.Level))
		return daemonErr(st.code, st.err)
	})
}

// DrainLogs returns every line daemons published since the last call.
func (s *MeshOsDaemonSdk) DrainLogs() ([]DaemonLogLine, error) {
	var lines []DaemonLogLine
	err := s.with(func(h C.uintptr_t) error {
		r := C.netgo_daemon_drain_logs(h)
		if r.json == nil {
			return daemonErr(r.code, r.err)
		}
		defer C.free(unsafe.Pointer(r.json))
		return json.Unmarshal([]byte(C.GoString(r.json)), &lines)
	})
	return lines, err
}

// withCause attaches the Go error behind a daemon failure (recorded by the
// callback under key) to err, when err is a *DaemonError.
func (s *MeshOsDaemonSdk) withCause(daemonID uint64, key causeKey, err error) error {
	var de *DaemonError
	if err == nil || !errors.As(err, &de) {
		return err
	}
	if v, ok := s.daemons.Load(daemonID); ok {
		de.Cause = v.(*daemonBox).takeCause(key)
	}
	return err
}
