// Capabilities without a mesh: the seed's builders, predicates, traces,
// reports, validation, diff, scope helpers, and the typed errors of bad
// input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CapabilityError,
  MAX_CAPABILITY_HOPS,
  NetError,
  RESERVED_PREFIXES,
  RPC_WHERE_HEADER,
  capabilitiesToJson,
  diffCapabilities,
  emptyCapabilities,
  evaluatePredicate,
  evaluatePredicateWithTrace,
  isReportValid,
  normalizeCapabilities,
  p,
  predicateDebugReport,
  predicateFromRpcHeader,
  predicateToJson,
  predicateToRpcHeader,
  redactMetadataKeys,
  renderDebugReport,
  requireAxisValue,
  requireTag,
  tagFromUserString,
  validateCapabilities,
  withMetadata,
  withRegionScope,
  withSubnetLocalScope,
  withTenantScope,
} from '@net-mesh/sdk';
import * as meshModule from '@net-mesh/sdk/mesh';

const kind = (k) => (e) => e instanceof CapabilityError && e instanceof NetError && e.kind === k;

/** The seed's chain and predicate (paths as text here; the vectors test builds it with `{ axis, key }`). */
function seedExample() {
  const caps = withMetadata(requireAxisValue(requireTag(emptyCapabilities(), 'hardware', 'gpu'), 'software', 'os', 'linux'), 'intent', 'ml-training');
  const pred = p.and(p.exists('hardware.gpu'), p.numericAtLeast('hardware.memory_gb', 64), p.metadataEquals('intent', 'ml-training'));
  return { caps, pred };
}

test('constants are the core’s', () => {
  assert.equal(RPC_WHERE_HEADER, 'net-where');
  assert.deepEqual([...RESERVED_PREFIXES], ['hardware.', 'software.', 'model.', 'scope:']);
  assert.equal(MAX_CAPABILITY_HOPS, 16);
  assert.equal(meshModule.CapabilityError, CapabilityError);
});

test('chain helpers build the wire shape without touching their input, as the core does', () => {
  const { caps } = seedExample();
  assert.deepEqual(caps, { tags: ['hardware.gpu', 'software.os=linux'], metadata: { intent: 'ml-training' } });
  const again = requireTag(caps, 'hardware', 'gpu');
  assert.deepEqual(again.tags, caps.tags, 'requireTag is idempotent');
  const changed = requireAxisValue(caps, 'software', 'os', 'freebsd');
  assert.deepEqual(changed.tags, ['hardware.gpu', 'software.os=freebsd'], 'a new value replaces the old one');
  assert.deepEqual(caps.tags, ['hardware.gpu', 'software.os=linux'], 'the input is unchanged');
  assert.equal(capabilitiesToJson(changed), JSON.stringify(changed), 'already canonical');
  assert.throws(() => requireTag(caps, 'hardwre', 'gpu'), kind('invalid_tag'));
  assert.deepEqual(withTenantScope(withTenantScope(['m'], 'oem-123'), 'oem-123'), ['m', 'scope:tenant:oem-123']);
  assert.deepEqual(withRegionScope([], 'eu'), ['scope:region:eu']);
  assert.deepEqual(withSubnetLocalScope(withSubnetLocalScope([])), ['scope:subnet-local']);
  assert.equal(tagFromUserString('  gpu '), 'gpu');
  for (const bad of ['', 'hardware.gpu', 'scope:tenant:x', 'a\u0007b', 'x'.repeat(300)]) {
    assert.throws(() => tagFromUserString(bad), kind('invalid_tag'), JSON.stringify(bad));
  }
});

test('typed sections in camelCase normalize to the core tags', () => {
  const caps = normalizeCapabilities({
    hardware: { cpuCores: 16, memoryGb: 64, gpu: { vendor: 'nvidia', model: 'h100', vramGb: 80 } },
    software: { os: 'linux', runtimes: { cudaRuntime: '12.4' } },
    models: [{ modelId: 'llama-3.1-70b', family: 'llama', contextLength: 128_000 }],
    tags: ['gpu', 'prod', 'gpu'],
    metadata: { someKey: 'v' },
  });
  assert.ok(caps.tags.includes('hardware.gpu_vram_mb=81920'));
  assert.ok(caps.tags.includes('model.llama-3.1-70b.context_length=128000'));
  assert.ok(caps.tags.some((t) => t.includes('cudaRuntime')), 'runtime names are user data, not renamed');
  assert.deepEqual(caps.metadata, { someKey: 'v' }, 'metadata keys are user data, not renamed');
  assert.equal(caps.tags.filter((t) => t === 'gpu').length, 1);
});

