// Identities and permission tokens: every method and failure path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Identity, IdentityError, NetError, PermissionToken, Token, TokenError } from '@net-mesh/sdk';

const now = () => BigInt(Math.floor(Date.now() / 1000));

test('generate and fromSeed: stable ids of the right shapes', () => {
  const a = Identity.generate();
  const b = Identity.generate();
  assert.ok(Buffer.isBuffer(a.entityId));
  assert.equal(a.entityId.length, 32);
  assert.equal(typeof a.nodeId, 'bigint');
  assert.equal(typeof a.originHash, 'bigint');
  assert.ok(a.nodeId >= 0n && a.nodeId < 2n ** 64n);
  assert.notEqual(a.nodeId, a.originHash);
  assert.equal(a.entityId.equals(b.entityId), false);
  const seed = randomBytes(32);
  const x = Identity.fromSeed(seed);
  const y = Identity.fromSeed(new Uint8Array(seed));
  assert.ok(x.entityId.equals(y.entityId));
  assert.equal(x.nodeId, y.nodeId);
  assert.ok(x.toBytes().equals(seed));
  assert.ok(Identity.fromSeed(a.toBytes()).entityId.equals(a.entityId));
});

test('fromSeed refuses a wrong seed length with IdentityError invalid_length', () => {
  for (const len of [0, 16, 31, 33, 64]) {
    assert.throws(
      () => Identity.fromSeed(Buffer.alloc(len)),
      (e) => e instanceof IdentityError && e instanceof Error && e.kind === 'invalid_length' && /32 bytes/.test(e.message),
    );
  }
  assert.throws(() => Identity.fromSeed('not bytes'), (e) => e instanceof IdentityError && e.kind === 'invalid_argument');
});

test('sign and verify', () => {
  const id = Identity.generate();
  const sig = id.sign('hello net');
  assert.equal(sig.length, 64);
  assert.equal(id.verify('hello net', sig), true);
  assert.equal(id.verify('hello nets', sig), false);
  assert.equal(Identity.generate().verify('hello net', sig), false);
  assert.throws(() => id.verify('x', Buffer.alloc(10)), (e) => e instanceof IdentityError && e.kind === 'invalid_length');
  assert.throws(() => Identity.verify(Buffer.alloc(31), 'x', sig), (e) => e instanceof IdentityError && e.kind === 'invalid_length');
});

test('issueToken: a 161-byte grant that verifies and parses back', () => {
  const issuer = Identity.generate();
  const grantee = Identity.generate();
  const token = issuer.issueToken({ subject: grantee.entityId, scope: ['subscribe', 'publish'], channel: 'sensors/temp', ttlSeconds: 300, delegationDepth: 2 });
  assert.ok(token instanceof PermissionToken);
  assert.equal(Token, PermissionToken);
  assert.ok(Buffer.isBuffer(token.bytes));
  assert.equal(token.bytes.length, 161);
  assert.equal(PermissionToken.WIRE_SIZE, 161);
  assert.ok(token.issuer.equals(issuer.entityId));
  assert.ok(token.subject.equals(grantee.entityId));
  assert.deepEqual(token.scope, ['publish', 'subscribe']);
  assert.equal(token.scopeBits, 3);
  assert.equal(token.delegationDepth, 2);
  assert.equal(token.notAfter - token.notBefore, 300n);
  assert.ok(token.notBefore <= now() && now() <= token.notBefore + 1n);
  assert.equal(typeof token.nonce, 'bigint');
  assert.equal(token.signature.length, 64);
  token.verify();
  assert.equal(token.isValid(), true);
  assert.equal(token.grants('subscribe', 'sensors/temp'), true);
  assert.equal(token.grants('admin', 'sensors/temp'), false);
  assert.equal(token.grants('subscribe', 'sensors/other'), false);
  const parsed = PermissionToken.fromBytes(token.bytes);
  assert.ok(parsed.bytes.equals(token.bytes));
  parsed.verify(new Date());
  assert.throws(() => parsed.verify(token.notAfter), (e) => e instanceof TokenError && e.kind === 'expired');
  assert.throws(() => parsed.verify(Number(token.notBefore) - 1), (e) => e instanceof TokenError && e.kind === 'not_yet_valid');
  assert.equal(parsed.isValid(token.notAfter + 10n), false);
  const fromIdentity = issuer.issueToken({ subject: grantee, scope: 'admin', channel: 'a', ttlSeconds: 1 });
  assert.ok(fromIdentity.subject.equals(grantee.entityId));
  assert.equal(fromIdentity.delegationDepth, 0);
});

