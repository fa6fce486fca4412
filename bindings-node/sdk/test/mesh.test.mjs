// MeshNode: two nodes on 127.0.0.1 (ephemeral ports) handshake, exchange
// messages, push back, and fail with the typed errors. Every test shuts
// down the nodes it started.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  BackpressureError,
  HandshakeError,
  Identity,
  IdentityError,
  MeshNode,
  NetError,
  NotConnectedError,
  TimeoutError,
} from '@net-mesh/sdk';
import * as meshModule from '@net-mesh/sdk/mesh';

const PSK = '42'.repeat(32);
const local = (extra = {}) => MeshNode.create({ bindAddr: '127.0.0.1:0', psk: PSK, ...extra });

/** `a` dials `b`; both hold the session and run their timers. */
async function handshake(a, b) {
  const accepted = b.accept(a.nodeId(), { timeoutMs: 5000 });
  await a.connect(b.localAddr(), b.publicKey(), b.nodeId());
  assert.equal(await accepted, a.localAddr());
  a.start();
  b.start();
}

/** Two connected nodes; `fn` runs with them and they are shut down after, pass or fail. */
async function withPair(fn, extra = {}) {
  const [a, b] = [await local(extra), await local(extra)];
  try {
    await handshake(a, b);
    await fn(a, b);
  } finally {
    await a.shutdown();
    await b.shutdown();
  }
}

/** Polls `check` until it returns true (state changes made by the receive task). */
async function eventually(check, what) {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`never happened: ${what}`);
}

test('two nodes handshake and exchange messages on a reliable stream, in order', async () => {
  await withPair(async (a, b) => {
    assert.equal(a.peerState(b.nodeId()), 'alive');
    assert.equal(b.peerState(a.nodeId()), 'alive');
    assert.equal(a.peerState(12345n), null);
    const [peer] = a.peers();
    assert.equal(peer.nodeId, b.nodeId());
    assert.ok(peer.entityId.equals(b.entityId()));
    assert.equal(peer.addr, b.localAddr());
    assert.equal(a.stats().handshakesCompleted, 1n);
    assert.equal(a.stats().sessions, 1n);
    assert.equal(a.stats().receivePanics, 0n);
    assert.equal(a.stats().maintenancePanics, 0n);
    assert.equal(a.stats().datagramsRefused, 0n);

    const out = a.openStream(b.nodeId(), { streamId: 0x42n, reliability: 'reliable', windowBytes: 256 });
    assert.equal(out.peerNodeId, b.nodeId());
    assert.equal(out.streamId, 0x42n);
    assert.equal(out.isOpen, true);
    const inbox = b.openStream(a.nodeId(), { streamId: 0x42 });
    const sent = Array.from({ length: 300 }, (_, i) => `{"i":${i}}`);
    for (let i = 0; i < sent.length; i += 30) {
      await a.sendWithRetry(out, sent.slice(i, i + 30).map((s) => Buffer.from(s)), 50);
    }
    // A message larger than one datagram is fragmented and comes back whole.
    const big = randomBytes(20_000);
    await a.sendWithRetry(out, [big], 50);

    const got = [];
    for await (const m of b.messages(inbox)) {
      got.push(m);
      if (got.length === sent.length + 1) break;
    }
    assert.deepEqual(got.slice(0, -1).map(String), sent);
    assert.ok(got.at(-1).equals(big));
    assert.equal(b.tryRecv(inbox), null);

    // And back the other way on the same stream id.
    await b.sendOnStream(inbox, [Buffer.from('pong')]);
    assert.equal(String(await a.recv(out, { timeoutMs: 5000 })), 'pong');
    // Uint8Array payloads work as well as Buffers.
    await a.sendOnStream(out, [new TextEncoder().encode('bytes')]);
    assert.equal(String(await b.recv(inbox, { timeoutMs: 5000 })), 'bytes');
  });
});

test('a fire_and_forget stream delivers on loopback and keeps its reliability', async () => {
  await withPair(async (a, b) => {
    const out = a.openStream(b.nodeId(), { streamId: 7n, reliability: 'fire_and_forget' });
    const inbox = b.openStream(a.nodeId(), { streamId: 7n, reliability: 'fire_and_forget' });
    await a.sendOnStream(out, [Buffer.from('once')]);
    assert.equal(String(await b.recv(inbox, { timeoutMs: 5000 })), 'once');
    assert.throws(() => a.openStream(b.nodeId(), { streamId: 7n, reliability: 'reliable' }), (e) => e instanceof NetError && e.kind === 'invalid_argument');
    assert.throws(() => a.openStream(b.nodeId(), { streamId: 8n, reliability: 'unreliable' }), (e) => e instanceof NetError && e.kind === 'invalid_argument');
    assert.throws(() => a.openStream(b.nodeId(), { streamId: -1 }), (e) => e instanceof NetError && e.kind === 'invalid_argument');
    assert.throws(() => a.openStream(b.nodeId()), (e) => e instanceof NetError && e.kind === 'invalid_argument');
    assert.throws(() => a.openStream(1, { streamId: 1n }), (e) => e instanceof NetError && e.kind === 'invalid_argument');
    await assert.rejects(a.sendOnStream(out, Buffer.from('not an array')), (e) => e instanceof NetError && e.kind === 'invalid_argument');
    await assert.rejects(a.sendOnStream(out, ['a string']), (e) => e instanceof NetError && e.kind === 'invalid_argument');
  });
});

