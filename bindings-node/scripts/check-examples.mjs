// Runs the Node examples found in a directory and checks what they print:
// the seed README's Quick Start, Typed Streams, Typed Channels, Security,
// Mesh Streams, CortEX & NetDb, Raw RedEX file, the capability sections
// (announcements, scoped discovery, enhancements, subnets) and Compute, as
// written.
// Used by the tests (against the workspace) and by the packaging test
// (against the packed tarballs installed elsewhere).
//
//   node check-examples.mjs <dir> [<dir> ...]   (each file is looked up in the dirs in order)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const lines = (s) => s.split('\n').filter((l) => l.length > 0);

const expectations = {
  'quickstart.mjs': (out) => {
    const emitted = ['{"token":"hello","index":0}', '{"token": "world"}', '{"token": "foo"}', '{"a":1}', '{"a":2}', '{"a":3}'];
    const got = lines(out);
    assert.equal(got.length, 12, 'six events from poll, six from the stream');
    assert.deepEqual(got.slice(0, 6).sort(), [...emitted].sort(), 'poll');
    assert.deepEqual(got.slice(6).sort(), [...emitted].sort(), 'subscribe');
  },
  'typed_streams.mjs': (out) => assert.deepEqual(lines(out).sort(), ['0: alpha', '1: beta', '2: gamma']),
  'typed_channels.mjs': (out) => assert.deepEqual(lines(out), ['A1: 22.5°C']),
  'security.mjs': (out) => {
    const got = lines(out);
    assert.match(got[0], /^entity id stable: true node id: [0-9a-f]+$/);
    assert.equal(got[1], 'mesh shares the keypair: true true');
    assert.equal(got[2], 'peer authenticated the identity: true');
    assert.equal(got[3], 'token: 161 bytes, scope subscribe, for grantee: true');
    assert.equal(got[4], 'ttlSeconds 0: TokenError(zero_ttl)');
  },
  'mesh_bus.mjs': (out) =>
    assert.deepEqual(lines(out), ['the peer received: {"token":"alpha"} {"token":"beta"} {"token":"gamma"}']),
  'netdb.mjs': (out) =>
    assert.deepEqual(lines(out), [
      'pending: write docs',
      'pending: write docs, ship it',
      'watch: ship it',
      'after reopen: survive a restart',
    ]),
  'redex_file.mjs': (out) =>
    assert.deepEqual(lines(out), [
      "0n { url: '/home' }",
      "1n { url: '/docs' }",
      "2n { url: '/blog' }",
      "3n { url: '/about' }",
      'append: 0, appendBatch: 1, empty batch: null',
      'bad name: RedexError(invalid_channel)',
    ]),
  'capabilities.mjs': (out) =>
    assert.deepEqual(lines(out), [
      'gpuPeers includes this node: true',
      'oem-123 sees this node: true; another tenant: false',
      'matched 1/2',
      '0 and  true 1 false 1 skipped 0',
      '  0.0 exists hardware.gpu  true 2 false 0 skipped 0',
      '  0.1 num_at_least hardware.memory_gb >= 64  true 1 false 1 skipped 0',
      '  0.2 metadata_equals intent <redacted>  true 1 false 0 skipped 1',
      'matched: false (no hardware.memory_gb tag); net-where: 247 bytes, decodes back: true',
      'schema valid: true; typo: unknown_axis',
      'delta: +hardware.gpu +software.os=linux; metadata added intent',
      'trace: false 0=false 0.0=true 0.1=false 0.2=skipped',
      'user tag: gpu; reserved: hardware. software. model. scope:',
      'subnet [3,7]; the peer derives [3,7]',
      'the peer finds it by tag: true',
    ]),
  'compute.mjs': (out) =>
    assert.deepEqual(lines(out), [
      'origin matches the identity: true',
      'echo: hello',
      'stats: processed 1 emitted 1 errors 0',
      'respawned with state: 1',
      'migration: MigrationError(compute-not-supported) instanceof DaemonError: true',
    ]),
  'mesh.mjs': (out) =>
    assert.deepEqual(lines(out), [
      'peer received: {} {} {}',
      'stats: txSeq 3 window 256 backpressureEvents 0 (bigint)',
      'drops: 0',
      'after the peer left: NotConnectedError(not_connected)',
    ]),
};

/**
 * Runs one example. The mesh examples bind the seed's fixed ports
 * (127.0.0.1:9000 .. 9003) as written; on a machine shared with other test
 * runs such a port can be taken for a moment, so a run that failed only
 * to bind is tried again (a few times, a second apart).
 */
function run(path) {
  for (let attempt = 1; ; attempt++) {
    const r = spawnSync(process.execPath, [path], { encoding: 'utf8', timeout: 30_000 });
    if (r.status === 0 || attempt === 5 || !/Address already in use/.test(r.stderr)) return r;
    spawnSync('sleep', ['1']);
  }
}

export function checkExamples(...dirs) {
  for (const [file, check] of Object.entries(expectations)) {
    const path = dirs.map((d) => join(d, file)).find((p) => existsSync(p));
    assert.ok(path, `${file} not found in ${dirs.join(', ')} (the .mts examples are compiled by make build-node)`);
    const r = run(path);
    assert.equal(r.status, 0, `${file} exited with ${r.status}: ${r.stderr}`);
    check(r.stdout);
  }
  return Object.keys(expectations);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const ran = checkExamples(...process.argv.slice(2));
  console.log(`examples: ${ran.join(', ')} printed what the seed promises`);
}
