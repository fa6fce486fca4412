// Emit throughput of the SDK: events per second for emitBuffer (single),
// emitRaw (single) and emitRawBatch (1000 per call), 9-byte events.
//
// The node runs DropOldest with large rings, so a producer faster than
// the batchers overwrites instead of failing: the figures measure the
// emit path a caller pays for, not the batcher. Each case runs for
// BENCH_SECONDS (default 2) after a warm-up, and reports the best of
// BENCH_ROUNDS (default 3) runs.
import { NetNode } from '@net-mesh/sdk';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const EVENT = '{"a":123}'; // 9 bytes
const BUF = Buffer.from(EVENT);
const BATCH = Array.from({ length: 1000 }, () => EVENT);
const CONFIG = { shards: 4, ringCapacity: 1 << 16, retention: 1 << 16, backpressure: 'DropOldest' };

/** Calls `step` (which emits `per` events) until `SECONDS` pass; events/s. */
function measure(step, per) {
  const chunk = Math.max(1, Math.floor(100_000 / per));
  let events = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(SECONDS * 1e9));
  let now = start;
  while (now < end) {
    for (let i = 0; i < chunk; i++) step();
    events += chunk * per;
    now = process.hrtime.bigint();
  }
  return events / (Number(now - start) / 1e9);
}

const cases = [
  ['emitBuffer single', (n) => () => n.emitBuffer(BUF), 1],
  ['emitRaw single', (n) => () => n.emitRaw(EVENT), 1],
  ['emitRawBatch 1000', (n) => () => n.emitRawBatch(BATCH), 1000],
];

const rows = [];
for (const [name, make, per] of cases) {
  const node = await NetNode.create(CONFIG);
  const step = make(node);
  const saved = SECONDS;
  measure(step, per); // warm-up (JIT), same length
  let best = 0;
  for (let r = 0; r < ROUNDS; r++) best = Math.max(best, measure(step, per));
  const s = node.stats();
  await node.shutdown();
  rows.push({ name, rate: best, ingested: s.eventsIngested, dropped: s.eventsDropped });
  void saved;
}

console.log(`node bench: 9-byte events, ${CONFIG.shards} shards, ring ${CONFIG.ringCapacity}, ${CONFIG.backpressure}, best of ${ROUNDS} x ${SECONDS}s`);
for (const r of rows) {
  console.log(`  ${r.name.padEnd(20)} ${(r.rate / 1e6).toFixed(2).padStart(7)} M events/s   (ingested ${r.ingested}, dropped by DropOldest ${r.dropped})`);
}
