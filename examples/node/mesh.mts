// The seed README's "Mesh Streams (multi-peer + back-pressure)", as
// written (package @net-mesh/sdk). The seed leaves the handshake as
// `// ...`: here a second node on an ephemeral port is the peer, and it
// reads what the three daemon patterns sent. Run via `make demo-node`.
import { MeshNode, BackpressureError, NotConnectedError } from '@net-mesh/sdk';

// The seed's pattern 1 counts drops in the daemon's metrics.
const metrics = {
  counts: new Map<string, number>(),
  inc(name: string): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  },
};

// --- seed: Mesh Streams ---
const node = await MeshNode.create({
  bindAddr: '127.0.0.1:9000',
  psk: '0'.repeat(64),
});
// --- end of seed ---

// The handshake the seed leaves out: a peer with the same PSK dials us.
const peer = await MeshNode.create({ bindAddr: '127.0.0.1:0', psk: '0'.repeat(64) });
const peerNodeId = peer.nodeId();
const accepted = node.accept(peerNodeId);
await peer.connect(node.localAddr(), node.publicKey(), node.nodeId());
await accepted;
node.start();
peer.start();
const inbox = peer.openStream(node.nodeId(), { streamId: 0x42n });

// --- seed: Mesh Streams ---
const stream = node.openStream(peerNodeId, {
  streamId: 0x42n,
  reliability: 'reliable',
  windowBytes: 256, // max in-flight packets before BackpressureError
});

// Three canonical daemon patterns:
// 1. Drop on pressure.
try {
  await node.sendOnStream(stream, [Buffer.from('{}')]);
} catch (e) {
  if (e instanceof BackpressureError) {
    metrics.inc('stream.backpressure_drops');
  } else if (e instanceof NotConnectedError) {
    // peer gone or stream closed — re-open if needed
  } else {
    throw e;
  }
}

// 2. Retry with exponential backoff (5 ms → 200 ms, up to maxRetries).
await node.sendWithRetry(stream, [Buffer.from('{}')], 8);

// 3. Block until the network lets up (bounded retry, ~13 min worst case).
await node.sendBlocking(stream, [Buffer.from('{}')]);

// Live stats — tx/rx seq, in-flight, window, backpressure count (BigInts).
const stats = node.streamStats(peerNodeId, 0x42n);
// --- end of seed ---

const received: string[] = [];
for (let i = 0; i < 3; i++) received.push((await peer.recv(inbox, { timeoutMs: 5000 })).toString());
console.log(`peer received: ${received.join(' ')}`);
console.log(`stats: txSeq ${stats?.txSeq} window ${stats?.window} backpressureEvents ${stats?.backpressureEvents} (${typeof stats?.txSeq})`);
console.log(`drops: ${metrics.counts.get('stream.backpressure_drops') ?? 0}`);

// Once the peer is gone, a send is a NotConnectedError.
await peer.shutdown();
while (node.peerState(peerNodeId) !== 'dead') await new Promise((r) => setTimeout(r, 10));
try {
  await node.sendOnStream(stream, [Buffer.from('{}')]);
} catch (e) {
  console.log(`after the peer left: ${e instanceof NotConnectedError ? `NotConnectedError(${e.kind})` : e}`);
}
await node.shutdown();
