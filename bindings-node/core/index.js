'use strict';
// Loads the native module of @net-mesh/core for this platform.
//
// The napi-rs platform layout: @net-mesh/core is plain JavaScript and
// lists one package per platform as optionalDependencies
// (@net-mesh/core-linux-x64-gnu, @net-mesh/core-darwin-arm64, …); npm
// installs the one whose os/cpu/libc match. Each holds
// `net-node.<platform>.node`. Looked for, in order:
//   1. NET_MESH_NATIVE_PATH, when set;
//   2. `net-node.<platform>.node` beside this file (a source checkout:
//      `make build-node` puts it there);
//   3. the platform package @net-mesh/core-<platform>.
// When none is there the error names the platform package that is missing.

const { existsSync } = require('node:fs');
const { join } = require('node:path');

/** glibc or musl, from the process report (musl has no glibc version). */
function isMusl() {
  const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null;
  return !report?.header?.glibcVersionRuntime;
}

/** The napi-rs platform name of this process, e.g. `linux-x64-gnu`, `darwin-arm64`, `win32-x64-msvc`. */
function platform() {
  const { platform: os, arch } = process;
  switch (os) {
    case 'linux':
      if (arch === 'arm') return `linux-arm-${isMusl() ? 'musleabihf' : 'gnueabihf'}`;
      return `linux-${arch}-${isMusl() ? 'musl' : 'gnu'}`;
    case 'win32':
      return `win32-${arch}-msvc`;
    case 'android':
      return arch === 'arm' ? 'android-arm-eabi' : `android-${arch}`;
    default:
      return `${os}-${arch}`;
  }
}

function load() {
  if (process.env.NET_MESH_NATIVE_PATH) {
    const file = process.env.NET_MESH_NATIVE_PATH;
    if (!existsSync(file)) throw new Error(`@net-mesh/core: NET_MESH_NATIVE_PATH names a missing file (looked for ${file})`);
    return require(file);
  }
  const name = platform();
  const local = join(__dirname, `net-node.${name}.node`);
  if (existsSync(local)) return require(local);
  const pkg = `@net-mesh/core-${name}`;
  try {
    return require(pkg);
  } catch (e) {
    if (e?.code !== 'MODULE_NOT_FOUND' || !String(e.message).includes(pkg)) throw e;
    throw new Error(
      `@net-mesh/core: no native module for ${name}: the platform package ${pkg} is not installed ` +
        `(npm installs it as an optional dependency of @net-mesh/core where one is published for ${name}; ` +
        `installs with --omit=optional or --no-optional leave it out). ` +
        `From a source checkout run \`make build-node\` (cargo build --release -p net-node), ` +
        `which puts net-node.${name}.node beside index.js (looked for ${local}).`,
    );
  }
}

module.exports = load();
