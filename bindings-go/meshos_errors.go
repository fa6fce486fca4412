package net

import (
	"errors"
	"fmt"
)

// MeshOsError is a failure of the MeshOS SDK itself (net_meshos.h's
// last-error pair): starting, registering, control, logs, capabilities,
// shutdown. Kind is the substrate's stable discriminator
// ("register_failed", "queue_full", "loop_closed", "invalid_log_level",
// "already_shutdown", "shutdown_failed", "invalid_json",
// "invalid_argument", "runtime_panic", ...); Code is the NET_MESHOS_ERR_*
// status (negative). errors.Is matches the sentinels below by Kind.
type MeshOsError struct {
	Kind    string
	Message string
	Code    int
}

func (e *MeshOsError) Error() string {
	if e.Message == "" {
		return "net meshos: " + e.Kind
	}
	return fmt.Sprintf("net meshos: %s: %s", e.Kind, e.Message)
}

// Is matches any *MeshOsError of the same Kind.
func (e *MeshOsError) Is(target error) bool {
	var t *MeshOsError
	return errors.As(target, &t) && t.Kind == e.Kind
}

// DaemonError is a failed call into a daemon (net.h's NET_ERR_DAEMON):
// Kind is the compute runtime's ("process-failed", "daemon-not-found",
// "callback-timeout", "snapshot-decode", "snapshot-mismatch",
// "state-failed", "reentrant-call", "callback-failed", "daemon-panicked",
// ...). When a Go daemon caused it, Cause is the error its method
// returned, or a *DaemonPanic, reachable with errors.As / errors.Unwrap.
type DaemonError struct {
	Kind    string
	Message string
	Cause   error
}

func (e *DaemonError) Error() string {
	msg := "net daemon: " + e.Kind
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.Cause != nil {
		msg += ": " + e.Cause.Error()
	}
	return msg
}

// Is matches any *DaemonError of the same Kind.
func (e *DaemonError) Is(target error) bool {
	var t *DaemonError
	return errors.As(target, &t) && t.Kind == e.Kind
}

func (e *DaemonError) Unwrap() error { return e.Cause }

// Sentinels for errors.Is.
var (
	// The SDK or the daemon handle was shut down (or closed).
	ErrMeshOsAlreadyShutdown = &MeshOsError{Kind: "already_shutdown"}
	// A registration was refused (e.g. a required capability is missing).
	ErrRegisterFailed = &MeshOsError{Kind: "register_failed"}
	// A bounded queue (log ring, control channel) is full.
	ErrMeshOsQueueFull = &MeshOsError{Kind: "queue_full"}
	// The SDK's loop has stopped.
	ErrLoopClosed = &MeshOsError{Kind: "loop_closed"}
	// A log level outside LogTrace..LogError.
	ErrInvalidLogLevel = &MeshOsError{Kind: "invalid_log_level"}
	// Shutting the SDK or a daemon down failed.
	ErrShutdownFailed = &MeshOsError{Kind: "shutdown_failed"}

	// The daemon's Process failed (returned an error or panicked).
	ErrProcessFailed = &DaemonError{Kind: "process-failed"}
	// No daemon with that id is registered with the SDK.
	ErrDaemonNotFound = &DaemonError{Kind: "daemon-not-found"}
	// The daemon stayed busy in another call past its callback timeout.
	ErrCallbackTimeout = &DaemonError{Kind: "callback-timeout"}
	// Bytes that are not a snapshot.
	ErrSnapshotDecode = &DaemonError{Kind: "snapshot-decode"}
	// A snapshot of another daemon.
	ErrSnapshotMismatch = &DaemonError{Kind: "snapshot-mismatch"}
	// The daemon's Restore failed.
	ErrStateFailed = &DaemonError{Kind: "state-failed"}
	// A delivery to a daemon from inside its own Process.
	ErrReentrantCall = &DaemonError{Kind: "reentrant-call"}
	// A daemon callback failed outside Process/Restore (e.g. Snapshot).
	ErrCallbackFailed = &DaemonError{Kind: "callback-failed"}
	// The daemon panicked inside the runtime.
	ErrDaemonPanicked = &DaemonError{Kind: "daemon-panicked"}
)

// netDaemonErr is the error of a failed net_daemon_* call: a *DaemonError
// for NET_ERR_DAEMON, a *MeshOsError for a shut-down SDK (the same kind
// the net_meshos_* calls report), otherwise the package's *Error.
func netDaemonErr(code int, kind, msg string) error {
	switch {
	case code == -24: // NET_ERR_DAEMON
		return &DaemonError{Kind: kind, Message: msg}
	case kind == ErrMeshOsAlreadyShutdown.Kind:
		return &MeshOsError{Kind: kind, Message: msg, Code: code}
	}
	return &Error{Kind: kind, Message: msg, Code: code}
}

// sdkClosedError is what a call through a closed SDK or handle returns.
func sdkClosedError(what string) error {
	return &MeshOsError{Kind: ErrMeshOsAlreadyShutdown.Kind, Message: what + " is closed", Code: -4}
}
