// Capabilities on a live mesh (127.0.0.1, ephemeral ports): announce and
// find across hops, every scope kind, subnets derived from tags, forged /
// tampered / replayed announcements refused and counted, TTL eviction,
// coalescing, and the typed errors of bad input. Every test shuts down the
// nodes it started.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CapabilityError, MeshNode, NetError, withRegionScope, withSubnetLocalScope, withTenantScope } from '@net-mesh/sdk';

const PSK = '42'.repeat(32);
const POLICY = {
  rules: [
    { tagPrefix: 'region:', level: 0, values: { us: 3, eu: 4 } },
    { tagPrefix: 'fleet:', level: 1, values: { blue: 7, green: 8 } },
  ],
};

/** Nodes with immediate broadcasts; shut down after `fn`, pass or fail. */
async function withNodes(configs, fn) {
  const nodes = [];
  try {
    for (const c of configs) nodes.push(await MeshNode.create({ bindAddr: '127.0.0.1:0', psk: PSK, minAnnounceIntervalMs: 0, ...c }));
    await fn(...nodes);
  } finally {
    for (const n of nodes) await n.shutdown();
  }
}

/** `a` dials `b`; both run their timers. */
async function link(a, b) {
  const accepted = b.accept(a.nodeId(), { timeoutMs: 5000 });
  await a.connect(b.localAddr(), b.publicKey(), b.nodeId());
  await accepted;
  a.start();
  b.start();
}

async function eventually(check, what) {
  for (let i = 0; i < 1000; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`never happened: ${what}`);
}

const sorted = (ids) => [...ids].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));

test('a line A–B–C: each end finds the other through B, with the hop count', async () => {
  await withNodes([{}, {}, {}], async (a, b, c) => {
    await link(a, b);
    await link(b, c);
    await a.announceCapabilities({ tags: ['role:a'] });
    await c.announceCapabilities({
      hardware: { cpuCores: 16, memoryGb: 64, gpu: { vendor: 'nvidia', model: 'h100', vramGb: 80 } },
      models: [{ modelId: 'llama-3.1-70b', family: 'llama', contextLength: 128_000 }],
      tags: ['gpu', 'prod'],
    });
    const gpu = { requireGpu: true, gpuVendor: 'nvidia', minVramMb: 40_000 };
    await eventually(() => a.findNodes(gpu).includes(c.nodeId()), 'A finds C');
    await eventually(() => c.findNodes({ requireTags: ['role:a'] }).includes(a.nodeId()), 'C finds A');
    assert.deepEqual(c.findNodes(gpu), [c.nodeId()], 'self-match');
    const info = a.capabilitiesOf(c.nodeId());
    assert.equal(info.hops, 2);
    assert.ok(info.entityId.equals(c.entityId()));
    assert.equal(info.version > 0n, true);
    assert.ok(info.capabilities.tags.includes('hardware.gpu_vram_mb=81920'));
    assert.deepEqual(info.scope, { kind: 'global' });
    assert.equal(a.capabilitiesOf(a.nodeId()).hops, 0);
    assert.equal(a.capabilitiesOf(123n), null);
    assert.deepEqual(a.findNodes({ model: 'llama-3.1-70b', minContextLength: 100_000 }), [c.nodeId()]);
    assert.deepEqual(a.findNodes({ predicate: { op: 'num_at_least', path: 'hardware.memory_gb', value: 64 } }), [c.nodeId()]);
    assert.deepEqual(a.findNodes({ model: 'llama-3.1-70b', minContextLength: 200_000 }), []);
    assert.deepEqual(a.findNodes(), sorted([a.nodeId(), c.nodeId()]), 'an empty filter matches every node that announced');
    const stats = b.capabilityStats();
    assert.ok(stats.forwarded >= 2n && stats.accepted >= 2n, `B forwarded both ways: ${stats.forwarded}`);
    assert.equal(typeof stats.entries, 'bigint');
  });
});