test("the seed's Identity example: identitySeed gives the identity's entityId and nodeId, stable across restarts", async () => {
  const seed = randomBytes(32);
  const identity = Identity.fromSeed(seed);
  const mesh = await MeshNode.create({ bindAddr: '127.0.0.1:0', psk: '42'.repeat(32), identitySeed: seed });
  const key = mesh.publicKey();
  try {
    assert.ok(mesh.entityId().equals(identity.entityId));
    assert.equal(mesh.nodeId(), identity.nodeId);
    assert.equal(key.length, 32);
  } finally {
    await mesh.shutdown();
  }
  // A plain Uint8Array seed and a byte-array psk name the same node.
  const again = await MeshNode.create({ bindAddr: '127.0.0.1:0', psk: Buffer.alloc(32, 0x42), identitySeed: new Uint8Array(seed) });
  try {
    assert.ok(again.entityId().equals(identity.entityId));
    assert.ok(again.publicKey().equals(key));
  } finally {
    await again.shutdown();
  }
  // Without a seed every node is a fresh identity.
  const [x, y] = [await local(), await local()];
  assert.notEqual(x.nodeId(), y.nodeId());
  await x.shutdown();
  await y.shutdown();
});

test('a tiny window raises BackpressureError; streamStats counts it, every field a bigint', async () => {
  await withPair(async (a, b) => {
    // The receiver holds one message and stops acknowledging, so once
    // m0 sits in its inbox, m1 and m2 fill the sender's two-packet window
    // and it stays full while nobody reads.
    const inbox = b.openStream(a.nodeId(), { streamId: 9n, receiveCapacity: 1 });
    const out = a.openStream(b.nodeId(), { streamId: 9n, windowBytes: 2 });
    await a.sendOnStream(out, [Buffer.from('m0')]);
    await eventually(() => a.streamStats(b.nodeId(), 9n).inFlight === 0n, 'm0 acknowledged');
    await a.sendOnStream(out, [Buffer.from('m1')]);
    await a.sendOnStream(out, [Buffer.from('m2')]);
    const refused = await a.sendOnStream(out, [Buffer.from('m3')]).catch((e) => e);
    assert.ok(refused instanceof BackpressureError, String(refused));
    assert.ok(refused instanceof NetError && refused instanceof Error);
    assert.equal(refused.kind, 'backpressure');
    assert.equal(refused.name, 'BackpressureError');

    const stats = a.streamStats(b.nodeId(), 9n);
    for (const [k, v] of Object.entries(stats)) assert.equal(typeof v, 'bigint', k);
    assert.deepEqual(Object.keys(stats).sort(), [
      'backpressureEvents', 'inFlight', 'inbox', 'messagesReceived', 'messagesSent', 'retransmits', 'rxSeq', 'srttUs', 'txSeq', 'window',
    ]);
    assert.equal(stats.window, 2n);
    assert.ok(stats.backpressureEvents >= 1n);
    assert.equal(stats.inFlight, 2n);
    assert.equal(stats.messagesSent, 3n);
    assert.equal(b.streamStats(a.nodeId(), 9n).inbox, 1n);
    assert.equal(a.streamStats(b.nodeId(), 999n), null);

    // A batch that can never fit the window is a bad argument, not pressure.
    await assert.rejects(a.sendOnStream(out, [Buffer.from('1'), Buffer.from('2'), Buffer.from('3')]), (e) => e.kind === 'invalid_argument');
    // Retrying gives up with the last BackpressureError while nobody reads.
    await assert.rejects(a.sendWithRetry(out, [Buffer.from('x')], 1), BackpressureError);
    // Reading frees the receiver; the blocking send then goes through.
    const draining = (async () => {
      const got = [];
      for await (const m of b.messages(inbox)) {
        got.push(String(m));
        if (got.at(-1) === 'last') return got;
      }
    })();
    await a.sendBlocking(out, [Buffer.from('last')]);
    assert.deepEqual(await draining, ['m0', 'm1', 'm2', 'last']);
  });
});

