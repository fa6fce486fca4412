// Golden vectors of tests/vectors/capabilities: the Node face reproduces
// capability JSON, predicate JSON and net-where header bytes, traces, scope
// resolution and visibility, subnet derivation and signed announcement
// bytes, byte for byte, as every other face does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as native from '@net-mesh/core';
import {
  CapabilityError,
  RPC_WHERE_HEADER,
  capabilitiesToJson,
  capabilityViews,
  deriveSubnet,
  evaluatePredicate,
  evaluatePredicateWithTrace,
  p,
  parseCapabilities,
  predicateFromJson,
  predicateFromRpcHeader,
  predicateToJson,
  predicateToRpcHeader,
  resolveCapabilityScope,
  scopeAdmits,
  validateCapabilities,
} from '@net-mesh/sdk';

const dir = new URL('../../../tests/vectors/capabilities/', import.meta.url);
const load = (name) => JSON.parse(readFileSync(new URL(name, dir), 'utf8'));
const hex = (b) => Buffer.from(b).toString('hex');

/** The vectors' snake_case keys as the SDK's camelCase (user-keyed maps kept). */
const camel = (v) =>
  Array.isArray(v)
    ? v.map(camel)
    : v && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/_([a-z])/g, (_, c) => c.toUpperCase()), k === 'runtimes' || k === 'values' ? x : camel(x)]))
      : v;

const isKind = (kind) => (e) => e instanceof CapabilityError && e.kind === kind;

test('capability_sets.json: canonical wire JSON, typed views, scope and schema errors', () => {
  const { cases, invalid } = load('capability_sets.json');
  assert.ok(cases.length >= 4);
  for (const c of cases) {
    assert.equal(capabilitiesToJson(c.input), c.wire, c.name);
    // The SDK's camelCase input gives the same bytes.
    assert.equal(capabilitiesToJson(camel(c.input)), c.wire, `${c.name} (camelCase)`);
    assert.equal(capabilitiesToJson(parseCapabilities(c.wire)), c.wire, `${c.name} round trip`);
    const views = capabilityViews(c.input);
    assert.deepEqual(views.hardware, camel(c.hardware), c.name);
    assert.deepEqual(views.software, camel(c.software), c.name);
    assert.deepEqual(views.models, camel(c.models), c.name);
    assert.deepEqual(views.scope, c.scope, c.name);
    assert.deepEqual(validateCapabilities(c.input).errors, c.errors, c.name);
  }
  for (const c of invalid) {
    assert.throws(() => parseCapabilities(c.input), isKind(c.kind), c.name);
  }
});

test('predicates.json: canonical JSON, header bytes, verdicts and traces', () => {
  const { cases, invalid } = load('predicates.json');
  assert.ok(cases.length >= 5);
  for (const c of cases) {
    const pred = predicateFromJson(c.json);
    assert.equal(predicateToJson(pred), c.json, c.name);
    assert.equal(RPC_WHERE_HEADER, c.header_name);
    assert.equal(predicateToRpcHeader(pred), c.header_value, c.name);
    assert.deepEqual(predicateFromRpcHeader(c.header_value), pred, c.name);
    assert.deepEqual(predicateFromRpcHeader(Buffer.from(c.header_value)), pred, `${c.name} (bytes)`);
    for (const e of c.evaluations) {
      const { result, trace } = evaluatePredicateWithTrace(pred, e.tags, e.metadata);
      assert.equal(result, e.result, c.name);
      assert.equal(evaluatePredicate(pred, e.tags, e.metadata), e.result, c.name);
      assert.deepEqual(trace.map(({ id, op, verdict }) => ({ id, op, verdict })), e.trace, c.name);
    }
  }
  for (const c of invalid) {
    assert.throws(() => predicateFromRpcHeader(c.header_value), isKind(c.kind), c.name);
  }
});

test('the seed example built with p.* has the vector header bytes', () => {
  const seed = load('predicates.json').cases.find((c) => c.name === 'seed_example');
  const pred = p.and(
    p.exists({ axis: 'hardware', key: 'gpu' }),
    p.numericAtLeast({ axis: 'hardware', key: 'memory_gb' }, 64),
    p.metadataEquals('intent', 'ml-training'),
  );
  assert.equal(predicateToJson(pred), seed.json);
  assert.equal(predicateToRpcHeader(pred), seed.header_value);
});

test('scopes.json: resolution and the visibility table', () => {
  const { resolution, visibility } = load('scopes.json');
  assert.ok(resolution.length >= 8);
  for (const c of resolution) {
    assert.deepEqual(resolveCapabilityScope(c.tags), c.scope, JSON.stringify(c.tags));
  }
  assert.equal(visibility.length, 8 * 4 * 2);
  for (const c of visibility) {
    assert.equal(scopeAdmits(c.filter, c.scope, c.same_subnet), c.admits, JSON.stringify(c));
  }
});

test('subnets.json: every case derives the vector subnet', () => {
  const { policy, cases } = load('subnets.json');
  assert.ok(cases.length >= 6);
  for (const c of cases) {
    const got = deriveSubnet(camel(policy), c.tags);
    assert.deepEqual(got, c.subnet, JSON.stringify(c.tags));
    const u32 = [0, 1, 2, 3].reduce((acc, i) => acc * 256 + (got.levels[i] ?? 0), 0);
    assert.equal(u32, c.u32);
    assert.equal(got.levels.length === 0 ? 'root' : got.levels.join('.'), c.display);
  }
});

test('announcements.json: signing reproduces the bytes; receivers refuse the invalid ones by kind', () => {
  const { valid, invalid } = load('announcements.json');
  assert.ok(valid.length >= 3 && invalid.length >= 5);
  for (const v of valid) {
    const a = native.signCapabilityAnnouncement(
      Buffer.from(v.seed, 'hex'),
      JSON.stringify(v.capabilities),
      BigInt(v.version),
      v.ttl_secs,
      v.hop_count,
    );
    assert.equal(hex(a.signedBytes), v.signed_bytes, v.name);
    assert.equal(hex(a.signingMessage), v.signing_message, v.name);
    assert.equal(hex(a.signature), v.signature, v.name);
    assert.equal(hex(a.wire), v.wire, v.name);
    assert.equal(a.origin, BigInt(v.origin));
    assert.equal(a.origin.toString(16).padStart(16, '0'), v.origin_hex);
    assert.equal(hex(a.entityId), v.entity_id);
    const back = native.verifyCapabilityAnnouncement(Buffer.from(v.wire, 'hex'));
    assert.equal(back.capabilities, capabilitiesToJson(v.capabilities));
    assert.equal(back.version, BigInt(v.version));
    assert.equal(back.hopCount, v.hop_count);
    assert.equal(back.ttlSecs, v.ttl_secs);
  }
  for (const c of invalid) {
    assert.throws(
      () => native.verifyCapabilityAnnouncement(Buffer.from(c.wire, 'hex')),
      (e) => e.code === c.kind,
      `${c.name}: expected ${c.kind}`,
    );
  }
});
