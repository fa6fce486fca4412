// The compute surface: daemons written in TypeScript hosted by the core's
// DaemonRuntime. Lifecycle, delivery, snapshots and respawn, and every
// failure a user can cause: a callback that throws, stalls or re-enters,
// a missing capability, unknown kinds and origins, wrong-type arguments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DaemonError, DaemonRuntime, Identity, MeshNode, MigrationError, NetError } from '@net-mesh/sdk';
import * as computeModule from '@net-mesh/sdk/compute';

const ev = (payload, sequence = 1n) => ({ originHash: 0x77n, sequence, payload: Buffer.from(payload) });

/** A counter of payload bytes whose state is its count (8 bytes LE). */
function counter() {
  let total = 0n;
  return {
    name: 'counter',
    process: (e) => {
      total += BigInt(e.payload.length);
      const out = Buffer.alloc(8);
      out.writeBigUInt64LE(total);
      return [out];
    },
    snapshot: () => {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(total);
      return b;
    },
    restore: (state) => {
      if (state.length !== 8) throw new Error(`bad state of ${state.length} bytes`);
      total = state.readBigUInt64LE();
    },
  };
}

async function ready(kinds = { counter }) {
  const rt = DaemonRuntime.local();
  for (const [kind, factory] of Object.entries(kinds)) rt.registerFactory(kind, factory);
  await rt.start();
  return rt;
}

/** Assert `p` rejects (or `f` throws) a DaemonError of `kind`. */
async function rejectsKind(p, kind, cls = DaemonError) {
  await assert.rejects(p, (e) => {
    assert.ok(e instanceof cls, `${e?.name}: ${e?.message}`);
    assert.equal(e.kind, kind, e.message);
    return true;
  });
}

test('spawn, deliver, snapshot, stop, then spawnFromSnapshot continues the same state', async () => {
  const rt = await ready();
  const id = Identity.generate();
  const h = await rt.spawn('counter', id);
  assert.equal(h.originHash, id.originHash);
  assert.deepEqual(h.entityId, id.entityId);
  assert.equal(rt.daemonCount(), 1);
  const outs = [];
  for (const p of ['abc', 'de', 'f']) outs.push((await rt.deliver(h.originHash, ev(p)))[0].readBigUInt64LE());
  assert.deepEqual(outs, [3n, 5n, 6n]);
  const snap = await rt.snapshot(h.originHash);
  assert.ok(Buffer.isBuffer(snap));
  assert.deepEqual(h.stats(), { eventsProcessed: 3n, eventsEmitted: 3n, errors: 0n, snapshotsTaken: 1n });

  await rt.stop(h.originHash);
  assert.equal(rt.daemonCount(), 0);
  assert.throws(() => h.stats(), (e) => e instanceof DaemonError && e.kind === 'daemon-not-found');
  await rejectsKind(rt.deliver(h.originHash, ev('x')), 'daemon-not-found');

  const again = await rt.spawnFromSnapshot('counter', id, snap);
  assert.equal(again.originHash, h.originHash);
  assert.deepEqual(again.stats(), { eventsProcessed: 0n, eventsEmitted: 0n, errors: 0n, snapshotsTaken: 0n });
  // The restored daemon's state is the one snapshotted: 6 bytes so far.
  assert.equal((await rt.deliver(again.originHash, ev('gh')))[0].readBigUInt64LE(), 8n);
  // The snapshot bytes end with the daemon's own state.
  assert.equal((await rt.snapshot(again.originHash)).subarray(-8).readBigUInt64LE(), 8n);
  await rt.shutdown();
});

test('snapshot bytes of another identity or kind, or corrupted, are refused', async () => {
  const rt = await ready({ counter, other: counter });
  const id = Identity.generate();
  const h = await rt.spawn('counter', id);
  await rt.deliver(h.originHash, ev('abc'));
  const snap = await rt.snapshot(h.originHash);
  await rejectsKind(rt.spawnFromSnapshot('counter', Identity.generate(), snap), 'snapshot-mismatch');
  await rejectsKind(rt.spawnFromSnapshot('other', id, snap), 'snapshot-mismatch');
  await rejectsKind(rt.spawnFromSnapshot('counter', id, snap.subarray(0, snap.length - 1)), 'snapshot-decode');
  await rejectsKind(rt.spawnFromSnapshot('counter', id, Buffer.from('not a snapshot')), 'snapshot-decode');
  await rejectsKind(rt.spawnFromSnapshot('counter', id, snap), 'already-running');
  await rt.stop(h.originHash);
  // A restore that throws fails the spawn with the core's state-failed, and no daemon is left.
  const broken = Buffer.from(snap);
  broken.writeUInt32LE(2, broken.length - 12);
  const short = Buffer.concat([broken.subarray(0, broken.length - 8), Buffer.from([1, 2])]);
  await rejectsKind(rt.spawnFromSnapshot('counter', id, short), 'state-failed');
  assert.equal(rt.daemonCount(), 0);
  await rt.shutdown();
});

