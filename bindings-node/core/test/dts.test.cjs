// index.d.ts is kept by hand: this test fails when it and the native
// module disagree on an export, a class member (method, getter, static),
// or a field of the plain objects the module returns.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const ts = require('typescript');
const native = require('..');

const file = join(__dirname, '..', 'index.d.ts');
const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);

/** The declarations of index.d.ts: classes (members), functions, interfaces (fields). */
function declarations() {
  const classes = new Map();
  const functions = new Set();
  const interfaces = new Map();
  const isStatic = (m) => (ts.getModifiers(m) ?? []).some((x) => x.kind === ts.SyntaxKind.StaticKeyword);
  for (const node of source.statements) {
    if (ts.isClassDeclaration(node)) {
      const c = { methods: new Set(), getters: new Set(), statics: new Set(), ctor: false };
      for (const m of node.members) {
        if (ts.isConstructorDeclaration(m)) c.ctor = true;
        else if (isStatic(m)) c.statics.add(m.name.getText());
        else if (ts.isGetAccessorDeclaration(m)) c.getters.add(m.name.getText());
        else if (ts.isMethodDeclaration(m)) c.methods.add(m.name.getText());
      }
      classes.set(node.name.text, c);
    } else if (ts.isFunctionDeclaration(node)) {
      functions.add(node.name.text);
    } else if (ts.isInterfaceDeclaration(node)) {
      interfaces.set(node.name.text, new Set(node.members.map((m) => m.name.getText())));
    }
  }
  return { classes, functions, interfaces };
}

const d = declarations();

test('every export is declared and every declaration is exported', () => {
  const declared = new Set([...d.classes.keys(), ...d.functions]);
  assert.deepEqual(new Set(Object.keys(native)), declared);
});

test('class members match: methods, getters and statics', () => {
  for (const [name, c] of d.classes) {
    const cls = native[name];
    const proto = Object.getOwnPropertyNames(cls.prototype).filter((k) => k !== 'constructor');
    const getters = proto.filter((k) => typeof Object.getOwnPropertyDescriptor(cls.prototype, k).get === 'function');
    const methods = proto.filter((k) => !getters.includes(k));
    assert.deepEqual(new Set(methods), c.methods, `${name} methods`);
    assert.deepEqual(new Set(getters), c.getters, `${name} getters`);
    const statics = Object.getOwnPropertyNames(cls).filter((k) => !['length', 'name', 'prototype', 'arguments', 'caller'].includes(k));
    assert.deepEqual(new Set(statics), c.statics, `${name} statics`);
  }
});

test('returned objects have exactly the declared fields', async () => {
  const fields = (o) => new Set(Object.keys(o));
  const node = new native.NetNode({ shards: 1 });
  node.emitRaw('{"a":1}');
  assert.deepEqual(fields(native.lastReceipt()), d.interfaces.get('JsReceipt'));
  assert.deepEqual(fields(node.stats()), d.interfaces.get('JsStats'));
  await node.flush();
  const page = await node.poll(10);
  assert.deepEqual(fields(page), d.interfaces.get('PollPage'));
  assert.deepEqual(fields(page.events[0]), d.interfaces.get('JsEvent'));
  await node.shutdown();
});

test('mesh objects have exactly the declared fields', async () => {
  const fields = (o) => new Set(Object.keys(o));
  const psk = '42'.repeat(32);
  const a = await native.MeshNode.create({ bindAddr: '127.0.0.1:0', psk });
  const b = await native.MeshNode.create({ bindAddr: '127.0.0.1:0', psk });
  try {
    const accepted = b.accept(a.nodeId(), 5000);
    await a.connect(b.localAddr(), b.publicKey(), b.nodeId());
    await accepted;
    a.openStream(b.nodeId(), 1n);
    assert.deepEqual(fields(a.stats()), d.interfaces.get('JsMeshStats'));
    assert.deepEqual(fields(a.peers()[0]), d.interfaces.get('JsPeer'));
    assert.deepEqual(fields(a.streamStats(b.nodeId(), 1n)), d.interfaces.get('JsStreamStats'));
    a.announceCapabilities('{"tags":["x"]}');
    assert.deepEqual(fields(a.capabilityStats()), d.interfaces.get('JsCapabilityStats'));
    assert.deepEqual(fields(a.capabilitiesOf(a.nodeId())), d.interfaces.get('JsNodeCapabilities'));
  } finally {
    await a.shutdown();
    await b.shutdown();
  }
});

