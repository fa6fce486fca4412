// @net-mesh/core used directly: errors carry the core's kind as `code`,
// bound emitters behave like the methods, the receipt scratch is filled.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const native = require('..');

const code = (c) => (e) => e instanceof Error && e.code === c;

test('errors are Errors whose code is the stable kind', async () => {
  assert.throws(() => new native.NetNode({ shards: 0 }), code('invalid_config'));
  assert.throws(() => native.Identity.fromSeed(Buffer.alloc(1)), code('invalid_length'));
  assert.throws(() => native.Token.fromBytes(Buffer.alloc(3)), code('invalid_format'));
  assert.throws(() => native.channelHash('a//b'), code('invalid_channel'));
  const node = new native.NetNode({ shards: 1 });
  await assert.rejects(node.poll(1, 'x:y'), code('invalid_cursor'));
  await node.shutdown();
  await assert.rejects(node.poll(1), code('closed'));
});

test('mesh errors are Errors whose code is the stable kind; ids are bigints', async () => {
  const psk = '42'.repeat(32);
  assert.throws(() => native.MeshNode.create({ bindAddr: '127.0.0.1:0', psk: '42' }), code('invalid_config'));
  assert.throws(() => native.MeshNode.create({ bindAddr: 'x', psk }), code('invalid_config'));
  assert.throws(() => new native.MeshNode(), Error, 'no constructor: create() is the way in');
  const a = await native.MeshNode.create({ bindAddr: '127.0.0.1:0', psk });
  assert.equal(typeof a.nodeId(), 'bigint');
  assert.throws(() => a.openStream(-1n, 1n), code('invalid_argument'));
  assert.throws(() => a.openStream(1n << 64n, 1n), code('invalid_argument'));
  assert.throws(() => a.openStream(7n, 1n), code('not_connected'));
  await assert.rejects(a.accept(7n, 20), code('timeout'));
  await a.shutdown();
  await assert.rejects(a.accept(7n, 20), code('closed'));
});

test('bound emitters: same results as the methods, same errors', async () => {
  // Room for the three events below even if the batcher has drained none
  // of them yet (a 2-slot ring made this test depend on its timing).
  const node = new native.NetNode({ shards: 1, ringCapacity: 4, backpressure: 'FailProducer' });
  const fast = node.bindEmitters();
  assert.deepEqual(Object.keys(fast).sort(), ['emitBuffer', 'emitRaw', 'fire']);
  assert.equal(fast.emitRaw('{"a":1}'), true);
  const scratch = native.receiptScratch();
  assert.equal(scratch.length, 7, '[shardId, seqLo, seqHi, tsLo, tsHi, dropped, evicted]');
  assert.deepEqual([...scratch].slice(0, 3), [0, 0, 0]);
  assert.equal(scratch[6], 0, 'FailProducer evicts nothing');
  assert.equal(native.lastReceipt().evicted, 0);
  assert.deepEqual(native.lastReceipt().sequence, 0n);
  assert.equal(fast.emitBuffer(Buffer.from('{"b":2}')), true);
  assert.equal(fast.emitBuffer(new Uint8Array(0)), true, 'an empty event is an event');
  assert.throws(() => fast.emitBuffer('text'), code('invalid_argument'));
  assert.throws(() => fast.emitRaw(Buffer.from('x')), code('invalid_argument'));
  assert.throws(() => fast.emitRaw(), code('invalid_argument'));
  let full = null;
  for (let i = 0; i < 1_000_000 && !full; i++) {
    try {
      fast.emitRaw('{}');
    } catch (e) {
      full = e;
    }
  }
  assert.ok(code('backpressure')(full));
  let fired = true;
  for (let i = 0; i < 1_000_000 && fired; i++) fired = fast.fire('{}');
  assert.equal(fired, false);
  await node.shutdown();
  assert.throws(() => fast.emitBuffer(Buffer.from('{}')), code('closed'));
  assert.throws(() => fast.fire('{}'), code('closed'));
});

test('bound emitters keep their node alive after it is dropped', async () => {
  let node = new native.NetNode({ shards: 1 });
  const fast = node.bindEmitters();
  node = null;
  // Each bound function holds its own reference to the core node.
  if (global.gc) global.gc();
  await new Promise((r) => setImmediate(r));
  assert.equal(fast.emitRaw('{"still":"works"}'), true);
});
