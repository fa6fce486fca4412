// The seed's CortEX & NetDb and Raw RedEX file surfaces: typed errors,
// persistence across reopen, tails and watches as async iterators.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CortexError, MemoriesAdapter, NetDb, NetDbError, NetError, Redex, RedexError, TaskStatus, TasksAdapter } from '@net-mesh/sdk';
import * as cortexModule from '@net-mesh/sdk/cortex';

function tempDir() {
  return mkdtempSync(join(tmpdir(), 'net-sdk-cortex-'));
}

test('the seed quick start: create, waitForSeq, snapshotAndWatch', async () => {
  const db = await NetDb.open({ originHash: 0xabcdef01, withTasks: true, withMemories: true });
  const seq = db.tasks.create(1n, 'write docs', 100n);
  await db.tasks.waitForSeq(seq);
  assert.equal(db.tasks.count(), 1);
  assert.equal(db.tasks.listTasks()[0].origin, 0xabcdef01n);
  const { snapshot, updates } = await db.tasks.snapshotAndWatch({ status: TaskStatus.Pending });
  assert.deepEqual(snapshot.map((t) => t.id), [1n]);
  db.tasks.create(2n, 'ship', 200n);
  for await (const next of updates) {
    assert.deepEqual(next.map((t) => t.id), [1n, 2n]);
    break; // closes the native watch
  }
  const watch = await db.tasks.watch({ titleContains: 'ship' });
  const first = await watch.next();
  assert.deepEqual(first.value.map((t) => t.title), ['ship']);
  db.close();
  assert.equal((await watch.next()).done, true);
});

test('typed errors: CortexError, NetDbError, RedexError', async () => {
  const db = await NetDb.open({ withTasks: true });
  db.tasks.create(1n, 'a');
  assert.throws(() => db.tasks.create(1n, 'dup'), (e) => e instanceof CortexError && e.kind === 'cortex:exists');
  assert.throws(() => db.tasks.delete(9n), (e) => e instanceof CortexError && e.kind === 'cortex:not_found');
  await assert.rejects(db.tasks.waitForSeq(50n, 10), (e) => e instanceof CortexError && e.kind === 'timeout');
  assert.equal(db.memories, null);
  await assert.rejects(NetDb.openFromSnapshot({ withTasks: true }, Buffer.from('nope')), (e) => e instanceof NetDbError && e.kind === 'netdb:bundle');
  await assert.rejects(NetDb.openFromSnapshot({ withTasks: true, withMemories: true }, db.snapshot()), (e) => e instanceof NetDbError && e.kind === 'netdb:missing_model');
  const redex = new Redex();
  assert.throws(() => redex.openFile('a//b'), (e) => e instanceof RedexError && e.kind === 'invalid_channel');
  assert.throws(() => redex.openFile('x', { persistent: true }), (e) => e instanceof RedexError && e.kind === 'redex:config');
  db.close();
  assert.throws(() => db.tasks.create(2n, 'late'), (e) => e instanceof CortexError && e instanceof NetError && e.kind === 'cortex:closed');
});

test('raw RedEX file: append, batch, tail backfill then live, close ends the tail', async () => {
  const redex = new Redex();
  const file = redex.openFile('analytics/clicks', { retentionMaxEvents: 1_000_000n });
  assert.equal(file.append(Buffer.from(JSON.stringify({ url: '/home' }))), 0n);
  assert.equal(file.appendBatch([Buffer.from('b'), Buffer.from('c')]), 1n);
  assert.equal(file.appendBatch([]), null);
  const stream = await file.tail(0n);
  const seen = [];
  for await (const event of stream) {
    seen.push(event.seq);
    if (event.seq === 2n) file.append(Buffer.from('live'));
    if (event.seq === 3n) file.close();
  }
  assert.deepEqual(seen, [0n, 1n, 2n, 3n]);
  assert.throws(() => file.append(Buffer.from('x')), (e) => e instanceof RedexError && e.kind === 'redex:closed');
});