test('scoped queries: every ScopeFilter kind, tenant helpers, and the best node', async () => {
  const subnet = { subnet: { levels: [3, 7] }, subnetPolicy: POLICY };
  await withNodes([subnet, subnet, subnet, subnet, subnet], async (q, global, tenant, region, local) => {
    for (const n of [global, tenant, region, local]) await link(q, n);
    await global.announceCapabilities({ tags: ['pool', 'region:us', 'fleet:blue'], hardware: { gpu: { vendor: 'nvidia', vramGb: 24 } } });
    await tenant.announceCapabilities({ tags: withTenantScope(withTenantScope(['pool'], 'oem-123'), 'oem-123'), hardware: { gpu: { vendor: 'nvidia', vramGb: 80 } } });
    await region.announceCapabilities({ tags: withRegionScope(['pool'], 'eu') });
    await local.announceCapabilities({ tags: withSubnetLocalScope(['pool', 'region:us', 'fleet:blue']) });
    const f = { requireTags: ['pool'] };
    await eventually(() => q.findNodes(f).length === 4, 'q knows all four');
    const ids = (...ns) => sorted(ns.map((n) => n.nodeId()));
    const scoped = (scope) => sorted(q.findNodesScoped(f, scope));
    assert.deepEqual(scoped({ kind: 'any' }), ids(global, tenant, region));
    assert.deepEqual(scoped({ kind: 'globalOnly' }), ids(global));
    assert.deepEqual(scoped({ kind: 'sameSubnet' }), ids(global, local));
    assert.deepEqual(scoped({ kind: 'tenant', tenant: 'oem-123' }), ids(global, tenant));
    assert.deepEqual(scoped({ kind: 'tenant', tenant: 'other' }), ids(global));
    assert.deepEqual(scoped({ kind: 'tenants', tenants: ['x', 'oem-123'] }), ids(global, tenant));
    assert.deepEqual(scoped({ kind: 'region', region: 'eu' }), ids(global, region));
    assert.deepEqual(scoped({ kind: 'regions', regions: ['us'] }), ids(global));
    assert.deepEqual(q.capabilitiesOf(tenant.nodeId()).scope, { kind: 'tenants', tenants: ['oem-123'] });
    assert.deepEqual(q.capabilitiesOf(local.nodeId()).scope, { kind: 'subnetLocal' });
    assert.equal(q.findBestNodeScoped({ requireGpu: true }, { kind: 'tenant', tenant: 'oem-123' }), tenant.nodeId());
    assert.equal(q.findBestNodeScoped({ requireGpu: true }, { kind: 'globalOnly' }), global.nodeId());
    assert.equal(q.findBestNodeScoped({ requireTags: ['nothing'] }, { kind: 'any' }), null);
  });
});

test('subnets: every node derives the same subnet from announced tags', async () => {
  await withNodes([{ subnet: { levels: [3, 7] }, subnetPolicy: POLICY }, { subnetPolicy: POLICY }, { subnet: { levels: [3, 7] }, subnetPolicy: POLICY }], async (a, b, c) => {
    await link(a, b);
    await link(b, c);
    assert.deepEqual(a.subnet(), { levels: [3, 7] });
    assert.deepEqual(b.subnet(), { levels: [] });
    await c.announceCapabilities({ tags: ['region:us', 'fleet:blue'] });
    await a.announceCapabilities({ tags: ['region:eu', 'fleet:green'] });
    await eventually(() => a.peerSubnet(c.nodeId()) !== null && b.peerSubnet(a.nodeId()) !== null, 'both announcements arrived');
    assert.deepEqual(a.peerSubnet(c.nodeId()), { levels: [3, 7] });
    assert.deepEqual(b.peerSubnet(c.nodeId()), { levels: [3, 7] });
    assert.deepEqual(b.peerSubnet(a.nodeId()), { levels: [4, 8] });
    await eventually(() => c.peerSubnet(a.nodeId()) !== null, 'C heard A');
    assert.deepEqual(c.peerSubnet(a.nodeId()), { levels: [4, 8] });
    assert.deepEqual(a.peerSubnet(a.nodeId()), { levels: [3, 7] }, 'a node is in its configured subnet');
    assert.equal(a.peerSubnet(1n), null);
  });
});

test('forged, tampered, malformed and replayed announcements are refused and counted by kind', async () => {
  const vectors = JSON.parse(readFileSync(new URL('../../../tests/vectors/capabilities/announcements.json', import.meta.url), 'utf8'));
  await withNodes([{}, {}], async (a, b) => {
    await link(a, b);
    const before = b.capabilityStats();
    const send = (h) => a.napi.sendCapabilityBytes(b.nodeId(), Buffer.from(h, 'hex'));
    const want = { rejectedMalformed: 0n, rejectedSignature: 0n, rejectedOrigin: 0n, rejectedStale: 0n };
    const counter = { malformed_announcement: 'rejectedMalformed', unsupported_version: 'rejectedMalformed', invalid_signature: 'rejectedSignature', origin_mismatch: 'rejectedOrigin' };
    for (const c of vectors.invalid) {
      assert.ok(counter[c.kind], `${c.name}: unexpected kind ${c.kind}`);
      send(c.wire);
      want[counter[c.kind]] += 1n;
    }
    const rejections = () => {
      const s = b.capabilityStats();
      return Object.fromEntries(Object.keys(want).map((k) => [k, s[k] - before[k]]));
    };
    await eventually(() => JSON.stringify(rejections(), (_, v) => (typeof v === 'bigint' ? String(v) : v)) === JSON.stringify(want, (_, v) => (typeof v === 'bigint' ? String(v) : v)), 'every invalid vector counted');
    for (const v of vectors.valid) {
      send(v.wire);
      await eventually(() => b.capabilitiesOf(BigInt(v.origin))?.version === BigInt(v.version), `${v.name} indexed`);
      assert.equal(b.capabilitiesOf(BigInt(v.origin)).hops, v.hop_count + 1);
    }
    // The first (older) version of an origin again: a replay.
    send(vectors.valid[0].wire);
    want.rejectedStale = 1n;
    await eventually(() => rejections().rejectedStale === 1n, 'the replay counted as stale');
    assert.deepEqual(rejections(), want);
    assert.equal(b.capabilitiesOf(BigInt(vectors.valid[0].origin)).version, BigInt(vectors.valid[1].version), 'the replay replaced nothing');
  });
});

