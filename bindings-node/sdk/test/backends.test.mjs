// NetNode.create({ transport: { type: 'redis' | 'jetstream', url } }) against
// real servers, and RedisStreamDedup. The servers come from
// tests/servers/run_with_servers.py (NET_REDIS_URL, NET_NATS_URL); without
// them the server tests are skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetError, NetNode, RedisStreamDedup } from '@net-mesh/sdk';
import * as core from '@net-mesh/core';

const REDIS = process.env.NET_REDIS_URL;
const NATS = process.env.NET_NATS_URL;

async function readAll(node) {
  await node.flush();
  const out = [];
  let cursor;
  for (;;) {
    const page = await node.poll({ limit: 128, cursor });
    out.push(...page.events);
    cursor = page.nextId;
    if (!page.hasMore) return { events: out, cursor };
  }
}

async function emitPollAndLive(node) {
  for (let n = 0; n < 1000; n++) node.emit({ n });
  const { events, cursor } = await readAll(node);
  assert.equal(events.length, 1000);
  const last = new Map();
  for (const e of events) {
    const n = JSON.parse(e.raw).n;
    if (last.has(e.shardId)) assert.ok(n > last.get(e.shardId), `shard ${e.shardId}: ${n} after ${last.get(e.shardId)}`);
    last.set(e.shardId, n);
  }
  assert.deepEqual([...new Set(events.map((e) => JSON.parse(e.raw).n))].sort((a, b) => a - b), [...Array(1000).keys()]);
  // The cursor resumes after everything read.
  node.emit({ n: 5000 });
  await node.flush();
  const next = await node.poll({ limit: 10, cursor });
  assert.deepEqual(next.events.map((e) => JSON.parse(e.raw).n), [5000]);
  // Live: a following stream from the cursor after everything read waits
  // for, and sees, the next events.
  const stream = node.subscribe({ follow: true, cursor: next.nextId });
  const got = [];
  const reading = (async () => {
    for await (const e of stream) {
      got.push(JSON.parse(e.raw).n);
      if (got.length === 10) break;
    }
  })();
  for (let n = 6000; n < 6010; n++) node.emit({ n });
  await reading;
  assert.deepEqual(got.sort((a, b) => a - b), [...Array(10).keys()].map((i) => 6000 + i));
  const stats = node.stats();
  assert.equal(stats.backendErrors, 0n);
  assert.equal(typeof stats.sinceLastSuccessMs, 'number');
}

test('the redis transport emits, polls, resumes and streams live', { skip: !REDIS && 'NET_REDIS_URL not set' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'net-node-redis-'));
  try {
    const producerNoncePath = join(dir, 'producer.nonce');
    const node = await NetNode.create({ shards: 2, transport: { type: 'redis', url: REDIS, prefix: `node${process.pid}` }, producerNoncePath });
    try {
      await emitPollAndLive(node);
    } finally {
      await node.shutdown();
    }
    assert.equal(readFileSync(producerNoncePath, 'utf8').length, 17);
    // A corrupt nonce file is a typed error, and it is left alone.
    writeFileSync(producerNoncePath, 'garbage');
    await assert.rejects(NetNode.create({ transport: { type: 'redis', url: REDIS }, producerNoncePath }), (e) => e instanceof NetError && e.kind === 'corrupt_nonce');
    assert.equal(readFileSync(producerNoncePath, 'utf8'), 'garbage');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the jetstream transport emits, polls, resumes and streams live', { skip: !NATS && 'NET_NATS_URL not set' }, async () => {
  const node = await NetNode.create({ shards: 2, transport: { type: 'jetstream', url: NATS, stream: `NODE${process.pid}`, subjectPrefix: `node${process.pid}` } });
  try {
    await emitPollAndLive(node);
  } finally {
    await node.shutdown();
  }
});

test('unreachable servers are typed errors naming the url without the password', async () => {
  for (const url of ['redis://:hunter2@127.0.0.1:1', 'nats://u:hunter2@127.0.0.1:1']) {
    const type = url.startsWith('redis') ? 'redis' : 'jetstream';
    await assert.rejects(NetNode.create({ transport: { type, url } }), (e) => {
      assert.ok(e instanceof NetError && ['backend', 'timeout'].includes(e.kind), String(e));
      assert.ok(!e.message.includes('hunter2') && e.message.includes(':***@127.0.0.1:1'), e.message);
      return true;
    });
  }
});

test('RedisStreamDedup is an LRU of dedup ids', () => {
  const d = new RedisStreamDedup(2);
  assert.equal(d.capacity, 2);
  assert.ok(d.isEmpty);
  assert.equal(d.isDuplicate('n:0:0:0'), false);
  assert.equal(d.isDuplicate('n:0:0:0'), true);
  assert.equal(d.isDuplicate('n:0:0:1'), false);
  assert.equal(d.isDuplicate('n:0:0:2'), false); // evicts n:0:0:0
  assert.equal(d.isDuplicate('n:0:0:0'), false);
  assert.equal(d.len, 2);
  assert.equal(d.isEmpty, false);
  d.clear();
  assert.ok(d.isEmpty);
  assert.equal(new RedisStreamDedup().capacity, 4096);
  assert.equal(RedisStreamDedup, core.RedisStreamDedup);
});
