#!/usr/bin/env bash
# Packaging as a user meets it: `npm pack` @net-mesh/core and @net-mesh/sdk,
# install both tarballs into an empty project WITHOUT network access
# (--offline: the SDK's dependency on @net-mesh/core is satisfied by the
# tarball installed in the same command), then run a round trip and the
# seed's examples there.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$here/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$here/core" && npm pack --silent --pack-destination "$work" >/dev/null)
(cd "$here/sdk" && npm pack --silent --pack-destination "$work" >/dev/null)
echo "pack-test: packed $(cd "$work" && ls ./*.tgz | tr '\n' ' ')"

app="$work/app"
mkdir "$app"
cd "$app"
echo '{ "name": "net-pack-test", "private": true, "type": "module" }' > package.json
npm install --offline --no-audit --no-fund --loglevel=error \
  "$work/net-mesh-core-0.1.0.tgz" "$work/net-mesh-sdk-0.1.0.tgz" >/dev/null
test -f node_modules/@net-mesh/core/net-node.linux-x64-gnu.node
test -f node_modules/@net-mesh/sdk/dist/index.d.ts

cat > roundtrip.mjs <<'JS'
import { NetNode, Identity, PermissionToken, MeshNode } from '@net-mesh/sdk';
import * as meshModule from '@net-mesh/sdk/mesh';
if (meshModule.MeshNode !== MeshNode) throw new Error('@net-mesh/sdk/mesh does not export the MeshNode of the top level');
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
