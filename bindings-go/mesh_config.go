package net

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// MeshConfig configures a MeshNode. BindAddr and PSK are required; zero
// durations and sizes take the engine's defaults.
type MeshConfig struct {
	// BindAddr is the UDP address to bind, "ip:port" (port 0 picks a
	// free one; LocalAddr reports it).
	BindAddr string
	// PSK is the mesh's 32-byte pre-shared key: every node of one mesh
	// holds the same, and a handshake with any other fails with
	// ErrWrongPSK.
	PSK []byte
	// Identity names the node and keys its handshakes (its NodeID and
	// EntityID are the node's); nil generates a fresh one. It is copied:
	// the caller still owns and closes it.
	Identity *Identity
	// HandshakeTimeout bounds Connect and Accept (default 5 s) besides
	// their ctx.
	HandshakeTimeout time.Duration
	// HeartbeatInterval is the idle time before a heartbeat (default 500 ms).
	HeartbeatInterval time.Duration
	// SuspectAfter is the silence after which a peer is PeerSuspect
	// (default 2 s).
	SuspectAfter time.Duration
	// DeadAfter is the silence after which a peer is PeerDead and its
	// session closed (default 6 s).
	DeadAfter time.Duration
	// MaxDatagram is the largest datagram sent, 512..65000 bytes
	// (default 1400, safe on any path).
	MaxDatagram int
	// RefuseUnaccepted answers a hello from a node nobody accepts with a
	// refusal: its Connect fails with ErrHandshakeRefused at once instead
	// of waiting out its timeout. Off by default, since a Connect may come
	// before the matching Accept.
	RefuseUnaccepted bool

	// Subnet pins this node to a subnet (nil: the root).
	Subnet *SubnetID
	// SubnetPolicy derives each peer's subnet from the tags it announces
	// (nil: every peer is in the root subnet).
	SubnetPolicy *SubnetPolicy
	// CapabilityGCInterval is how often expired capability entries are
	// evicted (0: the engine's default).
	CapabilityGCInterval time.Duration
	// MinAnnounceInterval coalesces announcements: at most one broadcast
	// per interval, the latest set winning (0: the engine's default).
	MinAnnounceInterval time.Duration
	// CapabilityTTL is how long peers keep this node's announcement
	// without a refresh, in whole seconds (0: the engine's default).
	CapabilityTTL time.Duration
}

// meshConfigJSON is the JSON object net_mesh_new reads (see net.h).
type meshConfigJSON struct {
	BindAddr            string `json:"bind_addr"`
	PSK                 string `json:"psk"`
	HandshakeTimeoutMs  int64  `json:"handshake_timeout_ms,omitempty"`
	HeartbeatIntervalMs int64  `json:"heartbeat_interval_ms,omitempty"`
	SuspectAfterMs      int64  `json:"suspect_after_ms,omitempty"`
	DeadAfterMs         int64  `json:"dead_after_ms,omitempty"`
	MaxDatagram         int    `json:"max_datagram,omitempty"`
	RefuseUnaccepted    bool   `json:"refuse_unaccepted,omitempty"`

	Subnet                 *SubnetID     `json:"subnet,omitempty"`
	SubnetPolicy           *SubnetPolicy `json:"subnet_policy,omitempty"`
	CapabilityGCIntervalMs int64         `json:"capability_gc_interval_ms,omitempty"`
	MinAnnounceIntervalMs  int64         `json:"min_announce_interval_ms,omitempty"`
	CapabilityTTLSecs      int64         `json:"capability_ttl_secs,omitempty"`
}

// json renders the configuration for net_mesh_new. Range checks are the
// engine's; only values JSON cannot carry are refused here.
func (c MeshConfig) json() (string, error) {
	durations := []time.Duration{c.HandshakeTimeout, c.HeartbeatInterval, c.SuspectAfter, c.DeadAfter,
		c.CapabilityGCInterval, c.MinAnnounceInterval, c.CapabilityTTL}
	for _, d := range durations {
		if d < 0 {
			return "", invalidConfig("negative duration in MeshConfig")
		}
	}
	if c.MaxDatagram < 0 {
		return "", invalidConfig("negative MaxDatagram")
	}
	text, err := json.Marshal(meshConfigJSON{
		BindAddr:            c.BindAddr,
		PSK:                 hex.EncodeToString(c.PSK),
		HandshakeTimeoutMs:  millis(c.HandshakeTimeout),
		HeartbeatIntervalMs: millis(c.HeartbeatInterval),
		SuspectAfterMs:      millis(c.SuspectAfter),
		DeadAfterMs:         millis(c.DeadAfter),
		MaxDatagram:         c.MaxDatagram,
		RefuseUnaccepted:    c.RefuseUnaccepted,

		Subnet:                 c.Subnet,
		SubnetPolicy:           c.SubnetPolicy,
		CapabilityGCIntervalMs: millis(c.CapabilityGCInterval),
		MinAnnounceIntervalMs:  millis(c.MinAnnounceInterval),
		CapabilityTTLSecs:      seconds(c.CapabilityTTL),
	})
	return string(text), err
}

// millis is d in whole milliseconds, a positive d never rounded down to 0
// (which would mean "the default").
func millis(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return max(d.Milliseconds(), 1)
}

// seconds is d in whole seconds, a positive d never rounded down to 0.
func seconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return max(int64(d/time.Second), 1)
}

func invalidConfig(msg string) error {
	return &Error{Kind: ErrInvalidConfig.Kind, Message: msg, Code: -4}
}

// Reliability is a stream's delivery guarantee.
type Reliability int

const (
	// Reliable (the default, the zero value): every message exactly once
	// and in order, acknowledged and retransmitted, bounded by the window.
	Reliable Reliability = iota
	// FireAndForget: each message sent once, never retransmitted; it may
	// be lost, is never duplicated, and arrives whole or not at all.
	FireAndForget
)

func (r Reliability) String() string {
	switch r {
	case Reliable:
		return "reliable"
	case FireAndForget:
		return "fire_and_forget"
	}
	return fmt.Sprintf("Reliability(%d)", int(r))
}

// StreamConfig configures one stream. The zero value is a reliable
// stream with the engine's defaults.
type StreamConfig struct {
	// Reliability is Reliable (default) or FireAndForget.
	Reliability Reliability
	// Window is how many unacknowledged packets a reliable stream may
	// have in flight (0: 256); a send beyond it fails at once with
	// ErrBackpressure, or waits in SendWithRetry / SendBlocking.
	Window int
	// ReceiveCapacity is how many received messages wait for Recv before
	// this side stops acknowledging, pushing back on the sender (0: 8192).
	ReceiveCapacity int
}

// check refuses values net.h cannot carry; the rest is the engine's.
func (c StreamConfig) check() error {
	if c.Window < 0 || c.Window > math.MaxUint32 || c.ReceiveCapacity < 0 || c.ReceiveCapacity > math.MaxUint32 {
		return &Error{Kind: ErrInvalidArgument.Kind, Message: fmt.Sprintf("StreamConfig out of range: %+v", c), Code: -16}
	}
	return nil
}
