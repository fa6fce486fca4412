// NetNode.create({ transport: { type: 'mesh', ... } }): the bus over an
// encrypted mesh link — events cross once, in order per shard — and every
// bad transport is a typed error. Every test shuts down what it started.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { HandshakeError, Identity, NetError, NetNode, TimeoutError } from '@net-mesh/sdk';

const PSK = '42'.repeat(32);
const RESPONDER = Identity.fromSeed(Buffer.alloc(32, 0x11));

/** A loopback UDP port nobody holds, for a responder the initiator must find. */
async function freePort() {
  const s = createSocket('udp4');
  await new Promise((ok) => s.bind(0, '127.0.0.1', ok));
  const { port } = s.address();
  await new Promise((ok) => s.close(ok));
  return port;
}

async function linked(pin) {
  const me = Identity.generate();
  const addr = `127.0.0.1:${await freePort()}`;
  const responder = { type: 'mesh', bind: addr, psk: PSK, identitySeed: RESPONDER.toBytes(), handshakeTimeoutMs: 30000 };
  const initiator = {
    type: 'mesh',
    bind: '127.0.0.1:0',
    peer: addr,
    psk: Buffer.from(PSK, 'hex'),
    peerPublicKey: RESPONDER.meshPublicKey,
    identitySeed: me.toBytes(),
  };
  if (pin) {
    responder.peerNodeId = me.nodeId;
    initiator.peerNodeId = RESPONDER.nodeId;
  }
  return Promise.all([NetNode.create({ shards: 2, transport: responder }), NetNode.create({ shards: 2, transport: initiator })]);
}

async function pollUntil(node, want) {
  const deadline = Date.now() + 30000;
  for (;;) {
    const all = [];
    let cursor;
    for (;;) {
      const page = await node.poll({ limit: 4096, cursor });
      all.push(...page.events);
      cursor = page.nextId;
      if (!page.hasMore) break;
    }
    if (all.length >= want) return all;
    assert.ok(Date.now() < deadline, `only ${all.length} of ${want} events arrived`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

for (const pin of [false, true]) {
  test(`events cross a mesh link once and in order per shard (pinned: ${pin})`, async () => {
    const [responder, initiator] = await linked(pin);
    const n = 10000;
    for (let i = 0; i < n; i++) initiator.emit({ i });
    responder.emit({ from: 'responder' });
    await initiator.shutdown(); // drains and waits for the peer's acks
    const last = new Map();
    const seen = new Set();
    for (const e of await pollUntil(responder, n + 1)) {
      const { i } = JSON.parse(e.raw);
      if (i === undefined) continue;
      assert.ok(!seen.has(i), `event ${i} arrived twice`);
      seen.add(i);
      assert.ok((last.get(e.shardId) ?? -1) < i, `shard ${e.shardId}: ${i} out of order`);
      last.set(e.shardId, i);
    }
    assert.equal(seen.size, n);
    // The responder counts what it stored from its peer.
    const stats = responder.stats();
    assert.equal(stats.remoteEvents, BigInt(n));
    assert.equal(stats.forwardFailures, 0n);
    await responder.shutdown();
  });
}

test('bad transports are typed errors', async () => {
  const refused = async (transport, kind, pattern) => {
    await assert.rejects(NetNode.create({ transport }), (e) => {
      assert.ok(e instanceof NetError, String(e));
      assert.equal(e.kind, kind);
      if (pattern) assert.match(e.message, pattern);
      return true;
    });
  };
  await refused({ type: 'redis' }, 'invalid_config', /url/);
  await refused({ type: 'jetstream', url: 'nats://127.0.0.1:1', bogus: 1 }, 'invalid_config', /bogus/);
  await refused({ type: 'pigeon' }, 'invalid_config', /pigeon/);
  await refused({ type: 'mesh', bind: '127.0.0.1:0', psk: 'abc' }, 'invalid_config', /psk/);
  await refused({ type: 'mesh', bind: '127.0.0.1:0', psk: PSK, peer: '127.0.0.1:9' }, 'invalid_config', /peerPublicKey|peer_public_key/);
  await refused({ type: 'mesh', bind: '127.0.0.1:0', psk: PSK, bogus: 1 }, 'invalid_config', /bogus/);
  await assert.rejects(
    NetNode.create({ transport: { type: 'mesh', bind: '127.0.0.1:0', psk: PSK, handshakeTimeoutMs: 200 } }),
    TimeoutError,
  );
});

test('a wrong PSK is refused with wrong_psk', async () => {
  const addr = `127.0.0.1:${await freePort()}`;
  const waiting = NetNode.create({
    transport: { type: 'mesh', bind: addr, psk: PSK, identitySeed: RESPONDER.toBytes(), handshakeTimeoutMs: 1500 },
  });
  await assert.rejects(
    NetNode.create({
      transport: { type: 'mesh', bind: '127.0.0.1:0', peer: addr, psk: '00'.repeat(32), peerPublicKey: RESPONDER.meshPublicKey },
    }),
    (e) => e instanceof HandshakeError && e.kind === 'wrong_psk',
  );
  await assert.rejects(waiting, TimeoutError);
});