test('a stateless daemon snapshots to null; an async factory works', async () => {
  const rt = await ready({ echo: async () => ({ name: 'echo', process: (e) => [e.payload, e.payload] }) });
  const h = await rt.spawn('echo', Identity.generate());
  assert.deepEqual(await rt.deliver(h.originHash, ev('hi')), [Buffer.from('hi'), Buffer.from('hi')]);
  assert.equal(await rt.snapshot(h.originHash), null);
  assert.equal(h.stats().eventsEmitted, 2n);
  await rt.shutdown();
});

test('a process that throws rejects deliver with callback-failed, is counted, and the daemon goes on', async () => {
  const rt = await ready({
    picky: () => ({
      name: 'picky',
      process: (e) => {
        if (e.payload.toString() === 'bad') throw new Error('I refuse bad input');
        return [e.payload];
      },
    }),
  });
  const h = await rt.spawn('picky', Identity.generate());
  await assert.rejects(rt.deliver(h.originHash, ev('bad')), (e) => {
    assert.ok(e instanceof DaemonError && e instanceof NetError && e instanceof Error);
    assert.equal(e.kind, 'callback-failed');
    assert.match(e.message, /I refuse bad input/);
    assert.doesNotMatch(e.message, /^daemon:/);
    return true;
  });
  assert.equal(h.stats().errors, 1n);
  assert.deepEqual(await rt.deliver(h.originHash, ev('good')), [Buffer.from('good')]);
  assert.deepEqual(h.stats(), { eventsProcessed: 2n, eventsEmitted: 1n, errors: 1n, snapshotsTaken: 0n });
  await rt.shutdown();
});

test('a process that returns a Promise or non-buffers fails its delivery', async () => {
  const rt = await ready({
    asyncish: () => ({ name: 'asyncish', process: async (e) => [e.payload] }),
    stringy: () => ({ name: 'stringy', process: () => ['not a buffer'] }),
    nothing: () => ({ name: 'nothing', process: () => undefined }),
  });
  for (const kind of ['asyncish', 'stringy', 'nothing']) {
    const h = await rt.spawn(kind, Identity.generate());
    await rejectsKind(rt.deliver(h.originHash, ev('x')), 'callback-failed');
    assert.equal(h.stats().errors, 1n, kind);
  }
  await rt.shutdown();
});

test('a callback that keeps the JS thread busy past callbackTimeoutMs is a callback-timeout, not a hang', async () => {
  let stall = true;
  const rt = await ready({
    slow: () => ({
      name: 'slow',
      process: (e) => {
        if (stall) {
          const until = Date.now() + 400;
          while (Date.now() < until); // busy: the JS thread cannot answer anything
        }
        return [e.payload];
      },
    }),
  });
  const h = await rt.spawn('slow', Identity.generate(), { callbackTimeoutMs: 100 });
  const started = Date.now();
  await rejectsKind(rt.deliver(h.originHash, ev('x')), 'callback-timeout');
  assert.ok(Date.now() - started < 5000);
  assert.equal(h.stats().errors, 1n);
  // The late answer was dropped; the daemon serves the next event.
  stall = false;
  assert.deepEqual(await rt.deliver(h.originHash, ev('y')), [Buffer.from('y')]);
  await rt.shutdown();
});

test('a stalled snapshot or restore also times out', async () => {
  const busy = (ms) => { const until = Date.now() + ms; while (Date.now() < until); };
  const rt = await ready({
    sleepy: () => ({ name: 'sleepy', process: () => [], snapshot: () => { busy(300); return Buffer.from('s'); }, restore: () => busy(300) }),
  });
  const id = Identity.generate();
  const h = await rt.spawn('sleepy', id, { callbackTimeoutMs: 50 });
  await rejectsKind(rt.snapshot(h.originHash), 'callback-timeout');
  await rt.stop(h.originHash);
  const fast = await ready({ sleepy: () => ({ name: 'sleepy', process: () => [], snapshot: () => Buffer.from('s') }) });
  const f = await fast.spawn('sleepy', id);
  const snap = await fast.snapshot(f.originHash);
  await rejectsKind(rt.spawnFromSnapshot('sleepy', id, snap, { callbackTimeoutMs: 50 }), 'callback-timeout');
  assert.equal(rt.daemonCount(), 0);
  await rt.shutdown();
  await fast.shutdown();
});