test('sendWithRetry pushes a large burst through a small window', async () => {
  await withPair(async (a, b) => {
    const out = a.openStream(b.nodeId(), { streamId: 3n, windowBytes: 4 });
    const inbox = b.openStream(a.nodeId(), { streamId: 3n });
    const receiving = (async () => {
      const got = [];
      for await (const m of b.messages(inbox)) {
        got.push(Number(String(m)));
        if (got.length === 500) return got;
      }
    })();
    for (let i = 0; i < 500; i++) await a.sendWithRetry(out, [Buffer.from(String(i))], 100);
    assert.deepEqual(await receiving, Array.from({ length: 500 }, (_, i) => i));
    const stats = a.streamStats(b.nodeId(), 3n);
    assert.equal(stats.messagesSent, 500n);
    assert.equal(b.streamStats(a.nodeId(), 3n).messagesReceived, 500n);
  });
});

test('a closed stream and a shut-down peer raise NotConnectedError; a shut-down node NetError closed', async () => {
  const [a, b] = [await local(), await local()];
  try {
    await handshake(a, b);
    const out = a.openStream(b.nodeId(), { streamId: 1n });
    const other = a.openStream(b.nodeId(), { streamId: 2n });
    // Closed on this side: sends fail, a waiting recv ends, messages() ends.
    const waiting = a.recv(out).catch((err) => err);
    a.closeStream(out);
    assert.equal(out.isOpen, false);
    await assert.rejects(a.sendOnStream(out, [Buffer.from('x')]), NotConnectedError);
    assert.ok((await waiting) instanceof NotConnectedError);
    for await (const m of a.messages(out)) assert.fail(`closed stream yielded ${m}`);
    assert.equal(a.streamStats(b.nodeId(), 1n), null);
    // No session with an unknown node.
    assert.throws(() => a.openStream(42n, { streamId: 1n }), NotConnectedError);

    // The peer shuts down: it tells us, our session closes; receives
    // waiting on either side end.
    const theirs = b.recv(b.openStream(a.nodeId(), { streamId: 2n })).catch((err) => err);
    const ours = a.recv(other).catch((err) => err);
    await b.shutdown();
    assert.ok((await theirs) instanceof NotConnectedError);
    await eventually(() => a.peerState(b.nodeId()) === 'dead', 'the peer is seen dead');
    assert.ok((await ours) instanceof NotConnectedError);
    assert.equal(other.isOpen, false);
    let e = null;
    try {
      await a.sendOnStream(other, [Buffer.from('x')]);
    } catch (err) {
      e = err;
    }
    assert.ok(e instanceof NotConnectedError, String(e));
    assert.equal(e.kind, 'not_connected');
    assert.equal(e.name, 'NotConnectedError');
    assert.ok(e instanceof Error);
    assert.throws(() => a.openStream(b.nodeId(), { streamId: 5n }), NotConnectedError);

    // Our own node shut down: every call says closed.
    await a.shutdown();
    await a.shutdown(); // idempotent
    await assert.rejects(a.sendOnStream(other, [Buffer.from('x')]), (err) => err instanceof NetError && err.kind === 'closed');
    await assert.rejects(a.connect(b.localAddr(), b.publicKey(), b.nodeId()), (err) => err.kind === 'closed');
    assert.throws(() => a.start(), (err) => err.kind === 'closed');
  } finally {
    await a.shutdown();
    await b.shutdown();
  }
});

test('a different PSK fails the handshake with HandshakeError wrong_psk; no session is left', async () => {
  const a = await local();
  const b = await MeshNode.create({ bindAddr: '127.0.0.1:0', psk: '17'.repeat(32) });
  try {
    const accepted = b.accept(a.nodeId(), { timeoutMs: 1500 });
    const e = await a.connect(b.localAddr(), b.publicKey(), b.nodeId()).catch((err) => err);
    assert.ok(e instanceof HandshakeError, String(e));
    assert.equal(e.kind, 'wrong_psk');
    assert.equal(e.name, 'HandshakeError');
    await assert.rejects(accepted, TimeoutError);
    assert.equal(a.peerState(b.nodeId()), null);
    assert.equal(b.peerState(a.nodeId()), null);
    assert.equal(a.stats().sessions, 0n);
    assert.ok(a.stats().handshakesFailed >= 1n);
  } finally {
    await a.shutdown();
    await b.shutdown();
  }
});

test('a node that refuses the unaccepted fails a dialer with handshake_refused at once', async () => {
  const strict = await local({ refuseUnaccepted: true });
  const dialer = await local();
  try {
    await assert.rejects(
      dialer.connect(strict.localAddr(), strict.publicKey(), strict.nodeId(), { timeoutMs: 10000 }),
      (e) => e instanceof HandshakeError && e.kind === 'handshake_refused',
    );
    assert.deepEqual(strict.peers(), []);
  } finally {
    await strict.shutdown();
    await dialer.shutdown();
  }
});

