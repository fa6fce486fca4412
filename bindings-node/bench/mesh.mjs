// Mesh throughput of the SDK over loopback: two MeshNodes in this process
// (the receive tasks run on the core's runtime threads, the JS thread
// only sends and reads).
//
//   send only   `await sendOnStream` of one 64-byte message on a
//               fire_and_forget stream: the cost of the call path (the
//               receiver's inbox is allowed to overflow).
//   reliable    64-byte messages through a reliable stream (window 1024)
//               with `sendBlocking`, in batches of 32 and one message per
//               call, while the peer reads them with `tryRecv`; messages/s
//               delivered (the one-per-call row is how most applications
//               send: the core's corking packs consecutive calls into
//               shared datagrams).
//
// Each case runs BENCH_SECONDS (default 2); the best of BENCH_ROUNDS
// (default 3) is printed.
import { MeshNode } from '@net-mesh/sdk';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MESSAGE = Buffer.alloc(64, 0x61);
const BATCH = Array.from({ length: 32 }, () => MESSAGE);
const SINGLE = [MESSAGE];
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

function reliable(batch) {
  return async (a, b, id) => {
    const out = a.openStream(b.nodeId(), { streamId: id, windowBytes: 1024 });
    const inbox = b.openStream(a.nodeId(), { streamId: id });
    let received = 0;
    let sent = 0;
    const start = performance.now();
    const end = start + SECONDS * 1000;
    while (performance.now() < end) {
      for (let i = 0; i < 32; i += batch.length) {
        await a.sendBlocking(out, batch);
        sent += batch.length;
      }
      while (b.tryRecv(inbox) !== null) received++;
    }
    // Count what arrives, not what was accepted: wait for the tail.
    const deadline = performance.now() + 10_000;
    while (received < sent && performance.now() < deadline) {
      const m = b.tryRecv(inbox);
      if (m !== null) received++;
      else await new Promise((r) => setImmediate(r));
    }
    const elapsed = (performance.now() - start) / 1000;
    const stats = a.streamStats(b.nodeId(), BigInt(id));
    const lost = sent - received;
    return {
      rate: received / elapsed,
      note: `${stats.backpressureEvents} back-pressure waits, ${stats.retransmits} retransmits${lost ? `, ${lost} NOT DELIVERED` : ''}`,
    };
  };
}

const [a, b] = await pair();
let id = 1;
const cases = [
  ['send only (fire_and_forget, 64 B)', sendOnly],
  ['reliable (batches of 32 x 64 B)', reliable(BATCH)],
  ['reliable (1 x 64 B per call)', reliable(SINGLE)],
];
for (const [name, run] of cases) {
  let best = null;
  for (let r = 0; r < ROUNDS; r++) {
    const got = await run(a, b, id++);
    if (best === null || got.rate > best.rate) best = got;
  }
  console.log(`${name.padEnd(36)} ${(best.rate / 1e3).toFixed(0).padStart(7)} k msg/s   (${best.note})`);
}
await a.shutdown();
await b.shutdown();
