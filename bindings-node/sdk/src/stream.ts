// Event streams: async iterators over the bus.
//
// One native subscription (a core EventStream) behind the iterator:
// without `follow` the core flushes, reads from the cursor and ends once
// caught up; with `follow` it waits for new events until the node shuts
// down. `break` (or `return()`, or `close()`) releases it at once.

import type * as core from '@net-mesh/core';
import { NetError, toNetError } from './errors';
import type { NetEvent, SubscribeOptions } from './types';

/** What a stream's map returns to leave an event out. */
export const SKIP: unique symbol = Symbol('skip');

/** A native subscription: the next events, or null at the end. */
class Source {
  constructor(
    private readonly sub: core.Subscription,
    private readonly limit: number,
  ) {}

  more(): Promise<NetEvent[] | null> {
    return this.sub.nextBatch(this.limit);
  }

  close(): void {
    this.sub.close();
  }
}

/**
 * An async iterator of `T` over the bus; `for await` it, `break` to stop.
 * `T` is `NetEvent` for `subscribe` and the parsed type for typed streams.
 */
export class EventStream<T = NetEvent> implements AsyncIterableIterator<T> {
  private buffer: NetEvent[] = [];
  private index = 0;
  private finished = false;
  private readonly source: Source;
  /** The last `next()` in flight: calls made before it settles wait for it. */
  private queue: Promise<unknown> = Promise.resolve();

  /** @internal */
  constructor(
    node: core.NetNode,
    options: SubscribeOptions,
    private readonly map: (event: NetEvent) => T | typeof SKIP,
  ) {
    const limit = positive(options.limit ?? 100, 'limit');
    const follow = options.follow ?? false;
    // Without a cursor, "from the beginning" is the poll default; a
    // non-following stream that starts at the tail would be empty.
    if (!follow && options.fromBeginning === false && options.cursor === undefined) {
      throw new NetError('invalid_argument', 'fromBeginning: false needs follow: true (a stream that starts at the tail and does not follow is empty)');
    }
    let sub: core.Subscription;
    try {
      sub = node.subscribe({
        cursor: options.cursor,
        fromBeginning: options.fromBeginning ?? !follow,
        batch: limit,
        untilCaughtUp: !follow,
      });
    } catch (e) {
      throw toNetError(e);
    }
    this.source = new Source(sub, limit);
  }

  /** The next value; concurrent calls are served one after the other, in call order. */
  next(): Promise<IteratorResult<T, undefined>> {
    const result = this.queue.then(() => this.step());
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async step(): Promise<IteratorResult<T, undefined>> {
    for (;;) {
      while (this.index < this.buffer.length) {
        let value: T | typeof SKIP;
        try {
          value = this.map(this.buffer[this.index++]);
        } catch (e) {
          // for-await does not call return() after a throwing next().
          this.close();
          throw e;
        }
        if (value !== SKIP) return { done: false, value };
      }
      if (this.finished) return { done: true, value: undefined };
      let batch: NetEvent[] | null;
      try {
        batch = await this.source.more();
      } catch (e) {
        this.close();
        throw toNetError(e);
      }
      // close() while the read was in flight wins over what it brought.
      if (this.finished) return { done: true, value: undefined };
      if (batch === null) {
        this.close();
      } else {
        this.buffer = batch;
        this.index = 0;
      }
    }
  }

  /** Called by `break`: releases the native subscription. */
  async return(): Promise<IteratorResult<T, undefined>> {
    this.close();
    return { done: true, value: undefined };
  }

  /** Stop now; a pending `next()` resolves to done. Idempotent. */
  close(): void {
    if (this.finished) return;
    this.finished = true;
    this.buffer = [];
    this.index = 0;
    this.source.close();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

export function positive(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1 || n > 0xffffffff) {
    throw new NetError('invalid_argument', `${what} must be a whole number >= 1, got ${n}`);
  }
  return n;
}
