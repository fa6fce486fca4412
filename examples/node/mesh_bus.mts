// The seed README's "Encrypted mesh" transport, as written (package
// @net-mesh/sdk), with the seed's '...' filled in: the peer at
// 127.0.0.1:9001 is a second node on this machine that waits for us, and
// its key comes from its identity seed. Run via `make demo-node`.
import { Identity, NetNode } from '@net-mesh/sdk';

const psk = '42'.repeat(32);
const server = Identity.generate(); // its seed fixes the key we dial
const serving = NetNode.create({
  transport: { type: 'mesh', bind: '127.0.0.1:9001', psk, identitySeed: server.toBytes() },
});

// --- seed: Encrypted mesh ---
const node = await NetNode.create({
  transport: {
    type: 'mesh',
    bind: '127.0.0.1:9000',
    peer: '127.0.0.1:9001',
    psk,
    peerPublicKey: server.meshPublicKey.toString('hex'),
  },
});
// --- end of seed ---

const peer = await serving; // resolved once our handshake reached it
for (const token of ['alpha', 'beta', 'gamma']) node.emit({ token });
await node.shutdown(); // drains, and waits until the peer has acknowledged every event

const seen: string[] = [];
for await (const event of peer.subscribe({ fromBeginning: true })) {
  seen.push(event.raw);
  if (seen.length === 3) break;
}
console.log('the peer received:', seen.sort().join(' '));
await peer.shutdown();
