// RedEX and NetDb through @net-mesh/core directly: errors carry the core's
// kind as `code`, seqs are bigints, tails and watches resolve batches.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const native = require('..');

const code = (c) => (e) => e instanceof Error && e.code === c;

test('RedEX files append, read and tail; failures carry their kind', async () => {
  const redex = new native.Redex();
  assert.throws(() => redex.openFile('a//b'), code('invalid_channel'));
  assert.throws(() => redex.openFile('x', { persistent: true }), code('redex:config'));
  assert.throws(() => redex.openFile('x', { fsyncEveryN: 1n, fsyncNever: true }), code('redex:config'));
  assert.throws(() => redex.openFile('x', { fsyncEveryN: -1n }), code('invalid_argument'));
  const f = redex.openFile('t/native');
  assert.equal(f.append(Buffer.from('a')), 0n);
  assert.equal(f.appendBatch([Buffer.from('b'), Buffer.from('c')]), 1n);
  assert.equal(f.appendBatch([]), null);
  assert.equal(f.appendIdempotent(Buffer.from('k'), Buffer.from('d')), 3n);
  assert.equal(f.appendIdempotent(Buffer.from('k'), Buffer.from('again')), 3n);
  assert.deepEqual(f.readRange(0n, 10n).map((e) => e.payload.toString()), ['a', 'b', 'c', 'd']);
  assert.equal(f.nextSeq, 4n);
  const tail = f.tail(2n);
  assert.deepEqual((await tail.nextBatch(10)).map((e) => e.seq), [2n, 3n]);
  const pending = tail.nextBatch(10);
  f.append(Buffer.from('live'));
  assert.deepEqual((await pending).map((e) => e.payload.toString()), ['live']);
  f.close();
  assert.equal(await tail.nextBatch(10), null);
  assert.throws(() => f.append(Buffer.from('late')), code('redex:closed'));
  // close() wakes a waiting nextBatch.
  const g = redex.openFile('t/wake');
  const waiting = g.tail(0n);
  const next = waiting.nextBatch(1);
  waiting.close();
  assert.equal(await next, null);
});

test('NetDb tasks and memories; errors carry their kind', async () => {
  const redex = new native.Redex();
  const db = native.NetDb.open(redex, { originHash: 7n, withTasks: true, withMemories: true });
  const seq = db.tasks.create(1n, 'write docs', 5n);
  await db.tasks.waitForSeq(seq);
  assert.throws(() => db.tasks.create(1n, 'dup', 0n), code('cortex:exists'));
  assert.throws(() => db.tasks.rename(9n, 'x'), code('cortex:not_found'));
  assert.throws(() => db.tasks.setStatus(1n, 'done'), code('invalid_argument'));
  assert.throws(() => db.tasks.list({ order: 'sideways' }), code('invalid_argument'));
  await assert.rejects(db.tasks.waitForSeq(99n, 10), code('timeout'));
  db.memories.store(1n, 'm', ['b', 'a'], 0n);
  assert.deepEqual(db.memories.get(1n).tags, ['a', 'b']);
  const only = native.NetDb.open(redex, { withTasks: false });
  assert.equal(only.tasks, null);
  const watch = db.tasks.snapshotAndWatch({ status: 'completed' });
  assert.deepEqual(watch.snapshot, []);
  db.tasks.complete(1n);
  assert.deepEqual((await watch.nextBatch()).map((t) => t.id), [1n]);
  assert.throws(() => native.NetDb.openFromSnapshot(new native.Redex(), { withTasks: true }, Buffer.from('{}')), code('netdb:bundle'));
  db.close();
  assert.equal(await watch.nextBatch(), null);
  assert.throws(() => db.tasks.create(2n, 'late', 0n), code('cortex:closed'));
});

test('a persistent file survives reopen and corruption is reported loudly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'net-redex-'));
  try {
    const redex = new native.Redex(dir);
    const f = redex.openFile('p/log', { persistent: true, fsyncEveryN: 1n });
    for (let i = 0; i < 5; i++) f.append(Buffer.from(`r${i}`));
    assert.throws(() => new native.Redex(dir).openFile('p/log', { persistent: true }), code('redex:locked'));
    f.close();
    const again = redex.openFile('p/log', { persistent: true });
    assert.deepEqual(again.readRange(0n, 100n).map((e) => e.payload.toString()), ['r0', 'r1', 'r2', 'r3', 'r4']);
    assert.equal(again.repairReport, null);
    again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
