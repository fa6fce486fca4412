// NetNode: every emit form, poll, pollOne, stats, flush, shutdown, and
// their failure paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BackpressureError, NetError, NetNode, Receipt } from '@net-mesh/sdk';

async function all(node) {
  await node.flush();
  const out = [];
  let cursor;
  for (;;) {
    const page = await node.poll({ limit: 1000, cursor });
    out.push(...page.events);
    cursor = page.nextId;
    if (!page.hasMore) return out;
  }
}

test('create validates its configuration', async () => {
  const node = await NetNode.create({ shards: 3, ringCapacity: 100 });
  assert.equal(node.shards(), 3);
  await node.shutdown();
  for (const bad of [{ shards: 0 }, { shards: 5000 }, { ringCapacity: 1 }, { backpressure: 'Sometimes' }, { shardStrategy: 'random' }, { maxDelayMs: 0 }, { blockTimeoutMs: 0 }, { blockTimeoutMs: -1 }, { blockTimeoutMs: NaN }]) {
    await assert.rejects(NetNode.create(bad), (e) => e instanceof NetError && ['invalid_config', 'invalid_argument'].includes(e.kind), JSON.stringify(bad));
  }
  await assert.rejects(NetNode.create({ transport: { type: 'redis' } }), (e) => e instanceof NetError && e.kind === 'invalid_config');
  const mem = await NetNode.create({ transport: { type: 'memory' } });
  await mem.shutdown();
});

test('emit, emitRaw and emitBuffer store events and return receipts', async () => {
  const node = await NetNode.create({ shards: 1 });
  const r1 = node.emit({ token: 'hello', index: 0 });
  const r2 = node.emitRaw('{"token": "world"}');
  assert.ok(r1 instanceof Receipt);
  assert.equal(r1.shardId, 0);
  assert.equal(r1.sequence, 0n);
  assert.equal(r2.sequence, 1n);
  assert.equal(r1.dropped, false);
  assert.equal(typeof r2.timestamp, 'bigint');
  assert.ok(r2.timestamp >= r1.timestamp);
  assert.ok(r1.timestamp > 1_600_000_000n * 1_000_000_000n, 'Unix nanoseconds');
  assert.equal(r2.id, '0:1');
  assert.equal(r1.evicted, 0);
  assert.deepEqual(r2.toJSON(), { shardId: 0, sequence: '1', timestamp: String(r2.timestamp), dropped: false, evicted: 0 });
  assert.equal(node.emitBuffer(Buffer.from('{"token": "foo"}')), true);
  assert.equal(node.emitBuffer(new Uint8Array([0x7b, 0x7d])), true);
  const events = await all(node);
  assert.deepEqual(events.map((e) => e.raw), ['{"token":"hello","index":0}', '{"token": "world"}', '{"token": "foo"}', '{}']);
  const [first] = events;
  assert.equal(first.id, '0:0');
  assert.equal(first.shardId, 0);
  assert.equal(first.sequence, 0n);
  assert.equal(first.insertionTs, r1.timestamp);
  await node.shutdown();
});

test('emitRaw keeps long and non-ASCII text intact', async () => {
  const node = await NetNode.create({ shards: 2 });
  const long = JSON.stringify({ text: 'x'.repeat(10_000), tail: 'é😀' });
  const texts = [long, '{"s":"héllo wörld"}', '"\u{1F600}"', '{"edge":"' + 'a'.repeat(250) + 'é"}'];
  for (const t of texts) node.emitRaw(t);
  const got = (await all(node)).map((e) => e.raw).sort();
  assert.deepEqual(got, [...texts].sort());
  await node.shutdown();
});

test('emitBatch and emitRawBatch store every event in order on one shard', async () => {
  const node = await NetNode.create({ shards: 4 });
  assert.equal(node.emitBatch([{ a: 1 }, { a: 2 }, { a: 3 }]), 3);
  const raws = ['{"b":1}', '{"b":"ü"}', '{"b":"😀"}', '{}'];
  assert.equal(node.emitRawBatch(raws), 4);
  assert.equal(node.emitRawBatch([]), 0);
  const ascii = Array.from({ length: 1000 }, (_, i) => `{"i":${i}}`);
  assert.equal(node.emitRawBatch(ascii), 1000);
  const events = await all(node);
  assert.equal(events.length, 1007);
  const byShard = (prefix) => events.filter((e) => e.raw.startsWith(prefix));
  for (const [prefix, expected] of [['{"a"', ['{"a":1}', '{"a":2}', '{"a":3}']], ['{"b"', raws.slice(0, 3)], ['{"i"', ascii]]) {
    const got = byShard(prefix);
    assert.equal(new Set(got.map((e) => e.shardId)).size, 1, 'a batch goes to one shard');
    assert.deepEqual(got.map((e) => e.raw), expected);
  }
  assert.throws(() => node.emitRawBatch(['{}', 42]), (e) => e instanceof NetError && e.kind === 'invalid_argument');
  await node.shutdown();
});

