package net

import (
	"encoding/json"
	"fmt"
	"time"
)

// Backpressure is what an emit does when its shard's ring is full.
type Backpressure int

const (
	// Block, the default (the zero value), waits for the batcher to make
	// room — microseconds while the drain keeps up — and fails with
	// ErrBackpressure only if the ring stays full for Config.BlockTimeout
	// (default 1 s: a stalled backend). It never loses an event.
	Block Backpressure = iota
	// DropOldest evicts the oldest queued events to store the new one
	// (counted in Stats.EventsDropped; the Receipt's Evicted says how
	// many this emit evicted).
	DropOldest
	// DropNewest discards the new event; its Receipt has Dropped set.
	DropNewest
	// FailProducer refuses the new event with ErrBackpressure at once.
	FailProducer
)

func (b Backpressure) String() string {
	switch b {
	case Block:
		return "block"
	case DropOldest:
		return "drop_oldest"
	case DropNewest:
		return "drop_newest"
	case FailProducer:
		return "fail_producer"
	}
	return fmt.Sprintf("Backpressure(%d)", int(b))
}

// ShardStrategy is how an event picks its shard.
type ShardStrategy int

const (
	// ShardByHash routes by a hash of the payload (the default).
	ShardByHash ShardStrategy = iota
	// ShardRoundRobin spreads events over the shards in turn.
	ShardRoundRobin
)

func (s ShardStrategy) String() string {
	switch s {
	case ShardByHash:
		return "hash"
	case ShardRoundRobin:
		return "round_robin"
	}
	return fmt.Sprintf("ShardStrategy(%d)", int(s))
}

// Config configures a Node. Zero fields take the engine's defaults
// (4 shards, its default ring capacity and retention, Block with a 1 s
// timeout, hash routing).
type Config struct {
	// Shards is the number of shards (1..1024).
	Shards int
	// RingCapacity is the number of events each shard's ring holds.
	RingCapacity int
	// Backpressure is the policy for a full ring.
	Backpressure Backpressure
	// Strategy picks a shard for each event.
	Strategy ShardStrategy
	// Retention is how many events per shard the in-memory backend keeps.
	Retention int
	// MaxBatch and MaxDelay bound the batches handed to the backend.
	MaxBatch int
	MaxDelay time.Duration
	// BlockTimeout is how long an emit under Block waits for room before
	// it fails with ErrBackpressure (0: the engine's default, 1 s). The
	// engine counts whole milliseconds; a shorter positive timeout is
	// rounded up to 1 ms.
	BlockTimeout time.Duration
	// Mesh, when set, runs the bus over an encrypted mesh link (see
	// MeshTransport); nil keeps it in memory.
	Mesh *MeshTransport
	// Redis, when set, stores events in Redis Streams (see RedisTransport).
	Redis *RedisTransport
	// JetStream, when set, stores events in NATS JetStream (see
	// JetStreamTransport). At most one of Mesh, Redis and JetStream.
	JetStream *JetStreamTransport
	// ProducerNoncePath keeps the Redis / JetStream producer nonce in this
	// file (created on first run), so a restarted producer writes the same
	// dedup ids; empty: a fresh nonce per process. A file that holds
	// anything else fails NewNode with ErrCorruptNonce.
	ProducerNoncePath string
}

// configJSON is the JSON object net_init reads (see include/net.h).
type configJSON struct {
	NumShards     int        `json:"num_shards,omitempty"`
	RingCapacity  int        `json:"ring_capacity,omitempty"`
	Backpressure  string     `json:"backpressure"`
	ShardStrategy string     `json:"shard_strategy"`
	Retention     int        `json:"retention,omitempty"`
	Batch         *batchJSON `json:"batch,omitempty"`
	// BlockTimeoutMs is omitted when zero: the engine's default.
	BlockTimeoutMs int64 `json:"block_timeout_ms,omitempty"`
	// Transport is a *transportJSON, *redisJSON or *jetStreamJSON.
	Transport         any    `json:"transport,omitempty"`
	ProducerNoncePath string `json:"producer_nonce_path,omitempty"`
}

type batchJSON struct {
	MaxSize    int   `json:"max_size,omitempty"`
	MaxDelayMs int64 `json:"max_delay_ms,omitempty"`
}

// json renders the configuration for net_init. Range checks are the
// engine's; only values JSON cannot carry are refused here.
func (c Config) json() (string, error) {
	if c.Shards < 0 || c.RingCapacity < 0 || c.Retention < 0 || c.MaxBatch < 0 || c.MaxDelay < 0 || c.BlockTimeout < 0 {
		return "", &Error{Kind: ErrInvalidConfig.Kind, Message: fmt.Sprintf("negative value in %+v", c), Code: -4}
	}
	out := configJSON{
		NumShards:     c.Shards,
		RingCapacity:  c.RingCapacity,
		Backpressure:  c.Backpressure.String(),
		ShardStrategy: c.Strategy.String(),
		Retention:     c.Retention,
	}
	if c.BlockTimeout > 0 {
		out.BlockTimeoutMs = max(c.BlockTimeout.Milliseconds(), 1) // never round a wait down to none
	}
	if c.MaxBatch > 0 || c.MaxDelay > 0 {
		ms := c.MaxDelay.Milliseconds()
		if c.MaxDelay > 0 && ms == 0 {
			ms = 1 // the engine counts whole milliseconds; never round a delay down to none
		}
		out.Batch = &batchJSON{MaxSize: c.MaxBatch, MaxDelayMs: ms}
	}
	set := 0
	for _, chosen := range []bool{c.Mesh != nil, c.Redis != nil, c.JetStream != nil} {
		if chosen {
			set++
		}
	}
	if set > 1 {
		return "", invalidConfig("set at most one of Config.Mesh, Config.Redis and Config.JetStream")
	}
	var err error
	switch {
	case c.Mesh != nil:
		out.Transport, err = c.Mesh.json()
	case c.Redis != nil:
		out.Transport, err = c.Redis.json()
	case c.JetStream != nil:
		out.Transport, err = c.JetStream.json()
	}
	if err != nil {
		return "", err
	}
	out.ProducerNoncePath = c.ProducerNoncePath
	text, err := json.Marshal(out)
	return string(text), err
}