test('a delivery made from inside the same daemon\'s callback is refused as reentrant-call', async () => {
  let rt;
  let self;
  let inner;
  rt = await ready({
    loop: () => ({
      name: 'loop',
      process: (e) => {
        inner = rt.deliver(self, e);
        inner.catch(() => {}); // asserted below
        return [e.payload];
      },
    }),
  });
  const h = await rt.spawn('loop', Identity.generate());
  self = h.originHash;
  assert.deepEqual(await rt.deliver(self, ev('once')), [Buffer.from('once')]);
  await rejectsKind(inner, 'reentrant-call');
  assert.equal(h.stats().eventsProcessed, 1n);
  await rt.shutdown();
});

test('a required capability the node lacks refuses the spawn with missing-capabilities', async () => {
  const gpu = () => ({ name: 'gpu', process: () => [], requiredCapabilities: { tags: ['hardware.gpu'] } });
  const prefers = () => ({ name: 'prefers', process: () => [], optionalCapabilities: { tags: ['hardware.gpu'] } });
  const mesh = await MeshNode.create({ bindAddr: '127.0.0.1:0', psk: '42'.repeat(32) });
  try {
    const rt = DaemonRuntime.create(mesh);
    rt.registerFactory('gpu', gpu);
    rt.registerFactory('prefers', prefers);
    await rt.start();
    await assert.rejects(rt.spawn('gpu', Identity.generate()), (e) => {
      assert.ok(e instanceof DaemonError);
      assert.equal(e.kind, 'missing-capabilities');
      assert.match(e.message, /hardware\.gpu/);
      return true;
    });
    assert.equal(rt.daemonCount(), 0);
    // Optional capabilities never refuse.
    await rt.spawn('prefers', Identity.generate());
    // Once the node announces the tag, the same kind spawns.
    await mesh.announceCapabilities({ tags: ['hardware.gpu'] });
    await rt.spawn('gpu', Identity.generate());
    assert.equal(rt.daemonCount(), 2);
    await rt.shutdown();
    // The mesh outlives its runtime.
    assert.equal(typeof mesh.nodeId(), 'bigint');
  } finally {
    await mesh.shutdown();
  }
  const local = DaemonRuntime.local({ tags: ['hardware.gpu'] });
  local.registerFactory('gpu', gpu);
  await local.start();
  await local.spawn('gpu', Identity.generate());
  await local.shutdown();
});

test('the lifecycle gate: not-ready before start, shutting-down after shutdown, duplicates refused', async () => {
  const rt = DaemonRuntime.local();
  assert.equal(rt.isReady(), false);
  rt.registerFactory('counter', counter);
  assert.throws(() => rt.registerFactory('counter', counter), (e) => e instanceof DaemonError && e.kind === 'factory-already-registered');
  await rejectsKind(rt.spawn('counter', Identity.generate()), 'not-ready');
  await rejectsKind(rt.stop(1n), 'not-ready');
  await rt.start();
  await rt.start(); // idempotent
  assert.equal(rt.isReady(), true);
  const id = Identity.generate();
  await rt.spawn('counter', id);
  await rejectsKind(rt.spawn('counter', id), 'already-running');
  await rt.shutdown();
  assert.equal(rt.isReady(), false);
  assert.equal(rt.daemonCount(), 0);
  await rt.shutdown(); // idempotent
  await rejectsKind(rt.start(), 'shutting-down');
  await rejectsKind(rt.spawn('counter', Identity.generate()), 'shutting-down');
  await rejectsKind(rt.deliver(id.originHash, ev('x')), 'shutting-down');
  assert.throws(() => rt.registerFactory('late', counter), (e) => e instanceof DaemonError && e.kind === 'shutting-down');
});

