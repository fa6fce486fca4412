// Deliveries per second through a TypeScript echo daemon hosted by the
// core's DaemonRuntime: each event crosses from the delivering thread to
// the JS thread (the daemon's `process`) and back. A delivery counts only
// when the daemon answered it: every output is checked to be the echo of
// its event, and a round with any other answer fails instead of printing
// a rate.
//
// Rows (32-byte payloads, BENCH_EVENTS events per round, default 200,000):
//   deliver, awaited      one Promise per event, the next sent after the answer
//   deliver, 256 in flight one Promise per event, 256 outstanding (one lane
//                          drains them in order)
//   deliverMany x1024     one call per 1,024 events (not in the seed: the
//                          batch form of deliver)
// Each: a warm-up, then the best of BENCH_ROUNDS (default 3) rounds. The
// load average is printed: on a machine shared with other work the rates
// move with it.
import { loadavg } from 'node:os';
import { DaemonRuntime, Identity } from '@net-mesh/sdk';

const EVENTS = Math.max(1024, Math.floor(Number(process.env.BENCH_EVENTS ?? 200_000) / 1024) * 1024);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WINDOW = 256;
const BATCH = 1024;

const events = Array.from({ length: EVENTS }, (_, i) => {
  const payload = Buffer.alloc(32);
  payload.writeUInt32LE(i);
  return { originHash: 0x77n, sequence: BigInt(i + 1), payload };
});

/** The echo's answer to event `i`, or a thrown error. */
function check(outputs, i) {
  if (outputs.length !== 1 || !outputs[0].equals(events[i].payload)) throw new Error(`event ${i} was not answered by its echo`);
}

const cases = {
  'deliver, awaited': async (rt, origin, n) => {
    for (let i = 0; i < n; i++) check(await rt.deliver(origin, events[i]), i);
  },
  [`deliver, ${WINDOW} in flight`]: async (rt, origin, n) => {
    let next = 0;
    const worker = async () => {
      while (next < n) {
        const i = next++;
        check(await rt.deliver(origin, events[i]), i);
      }
    };
    await Promise.all(Array.from({ length: WINDOW }, worker));
  },
  [`deliverMany x${BATCH}`]: async (rt, origin, n) => {
    for (let at = 0; at < n; at += BATCH) {
      const outs = await rt.deliverMany(origin, events.slice(at, at + BATCH));
      outs.forEach((o, k) => check(o, at + k));
    }
  },
};

const rt = DaemonRuntime.local();
rt.registerFactory('echo', () => ({ name: 'echo', process: (e) => [e.payload] }));
await rt.start();
// No replay log: the bench measures the crossing, not the log's memory.
const echo = await rt.spawn('echo', Identity.generate(), { maxLogEntries: 0 });

console.log(`compute: deliveries answered by a TS echo daemon (32 B, ${EVENTS} per round, load ${loadavg()[0].toFixed(2)})`);
for (const [name, run] of Object.entries(cases)) {
  await run(rt, echo.originHash, Math.min(EVENTS, 10_240)); // warm-up
  let best = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const before = echo.stats().eventsEmitted;
    const t0 = process.hrtime.bigint();
    await run(rt, echo.originHash, EVENTS);
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const answered = echo.stats().eventsEmitted - before;
    if (answered !== BigInt(EVENTS)) throw new Error(`${name}: ${answered} of ${EVENTS} answered`);
    best = Math.max(best, EVENTS / secs);
  }
  console.log(`  ${name.padEnd(24)} ${Math.round(best).toLocaleString('en-US').padStart(10)} events/s`);
}
await rt.shutdown();