test('issueToken failure paths', () => {
  const issuer = Identity.generate();
  const subject = Identity.generate().entityId;
  const base = { subject, scope: ['subscribe'], channel: 'sensors/temp', ttlSeconds: 300 };
  assert.throws(() => issuer.issueToken({ ...base, ttlSeconds: 0 }), (e) => e instanceof TokenError && e.kind === 'zero_ttl');
  for (const ttl of [-1, 1.5, NaN, Infinity]) {
    assert.throws(() => issuer.issueToken({ ...base, ttlSeconds: ttl }), (e) => e instanceof IdentityError && e.kind === 'invalid_argument', String(ttl));
  }
  assert.throws(() => issuer.issueToken({ ...base, scope: ['subscribe', 'root'] }), (e) => e instanceof IdentityError && e.kind === 'unknown_scope');
  assert.throws(() => issuer.issueToken({ ...base, channel: 'a//b' }), (e) => e instanceof IdentityError && e.kind === 'invalid_channel');
  assert.throws(() => issuer.issueToken({ ...base, subject: Buffer.alloc(31) }), (e) => e instanceof IdentityError && e.kind === 'invalid_length');
  // y = 0 is a small-order point: a weak key never names an entity.
  assert.throws(() => issuer.issueToken({ ...base, subject: Buffer.alloc(32) }), (e) => e instanceof IdentityError && e.kind === 'invalid_entity_id');
  assert.throws(() => issuer.issueToken({ ...base, delegationDepth: 256 }), (e) => e instanceof IdentityError && e.kind === 'invalid_argument');
  assert.throws(() => issuer.issueTokenAt({ ...base, notBefore: 0, notAfter: -1, nonce: 1 }), (e) => e instanceof IdentityError && e.kind === 'invalid_argument');
});

test('tampered token bytes fail verification with the token kind', () => {
  const issuer = Identity.generate();
  const token = issuer.issueToken({ subject: Identity.generate().entityId, scope: ['publish'], channel: 'c', ttlSeconds: 60 });
  for (const at of [0, 40, 64 + 1, 70, 75, 89, 100, 160]) {
    const bytes = Buffer.from(token.bytes);
    bytes[at] ^= 0x01;
    assert.throws(
      () => PermissionToken.fromBytes(bytes).verify(),
      (e) => e instanceof TokenError && ['invalid_signature', 'invalid_format'].includes(e.kind),
      `byte ${at}`,
    );
  }
  const sig = Buffer.from(token.bytes);
  sig[130] ^= 0x80;
  assert.throws(() => PermissionToken.fromBytes(sig).verify(), (e) => e instanceof TokenError && e.kind === 'invalid_signature');
  for (const len of [0, 160, 162]) {
    assert.throws(() => PermissionToken.fromBytes(Buffer.alloc(len)), (e) => e instanceof TokenError && e.kind === 'invalid_format');
  }
});

test('delegate: narrower children verify as a chain; misuse has the token kinds', () => {
  const root = Identity.generate();
  const middle = Identity.generate();
  const leaf = Identity.generate();
  const parent = root.issueToken({ subject: middle, scope: ['subscribe', 'delegate'], channel: 'jobs', ttlSeconds: 600, delegationDepth: 1 });
  const child = middle.delegate(parent, { subject: leaf, scope: ['subscribe'], ttlSeconds: 300 });
  assert.equal(child.delegationDepth, 0);
  assert.ok(child.issuer.equals(middle.entityId));
  assert.equal(child.channelHash, parent.channelHash);
  PermissionToken.verifyChain([parent, child]);
  PermissionToken.verifyChain([parent.bytes, child.bytes], now());
  assert.throws(() => leaf.delegate(child, { subject: root, scope: ['subscribe'], ttlSeconds: 10 }), (e) => e instanceof TokenError && e.kind === 'delegation_not_allowed');
  assert.throws(() => middle.delegate(parent, { subject: leaf, scope: ['publish'], ttlSeconds: 10 }), (e) => e instanceof TokenError && e.kind === 'delegation_not_allowed');
  assert.throws(() => leaf.delegate(parent, { subject: leaf, scope: ['subscribe'], ttlSeconds: 10 }), (e) => e instanceof TokenError && e.kind === 'delegation_not_allowed');
  assert.throws(() => middle.delegate(parent, { subject: leaf, scope: ['subscribe'], ttlSeconds: 0 }), (e) => e instanceof TokenError && e.kind === 'zero_ttl');
  const noDepth = root.issueToken({ subject: middle, scope: ['subscribe', 'delegate'], channel: 'jobs', ttlSeconds: 600 });
  assert.throws(() => middle.delegate(noDepth, { subject: leaf, scope: ['subscribe'], ttlSeconds: 10 }), (e) => e instanceof TokenError && e.kind === 'delegation_exhausted');
  assert.throws(() => PermissionToken.verifyChain([child, parent]), (e) => e instanceof TokenError);
  assert.throws(() => PermissionToken.verifyChain([]), (e) => e instanceof TokenError && e.kind === 'invalid_format');
  assert.throws(() => PermissionToken.verifyChain([parent], 1.5), (e) => e instanceof NetError && e.kind === 'invalid_argument');
});