test('capability objects have exactly the declared fields', () => {
  const fields = (o) => new Set(Object.keys(o));
  assert.deepEqual(fields(native.capabilityConstants()), d.interfaces.get('JsCapabilityConstants'));
  const signed = native.signCapabilityAnnouncement(Buffer.alloc(32, 7), '{"tags":["x"]}', 1n, 60, 0);
  assert.deepEqual(fields(signed), d.interfaces.get('JsCapabilityAnnouncement'));
  assert.deepEqual(fields(native.verifyCapabilityAnnouncement(signed.wire)), d.interfaces.get('JsCapabilityAnnouncement'));
});

test('compute objects have exactly the declared fields', async () => {
  const fields = (o) => new Set(Object.keys(o));
  const rt = native.DaemonRuntime.local();
  rt.registerFactory('echo');
  await rt.start();
  const calls = [];
  const port = new native.DaemonPort('echo', () => {
    for (let c = port.next(); c !== null; c = port.next()) {
      calls.push(c);
      port.processed([c.event.payload]);
    }
  });
  const h = await rt.spawn('echo', native.Identity.generate(), port, { callbackTimeoutMs: 5000 });
  const event = { originHash: 1n, sequence: 1n, payload: Buffer.from('x') };
  assert.deepEqual(await rt.deliver(h.originHash, event), [Buffer.from('x')]);
  assert.deepEqual(fields(h.stats()), d.interfaces.get('JsDaemonStats'));
  assert.deepEqual(fields(calls[0].event), d.interfaces.get('JsCausalEvent'));
  assert.ok([...fields(calls[0])].every((f) => d.interfaces.get('JsDaemonCall').has(f)));
  // A port serves one spawn.
  assert.throws(() => rt.spawn('echo', native.Identity.generate(), port), (e) => e.code === 'invalid_argument');
  await rt.shutdown();
});

test('meshos objects have exactly the declared fields', async () => {
  const fields = (o) => new Set(Object.keys(o));
  const sdk = native.MeshOsDaemonSdk.start();
  // The supervisor calls too (control, health, saturation): answer each by its op.
  const port = new native.DaemonPort('quiet', () => {
    for (let c = port.next(); c !== null; c = port.next()) {
      if (c.op === 'control') port.controlled();
      else if (c.op === 'health') port.healthAnswered('healthy');
      else if (c.op === 'saturation') port.saturationAnswered(0);
      else port.processed([]);
    }
  });
  const h = sdk.registerDaemon(native.Identity.generate(), port);
  h.publishLog('info', 'x');
  assert.deepEqual(fields(sdk.drainLogs()[0]), d.interfaces.get('JsLogRecord'));
  assert.deepEqual(fields(h.metadata()), d.interfaces.get('JsMetadataView'));
  sdk.routeControl(h.daemonId, { kind: 'BackpressureOn', level: 1 });
  const c = await h.nextControl(5000);
  assert.ok([...fields(c)].every((f) => d.interfaces.get('JsDaemonControl').has(f)));
  await sdk.shutdown();
});

test('the ESM entry exports the same names as the CommonJS loader', async () => {
  const esm = await import('../index.mjs');
  const named = Object.keys(esm).filter((k) => k !== 'default');
  assert.deepEqual(new Set(named), new Set(Object.keys(native)));
  assert.equal(esm.default, native);
  assert.equal(esm.NetNode, native.NetNode);
});
