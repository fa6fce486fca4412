// The native binding, loaded once. Kept in one module so every other file
// imports the same object (and the receipt scratch is fetched only once).

import * as native from '@net-mesh/core';

export { native };

/**
 * Where `emitRaw` writes the receipt of the last emit on this thread:
 * `[shardId, sequenceLo, sequenceHi, timestampLo, timestampHi, dropped, evicted]`.
 */
export const receiptScratch: Uint32Array = native.receiptScratch();
