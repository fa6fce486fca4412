// The seed README's "Raw RedEX file (no CortEX fold)" example, as written
// (package @net-mesh/sdk). Filled in: the seed's /var/lib path becomes a
// temporary directory, `payloadBuffers` are three more clicks, and
// `shouldStop` ends the tail once the four records are read. Run via
// `make demo-node`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redex, RedexError } from '@net-mesh/sdk';

const dir = mkdtempSync(join(tmpdir(), 'net-redex-example-'));
const payloadBuffers = ['/docs', '/blog', '/about'].map((url) => Buffer.from(JSON.stringify({ url })));
let shouldStop = false;

// --- seed: Raw RedEX file ---
const redex = new Redex({ persistentDir: dir });
const file = redex.openFile('analytics/clicks', {
  persistent: true,
  fsyncIntervalMs: 100, // or fsyncEveryN: 1000n
  retentionMaxEvents: 1_000_000n,
});
// Append (or batch-append).
const seq = file.append(Buffer.from(JSON.stringify({ url: '/home' })));
// `appendBatch` returns the first-seq `bigint` of the batch, or
// `null` for an empty input.
const firstSeq = file.appendBatch(payloadBuffers);
// Tail — backfills the retained range, then streams live appends.
const stream = await file.tail(0n);
try {
  for await (const event of stream) {
    const parsed = JSON.parse(event.payload.toString());
    console.log(event.seq, parsed);
    shouldStop = event.seq === firstSeq! + 2n;
    if (shouldStop) break; // automatically closes the native iterator
  }
} catch (e) {
  if (e instanceof RedexError) { /* ... */ }
  throw e;
} finally {
  // Ensure the file is closed even if tailing / parsing throws.
  file.close();
}
// --- end of seed ---

console.log(`append: ${seq}, appendBatch: ${firstSeq}, empty batch: ${redex.openFile('analytics/empty').appendBatch([])}`);
try {
  redex.openFile('Not A Channel!');
} catch (e) {
  console.log(e instanceof RedexError ? `bad name: RedexError(${e.kind})` : `unexpected: ${e}`);
}
rmSync(dir, { recursive: true, force: true });
