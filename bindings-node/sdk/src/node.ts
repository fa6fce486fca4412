// NetNode: the front door of the SDK.

import * as core from '@net-mesh/core';
import { TypedChannel } from './channel';
import { NetError, toNetError } from './errors';
import { native } from './native';
import { Receipt } from './receipt';
import { toJson, parseEvent } from './json';
import { EventStream } from './stream';
import type { NetEvent, NetNodeConfig, PollRequest, PollResponse, Stats, SubscribeOptions, TransportConfig } from './types';

/** The transport as the core reads it: byte strings as hex, bigints as decimal text. */
function transportJson(transport: TransportConfig): string {
  if (typeof transport !== 'object' || transport === null) {
    throw new NetError('invalid_config', 'transport must be an object with a "type"');
  }
  // The holder's own value, not `value`: JSON.stringify has already turned
  // a Buffer into `{type: 'Buffer', data}` by way of its toJSON.
  return JSON.stringify(transport, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    if (raw instanceof Uint8Array) return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('hex');
    if (typeof raw === 'bigint') return raw.toString();
    return value;
  });
}

/**
 * A node of the Net event bus. Emits are synchronous (no Promise per
 * event); poll, flush and shutdown return Promises; streams are async
 * iterators.
 *
 * ```ts
 * const node = await NetNode.create({ shards: 4 });
 * node.emit({ token: 'hello' });
 * await node.flush();
 * const { events } = await node.poll({ limit: 100 });
 * await node.shutdown();
 * ```
 */
export class NetNode {
  private readonly native: core.NetNode;
  /** The hot emitters, bound to the native node (half the cost of its methods). */
  private readonly fast: core.BoundEmitters;
  /** Where `pollOne` resumes. */
  private pollOneCursor: string | undefined;

  private constructor(n: core.NetNode) {
    this.native = n;
    this.fast = n.bindEmitters();
  }

  /**
   * Start a node: on the in-memory bus by default, or over the transport
   * `config.transport` names (see `MeshTransportConfig`; a mesh node
   * resolves once its handshake is done). A bad transport rejects with
   * `NetError` kind `invalid_config`, a failed handshake with its kind
   * (`wrong_psk`, `identity_mismatch`, `timeout`, …).
   */
  static async create(config: NetNodeConfig = {}): Promise<NetNode> {
    const { transport, producerNoncePath, ...bus } = config;
    try {
      if (transport === undefined || transport.type === 'memory') {
        return new NetNode(new native.NetNode(bus));
      }
      // The nonce file belongs to the transports that write dedup ids.
      const withNonce =
        producerNoncePath !== undefined && (transport.type === 'redis' || transport.type === 'jetstream')
          ? { ...transport, producerNoncePath }
          : transport;
      return new NetNode(await native.NetNode.withTransport(bus, transportJson(withNonce)));
    } catch (e) {
      throw toNetError(e);
    }
  }

  /** The underlying native binding (`@net-mesh/core`'s NetNode). */
  get napi(): core.NetNode {
    return this.native;
  }

  /** JSON-serialize `value` and emit it. */
  emit(value: unknown): Receipt {
    return this.emitRaw(toJson(value));
  }

  /** Emit a JSON string (not validated). */
  emitRaw(json: string): Receipt {
    try {
      this.fast.emitRaw(json);
    } catch (e) {
      throw toNetError(e);
    }
    return new Receipt();
  }

  /** Emit bytes (fastest). `false` when `DropNewest` discarded the event. */
  emitBuffer(buf: Uint8Array): boolean {
    try {
      return this.fast.emitBuffer(buf);
    } catch (e) {
      throw toNetError(e);
    }
  }

  /** JSON-serialize each value and emit them as one batch; returns how many were stored. */
  emitBatch(values: readonly unknown[]): number {
    return this.emitRawBatch(values.map(toJson));
  }

  /** Emit JSON strings as one batch to one shard, in order; returns how many were stored. */
  emitRawBatch(jsons: readonly string[]): number {
    const lengths = new Uint32Array(jsons.length);
    for (let i = 0; i < jsons.length; i++) {
      const s = jsons[i];
      if (typeof s !== 'string') throw new NetError('invalid_argument', `emitRawBatch: element ${i} is not a string`);
      lengths[i] = s.length;
    }
    try {
      // One joined string crosses into native code instead of N.
      return this.native.emitJoined(jsons.join(''), lengths);
    } catch (e) {
      throw toNetError(e);
    }
  }

  /** Fire and forget: `false` when the event was not stored (backpressure or DropNewest). */
  fire(json: string): boolean {
    try {
      return this.fast.fire(json);
    } catch (e) {
      throw toNetError(e);
    }
  }

  /** Fire and forget a batch: how many were stored (0 under backpressure). */
  fireBatch(jsons: readonly string[]): number {
    try {
      return this.native.fireBatch(jsons as string[]);
    } catch (e) {
      throw toNetError(e);
    }
  }

  /** One-shot poll. */
  async poll(request: PollRequest = {}): Promise<PollResponse> {
    const limit = request.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 0 || limit > 0xffffffff) {
      throw new NetError('invalid_argument', `limit must be a whole number >= 0, got ${limit}`);
    }
    try {
      return await this.native.poll(limit, request.cursor);
    } catch (e) {
      throw toNetError(e);
    }
  }

  /**
   * The next event this node has not handed out through `pollOne` yet
   * (oldest first), or null when there is none right now.
   */
  async pollOne(): Promise<NetEvent | null> {
    const page = await this.poll({ limit: 1, cursor: this.pollOneCursor });
    this.pollOneCursor = page.nextId;
    return page.events[0] ?? null;
  }

  /** An async iterable of events; see `SubscribeOptions` (`follow` for a live stream). */
  subscribe(options: SubscribeOptions = {}): EventStream<NetEvent> {
    return new EventStream(this.native, options, (e) => e);
  }

  /** `subscribe`, with each event's JSON parsed into `T`. */
  subscribeTyped<T>(options: SubscribeOptions = {}): EventStream<T> {
    return new EventStream(this.native, options, (e) => parseEvent<T>(e));
  }

  /** A typed channel on this node (the name is validated: `IdentityError` kind `invalid_channel`). */
  channel<T>(name: string): TypedChannel<T> {
    return new TypedChannel<T>(this, name);
  }

  /** Ingestion statistics. */
  stats(): Stats {
    return this.native.stats();
  }

  /** The bus counters as Prometheus text (see `prometheusText`). */
  prometheusText(): string {
    return this.native.prometheusText();
  }

  /** Number of shards. */
  shards(): number {
    return this.native.shards();
  }

  /** Resolves once every event emitted before the call can be polled. */
  async flush(): Promise<void> {
    try {
      await this.native.flush();
    } catch (e) {
      throw toNetError(e);
    }
  }

  /** Drain and stop; idempotent. Afterwards emits throw `NetError` kind `closed`. */
  async shutdown(): Promise<void> {
    try {
      await this.native.shutdown();
    } catch (e) {
      throw toNetError(e);
    }
  }
}
