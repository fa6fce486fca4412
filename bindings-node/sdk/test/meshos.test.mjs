// The MeshOS daemon SDK over the core's: registration, control events in
// order, log levels, metadata and published tags, graceful shutdown, and
// the errors a daemon author meets (register_failed, queue_full,
// invalid_log_level, already_shutdown, loop_closed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DaemonRuntime, Identity, MeshNode, MeshOsDaemonSdk, MeshOsError, NetError } from '@net-mesh/sdk';
import * as meshosModule from '@net-mesh/sdk/meshos';

const echo = (name = 'echo') => ({ name, process: (e) => [e.payload] });
const ev = (p) => ({ originHash: 1n, sequence: 1n, payload: Buffer.from(p) });

function throwsKind(f, kind) {
  assert.throws(f, (e) => {
    assert.ok(e instanceof MeshOsError && e instanceof NetError, `${e?.name}: ${e?.message}`);
    assert.equal(e.kind, kind, e.message);
    return true;
  });
}

async function rejectsKind(p, kind) {
  await assert.rejects(p, (e) => {
    assert.ok(e instanceof MeshOsError, `${e?.name}: ${e?.message}`);
    assert.equal(e.kind, kind, e.message);
    return true;
  });
}

test('register a daemon; events reach it through the SDK runtime', async () => {
  const sdk = MeshOsDaemonSdk.start();
  const id = Identity.generate();
  const h = sdk.registerDaemon(echo(), id);
  assert.equal(h.daemonId, id.originHash);
  assert.equal(h.daemonName, 'echo');
  assert.deepEqual(sdk.daemonIds(), [id.originHash]);
  assert.ok(sdk.runtime() instanceof DaemonRuntime);
  assert.deepEqual(await sdk.runtime().deliver(h.daemonId, ev('hi')), [Buffer.from('hi')]);
  assert.equal((await sdk.runtime().snapshot(h.daemonId)), null);
  await sdk.shutdown();
});

test('registration failures: empty name, identity taken, not a daemon, a missing capability', async () => {
  const sdk = MeshOsDaemonSdk.start();
  const id = Identity.generate();
  sdk.registerDaemon(echo(), id);
  throwsKind(() => sdk.registerDaemon(echo(), id), 'register_failed');
  throwsKind(() => sdk.registerDaemon(echo(''), Identity.generate()), 'register_failed');
  throwsKind(() => sdk.registerDaemon({ name: 'x' }, Identity.generate()), 'invalid_argument');
  throwsKind(() => sdk.registerDaemon(echo(), 'not an identity'), 'invalid_argument');
  const gpu = { ...echo('gpu'), requiredCapabilities: { tags: ['hardware.gpu'] } };
  throwsKind(() => sdk.registerDaemon(gpu, Identity.generate()), 'register_failed');
  assert.equal(sdk.daemonIds().length, 1);
  await sdk.shutdown();
  throwsKind(() => sdk.registerDaemon(echo(), Identity.generate()), 'already_shutdown');
});

test('control events arrive in the order routed, with their payloads', async () => {
  const sdk = MeshOsDaemonSdk.start();
  const h = sdk.registerDaemon(echo(), Identity.generate());
  const sent = [
    { kind: 'DrainStart', gracePeriodMs: 250 },
    { kind: 'BackpressureOn', level: 0.5 },
    { kind: 'BackpressureOff' },
    { kind: 'DrainFinish' },
  ];
  for (const c of sent) sdk.routeControl(h.daemonId, c);
  const got = [];
  for (let i = 0; i < sent.length; i++) got.push(await h.nextControl(5000));
  assert.deepEqual(got, sent);
  assert.equal(h.tryNextControl(), null);
  assert.equal(await h.nextControl(50), null, 'nothing queued: the wait ends at its timeout');
  throwsKind(() => sdk.routeControl(12345n, { kind: 'DrainFinish' }), 'invalid_argument');
  throwsKind(() => sdk.routeControl(h.daemonId, { kind: 'Reboot' }), 'invalid_argument');
  throwsKind(() => sdk.routeControl(h.daemonId, { kind: 'Shutdown' }), 'invalid_argument');
  throwsKind(() => sdk.routeControl(h.daemonId, { kind: 'BackpressureOn', level: 2 }), 'invalid_argument');
  await sdk.shutdown();
  assert.equal(await h.nextControl(), null, 'the channel ends with the SDK');
  throwsKind(() => sdk.routeControl(h.daemonId, { kind: 'DrainFinish' }), 'loop_closed');
});

