// The seed README's "Typed Streams", as written (package @net-mesh/sdk),
// after emitting a few TokenEvents. Run via `make demo-node`.
import { NetNode } from '@net-mesh/sdk';

const node = await NetNode.create({ shards: 4 });
for (const [index, token] of ['alpha', 'beta', 'gamma'].entries()) {
  node.emit({ token, index });
}

// --- seed: Typed Streams ---
interface TokenEvent {
  token: string;
  index: number;
}

for await (const token of node.subscribeTyped<TokenEvent>({ limit: 100 })) {
  console.log(`${token.index}: ${token.token}`);
}
// --- end of seed ---

await node.shutdown();
