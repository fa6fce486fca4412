// The seed README's "Security" example (package @net-mesh/sdk): identity
// from a seed, stable ids, and a scoped subscribe grant whose bytes are
// the 161-byte wire form. The seed's MeshNode lines are left out: the
// encrypted mesh is not part of this build yet.
import { randomBytes } from 'node:crypto';
import { Identity, PermissionToken, TokenError } from '@net-mesh/sdk';

// --- seed: Security ---
// Load once from caller-owned storage (vault / KMS / env secret).
// The persisted form IS the 32-byte seed; treat as secret material.
const seed = randomBytes(32);
const identity = Identity.fromSeed(seed);

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