test('wrong node id, wrong key and nobody listening fail with typed errors', async () => {
  const [a, b] = [await local(), await local()];
  try {
    const accepted = b.accept(a.nodeId(), { timeoutMs: 3000 });
    // The key is b's but the node id is not: the identity does not match.
    await assert.rejects(a.connect(b.localAddr(), b.publicKey(), b.nodeId() ^ 1n), (e) => e instanceof HandshakeError && e.kind === 'identity_mismatch');
    // The address is b's but the key is not: b cannot open the hello.
    await assert.rejects(a.connect(b.localAddr(), randomBytes(32), b.nodeId()), (e) => e instanceof HandshakeError && e.kind === 'unknown_static_key');
    await a.connect(b.localAddr(), b.publicKey(), b.nodeId());
    await accepted;
    // Nothing answers at a closed port: the handshake times out.
    const c = await local();
    const [addr, key, id] = [c.localAddr(), c.publicKey(), c.nodeId()];
    await c.shutdown();
    await assert.rejects(a.connect(addr, key, id, { timeoutMs: 300 }), (e) => e instanceof TimeoutError && e.kind === 'timeout');
    await assert.rejects(a.accept(777n, { timeoutMs: 50 }), TimeoutError);
    await assert.rejects(a.connect('not an address', key, id), (e) => e instanceof NetError && e.kind === 'invalid_argument');
    await assert.rejects(a.connect(addr, Buffer.alloc(5), id), (e) => e.kind === 'invalid_length');
    await assert.rejects(a.connect(addr, key, a.nodeId()), (e) => e.kind === 'invalid_argument');
    await assert.rejects(a.connect(addr, key, id, { timeoutMs: 0 }), (e) => e.kind === 'invalid_argument');
  } finally {
    await a.shutdown();
    await b.shutdown();
  }
});

test('create rejects a bad psk, bindAddr or seed with a clear error', async () => {
  const cases = [
    [{ bindAddr: '127.0.0.1:0', psk: '42'.repeat(31) }, 'invalid_config', /psk must be 32 bytes, got 31/],
    [{ bindAddr: '127.0.0.1:0', psk: 'zz'.repeat(32) }, 'invalid_config', /psk must be 64 hex digits/],
    [{ bindAddr: '127.0.0.1:0', psk: Buffer.alloc(16) }, 'invalid_config', /psk must be 32 bytes, got 16/],
    [{ bindAddr: 'localhost:9000', psk: PSK }, 'invalid_config', /"localhost:9000" is not an ip:port address/],
    [{ bindAddr: '127.0.0.1', psk: PSK }, 'invalid_config', /not an ip:port address/],
    [{ bindAddr: '203.0.113.7:9000', psk: PSK }, 'io', /bind 203\.0\.113\.7:9000/],
    [{ bindAddr: '127.0.0.1:0', psk: PSK, maxDatagram: 100 }, 'invalid_config', /max_datagram/],
    [{ bindAddr: '127.0.0.1:0', psk: PSK, handshakeTimeoutMs: -1 }, 'invalid_argument', /handshakeTimeoutMs/],
    [{ psk: PSK }, 'invalid_argument', /bindAddr/],
  ];
  for (const [config, kind, message] of cases) {
    await assert.rejects(MeshNode.create(config), (e) => e instanceof NetError && e.kind === kind && message.test(e.message), JSON.stringify(config));
  }
  await assert.rejects(MeshNode.create({ bindAddr: '127.0.0.1:0', psk: PSK, identitySeed: Buffer.alloc(31) }), (e) => e instanceof IdentityError && e.kind === 'invalid_length');
});

test('messages over 64 KiB are refused; start is idempotent; the napi getter exposes the binding', async () => {
  await withPair(async (a, b) => {
    a.start();
    const out = a.openStream(b.nodeId(), { streamId: 4n });
    await assert.rejects(a.sendOnStream(out, [Buffer.alloc(64 * 1024 + 1)]), (e) => e instanceof NetError && e.kind === 'message_too_large');
    assert.equal(a.napi.nodeId(), a.nodeId());
    assert.ok(a.stats().datagramsSent > 0n);
  });
});

test("@net-mesh/sdk/mesh (the seed's module path) exports the same classes as the top level", () => {
  assert.equal(meshModule.MeshNode, MeshNode);
  assert.equal(meshModule.NotConnectedError, NotConnectedError);
  assert.equal(meshModule.BackpressureError, BackpressureError);
  assert.equal(meshModule.HandshakeError, HandshakeError);
  assert.equal(meshModule.TimeoutError, TimeoutError);
});
