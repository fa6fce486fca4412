// Streams: subscribe (drain and follow), subscribeTyped, channels, and
// the release of native subscriptions when a loop breaks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import * as core from '@net-mesh/core';
import { IdentityError, NetError, NetNode, channelHash } from '@net-mesh/sdk';

async function collect(iterable, max = Infinity) {
  const out = [];
  for await (const v of iterable) {
    out.push(v);
    if (out.length >= max) break;
  }
  return out;
}

test('subscribe without follow delivers everything emitted before, then ends', async () => {
  const node = await NetNode.create({ shards: 4 });
  const sent = Array.from({ length: 500 }, (_, i) => `{"i":${i}}`);
  sent.forEach((s) => node.emitRaw(s));
  // No flush here: the stream flushes before reading.
  const got = await collect(node.subscribe({ limit: 64 }));
  assert.deepEqual(got.map((e) => e.raw).sort(), [...sent].sort());
  assert.equal(typeof got[0].insertionTs, 'bigint');
  await node.shutdown();
});

test('subscribe resumes from a poll cursor', async () => {
  const node = await NetNode.create({ shards: 2 });
  node.emitRawBatch(['{"a":1}', '{"a":2}']);
  await node.flush();
  const page = await node.poll({ limit: 100 });
  node.emitRaw('{"a":3}');
  const rest = await collect(node.subscribe({ cursor: page.nextId }));
  assert.deepEqual(rest.map((e) => e.raw), ['{"a":3}']);
  await assert.rejects(collect(node.subscribe({ cursor: 'nope' })), (e) => e instanceof NetError && e.kind === 'invalid_cursor');
  assert.throws(() => node.subscribe({ limit: 0 }), (e) => e instanceof NetError && e.kind === 'invalid_argument');
  assert.throws(() => node.subscribe({ fromBeginning: false }), (e) => e instanceof NetError && e.kind === 'invalid_argument');
  await node.shutdown();
});

test('follow: events emitted after subscribing arrive; shutdown ends the stream', async () => {
  const node = await NetNode.create({ shards: 2 });
  node.emitRaw('{"old":true}');
  await node.flush();
  const live = node.subscribe({ follow: true });
  const received = collect(live);
  await sleep(20);
  node.emitRaw('{"new":1}');
  node.emitRawBatch(['{"new":2}', '{"new":3}']);
  await node.flush();
  await sleep(20);
  await node.shutdown();
  const got = (await received).map((e) => e.raw).sort();
  assert.deepEqual(got, ['{"new":1}', '{"new":2}', '{"new":3}'], 'live from the tail, ends at shutdown');
  assert.equal(core.liveSubscriptions(), 0);
});

test('follow with fromBeginning replays retained events first', async () => {
  const node = await NetNode.create({ shards: 1 });
  node.emitRawBatch(['{"k":1}', '{"k":2}']);
  const got = collect(node.subscribe({ follow: true, fromBeginning: true }), 3);
  await sleep(20);
  node.emitRaw('{"k":3}');
  assert.deepEqual((await got).map((e) => e.raw), ['{"k":1}', '{"k":2}', '{"k":3}']);
  await node.shutdown();
});

test('breaking out of a following loop releases the native subscription', async () => {
  const node = await NetNode.create({ shards: 2 });
  const before = core.liveSubscriptions();
  node.emitRawBatch(Array.from({ length: 10 }, (_, i) => `{"b":${i}}`));
  let seen = 0;
  for await (const event of node.subscribe({ follow: true, fromBeginning: true, limit: 4 })) {
    assert.ok(event.raw.startsWith('{"b":'));
    assert.equal(core.liveSubscriptions(), before + 1, 'alive while iterating');
    if (++seen === 3) break;
  }
  assert.equal(seen, 3);
  assert.equal(core.liveSubscriptions(), before, 'break released it');
  await node.shutdown();
});

test('close() while a read is pending ends the stream and releases it', async () => {
  const node = await NetNode.create({ shards: 1 });
  const before = core.liveSubscriptions();
  const stream = node.subscribe({ follow: true });
  const pending = stream.next();
  await sleep(20);
  assert.equal(core.liveSubscriptions(), before + 1);
  stream.close();
  assert.deepEqual(await pending, { done: true, value: undefined });
  assert.equal(core.liveSubscriptions(), before);
  assert.deepEqual(await stream.next(), { done: true, value: undefined });
  stream.close();
  await node.shutdown();
});

