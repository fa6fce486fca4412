// Mesh throughput of the SDK over loopback: two MeshNodes in this process
// (the receive tasks run on the core's runtime threads, the JS thread
// only sends and reads).
//
//   send only   `await sendOnStream` of one 64-byte message on a
//               fire_and_forget stream: the cost of the call path (the
//               receiver's inbox is allowed to overflow).
//   reliable    batches of 32 x 64-byte messages through a reliable
//               stream (window 1024) with `sendWithRetry`, while the
//               peer reads them with `tryRecv`; messages/s delivered.
//
// Each case runs BENCH_SECONDS (default 2); the best of BENCH_ROUNDS
// (default 3) is printed.
import { MeshNode } from '@net-mesh/sdk';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MESSAGE = Buffer.alloc(64, 0x61);
const BATCH = Array.from({ length: 32 }, () => MESSAGE);
const PSK = '42'.repeat(32);

async function pair() {
  const a = await MeshNode.create({ bindAddr: '127.0.0.1:0', psk: PSK, maxDatagram: 8192 });
  const b = await MeshNode.create({ bindAddr: '127.0.0.1:0', psk: PSK, maxDatagram: 8192 });
  const accepted = b.accept(a.nodeId());
  await a.connect(b.localAddr(), b.publicKey(), b.nodeId());
  await accepted;
  a.start();
  b.start();
  return [a, b];
}

async function sendOnly(a, b, id) {
  const out = a.openStream(b.nodeId(), { streamId: id, reliability: 'fire_and_forget' });
  let sent = 0;
  let refused = 0;
  const start = performance.now();
  const end = start + SECONDS * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 1000; i++) {
      try {
        await a.sendOnStream(out, [MESSAGE]);
        sent++;
      } catch {
        refused++; // the socket buffer was full: counted, not retried
      }
    }
  }
  return { rate: sent / ((performance.now() - start) / 1000), note: `${refused} refused by a full socket buffer` };
}

async function reliable(a, b, id) {
  const out = a.openStream(b.nodeId(), { streamId: id, windowBytes: 1024 });
  const inbox = b.openStream(a.nodeId(), { streamId: id });
  let received = 0;
  const start = performance.now();
  const end = start + SECONDS * 1000;
  while (performance.now() < end) {
    await a.sendWithRetry(out, BATCH, 1000);
    while (b.tryRecv(inbox) !== null) received++;
  }
  const elapsed = (performance.now() - start) / 1000;
  const stats = a.streamStats(b.nodeId(), BigInt(id));
  return { rate: received / elapsed, note: `${stats.backpressureEvents} back-pressure retries, ${stats.retransmits} retransmits` };
}

const [a, b] = await pair();
let id = 1;
for (const [name, run] of [['send only (fire_and_forget, 64 B)', sendOnly], ['reliable (batches of 32 x 64 B)', reliable]]) {
  let best = null;
  for (let r = 0; r < ROUNDS; r++) {
    const got = await run(a, b, id++);
    if (best === null || got.rate > best.rate) best = got;
  }
  console.log(`${name.padEnd(36)} ${(best.rate / 1e3).toFixed(0).padStart(7)} k msg/s   (${best.note})`);
}
await a.shutdown();
await b.shutdown();
