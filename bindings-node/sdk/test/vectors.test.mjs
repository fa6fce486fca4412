// Golden vectors (tests/vectors): the Node face must reproduce every value
// byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Identity, IdentityError, PermissionToken, TokenError, channelHash, channelWireHash } from '@net-mesh/sdk';

const dir = new URL('../../../tests/vectors/', import.meta.url);
const load = (name) => JSON.parse(readFileSync(new URL(name, dir), 'utf8'));
const hex = (s) => Buffer.from(s, 'hex');

test('identity.json: keys, ids and signatures', () => {
  const { cases } = load('identity.json');
  assert.ok(cases.length >= 4);
  for (const c of cases) {
    const id = Identity.fromSeed(hex(c.seed));
    assert.equal(id.toBytes().toString('hex'), c.seed);
    assert.equal(id.entityId.toString('hex'), c.entity_id);
    assert.equal(id.nodeId, BigInt(c.node_id));
    assert.equal(id.nodeId.toString(16).padStart(16, '0'), c.node_id_hex);
    assert.equal(id.originHash, BigInt(c.origin_hash));
    assert.equal(id.originHash.toString(16).padStart(16, '0'), c.origin_hash_hex);
    const sig = id.sign(hex(c.message));
    assert.equal(sig.toString('hex'), c.signature);
    assert.equal(Identity.verify(hex(c.entity_id), hex(c.message), sig), true);
    const bad = Buffer.from(sig);
    bad[0] ^= 1;
    assert.equal(id.verify(hex(c.message), bad), false);
  }
});

test('tokens.json valid: issuing reproduces the bytes; parsing gives the fields back', () => {
  const { valid } = load('tokens.json');
  for (const v of valid) {
    const issuer = Identity.fromSeed(hex(v.issuer_seed));
    assert.equal(issuer.entityId.toString('hex'), v.issuer_entity_id);
    assert.equal(channelHash(v.channel), v.channel_hash, v.name);
    const token = issuer.issueTokenAt({
      subject: hex(v.subject_entity_id),
      scope: v.scope,
      channel: v.channel,
      notBefore: v.not_before,
      notAfter: v.not_after,
      delegationDepth: v.delegation_depth,
      nonce: BigInt(v.nonce),
    });
    assert.equal(token.bytes.length, 161);
    assert.equal(token.bytes.toString('hex'), v.token, v.name);
    assert.equal(token.signingMessage().toString('hex'), v.signing_message, v.name);
    assert.equal(token.signature.toString('hex'), v.signature, v.name);
    const parsed = PermissionToken.fromBytes(hex(v.token));
    assert.equal(parsed.issuer.toString('hex'), v.issuer_entity_id);
    assert.equal(parsed.subject.toString('hex'), v.subject_entity_id);
    assert.deepEqual(parsed.scope, v.scope);
    assert.equal(parsed.scopeBits, v.scope_bits);
    assert.equal(parsed.channelHash, v.channel_hash);
    assert.equal(parsed.notBefore, BigInt(v.not_before));
    assert.equal(parsed.notAfter, BigInt(v.not_after));
    assert.equal(parsed.delegationDepth, v.delegation_depth);
    assert.equal(parsed.nonce, BigInt(v.nonce));
    assert.equal(parsed.bytes.toString('hex'), v.token);
    parsed.verify(BigInt(v.verify_at));
    assert.equal(parsed.isValid(v.verify_at), true);
  }
});

test('tokens.json invalid: the first failure has the expected kind', () => {
  const { invalid } = load('tokens.json');
  for (const v of invalid) {
    assert.throws(
      () => PermissionToken.fromBytes(hex(v.token)).verify(BigInt(v.verify_at)),
      (e) => e instanceof TokenError && e.kind === v.kind,
      `${v.name}: expected ${v.kind}`,
    );
  }
});

test('tokens.json chains: verifyChain agrees link by link', () => {
  const { chains } = load('tokens.json');
  for (const c of chains) {
    const links = c.links.map(hex);
    if (c.kind === null) {
      PermissionToken.verifyChain(links, BigInt(c.verify_at));
      PermissionToken.verifyChain(links.map((l) => PermissionToken.fromBytes(l)), c.verify_at);
    } else {
      assert.throws(
        () => PermissionToken.verifyChain(links, BigInt(c.verify_at)),
        (e) => e instanceof TokenError && e.kind === c.kind,
        `${c.name}: expected ${c.kind}`,
      );
    }
  }
});

test('channels.json: hashes of valid names; invalid names refused with kind invalid_channel', () => {
  const { valid, invalid } = load('channels.json');
  for (const v of valid) {
    assert.equal(channelHash(v.name), v.hash, v.name);
    assert.equal(channelWireHash(v.name), v.wire_hash, v.name);
  }
  for (const v of invalid) {
    assert.throws(() => channelHash(v.name), (e) => e instanceof IdentityError && e.kind === v.kind, `${v.reason}: ${JSON.stringify(v.name)}`);
  }
});
