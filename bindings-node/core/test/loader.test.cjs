// The loader fails with a clear message when the .node file is missing.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const { copyFileSync, mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

test('a package without its native module says what is missing and how to build it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'net-core-loader-'));
  try {
    copyFileSync(join(__dirname, '..', 'index.js'), join(dir, 'index.js'));
    const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(join(dir, 'index.js'))})`], { encoding: 'utf8' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /@net-mesh\/core: no native module for linux-x64/);
    assert.match(r.stderr, /net-node\.linux-x64-gnu\.node/);
    assert.match(r.stderr, /make build-node/);
    assert.match(r.stderr, /the platform package @net-mesh\/core-linux-x64-gnu is not installed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('NET_MESH_NATIVE_PATH overrides the file and is checked too', () => {
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(join(__dirname, '..'))})`], {
    encoding: 'utf8',
    env: { ...process.env, NET_MESH_NATIVE_PATH: '/nonexistent/net.node' },
  });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /looked for \/nonexistent\/net\.node/);
});

test('the packaged module loads and reports its exports', () => {
  const native = require('..');
  assert.equal(typeof native.NetNode, 'function');
  assert.equal(native.receiptScratch(), native.receiptScratch(), 'one scratch per thread');
  assert.equal(native.receiptScratch().length, 7); // [shardId, seqLo, seqHi, tsLo, tsHi, dropped, evicted]
});