test('bad input: unknown kind and origin, wrong-type arguments, malformed daemons and configs', async () => {
  const rt = await ready({
    counter,
    nameless: () => ({ process: () => [] }),
    noprocess: () => ({ name: 'x' }),
    thrower: () => {
      throw new Error('factory exploded');
    },
  });
  const id = Identity.generate();
  await rejectsKind(rt.spawn('nope', id), 'factory-not-found');
  await rejectsKind(rt.deliver(12345n, ev('x')), 'daemon-not-found');
  await rejectsKind(rt.snapshot(12345n), 'daemon-not-found');
  await rejectsKind(rt.stop(12345n), 'daemon-not-found');
  await rejectsKind(rt.spawn('nameless', id), 'invalid_argument');
  await rejectsKind(rt.spawn('noprocess', id), 'invalid_argument');
  await rejectsKind(rt.spawn('thrower', id), 'callback-failed');
  assert.throws(() => rt.registerFactory('notfn', 'nope'), (e) => e instanceof DaemonError && e.kind === 'invalid_argument');
  await rejectsKind(rt.spawn('counter', id, { callbackTimeoutMs: 0 }), 'invalid_argument');
  await rejectsKind(rt.spawn('counter', id, { callbackTimeoutMs: 1.5 }), 'invalid_argument');
  await rejectsKind(rt.spawn('counter', id, { maxLogEntries: -1 }), 'invalid_argument');
  await rejectsKind(rt.spawn('counter', id, { autoSnapshotInterval: -1n }), 'invalid_argument');
  await rejectsKind(rt.spawn('counter', 'not an identity'), 'invalid_argument');
  assert.equal(rt.daemonCount(), 0);
  const h = await rt.spawn('counter', id, { autoSnapshotInterval: 2n, maxLogEntries: 100, callbackTimeoutMs: 5000 });
  await rejectsKind(rt.deliver(1, ev('x')), 'invalid_argument');
  await rejectsKind(rt.deliver(-1n, ev('x')), 'invalid_argument');
  await rejectsKind(rt.deliver(h.originHash, { originHash: 1n, sequence: 1n, payload: 'text' }), 'invalid_argument');
  await rejectsKind(rt.deliver(h.originHash, { originHash: 1n, payload: Buffer.from('x') }), 'invalid_argument');
  await rejectsKind(rt.deliver(h.originHash, null), 'invalid_argument');
  await rejectsKind(rt.snapshot('1'), 'invalid_argument');
  // None of the bad calls reached the daemon; auto snapshots every 2 events.
  for (let i = 0; i < 4; i++) await rt.deliver(h.originHash, ev('x'));
  assert.deepEqual(h.stats(), { eventsProcessed: 4n, eventsEmitted: 4n, errors: 0n, snapshotsTaken: 2n });
  await rt.shutdown();
});

test('deliverMany keeps order; the first failure rejects after the events before it', async () => {
  const rt = await ready({
    counter,
    picky: () => ({ name: 'picky', process: (e) => { if (e.payload.toString() === 'bad') throw new Error('bad'); return [e.payload]; } }),
  });
  const h = await rt.spawn('counter', Identity.generate());
  const outs = await rt.deliverMany(h.originHash, ['a', 'bb', 'ccc'].map((p, i) => ev(p, BigInt(i + 1))));
  assert.deepEqual(outs.map((o) => o[0].readBigUInt64LE()), [1n, 3n, 6n]);
  assert.deepEqual(await rt.deliverMany(h.originHash, []), []);
  const p = await rt.spawn('picky', Identity.generate());
  await rejectsKind(rt.deliverMany(p.originHash, [ev('ok'), ev('bad'), ev('never')]), 'callback-failed');
  assert.deepEqual(p.stats(), { eventsProcessed: 2n, eventsEmitted: 1n, errors: 1n, snapshotsTaken: 0n });
  await rejectsKind(rt.deliverMany(p.originHash, [ev('ok'), 'x']), 'invalid_argument');
  await rt.shutdown();
});

test('deliveries to many daemons run concurrently and each daemon keeps its own order', async () => {
  const rt = await ready();
  const handles = await Promise.all(Array.from({ length: 4 }, () => rt.spawn('counter', Identity.generate())));
  const results = await Promise.all(handles.flatMap((h) => [1, 2, 3].map(() => rt.deliver(h.originHash, ev('ab')))));
  const totals = results.map((r) => r[0].readBigUInt64LE());
  for (let d = 0; d < 4; d++) assert.deepEqual(totals.slice(d * 3, d * 3 + 3), [2n, 4n, 6n]);
  await rt.shutdown();
});

test('migration is not in this release: every call is a MigrationError compute-not-supported', async () => {
  const rt = await ready();
  const h = await rt.spawn('counter', Identity.generate());
  const isUnsupported = (e) => e instanceof MigrationError && e instanceof DaemonError && e.kind === 'compute-not-supported';
  await assert.rejects(rt.startMigration(h.originHash, 1n, 2n), isUnsupported);
  await assert.rejects(rt.startMigrationWith(h.originHash, 1n, 2n, { transportIdentity: false }), isUnsupported);
  assert.throws(() => rt.expectMigration('counter', h.originHash), isUnsupported);
  assert.throws(() => rt.registerMigrationTargetIdentity('counter', Identity.generate()), isUnsupported);
  assert.throws(() => rt.migrationPhase(h.originHash), isUnsupported);
  const e = new MigrationError('snapshot-too-large', 'too big', { size: 10, max: 5 });
  assert.deepEqual([e.kind, e.size, e.max, e.attempts], ['snapshot-too-large', 10, 5, undefined]);
  await rt.shutdown();
});

test('@net-mesh/sdk/compute exports the same classes as the top level', () => {
  assert.equal(computeModule.DaemonRuntime, DaemonRuntime);
  assert.equal(computeModule.DaemonError, DaemonError);
  assert.equal(computeModule.MigrationError, MigrationError);
  assert.equal(typeof computeModule.DaemonHandle, 'function');
  assert.equal(typeof computeModule.MigrationHandle, 'function');
});
