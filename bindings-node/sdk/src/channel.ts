// Typed channels: named, typed streams on one node's bus.
//
// A published value travels as the core's channel envelope
// `{"channel":"<name>","payload":<value as JSON>}`, built and opened by
// the native module so every face (Rust, Python, Node) writes and reads
// the same bytes; a channel's stream yields the payloads of the envelopes
// carrying its name and skips every other event on the bus.

import { toNetError } from './errors';
import { native } from './native';
import { toJson } from './json';
import type { NetNode } from './node';
import type { Receipt } from './receipt';
import { EventStream, SKIP } from './stream';
import type { SubscribeOptions } from './types';

export class TypedChannel<T> {
  /** The channel's name. */
  readonly name: string;
  /** Its 32-bit hash, as carried in permission tokens. */
  readonly hash: number;

  /** @internal Use `node.channel<T>(name)`. */
  constructor(
    private readonly node: NetNode,
    name: string,
  ) {
    try {
      this.hash = native.channelHash(name);
    } catch (e) {
      throw toNetError(e, true);
    }
    this.name = name;
  }

  /** Publish a value on the channel. */
  publish(value: T): Receipt {
    return this.node.emitRaw(this.wrap(value));
  }

  /** Publish values as one batch; returns how many were stored. */
  publishBatch(values: readonly T[]): number {
    return this.node.emitRawBatch(values.map((v) => this.wrap(v)));
  }

  /** The channel's values; other events on the bus are skipped. */
  subscribe(options: SubscribeOptions = {}): EventStream<T> {
    return new EventStream<T>(this.node.napi, options, (event) => {
      const payload = native.channelOpen(this.name, event.raw);
      return payload === null ? SKIP : (JSON.parse(payload) as T);
    });
  }

  private wrap(value: T): string {
    try {
      return native.channelWrap(this.name, toJson(value));
    } catch (e) {
      throw toNetError(e, true);
    }
  }
}
