// The seed README's "Transports", "Persistent producer nonce" and "Redis
// Streams consumer-side dedup helper" sections (package @net-mesh/sdk),
// against real servers. The addresses are the seed's unless NET_REDIS_URL /
// NET_NATS_URL name others, as tests/servers/run_with_servers.py does for
// `make test-backends`:
//
//   tests/servers/run_with_servers.py -- node examples/node/.build/transports.mjs
//
// The "Encrypted mesh" line runs in mesh_bus.mts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetNode, RedisStreamDedup } from '@net-mesh/sdk';

const redisUrl = process.env.NET_REDIS_URL ?? 'redis://localhost:6379';
const natsUrl = process.env.NET_NATS_URL ?? 'nats://localhost:4222';

async function roundTrip(name: string, node: NetNode): Promise<void> {
  for (let index = 0; index < 3; index++) node.emit({ transport: name, index });
  await node.flush();
  const page = await node.poll({ limit: 100 });
  console.log(`${name}: ${page.events.length} events read back`);
  await node.shutdown();
}

// --- seed: Transports ---
// In-memory (default)
await roundTrip('memory', await NetNode.create({ shards: 4 }));
// Redis
await roundTrip('redis', await NetNode.create({ transport: { type: 'redis', url: redisUrl } }));
// JetStream
await roundTrip('jetstream', await NetNode.create({ transport: { type: 'jetstream', url: natsUrl } }));

// --- seed: Persistent producer nonce ---
// A producer restarted with the same nonce file writes the same dedup ids.
const dir = mkdtempSync(join(tmpdir(), 'net-transports-'));
const producerNoncePath = join(dir, 'producer.nonce');
try {
  for (let run = 0; run < 2; run++) {
    const node = await NetNode.create({
      shards: 4,
      transport: { type: 'redis', url: redisUrl, prefix: 'nonce' },
      producerNoncePath,
    });
    node.emit({ order: 1 });
    await node.flush();
    await node.shutdown();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// --- seed: Redis Streams consumer-side dedup helper ---
// Bring your own Redis client: here redis-cli, which comes with the server.
const dedup = new RedisStreamDedup(600_000);
let processed = 0;
for (let shard = 0; shard < 4; shard++) {
  const out = execFileSync('redis-cli', ['-u', redisUrl, '--json', 'XRANGE', `nonce:shard:${shard}`, '-', '+'], { encoding: 'utf8' });
  const entries: [string, string[]][] = JSON.parse(out) ?? [];
  for (const [, fields] of entries) {
    const dedupId = fields[fields.indexOf('dedup_id') + 1];
    if (!dedup.isDuplicate(dedupId)) processed++;
  }
}
console.log(`dedup: ${processed} of 2 entries processed, ${dedup.len} id remembered`);