test('a full control channel drops and counts', async () => {
  const sdk = MeshOsDaemonSdk.start({ controlCapacity: 2 });
  const h = sdk.registerDaemon(echo(), Identity.generate());
  for (let i = 0; i < 5; i++) sdk.routeControl(h.daemonId, { kind: 'DrainFinish' });
  // The supervisor routes asynchronously: wait until all five were handled.
  for (let i = 0; i < 200 && sdk.droppedControlEvents() < 3n; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(sdk.droppedControlEvents(), 3n);
  assert.deepEqual([h.tryNextControl(), h.tryNextControl(), h.tryNextControl()], [{ kind: 'DrainFinish' }, { kind: 'DrainFinish' }, null]);
  await sdk.shutdown();
});

test('publishLog: five levels by name or number, refusals, and a full ring', async () => {
  const sdk = MeshOsDaemonSdk.start({ eventQueueCapacity: 8 });
  const h = sdk.registerDaemon(echo('logger'), Identity.generate());
  for (const l of ['trace', 'debug', 'info', 'warn', 'error']) h.publishLog(l, `as ${l}`);
  h.publishLog(0, 'zero');
  h.publishLog(4, 'four');
  h.publishLog('WARNING', 'spelled long');
  const logs = sdk.drainLogs();
  assert.deepEqual(logs.map((r) => [r.level, r.message]), [
    ['trace', 'as trace'], ['debug', 'as debug'], ['info', 'as info'], ['warn', 'as warn'], ['error', 'as error'],
    ['trace', 'zero'], ['error', 'four'], ['warn', 'spelled long'],
  ]);
  assert.ok(logs.every((r) => r.daemonId === h.daemonId && r.daemonName === 'logger' && r.atMs > 1.6e12));
  assert.deepEqual(sdk.drainLogs(), []);
  throwsKind(() => h.publishLog('loud', 'x'), 'invalid_log_level');
  throwsKind(() => h.publishLog(5, 'x'), 'invalid_log_level');
  throwsKind(() => h.publishLog(-1, 'x'), 'invalid_log_level');
  throwsKind(() => h.publishLog(1.5, 'x'), 'invalid_log_level');
  for (let i = 0; i < 8; i++) h.publishLog('info', `line ${i}`);
  throwsKind(() => h.publishLog('info', 'one too many'), 'queue_full');
  assert.equal(sdk.drainLogs().length, 8);
  h.publishLog('info', 'room again');
  await sdk.shutdown();
  throwsKind(() => h.publishLog('info', 'after the SDK'), 'loop_closed');
});

test('metadata and published tags; on a mesh the tags reach the node announcement', async () => {
  const mesh = await MeshNode.create({ bindAddr: '127.0.0.1:0', psk: '42'.repeat(32) });
  try {
    const sdk = MeshOsDaemonSdk.startOnMesh(mesh);
    const h = sdk.registerDaemon(echo('tagger'), Identity.generate());
    const m = h.metadata();
    assert.equal(m.nodeId, mesh.nodeId());
    assert.equal(m.daemonId, h.daemonId);
    assert.deepEqual([m.daemonName, m.health, m.saturation, m.maintenanceState, m.capabilities], ['tagger', 'healthy', 0, 'active', []]);
    h.publishCapabilities({ tags: ['model:llama3'] });
    assert.deepEqual(h.metadata().capabilities, ['model:llama3']);
    assert.ok(mesh.capabilitiesOf(mesh.nodeId()).capabilities.tags.includes('model:llama3'));
    h.publishCapabilities({ tags: [] });
    assert.deepEqual(h.refreshMetadata().capabilities, []);
    throwsKind(() => h.publishCapabilities('not caps'), 'invalid_argument');
    await sdk.shutdown();
  } finally {
    await mesh.shutdown();
  }
});

test('graceful shutdown sends Shutdown, unregisters, and every later call is already_shutdown', async () => {
  const sdk = MeshOsDaemonSdk.start();
  const h = sdk.registerDaemon(echo(), Identity.generate());
  const other = sdk.registerDaemon(echo('other'), Identity.generate());
  const control = h.nextControl(5000);
  await h.gracefulShutdown(20);
  assert.deepEqual(await control, { kind: 'Shutdown', gracePeriodMs: 20 });
  assert.equal(h.isShutDown(), true);
  assert.deepEqual(sdk.daemonIds(), [other.daemonId]);
  await rejectsKind(h.gracefulShutdown(20), 'already_shutdown');
  throwsKind(() => h.publishLog('info', 'x'), 'already_shutdown');
  throwsKind(() => h.metadata(), 'already_shutdown');
  throwsKind(() => h.publishCapabilities({ tags: ['x'] }), 'already_shutdown');
  assert.equal(h.tryNextControl(), null);
  await assert.rejects(sdk.runtime().deliver(h.daemonId, ev('x')), (e) => e.kind === 'daemon-not-found');
  await rejectsKind(h.gracefulShutdown(-1), 'invalid_argument');
  assert.deepEqual(await sdk.runtime().deliver(other.daemonId, ev('y')), [Buffer.from('y')]);
  await sdk.shutdown();
  assert.equal(sdk.isShutDown(), true);
  assert.deepEqual(sdk.daemonIds(), []);
  await rejectsKind(sdk.shutdown(), 'already_shutdown');
});

test('bad config values are refused; @net-mesh/sdk/meshos exports the same classes', () => {
  throwsKind(() => MeshOsDaemonSdk.start({ tickIntervalMs: 1.5 }), 'invalid_argument');
  throwsKind(() => MeshOsDaemonSdk.start({ controlCapacity: -1 }), 'invalid_argument');
  assert.equal(meshosModule.MeshOsDaemonSdk, MeshOsDaemonSdk);
  assert.equal(meshosModule.MeshOsError, MeshOsError);
  assert.equal(typeof meshosModule.MeshOsDaemonHandle, 'function');
});

test("the supervisor calls a JS daemon's onControl, health and saturation", async () => {
  const sdk = MeshOsDaemonSdk.start({ tickIntervalMs: 10 });
  const seen = [];
  let saturation = 0.95;
  const daemon = {
    ...echo('supervised'),
    onControl: (c) => seen.push(c.kind),
    health: () => 'degraded',
    saturation: () => saturation,
  };
  const h = sdk.registerDaemon(daemon, Identity.generate());
  // Saturation 0.95 is past the 0.8 threshold: the supervisor says so.
  const on = await h.nextControl(10_000);
  assert.equal(on.kind, 'BackpressureOn');
  assert.ok(Math.abs(on.level - 0.95) < 1e-6);
  saturation = 0.1;
  assert.equal((await h.nextControl(10_000)).kind, 'BackpressureOff');
  sdk.routeControl(h.daemonId, { kind: 'DrainFinish' });
  assert.equal((await h.nextControl(10_000)).kind, 'DrainFinish');
  assert.deepEqual(seen, ['BackpressureOn', 'BackpressureOff', 'DrainFinish'], 'onControl saw each, in order');
  assert.equal(h.refreshMetadata().health, 'degraded');
  await sdk.shutdown();
});
