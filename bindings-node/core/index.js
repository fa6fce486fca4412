'use strict';
// Loads the prebuilt native module of @net-mesh/core for this platform.
//
// The package ships one `.node` per supported platform, named
// `net-node.<platform>-<arch>[-<libc>].node`. When none fits (an
// unsupported platform, or a source checkout where it was not built) the
// error says which file was looked for and how to build it, instead of a
// bare "Cannot find module".

const { existsSync } = require('node:fs');
const { join } = require('node:path');

function libc() {
  if (process.platform !== 'linux') return '';
  // glibc's version is in the process report; musl has none.
  const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null;
  return report?.header?.glibcVersionRuntime ? '-gnu' : '-musl';
}

function nativePath() {
  return join(__dirname, `net-node.${process.platform}-${process.arch}${libc()}.node`);
}

function load() {
  const file = process.env.NET_MESH_NATIVE_PATH || nativePath();
  if (!existsSync(file)) {
    throw new Error(
      `@net-mesh/core: no native module for ${process.platform}-${process.arch}${libc()} ` +
        `(looked for ${file}). Prebuilt modules ship for linux-x64-gnu; from a source ` +
        `checkout run \`make build-node\` (cargo build --release -p net-node) to build it.`,
    );
  }
  return require(file);
}

module.exports = load();
