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

// RedisTransport stores a Node's events in Redis Streams, one stream per
// shard ("<Prefix>:shard:<n>"); every entry carries a dedup_id field that
// RedisStreamDedup filters on. Poll and Events read the streams back by
// stream id, so other processes' events appear too.
type RedisTransport struct {
	// URL is "redis://[user:password@]host:port[/db]".
	URL string
	// Prefix names the streams (empty: "net").
	Prefix string
	// MaxLen trims each stream to about this many entries (0: no trimming).
	MaxLen int
	// ConnectTimeout and ResponseTimeout bound connecting and each batch's
	// MULTI/EXEC (0: the engine's 5 s); a batch whose reply times out is
	// retried under the same dedup ids.
	ConnectTimeout  time.Duration
	ResponseTimeout time.Duration
}

type redisJSON struct {
	Type              string `json:"type"`
	URL               string `json:"url"`
	Prefix            string `json:"prefix,omitempty"`
	MaxLen            int    `json:"maxlen,omitempty"`
	ConnectTimeoutMs  int64  `json:"connect_timeout_ms,omitempty"`
	ResponseTimeoutMs int64  `json:"response_timeout_ms,omitempty"`
}

func (t *RedisTransport) json() (*redisJSON, error) {
	if t.MaxLen < 0 || t.ConnectTimeout < 0 || t.ResponseTimeout < 0 {
		return nil, invalidConfig("negative value in RedisTransport")
	}
	return &redisJSON{"redis", t.URL, t.Prefix, t.MaxLen, millis(t.ConnectTimeout), millis(t.ResponseTimeout)}, nil
}

// JetStreamTransport stores a Node's events in a NATS JetStream stream,
// one subject per shard ("<SubjectPrefix>.shard.<n>"). Every message's
// Nats-Msg-Id is its dedup id, so the server drops a retried or
// re-published duplicate inside the stream's duplicate window.
type JetStreamTransport struct {
	// URL is "nats://[user:password@|token@]host:port".
	URL string
	// Stream names the stream (empty: "NET"); created if missing.
	Stream string
	// SubjectPrefix names the subjects (empty: "net").
	SubjectPrefix string
	// MaxMessages limits the stream when it is created (0: no limit).
	MaxMessages uint64
	// DuplicateWindow is how long the server remembers message ids
	// (0: two minutes), when the stream is created.
	DuplicateWindow time.Duration
	// ConnectTimeout and RequestTimeout bound connecting and each publish
	// acknowledgement (0: the engine's 5 s).
	ConnectTimeout time.Duration
	RequestTimeout time.Duration
}

type jetStreamJSON struct {
	Type              string `json:"type"`
	URL               string `json:"url"`
	Stream            string `json:"stream,omitempty"`
	SubjectPrefix     string `json:"subject_prefix,omitempty"`
	MaxMessages       uint64 `json:"max_messages,omitempty"`
	DuplicateWindowMs int64  `json:"duplicate_window_ms,omitempty"`
	ConnectTimeoutMs  int64  `json:"connect_timeout_ms,omitempty"`
	RequestTimeoutMs  int64  `json:"request_timeout_ms,omitempty"`
}

func (t *JetStreamTransport) json() (*jetStreamJSON, error) {
	if t.DuplicateWindow < 0 || t.ConnectTimeout < 0 || t.RequestTimeout < 0 {
		return nil, invalidConfig("negative value in JetStreamTransport")
	}
	return &jetStreamJSON{"jetstream", t.URL, t.Stream, t.SubjectPrefix, t.MaxMessages,
		millis(t.DuplicateWindow), millis(t.ConnectTimeout), millis(t.RequestTimeout)}, nil
}
