// Emit throughput of the SDK: events per second for emitBuffer (single),
// emitRaw (single) and emitRawBatch (1000 per call), 9-byte events.
//
// Configuration: 4 shards, rings of 65536 slots, DropOldest. With
// DropOldest a producer faster than the batchers overwrites the oldest
// queued events (counted as dropped) instead of failing, so the figures
// measure the emit path a caller pays for; the dropped count is printed
// beside each rate. FailProducer would turn a full ring into exceptions,
// whose cost would then be measured instead.
//
// Two rates per case: by wall clock, and by the CPU time of the JS
// thread alone (from /proc, Linux). On a machine shared with other work
// the second shows what the emit path costs when the thread is not
// preempted. Each case: a warm-up, then the best of BENCH_ROUNDS
// (default 3) runs of BENCH_SECONDS (default 2).
//
// Each case runs in a process of its own (this script re-runs itself with
// the case's name). Sharing one process made the timing loop's call site
// polymorphic across cases, and V8's code for the later cases was then
// slower than any caller's would be (emitRaw measured 4.5 M/s after the
// emitBuffer case, 6.6 M/s alone).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { NetNode } from '@net-mesh/sdk';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const EVENT = '{"a":123}'; // 9 bytes
const BUF = Buffer.from(EVENT);
const BATCH = Array.from({ length: 1000 }, () => EVENT);
const CONFIG = { shards: Number(process.env.BENCH_SHARDS ?? 4), ringCapacity: 1 << 16, retention: 1 << 16, backpressure: 'DropOldest' };

/** CPU seconds used by this (the JS) thread so far. */
function threadCpu() {
  const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 10 ms
}

/** Calls `step` (which emits `per` events) for SECONDS; events/s by wall clock and by thread CPU. */
function measure(step, per) {
  const chunk = Math.max(1, Math.floor(100_000 / per));
  let events = 0;
  const cpu0 = threadCpu();
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(SECONDS * 1e9));
  let now = start;
  while (now < end) {
    for (let i = 0; i < chunk; i++) step();
    events += chunk * per;
    now = process.hrtime.bigint();
  }
  const wall = Number(now - start) / 1e9;
  const cpu = threadCpu() - cpu0;
  return { wall: events / wall, cpu: cpu > 0 ? events / cpu : NaN };
}

const cases = [
  ['emitBuffer single', (n) => () => n.emitBuffer(BUF), 1],
  ['emitRaw single', (n) => () => n.emitRaw(EVENT), 1],
  ['emitRawBatch 1000', (n) => () => n.emitRawBatch(BATCH), 1000],
];

/** Runs one case in this process; its result as a row. */
async function runCase(name, make, per) {
  const node = await NetNode.create(CONFIG);
  const step = make(node);
  measure(step, per); // warm-up: let the JIT settle
  let best = { wall: 0, cpu: 0 };
  for (let r = 0; r < ROUNDS; r++) {
    const m = measure(step, per);
    if (m.wall > best.wall) best = m;
  }
  const s = node.stats();
  await node.shutdown();
  return { name, ...best, ingested: String(s.eventsIngested), dropped: String(s.eventsDropped) };
}

const only = process.argv[2];
if (only !== undefined) {
  const found = cases.find(([name]) => name === only);
  if (!found) throw new Error(`no bench case named ${JSON.stringify(only)}`);
  process.stdout.write(JSON.stringify(await runCase(...found)));
  process.exit(0);
}
const script = new URL(import.meta.url).pathname;
const rows = cases.map(([name]) => JSON.parse(execFileSync(process.execPath, [script, name], { encoding: 'utf8' })));

const m = (x) => (x / 1e6).toFixed(2).padStart(6);
console.log(`node bench: 9-byte events; ${CONFIG.shards} shards, ring ${CONFIG.ringCapacity}, ${CONFIG.backpressure}; best of ${ROUNDS} x ${SECONDS}s; load average ${loadavg()[0].toFixed(1)}`);
console.log(`  ${'case'.padEnd(18)} ${'M ev/s (wall)'.padStart(14)} ${'M ev/s (JS-thread CPU)'.padStart(23)}   ingested / dropped by DropOldest`);
for (const r of rows) {
  console.log(`  ${r.name.padEnd(18)} ${m(r.wall).padStart(14)} ${m(r.cpu).padStart(23)}   ${r.ingested} / ${r.dropped}`);
}