test('an exception in the loop body releases the subscription too', async () => {
  const node = await NetNode.create({ shards: 1 });
  const before = core.liveSubscriptions();
  node.emitRaw('{"boom":1}');
  await assert.rejects(
    (async () => {
      for await (const _ of node.subscribe({ follow: true, fromBeginning: true })) throw new Error('body failed');
    })(),
    /body failed/,
  );
  assert.equal(core.liveSubscriptions(), before);
  await node.shutdown();
});

test('subscribeTyped parses JSON; a payload that is not JSON fails with kind deserialization', async () => {
  const node = await NetNode.create({ shards: 1 });
  node.emit({ token: 'a', index: 0 });
  node.emit({ token: 'b', index: 1 });
  const typed = await collect(node.subscribeTyped({ limit: 100 }));
  assert.deepEqual(typed, [{ token: 'a', index: 0 }, { token: 'b', index: 1 }]);
  node.emitRaw('{not json');
  await assert.rejects(collect(node.subscribeTyped()), (e) => e instanceof NetError && e.kind === 'deserialization');
  await node.shutdown();
});

test('channels: publish and subscribe carry typed values, other traffic is skipped', async () => {
  const node = await NetNode.create({ shards: 4 });
  const temps = node.channel('sensors/temperature');
  const other = node.channel('sensors/humidity');
  assert.equal(temps.name, 'sensors/temperature');
  assert.equal(temps.hash, channelHash('sensors/temperature'));
  node.emit({ channel: 'sensors/temperature', sneaky: true });
  node.emitRaw('plain text');
  const r = temps.publish({ sensor_id: 'A1', celsius: 22.5 });
  assert.equal(typeof r.sequence, 'bigint');
  other.publish({ sensor_id: 'H1', percent: 40 });
  assert.equal(temps.publishBatch([{ sensor_id: 'A2', celsius: 19 }, { sensor_id: 'A3', celsius: -4.5 }]), 2);
  const readings = await collect(temps.subscribe());
  assert.deepEqual(readings.map((x) => x.sensor_id).sort(), ['A1', 'A2', 'A3']);
  assert.deepEqual(await collect(other.subscribe()), [{ sensor_id: 'H1', percent: 40 }]);
  const live = collect(temps.subscribe({ follow: true }), 1);
  await sleep(20);
  other.publish({ sensor_id: 'H2', percent: 41 });
  temps.publish({ sensor_id: 'A9', celsius: 30 });
  assert.deepEqual(await live, [{ sensor_id: 'A9', celsius: 30 }]);
  await node.shutdown();
});

test('channel envelopes are the core\'s: exact bytes out, any key order and escaping in', async () => {
  const node = await NetNode.create({ shards: 1 });
  const ch = node.channel('a/b');
  ch.publish({ x: 1 });
  // Written by another JSON encoder (another face): keys swapped, slash escaped.
  node.emitRaw('{"payload":5,"channel":"a\\/b"}');
  node.emitRaw('{"channel":"a/bc","payload":6}');
  await node.flush(); // poll reads what is stored; the drain may not have run yet
  const page = await node.poll({ limit: 10 });
  assert.equal(page.events[0].raw, '{"channel":"a/b","payload":{"x":1}}');
  assert.deepEqual(await collect(ch.subscribe()), [{ x: 1 }, 5]);
  await node.shutdown();
});

test('channel names are validated: IdentityError kind invalid_channel', async () => {
  const node = await NetNode.create();
  for (const bad of ['', 'a//b', '/lead', 'spa ce', 'é', 'x'.repeat(256), 'quo"te']) {
    assert.throws(() => node.channel(bad), (e) => e instanceof IdentityError && e.kind === 'invalid_channel', JSON.stringify(bad));
  }
  await node.shutdown();
});

test('concurrent next() calls get distinct events in order', async () => {
  const node = await NetNode.create({ shards: 1 });
  node.emitRawBatch(['{"c":1}', '{"c":2}', '{"c":3}']);
  for (const follow of [false, true]) {
    const stream = node.subscribe({ follow, fromBeginning: true, limit: 2 });
    const results = await Promise.all([stream.next(), stream.next(), stream.next()]);
    assert.deepEqual(results.map((r) => r.value.raw), ['{"c":1}', '{"c":2}', '{"c":3}']);
    stream.close();
  }
  await node.shutdown();
});