test('predicates evaluate, trace, travel as a header and profile a corpus', () => {
  const { caps, pred } = seedExample();
  assert.equal(evaluatePredicate(pred, caps.tags, caps.metadata), false, 'no memory tag');
  const big = { tags: [...caps.tags, 'hardware.memory_gb=128'], metadata: caps.metadata };
  assert.equal(evaluatePredicate(pred, big.tags, big.metadata), true);
  const { result, trace } = evaluatePredicateWithTrace(pred, caps.tags, caps.metadata);
  assert.equal(result, false);
  assert.deepEqual(trace.map((c) => [c.id, c.verdict]), [['0', 'false'], ['0.0', 'true'], ['0.1', 'false'], ['0.2', 'skipped']]);
  assert.deepEqual(trace[1], { id: '0.0', op: 'exists', subject: 'hardware.gpu', verdict: 'true' });
  assert.equal(trace[2].expected, '>= 64');

  const header = predicateToRpcHeader(pred);
  assert.match(header, /^[A-Za-z0-9_-]+$/, 'base64url without padding');
  assert.equal(Buffer.from(header, 'base64url').toString(), predicateToJson(pred));
  assert.deepEqual(predicateFromRpcHeader(header), pred);
  assert.deepEqual(predicateFromRpcHeader(new TextEncoder().encode(header)), pred);

  const every = [
    p.or(p.tagPrefix('software.'), p.not(p.equals('software.os', 'linux'))),
    p.numericAtMost('hardware.memory_gb', 128),
    p.numericBetween('hardware.memory_gb', 100, 200),
    p.and(),
  ];
  for (const q of every) assert.equal(evaluatePredicate(q, big.tags, big.metadata), true, JSON.stringify(q));
  assert.equal(evaluatePredicate(p.or(), [], {}), false);
  assert.equal(evaluatePredicate(p.exists('x'), ['x=1']), true, 'metadata is optional');

  const debug = predicateDebugReport(pred, [caps, big]);
  assert.equal(debug.total, 2);
  assert.equal(debug.matched, 1);
  assert.deepEqual(debug.clauses[3], { id: '0.2', op: 'metadata_equals', subject: 'intent', expected: 'ml-training', evaluated: 1, trueCount: 1, falseCount: 0, skipped: 1 });
  const safe = redactMetadataKeys(debug, ['intent']);
  assert.equal(safe.clauses[3].expected, '<redacted>');
  assert.equal(debug.clauses[3].expected, 'ml-training', 'the input report is unchanged');
  const text = renderDebugReport(safe);
  assert.match(text, /^matched 1\/2\n/);
  assert.ok(!text.includes('ml-training'));
  assert.ok(renderDebugReport(debug).includes('ml-training'));
});

test('validation reports typed schema errors; diff reports what changed', () => {
  const { caps } = seedExample();
  const ok = validateCapabilities(caps);
  assert.deepEqual(ok, { valid: true, errors: [] });
  assert.equal(isReportValid(ok), true);
  const report = validateCapabilities({
    tags: ['hardwre.gpu', 'hardware.memroy_gb=64', 'hardware.cpu_cores=many', 'scope:tenant:'],
    metadata: { big: 'x'.repeat(2000) },
  });
  assert.equal(isReportValid(report), false);
  assert.deepEqual(report.errors.map((e) => e.kind), ['unknown_axis', 'unknown_key', 'type_mismatch', 'invalid_scope', 'oversize_metadata']);
  assert.equal(report.errors[0].suggestion, 'hardware');
  assert.equal(report.errors[1].suggestion, 'memory_gb');

  const prev = { tags: ['a', 'b'], metadata: { k: '1', gone: 'x' } };
  const next = { tags: ['b', 'c'], metadata: { k: '2', new: 'y' } };
  assert.deepEqual(diffCapabilities(prev, next), {
    addedTags: ['c'],
    removedTags: ['a'],
    metadata: [
      { kind: 'removed', key: 'gone', value: 'x' },
      { kind: 'changed', key: 'k', old: '1', new: '2' },
      { kind: 'added', key: 'new', value: 'y' },
    ],
  });
  assert.deepEqual(diffCapabilities(next, next), { addedTags: [], removedTags: [], metadata: [] });
});

test('bad input: typed CapabilityError with the core’s kind', () => {
  const { caps, pred } = seedExample();
  assert.throws(() => evaluatePredicate({ op: 'nope', path: 'x' }, []), kind('invalid_predicate'));
  assert.throws(() => evaluatePredicate({ op: 'exists' }, []), kind('invalid_predicate'));
  assert.throws(() => predicateToRpcHeader(p.numericAtLeast('x', NaN)), kind('invalid_predicate'));
  assert.throws(() => predicateToJson(p.numericBetween('x', 2, 1)), kind('invalid_predicate'));
  let deep = p.exists('x');
  for (let i = 0; i < 40; i++) deep = p.not(deep);
  assert.throws(() => predicateToJson(deep), kind('invalid_predicate'));
  for (const bad of ['!!', 'e30', 'e30=', '', 'x'.repeat(9000)]) {
    assert.throws(() => predicateFromRpcHeader(bad), kind('invalid_header'), JSON.stringify(bad.slice(0, 10)));
  }
  assert.throws(() => normalizeCapabilities({ tagz: [] }), kind('invalid_json'));
  assert.throws(() => normalizeCapabilities({ hardware: { gpu: { vendor: 'acme' } } }), kind('invalid_json'));
  assert.throws(() => normalizeCapabilities({ hardware: { gpu: { vendor: 'nvidia', vramMb: 1, vramGb: 1 } } }), kind('invalid_json'));
  assert.throws(() => diffCapabilities(caps, { tags: 'gpu' }), kind('invalid_json'));
  // Values of the wrong type.
  assert.throws(() => evaluatePredicate(pred, 'hardware.gpu'), kind('invalid_argument'));
  assert.throws(() => evaluatePredicate(pred, [1, 2]), kind('invalid_argument'));
  assert.throws(() => evaluatePredicate(undefined, []), kind('invalid_argument'));
  assert.throws(() => evaluatePredicate(pred, [], { k: 1 }), kind('invalid_argument'));
  assert.throws(() => validateCapabilities(null), kind('invalid_argument'));
  assert.throws(() => predicateFromRpcHeader(42), kind('invalid_argument'));
  const cyclic = { tags: [] };
  cyclic.self = cyclic;
  assert.throws(() => validateCapabilities(cyclic), kind('invalid_argument'));
  assert.throws(() => renderDebugReport({ total: 'x' }), kind('invalid_json'));
});
