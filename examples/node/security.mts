// The seed README's "Security" example, as written (package
// @net-mesh/sdk): identity from a seed, a mesh node sharing its keypair,
// stable ids, and a scoped subscribe grant whose bytes are the 161-byte
// wire form. Afterwards a peer handshakes with the mesh and sees that
// identity. Run via `make demo-node`.
import { randomBytes } from 'node:crypto';
import { Identity, MeshNode, PermissionToken, TokenError } from '@net-mesh/sdk';

// --- seed: Security ---
// Load once from caller-owned storage (vault / KMS / env secret).
// The persisted form IS the 32-byte seed; treat as secret material.
const seed = randomBytes(32);
const identity = Identity.fromSeed(seed);

// Stable entity_id / node_id across restarts — derived from the seed.
const mesh = await MeshNode.create({
  bindAddr: '127.0.0.1:9001',
  psk: '42'.repeat(32),
  identitySeed: seed, // mesh and identity share the keypair
});
// mesh.entityId().equals(identity.entityId) // true — compare via
// Buffer.equals(), since `===` on Buffers checks reference identity
// not byte equality.

// Issue a scoped subscribe grant for another entity.
const grantee = Identity.generate();
const token = identity.issueToken({
  subject: grantee.entityId,
  scope: ['subscribe'],
  channel: 'sensors/temp',
  ttlSeconds: 300, // `0` throws — zero TTL would mint a born-expired token
  delegationDepth: 0, // 0 forbids re-delegation
});

// `token.bytes` is the transport-ready 161-byte blob.
// Ship it to the grantee; they hand it back on subscribe.
// --- end of seed ---

// Stable ids across restarts: the same seed gives the same identity.
const again = Identity.fromSeed(identity.toBytes());
console.log('entity id stable:', again.entityId.equals(identity.entityId), 'node id:', identity.nodeId.toString(16));
console.log('mesh shares the keypair:', mesh.entityId().equals(identity.entityId), mesh.nodeId() === identity.nodeId);

// A peer holding the PSK handshakes with the mesh: the identity it
// authenticated is the one from the seed.
const peer = await MeshNode.create({ bindAddr: '127.0.0.1:0', psk: '42'.repeat(32) });
const accepted = mesh.accept(peer.nodeId());
await peer.connect(mesh.localAddr(), mesh.publicKey(), mesh.nodeId());
await accepted;
console.log('peer authenticated the identity:', peer.peers()[0]?.entityId.equals(identity.entityId));
await peer.shutdown();
await mesh.shutdown();

// The grantee receives the bytes, parses and verifies them.
const received = PermissionToken.fromBytes(token.bytes);
received.verify();
console.log(`token: ${token.bytes.length} bytes, scope ${received.scope.join('|')}, for grantee: ${received.subject.equals(grantee.entityId)}`);

// A zero TTL throws, as the seed says.
try {
  identity.issueToken({ subject: grantee.entityId, scope: ['subscribe'], channel: 'sensors/temp', ttlSeconds: 0 });
} catch (e) {
  console.log(`ttlSeconds 0: ${e instanceof TokenError ? `TokenError(${e.kind})` : e}`);
}