test('TTL: a silent node is evicted on the GC tick', async () => {
  await withNodes([{ capabilityGcIntervalMs: 20 }], async (a) => {
    const b = await MeshNode.create({ bindAddr: '127.0.0.1:0', psk: PSK, capabilityTtlSecs: 1 });
    try {
      await link(a, b);
      await b.announceCapabilities({ tags: ['ephemeral'] });
      await eventually(() => a.findNodes({ requireTags: ['ephemeral'] }).includes(b.nodeId()), 'A saw B');
    } finally {
      await b.shutdown();
    }
    await eventually(() => a.capabilitiesOf(b.nodeId()) === null, "B's entry expired");
    assert.equal(a.capabilityStats().evicted, 1n);
  });
});

test('minAnnounceIntervalMs coalesces a burst of 1000 announces into one broadcast', async () => {
  await withNodes([{ minAnnounceIntervalMs: 60_000 }, {}], async (a, b) => {
    await link(a, b);
    for (let i = 0; i < 1000; i++) await a.announceCapabilities({ tags: [`burst-${i}`] });
    assert.deepEqual(a.capabilitiesOf(a.nodeId()).capabilities.tags, ['burst-999'], 'the local index holds the latest');
    await eventually(() => b.capabilitiesOf(a.nodeId()) !== null, 'B heard A');
    assert.equal(a.capabilityStats().broadcasts, 1n);
  });
});

test('bad input gets typed errors', async () => {
  await assert.rejects(
    MeshNode.create({ bindAddr: '127.0.0.1:0', psk: PSK, subnet: { levels: [1, 2, 3, 4, 5] } }),
    (e) => e instanceof CapabilityError && e.kind === 'invalid_subnet',
  );
  await assert.rejects(
    MeshNode.create({ bindAddr: '127.0.0.1:0', psk: PSK, subnetPolicy: { rules: [{ tagPrefix: 'x:', level: 0, values: { a: 0 } }] } }),
    (e) => e instanceof CapabilityError && e.kind === 'invalid_subnet',
  );
  await assert.rejects(
    MeshNode.create({ bindAddr: '127.0.0.1:0', psk: PSK, subnet: { levels: [300] } }),
    (e) => e instanceof CapabilityError && e.kind === 'invalid_subnet',
  );
  await assert.rejects(MeshNode.create({ bindAddr: '127.0.0.1:0', psk: PSK, capabilityTtlSecs: 0.5 }), (e) => e instanceof NetError && e.kind === 'invalid_argument');
  await withNodes([{}], async (n) => {
    const kind = (k) => (e) => e instanceof CapabilityError && e.kind === k;
    await assert.rejects(n.announceCapabilities({ tags: ['hardwre.gpu', 'hardware.memory_gb=lots'] }), (e) => {
      assert.ok(e instanceof CapabilityError && e.kind === 'invalid_capabilities');
      assert.deepEqual(e.report.errors.map((x) => x.kind), ['unknown_axis', 'type_mismatch']);
      return true;
    });
    const big = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'v'.repeat(1000)]));
    await assert.rejects(n.announceCapabilities({ tags: [], metadata: big }), (e) => kind('invalid_capabilities')(e) && e.report.errors.some((x) => x.kind === 'oversize_metadata'));
    await assert.rejects(n.announceCapabilities({ tagz: [] }), kind('invalid_json'));
    await assert.rejects(n.announceCapabilities({ hardware: { gpu: { vendor: 'acme' } } }), kind('invalid_json'));
    await assert.rejects(n.announceCapabilities('gpu'), kind('invalid_argument'));
    assert.throws(() => n.findNodes({ requireGpus: true }), kind('invalid_json'));
    assert.throws(() => n.findNodes({ predicate: { op: 'nope' } }), kind('invalid_json'));
    assert.throws(() => n.findNodes({ predicate: { op: 'num_between', path: 'x', min: 2, max: 1 } }), kind('invalid_predicate'));
    assert.throws(() => n.findNodesScoped({}, { kind: 'planet' }), kind('invalid_json'));
    assert.throws(() => n.findNodesScoped({}, null), kind('invalid_argument'));
    assert.throws(() => n.findNodes({ minVramMb: -1 }), kind('invalid_json'));
    assert.throws(() => n.capabilitiesOf(-1n), kind('invalid_argument'));
    assert.throws(() => n.capabilitiesOf('x'), kind('invalid_argument'));
    await n.shutdown();
    await assert.rejects(n.announceCapabilities({ tags: ['late'] }), (e) => e instanceof NetError && !(e instanceof CapabilityError) && e.kind === 'closed');
  });
});
