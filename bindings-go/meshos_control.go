package net

import (
	"fmt"
	"time"
)

// ControlKind says what a DaemonControl asks of a daemon; the values are
// net_meshos.h's NET_MESHOS_CONTROL_*, the same in every Net face.
type ControlKind int

const (
	// ControlNone is never delivered as an event: it is what the C ABI
	// writes when no event came.
	ControlNone ControlKind = 0
	// ControlShutdown: stop within Grace.
	ControlShutdown ControlKind = 1
	// ControlDrainStart: stop taking new work, finish within Grace.
	ControlDrainStart ControlKind = 2
	// ControlDrainFinish: the drain is over.
	ControlDrainFinish ControlKind = 3
	// ControlBackpressureOn: slow down; Level in [0, 1] says how much.
	ControlBackpressureOn ControlKind = 4
	// ControlBackpressureOff: back to full speed.
	ControlBackpressureOff ControlKind = 5
	// ControlUnknown is a kind newer than this build of libnet's header;
	// tolerate it.
	ControlUnknown ControlKind = 99
)

func (k ControlKind) String() string {
	switch k {
	case ControlNone:
		return "None"
	case ControlShutdown:
		return "Shutdown"
	case ControlDrainStart:
		return "DrainStart"
	case ControlDrainFinish:
		return "DrainFinish"
	case ControlBackpressureOn:
		return "BackpressureOn"
	case ControlBackpressureOff:
		return "BackpressureOff"
	case ControlUnknown:
		return "Unknown"
	}
	return fmt.Sprintf("ControlKind(%d)", int(k))
}

// DaemonControl is one control event from the supervisor. Grace is set
// for Shutdown and DrainStart, Level for BackpressureOn.
type DaemonControl struct {
	Kind  ControlKind
	Grace time.Duration
	Level float32
}

func controlOf(kind int, graceMs uint64, level float32) DaemonControl {
	return DaemonControl{Kind: ControlKind(kind), Grace: time.Duration(graceMs) * time.Millisecond, Level: level}
}

// LogLevel is the level of a line a daemon publishes; the values are
// net_meshos.h's NET_MESHOS_LOG_*.
type LogLevel int

const (
	LogTrace LogLevel = 0
	LogDebug LogLevel = 1
	LogInfo  LogLevel = 2
	LogWarn  LogLevel = 3
	LogError LogLevel = 4
)
