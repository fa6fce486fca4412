package net

import (
	"encoding/hex"
	"strconv"
	"time"
)

// MeshTransport runs a Node's bus over an encrypted mesh link instead of
// in memory: events emitted on either side reach the other side's Poll
// and Events, in order per shard and exactly once. NewNode returns once
// the handshake is done.
//
// The side with Peer set dials; the other (the responder) waits up to
// HandshakeTimeout for a node holding the same PSK. Give the responder a
// fixed Identity so the initiator knows its key in advance
// (Identity.MeshPublicKey).
type MeshTransport struct {
	// Bind is the UDP address to bind, "ip:port" (port 0: any).
	Bind string
	// Peer is the responder's address; empty makes this side the responder.
	Peer string
	// PSK is the mesh's 32-byte pre-shared key.
	PSK []byte
	// PeerPublicKey is the responder's 32-byte static key (initiator only).
	PeerPublicKey []byte
	// PeerNodeID, when non-zero, pins the peer: any other node is refused.
	PeerNodeID uint64
	// Identity names this node (nil: a fresh one). It is copied.
	Identity *Identity
	// HandshakeTimeout bounds the handshake (0: the engine's 10 s).
	HandshakeTimeout time.Duration
}

// transportJSON is the "transport" object net_init reads.
type transportJSON struct {
	Type               string `json:"type"`
	Bind               string `json:"bind"`
	Peer               string `json:"peer,omitempty"`
	PSK                string `json:"psk"`
	PeerPublicKey      string `json:"peer_public_key,omitempty"`
	PeerNodeID         string `json:"peer_node_id,omitempty"`
	IdentitySeed       string `json:"identity_seed,omitempty"`
	HandshakeTimeoutMs int64  `json:"handshake_timeout_ms,omitempty"`
}

// json renders t for net_init; checking the values is the engine's job.
func (t *MeshTransport) json() (*transportJSON, error) {
	if t.HandshakeTimeout < 0 {
		return nil, invalidConfig("negative MeshTransport.HandshakeTimeout")
	}
	out := &transportJSON{
		Type:          "mesh",
		Bind:          t.Bind,
		Peer:          t.Peer,
		PSK:           hex.EncodeToString(t.PSK),
		PeerPublicKey: hex.EncodeToString(t.PeerPublicKey),
	}
	if t.PeerNodeID != 0 {
		out.PeerNodeID = strconv.FormatUint(t.PeerNodeID, 10)
	}
	if t.Identity != nil {
		seed, err := t.Identity.Seed()
		if err != nil {
			return nil, err
		}
		out.IdentitySeed = hex.EncodeToString(seed)
	}
	if t.HandshakeTimeout > 0 {
		out.HandshakeTimeoutMs = max(t.HandshakeTimeout.Milliseconds(), 1)
	}
	return out, nil
}
