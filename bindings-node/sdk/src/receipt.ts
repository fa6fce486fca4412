// Receipts of single emits.

import { receiptScratch } from './native';

/**
 * What `emit` / `emitRaw` hand back: the shard and per-shard sequence the
 * event got, and its timestamp. Built from the native receipt scratch
 * without a native object per emit; the 64-bit fields become bigints only
 * when read.
 */
export class Receipt {
  /** The shard the event was routed to. */
  readonly shardId: number;
  /** True when `DropNewest` discarded the event (its sequence is then 2^64-1). */
  readonly dropped: boolean;
  /**
   * How many older events this emit evicted to make room for itself (only
   * under `DropOldest`; also counted in `stats().eventsDropped`). 0 under
   * every other policy.
   */
  readonly evicted: number;
  private readonly seqLo: number;
  private readonly seqHi: number;
  private readonly tsLo: number;
  private readonly tsHi: number;

  /** @internal Reads the receipt of the last emit on this thread. */
  constructor() {
    const s = receiptScratch;
    this.shardId = s[0];
    this.seqLo = s[1];
    this.seqHi = s[2];
    this.tsLo = s[3];
    this.tsHi = s[4];
    this.dropped = s[5] !== 0;
    this.evicted = s[6];
  }

  /** The event's per-shard sequence. */
  get sequence(): bigint {
    return (BigInt(this.seqHi) << 32n) | BigInt(this.seqLo);
  }

  /** The emit timestamp, Unix nanoseconds. */
  get timestamp(): bigint {
    return (BigInt(this.tsHi) << 32n) | BigInt(this.tsLo);
  }

  /** "shard:sequence", the id the event will have when read back. */
  get id(): string {
    return `${this.shardId}:${this.sequence}`;
  }

  toJSON(): { shardId: number; sequence: string; timestamp: string; dropped: boolean; evicted: number } {
    return {
      shardId: this.shardId,
      sequence: String(this.sequence),
      timestamp: String(this.timestamp),
      dropped: this.dropped,
      evicted: this.evicted,
    };
  }
}