test('fire and fireBatch store events without a receipt', async () => {
  const node = await NetNode.create({ shards: 2 });
  assert.equal(node.fire('{"f":1}'), true);
  assert.equal(node.fireBatch(['{"f":2}', '{"f":3}']), 2);
  assert.deepEqual((await all(node)).map((e) => e.raw).sort(), ['{"f":1}', '{"f":2}', '{"f":3}']);
  await node.shutdown();
});

test('values that are not JSON are refused with kind serialization', async () => {
  const node = await NetNode.create();
  for (const bad of [undefined, () => 1, { big: 1n }]) {
    assert.throws(() => node.emit(bad), (e) => e instanceof NetError && e.kind === 'serialization');
  }
  const cyclic = {};
  cyclic.self = cyclic;
  assert.throws(() => node.emitBatch([cyclic]), (e) => e instanceof NetError && e.kind === 'serialization');
  assert.throws(() => node.emitRaw(42), (e) => e instanceof NetError && e.kind === 'invalid_argument');
  assert.throws(() => node.emitBuffer('not a buffer'), (e) => e instanceof NetError && e.kind === 'invalid_argument');
  await node.shutdown();
});

test('poll pages with a cursor deliver every event exactly once', async () => {
  const node = await NetNode.create({ shards: 4 });
  const sent = Array.from({ length: 250 }, (_, i) => `{"n":${i}}`);
  for (const s of sent) node.emitRaw(s);
  await node.flush();
  const seen = [];
  let cursor;
  let pages = 0;
  for (;;) {
    const page = await node.poll({ limit: 40, cursor });
    assert.ok(page.events.length <= 40);
    seen.push(...page.events.map((e) => e.raw));
    cursor = page.nextId;
    pages++;
    if (!page.hasMore) break;
  }
  assert.ok(pages >= 7);
  assert.deepEqual(seen.sort(), [...sent].sort());
  assert.match(cursor, /^0:\d+,1:\d+,2:\d+,3:\d+$/);
  const empty = await node.poll({ limit: 10, cursor });
  assert.deepEqual(empty.events, []);
  assert.equal(empty.hasMore, false);
  const none = await node.poll({ limit: 0 });
  assert.deepEqual(none.events, []);
  await assert.rejects(node.poll({ cursor: 'garbage' }), (e) => e instanceof NetError && e.kind === 'invalid_cursor');
  await assert.rejects(node.poll({ limit: -1 }), (e) => e instanceof NetError && e.kind === 'invalid_argument');
  await node.shutdown();
});

test('pollOne hands out each event once, then null', async () => {
  const node = await NetNode.create({ shards: 2 });
  assert.equal(await node.pollOne(), null);
  node.emitRaw('{"p":1}');
  node.emitRaw('{"p":2}');
  await node.flush();
  const a = await node.pollOne();
  const b = await node.pollOne();
  assert.deepEqual([a.raw, b.raw].sort(), ['{"p":1}', '{"p":2}']);
  assert.equal(await node.pollOne(), null);
  node.emitRaw('{"p":3}');
  await node.flush();
  assert.equal((await node.pollOne()).raw, '{"p":3}');
  await node.shutdown();
});

test('stats count what was ingested; shards and napi are exposed', async () => {
  const node = await NetNode.create({ shards: 2 });
  node.emitRawBatch(['{}', '{}', '{}']);
  node.emit({ x: 1 });
  await node.flush();
  const s = node.stats();
  assert.equal(s.eventsIngested, 4n);
  assert.equal(s.eventsDropped, 0n);
  assert.equal(typeof s.batchesDispatched, 'bigint');
  assert.ok(s.batchesDispatched >= 1n);
  assert.deepEqual(s.shardDepths, [0, 0]);
  assert.equal(node.shards(), 2);
  assert.equal(typeof node.napi.emitBuffer, 'function');
  assert.equal(node.napi.isShutDown, false);
  await node.shutdown();
  assert.equal(node.napi.isShutDown, true);
});

test('after shutdown every call fails with kind closed; shutdown is idempotent', async () => {
  const node = await NetNode.create();
  node.emit({ before: true });
  await node.shutdown();
  await node.shutdown();
  const closed = (e) => e instanceof NetError && e.kind === 'closed' && e instanceof Error;
  assert.throws(() => node.emit({ after: true }), closed);
  assert.throws(() => node.emitRaw('{}'), closed);
  assert.throws(() => node.emitBuffer(Buffer.from('{}')), closed);
  assert.throws(() => node.emitRawBatch(['{}']), closed);
  assert.throws(() => node.fire('{}'), closed);
  assert.throws(() => node.fireBatch(['{}']), closed);
  await assert.rejects(node.poll(), closed);
  await assert.rejects(node.pollOne(), closed);
  await node.flush();
});

