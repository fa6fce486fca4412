// Packs @net-mesh/core in the napi-rs platform layout:
//   node scripts/prepublish.mjs OUT_DIR
// writes into OUT_DIR
//   - net-mesh-core-<version>.tgz: the loader, types and ESM entry, with
//     every target of package.json's `napi.targets` as an optionalDependency
//     (@net-mesh/core-<target>@<version>; npm installs the one that fits);
//   - net-mesh-core-<target>-<version>.tgz for each target whose native
//     module was built here (core/net-node.<target>.node, `make build-node`),
//     from npm/<target>/package.json.
// The checked-in core/package.json stays free of the optionalDependencies,
// so the workspace's lock does not ask the registry for them.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] ?? '.');
const core = JSON.parse(readFileSync(join(here, 'core', 'package.json'), 'utf8'));
const { binaryName, targets } = core.napi;
const stage = mkdtempSync(join(tmpdir(), 'net-core-stage-'));
mkdirSync(out, { recursive: true });

const pack = (dir) => execFileSync('npm', ['pack', '--silent', '--pack-destination', out], { cwd: dir, encoding: 'utf8' }).trim();

try {
  const packed = [];
  for (const target of targets) {
    const file = `${binaryName}.${target}.node`;
    const built = join(here, 'core', file);
    if (!existsSync(built)) continue;
    const meta = JSON.parse(readFileSync(join(here, 'npm', target, 'package.json'), 'utf8'));
    if (meta.version !== core.version) throw new Error(`npm/${target}: version ${meta.version}, @net-mesh/core is ${core.version}`);
    const dir = join(stage, target);
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify(meta, null, 2) + '\n');
    copyFileSync(built, join(dir, file));
    packed.push(pack(dir));
  }
  const dir = join(stage, 'core');
  mkdirSync(dir);
  for (const f of core.files) copyFileSync(join(here, 'core', f), join(dir, f));
  const optionalDependencies = Object.fromEntries(targets.map((t) => [`@net-mesh/core-${t}`, core.version]));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...core, optionalDependencies }, null, 2) + '\n');
  packed.push(pack(dir));
  console.log(`prepublish: ${packed.join(' ')}`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
