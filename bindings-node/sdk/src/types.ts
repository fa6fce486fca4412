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

/** Transports other than the in-memory bus are planned; naming one fails clearly for now. */
export interface TransportConfig {
  type: 'memory' | 'redis' | 'jetstream' | 'mesh';
  [option: string]: unknown;
}

/** Options of `NetNode.create`. */
export interface NetNodeConfig extends NodeConfig {
  transport?: TransportConfig;
}

/** Ingestion statistics (counters are bigint). */
export type Stats = JsStats;
