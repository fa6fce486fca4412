// JSON in and out of the bus, with the SDK's error kinds.

import { NetError } from './errors';
import type { NetEvent } from './types';

/** JSON text of `value`, failing with kind `serialization`. */
export function toJson(value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (e) {
    throw new NetError('serialization', `value is not JSON-serializable: ${(e as Error).message}`, { cause: e });
  }
  if (json === undefined) throw new NetError('serialization', `value is not JSON-serializable: ${String(value)}`);
  return json;
}

/** `JSON.parse` of an event, failing with kind `deserialization`. */
export function parseEvent<T>(event: NetEvent): T {
  try {
    return JSON.parse(event.raw) as T;
  } catch (e) {
    throw new NetError('deserialization', `event ${event.id} is not JSON: ${(e as Error).message}`, { cause: e });
  }
}
