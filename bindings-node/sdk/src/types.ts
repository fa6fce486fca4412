// Plain data shapes of the SDK.

import type { JsStats, NodeConfig } from '@net-mesh/core';

/** An event read back from the bus. */
export interface NetEvent {
  /** Where it lives: "shard:sequence". */
  id: string;
  /** The payload as text (JSON for emit / emitRaw). */
  raw: string;
  /** The shard it was stored in. */
  shardId: number;
  /** Its per-shard sequence. */
  sequence: bigint;
  /** When it was emitted, Unix nanoseconds. */
  insertionTs: bigint;
}

/** What `poll` asks for. */
export interface PollRequest {
  /** Maximum number of events (default 100). */
  limit?: number;
  /** Where to resume: a previous response's `nextId`. Omitted: the oldest retained event. */
  cursor?: string;
}

/** What `poll` resolves to. */
export interface PollResponse {
  events: NetEvent[];
  /** The cursor to pass next time (per shard, the next sequence to read). */
  nextId: string;
  /** Whether some shard still has unread events. */
  hasMore: boolean;
}

/** Options of `subscribe`, `subscribeTyped` and a channel's `subscribe`. */
export interface SubscribeOptions {
  /** Events read per round trip to the native side (default 100). */
  limit?: number;
  /** Resume from a poll cursor (`nextId`). */
  cursor?: string;
  /**
   * Keep waiting for new events after catching up, until the node shuts
   * down or the loop breaks. Default false: the stream flushes, delivers
   * every retained event from its start, and ends once it has caught up.
   */
  follow?: boolean;
  /**
   * Where a stream without a cursor starts: the oldest retained event
   * (default when not following) or the current tail (default when following).
   */
  fromBeginning?: boolean;
}

/** The in-process bus (the default). */
export interface MemoryTransportConfig {
  type: 'memory';
}

/**
 * The bus over an encrypted mesh link: events emitted on either side reach
 * the other side's `poll` and streams, in order per shard and exactly once.
 * `NetNode.create` resolves once the handshake is done.
 *
 * The side with `peer` dials; the other (the responder) waits up to
 * `handshakeTimeoutMs` for a node holding the same `psk`. Give the
 * responder a fixed `identitySeed` so the initiator knows its key in
 * advance (`Identity.fromSeed(seed).meshPublicKey`).
 */
export interface MeshTransportConfig {
  type: 'mesh';
  /** The UDP address to bind, `"ip:port"` (port 0 picks a free one). */
  bind: string;
  /** The responder's address; absent makes this side the responder. */
  peer?: string;
  /** The mesh's 32-byte pre-shared key: 64 hex characters, or the 32 bytes. */
  psk: string | Uint8Array;
  /** The responder's 32-byte static key (hex or bytes); with `peer` only. */
  peerPublicKey?: string | Uint8Array;
  /** Pin the peer: any other node is refused. */
  peerNodeId?: bigint;
  /** This node's 32-byte identity seed (default: a fresh identity). */
  identitySeed?: Uint8Array;
  /** How long the handshake may take, and a responder waits (ms, default 10000). */
  handshakeTimeoutMs?: number;
}

/**
 * Events stored in Redis Streams, one stream per shard
 * (`<prefix>:shard:<n>`). Every entry carries a `dedup_id` field
 * (`{producer_nonce:hex}:{shard}:{sequence_start}:{i}`) that
 * `RedisStreamDedup` filters on. `poll` and streams read the streams back,
 * so other processes' events appear too.
 */
export interface RedisTransportConfig {
  type: 'redis';
  /** `redis://[user:password@]host:port[/db]`. */
  url: string;
  /** Stream key prefix (default `net`). */
  prefix?: string;
  /** Trim each stream to about this many entries (`XADD MAXLEN ~`). */
  maxlen?: number;
  /** Connect timeout in ms (default 5000). */
  connectTimeoutMs?: number;
  /** How long a batch's MULTI/EXEC may wait for its reply, ms (default 5000). */
  responseTimeoutMs?: number;
}

/**
 * Events stored in a NATS JetStream stream, one subject per shard
 * (`<subjectPrefix>.shard.<n>`). Every message's `Nats-Msg-Id` is its
 * dedup id, so the server drops a retried duplicate inside its window.
 */
export interface JetStreamTransportConfig {
  type: 'jetstream';
  /** `nats://[user:password@|token@]host:port`. */
  url: string;
  /** The stream's name (default `NET`); created when missing. */
  stream?: string;
  /** Subject prefix (default `net`). */
  subjectPrefix?: string;
  /** Most messages the stream keeps, when the node creates it. */
  maxMessages?: number;
  /** How long the server remembers message ids, ms (default 120000). */
  duplicateWindowMs?: number;
  /** Connect timeout in ms (default 5000). */
  connectTimeoutMs?: number;
  /** How long a publish acknowledgement may take, ms (default 5000). */
  requestTimeoutMs?: number;
}

/** Where a node's events go. */
export type TransportConfig = MemoryTransportConfig | MeshTransportConfig | RedisTransportConfig | JetStreamTransportConfig;

/** Options of `NetNode.create`. */
export interface NetNodeConfig extends NodeConfig {
  transport?: TransportConfig;
  /**
   * Keep the Redis / JetStream producer nonce in this file (created on
   * first run), so a restarted producer writes the same dedup ids. A file
   * holding anything else fails `create` with kind `corrupt_nonce`.
   */
  producerNoncePath?: string;
}

/** Ingestion statistics (counters are bigint). */
export type Stats = JsStats;