test('persistence across reopen, torn tails and loud corruption', async () => {
  const dir = tempDir();
  try {
    let redex = new Redex({ persistentDir: dir });
    let file = redex.openFile('orders/audit', { persistent: true, fsyncEveryN: 1n });
    for (let i = 0; i < 10; i++) file.append(Buffer.from(`order-${i}`));
    file.close();
    file = redex.openFile('orders/audit', { persistent: true });
    assert.deepEqual(file.readRange().map((e) => e.payload.toString()), Array.from({ length: 10 }, (_, i) => `order-${i}`));
    file.close();
    const seg = join(dir, 'orders%2Faudit', '00000000000000000000.log');
    appendFileSync(seg, Buffer.from([1, 2, 3]));
    file = redex.openFile('orders/audit', { persistent: true });
    assert.equal(file.repairReport.kind, 'torn_tail');
    assert.equal(file.repairReport.bytesCut, 3n);
    file.close();
    const raw = readFileSync(seg);
    raw[32 + 7 + 32 + 2] ^= 0xff;
    writeFileSync(seg, raw);
    assert.throws(
      () => redex.openFile('orders/audit', { persistent: true }),
      (e) => e instanceof RedexError && e.kind === 'redex:corrupt' && e.message.includes(seg) && e.message.includes('offset 39'),
    );
    file = redex.openFile('orders/audit', { persistent: true, recover: true });
    assert.equal(file.repairReport.kind, 'corruption');
    assert.equal(file.readRange().length, 1);
    file.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('NetDb state survives reopen and a snapshot bundle restores it', async () => {
  const dir = tempDir();
  try {
    const config = { persistentDir: dir, persistent: true, originHash: 7n, withTasks: true, withMemories: true, file: { fsyncNever: true } };
    let db = await NetDb.open(config);
    for (let i = 0n; i < 20n; i++) db.tasks.create(i, `task ${i}`, i);
    db.tasks.complete(3n);
    db.memories.store(1n, 'kept', ['a']);
    const before = db.snapshot();
    db.close();
    db = await NetDb.open(config);
    assert.deepEqual(db.snapshot(), before);
    assert.equal(db.tasks.count({ status: TaskStatus.Completed }), 1);
    const restored = await NetDb.openFromSnapshot({ withTasks: true, withMemories: true }, before);
    assert.deepEqual(restored.tasks.listTasks(), db.tasks.listTasks());
    assert.deepEqual(restored.memories.listMemories({ tagsAll: ['a'] }).map((m) => m.content), ['kept']);
    db.close();
    // Standalone adapters on a Redex see the same persisted models.
    const redex = new Redex({ persistentDir: dir });
    const tasks = await TasksAdapter.open(redex, 0xabcdef01, { persistent: true });
    assert.equal(tasks.count(), 20);
    const memories = await MemoriesAdapter.open(redex, 1n, { persistent: true });
    assert.equal(memories.count(), 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('model-level persistence: adapter.snapshot() and openFromSnapshot', async () => {
  const redex = new Redex();
  const tasks = await TasksAdapter.open(redex, 7n);
  for (let i = 0n; i < 5n; i++) tasks.create(i, `task ${i}`, i);
  tasks.complete(1n);
  const snap = tasks.snapshot();
  assert.ok(Buffer.isBuffer(snap));

  // On its own log: the snapshot's state, then each later event once.
  tasks.rename(2n, 'after the snapshot');
  tasks.delete(3n);
  const restored = await TasksAdapter.openFromSnapshot(redex, 7n, snap);
  assert.deepEqual(restored.listTasks(), tasks.listTasks());
  assert.deepEqual(restored.snapshot(), tasks.snapshot(), 'same state and folded seq');
  const seq = tasks.create(10n, 'later');
  await restored.waitForSeq(seq, 1000);
  assert.equal(restored.get(10n).title, 'later');
  assert.equal(restored.create(11n, 'from the restored side'), seq + 1n);

  // Into a fresh Redex: the snapshot is the base.
  const fresh = await TasksAdapter.openFromSnapshot(new Redex(), 7n, snap);
  assert.deepEqual(fresh.listTasks().map((t) => t.title), ['task 0', 'task 1', 'task 2', 'task 3', 'task 4']);
  assert.equal(fresh.get(1n).status, TaskStatus.Completed);

  // A NetDb bundle carries exactly the model snapshots.
  const db = await NetDb.open({ originHash: 1n, withTasks: true, withMemories: true });
  db.tasks.create(1n, 'x');
  db.memories.store(1n, 'm', ['t']);
  const bundle = JSON.parse(db.snapshot().toString());
  assert.deepEqual(bundle.tasks, JSON.parse(db.tasks.snapshot().toString()));
  assert.deepEqual(bundle.memories, JSON.parse(db.memories.snapshot().toString()));
  const memories = await MemoriesAdapter.openFromSnapshot(new Redex(), 1n, db.memories.snapshot());
  assert.deepEqual(memories.listMemories(), db.memories.listMemories());
  memories.tag(1n, 'u');
  assert.deepEqual(memories.get(1n).tags, ['t', 'u']);

  // Bytes that are not a tasks snapshot: typed errors.
  const bad = [Buffer.from('garbage'), Buffer.alloc(0), snap.subarray(0, snap.length - 1), db.memories.snapshot(), db.snapshot()];
  for (const bytes of bad) {
    await assert.rejects(TasksAdapter.openFromSnapshot(new Redex(), 1n, bytes), (e) => e instanceof NetDbError && e.kind === 'netdb:bundle');
  }
  await assert.rejects(
    MemoriesAdapter.openFromSnapshot(new Redex(), 1n, snap),
    (e) => e instanceof NetDbError && e.kind === 'netdb:bundle' && e.message.includes('a tasks snapshot, not a memories snapshot'),
  );
  await assert.rejects(TasksAdapter.openFromSnapshot(new Redex(), 1n, 'not a buffer'), (e) => e instanceof NetDbError && e.kind === 'invalid_argument');
});

test("@net-mesh/sdk/cortex (the seed's module path) exports the same classes as the top level", () => {
  assert.equal(cortexModule.Redex, Redex);
  assert.equal(cortexModule.NetDb, NetDb);
  assert.equal(cortexModule.TasksAdapter, TasksAdapter);
  assert.equal(cortexModule.MemoriesAdapter, MemoriesAdapter);
  assert.equal(cortexModule.TaskStatus, TaskStatus);
  assert.equal(cortexModule.RedexError, RedexError);
  assert.equal(cortexModule.CortexError, CortexError);
  assert.equal(cortexModule.NetDbError, NetDbError);
});
