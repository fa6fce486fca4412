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
 * Where a node's events go. `redis` and `jetstream` are named but not built
 * yet: naming one fails with `invalid_config`.
 */
export type TransportConfig =
  | MemoryTransportConfig
  | MeshTransportConfig
  | { type: 'redis' | 'jetstream'; [option: string]: unknown };

/** Options of `NetNode.create`. */
export interface NetNodeConfig extends NodeConfig {
  transport?: TransportConfig;
}

/** Ingestion statistics (counters are bigint). */
export type Stats = JsStats;
