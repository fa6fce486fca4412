#!/usr/bin/env bash
# Packaging as a user meets it: @net-mesh/core packed in the napi-rs
# platform layout (scripts/prepublish.mjs: the loader package, whose
# optionalDependencies name one package per platform, and the package of
# this platform, @net-mesh/core-linux-x64-gnu, holding the .node) and
# @net-mesh/sdk, all installed into an empty project WITHOUT network
# access (--offline: the SDK's dependency on @net-mesh/core and core's on
# this platform's package are satisfied by the tarballs installed in the
# same command; the other platforms' packages are optional and skipped),
# then a round trip and the seed's examples there.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$here/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

node "$here/scripts/prepublish.mjs" "$work" >/dev/null
(cd "$here/sdk" && npm pack --silent --pack-destination "$work" >/dev/null)
# The loader package carries no native module; the platform package does.
if grep -q '\.node$' <<<"$(tar -tzf "$work/net-mesh-core-0.1.0.tgz")"; then echo "pack-test: @net-mesh/core holds a .node" >&2; exit 1; fi
grep -qx 'package/net-node.linux-x64-gnu.node' <<<"$(tar -tzf "$work/net-mesh-core-linux-x64-gnu-0.1.0.tgz")"
grep -q '"@net-mesh/core-darwin-arm64": "0.1.0"' <<<"$(tar -xzOf "$work/net-mesh-core-0.1.0.tgz" package/package.json)"
echo "pack-test: packed $(cd "$work" && ls ./*.tgz | tr '\n' ' ')"

app="$work/app"
mkdir "$app"
cd "$app"
echo '{ "name": "net-pack-test", "private": true, "type": "module" }' > package.json
npm install --offline --no-audit --no-fund --loglevel=error \
  "$work/net-mesh-core-0.1.0.tgz" "$work/net-mesh-core-linux-x64-gnu-0.1.0.tgz" "$work/net-mesh-sdk-0.1.0.tgz" >/dev/null
test -f node_modules/@net-mesh/core-linux-x64-gnu/net-node.linux-x64-gnu.node
test ! -e node_modules/@net-mesh/core/net-node.linux-x64-gnu.node
test -f node_modules/@net-mesh/sdk/dist/index.d.ts

cat > roundtrip.mjs <<'JS'
import { NetNode, Identity, PermissionToken, MeshNode } from '@net-mesh/sdk';
import * as meshModule from '@net-mesh/sdk/mesh';
if (meshModule.MeshNode !== MeshNode) throw new Error('@net-mesh/sdk/mesh does not export the MeshNode of the top level');
import * as cortexModule from '@net-mesh/sdk/cortex';
import { NetDb, RedexError } from '@net-mesh/sdk';
if (cortexModule.NetDb !== NetDb || cortexModule.RedexError !== RedexError) throw new Error('@net-mesh/sdk/cortex does not export the classes of the top level');
const node = await NetNode.create({ shards: 2 });
const sent = Array.from({ length: 100 }, (_, i) => JSON.stringify({ i }));
sent.slice(0, 50).forEach((s) => node.emitRaw(s));
node.emitRawBatch(sent.slice(50));
const got = [];
for await (const e of node.subscribe()) got.push(e.raw);
if (JSON.stringify(got.sort()) !== JSON.stringify([...sent].sort())) throw new Error('round trip lost or changed events');
await node.shutdown();
const id = Identity.generate();
const t = id.issueToken({ subject: Identity.generate().entityId, scope: ['publish'], channel: 'x', ttlSeconds: 5 });
PermissionToken.fromBytes(t.bytes).verify();
console.log(`pack-test: round trip of ${got.length} events and a ${t.bytes.length}-byte token through the installed packages`);
JS
node roundtrip.mjs

# The seed's examples, compiled here against the INSTALLED packages' types.
cp "$repo/examples/node/quickstart.mjs" "$repo/examples/node/"*.mts .
"$here/node_modules/.bin/tsc" --target ES2022 --module nodenext --moduleResolution nodenext --strict \
  --types node --typeRoots "$here/node_modules/@types" ./*.mts
node "$here/scripts/check-examples.mjs" "$app"

# Without its platform package, @net-mesh/core says which one is missing.
rm -rf node_modules/@net-mesh/core-linux-x64-gnu
if out=$(node -e "require('@net-mesh/core')" 2>&1); then echo "pack-test: loaded without the platform package" >&2; exit 1; fi
grep -q 'the platform package @net-mesh/core-linux-x64-gnu is not installed' <<<"$out" || { echo "pack-test: unclear loader error: $out" >&2; exit 1; }
echo "pack-test: without @net-mesh/core-linux-x64-gnu the loader names it"
