// RedisStreamDedup: the native consumer-side filter for Redis Streams
// entries written twice, re-exported at the top level of the SDK.

import { native } from './native';

/**
 * Remembers the `capacity` most recently seen dedup ids (default 4096):
 * `isDuplicate(id)` is false the first time (the id is remembered) and
 * true while it is among the `capacity` most recent ones.
 *
 * ```ts
 * const dedup = new RedisStreamDedup(600_000);
 * if (!dedup.isDuplicate(entry.message.dedup_id)) process(entry);
 * ```
 */
export const RedisStreamDedup = native.RedisStreamDedup;
export type RedisStreamDedup = InstanceType<typeof native.RedisStreamDedup>;