test('FailProducer: a full ring throws BackpressureError; fire returns false', async () => {
  const node = await NetNode.create({ shards: 1, ringCapacity: 2, backpressure: 'FailProducer' });
  let refused = null;
  for (let i = 0; i < 1_000_000 && refused === null; i++) {
    try {
      node.emitRaw('{"x":1}');
    } catch (e) {
      refused = e;
    }
  }
  assert.ok(refused instanceof BackpressureError, String(refused));
  assert.ok(refused instanceof NetError && refused instanceof Error);
  assert.equal(refused.kind, 'backpressure');
  assert.equal(refused.name, 'BackpressureError');
  let fired = true;
  for (let i = 0; i < 1_000_000 && fired; i++) fired = node.fire('{"y":1}');
  assert.equal(fired, false);
  let buffered = true;
  const buf = Buffer.from('{}');
  for (let i = 0; i < 1_000_000 && buffered; i++) {
    try {
      node.emitBuffer(buf);
    } catch (e) {
      assert.ok(e instanceof BackpressureError);
      buffered = false;
    }
  }
  assert.equal(buffered, false);
  await node.shutdown();
});

test('DropNewest: a full ring discards the new event and says so', async () => {
  const node = await NetNode.create({ shards: 1, ringCapacity: 2, backpressure: 'DropNewest' });
  let dropped = null;
  for (let i = 0; i < 1_000_000 && dropped === null; i++) {
    const r = node.emitRaw('{"x":1}');
    if (r.dropped) dropped = r;
  }
  assert.ok(dropped, 'some emit was dropped');
  assert.equal(dropped.sequence, 2n ** 64n - 1n);
  let kept = true;
  for (let i = 0; i < 1_000_000 && kept; i++) kept = node.emitBuffer(Buffer.from('{}'));
  assert.equal(kept, false);
  await node.flush();
  assert.ok(node.stats().eventsDropped >= 2n);
  await node.shutdown();
});

test('Block is a policy and the default; a timeout of 0 is the core\'s invalid_config', async () => {
  for (const config of [{ backpressure: 'Block' }, { backpressure: 'block', blockTimeoutMs: 50 }, { blockTimeoutMs: 0.5 }]) {
    const node = await NetNode.create(config);
    const r = node.emitRaw('{}');
    assert.equal(r.dropped, false);
    assert.equal(r.evicted, 0);
    await node.shutdown();
  }
  await assert.rejects(NetNode.create({ blockTimeoutMs: 0 }), (e) => e instanceof NetError && e.kind === 'invalid_config' && /block_timeout/.test(e.message));
  // The default waits for room instead of evicting: a 2-slot ring that
  // overflows all the time still loses nothing.
  const node = await NetNode.create({ shards: 1, ringCapacity: 2 });
  for (let i = 0; i < 20_000; i++) {
    const r = node.emitRaw(`{"i":${i}}`);
    if (r.dropped || r.evicted !== 0) assert.fail(`emit ${i}: ${JSON.stringify(r)}`);
  }
  const events = await all(node);
  assert.deepEqual(events.map((e) => e.raw), Array.from({ length: 20_000 }, (_, i) => `{"i":${i}}`));
  assert.equal(node.stats().eventsDropped, 0n);
  await node.shutdown();
});

/** Polls every retained event; how many times each `{"i":N}` (N < expected) was seen. */
async function readAll(node, expected) {
  const seen = new Uint8Array(expected);
  let cursor;
  for (;;) {
    const page = await node.poll({ limit: 1 << 18, cursor });
    for (const e of page.events) {
      const raw = e.raw;
      if (!raw.startsWith('{"i":') || !raw.endsWith('}')) assert.fail(`unexpected event ${raw}`);
      seen[Number(raw.slice(5, -1))]++;
    }
    cursor = page.nextId;
    if (!page.hasMore) return seen;
  }
}

const count = (seen, n) => seen.reduce((c, x) => c + (x === n ? 1 : 0), 0);

test('the default configuration stores every event of a sustained burst (issue 17)', async () => {
  // 2,000,000 distinct events, far more than the default rings hold
  // (4 shards x 8192), emitted as fast as one thread can.
  const total = 2_000_000;
  const node = await NetNode.create();
  for (let i = 0; i < total; i++) node.emitRaw(`{"i":${i}}`);
  await node.flush();
  const s = node.stats();
  assert.equal(s.eventsIngested, BigInt(total));
  assert.equal(s.eventsDropped, 0n);
  const seen = await readAll(node, total);
  assert.equal(count(seen, 1), total, `${count(seen, 0)} missing`);
  await node.shutdown();
});

test('DropOldest: every eviction is reported in the receipt of the emit that caused it', async () => {
  const node = await NetNode.create({ shards: 1, ringCapacity: 64, backpressure: 'DropOldest' });
  let evicted = 0;
  let emitted = 0;
  while (evicted === 0 && emitted < 2_000_000) {
    for (let k = 0; k < 20_000; k++) {
      const r = node.emitRaw(`{"i":${emitted}}`);
      if (r.dropped) assert.fail('DropOldest dropped the new event');
      evicted += r.evicted;
      emitted++;
    }
  }
  assert.ok(evicted > 0, 'a 64-slot ring kept up with 2M emits');
  await node.flush();
  const s = node.stats();
  assert.equal(s.eventsDropped, BigInt(evicted));
  assert.equal(s.eventsIngested, BigInt(emitted));
  const seen = await readAll(node, emitted);
  assert.equal(count(seen, 1), emitted - evicted);
  assert.equal(count(seen, 0), evicted);
  await node.shutdown();
});
