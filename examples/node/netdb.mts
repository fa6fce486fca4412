// The seed README's "CortEX & NetDb", "Plain watches" and "Standalone
// adapters" examples, as written (package @net-mesh/sdk). The seed's
// free names are filled in: `render` prints a result, `shouldStop` ends a
// watch once it has seen the task another writer adds, and the seed's
// /var/lib paths become a temporary directory. Run via `make demo-node`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetDb, TaskStatus, CortexError, Redex, TasksAdapter, type Task } from '@net-mesh/sdk';

const render = (tasks: Task[]) => console.log(`pending: ${tasks.map((t) => t.title).join(', ') || '(none)'}`);
let shouldStop = false;

// --- seed: CortEX & NetDb ---
const db = await NetDb.open({
  originHash: 0xABCDEF01,
  withTasks: true,
  withMemories: true,
  // persistentDir + persistent: true for disk-backed files
});
// CRUD through the domain API — no EventMeta plumbing.
try {
  const seq = db.tasks!.create(1n, 'write docs', 100n);
  await db.tasks!.waitForSeq(seq); // wait for the fold to apply
} catch (e) {
  if (e instanceof CortexError) { /* handle adapter error */ }
  else { throw e; }
}
// Snapshot + watch: one atomic call, no race.
const { snapshot, updates } = await db.tasks!.snapshotAndWatch({
  status: TaskStatus.Pending,
});
render(snapshot);
setTimeout(() => db.tasks!.create(2n, 'ship it', 200n), 10); // another writer
for await (const next of updates) {
  render(next);
  shouldStop = next.length === 2;
  if (shouldStop) break; // automatically closes the native iterator
}
// --- end of seed ---

// --- seed: Plain watches ---
for await (const batch of await db.tasks!.watch({ titleContains: 'ship' })) {
  // each batch is the current filter result after a deduplicated fold tick
  console.log(`watch: ${batch.map((t) => t.title).join(', ')}`);
  break;
}
// --- end of seed ---
db.close();

const dir = mkdtempSync(join(tmpdir(), 'net-netdb-example-'));
try {
  {
    // --- seed: Standalone adapters ---
    const redex = new Redex({ persistentDir: join(dir, 'standalone') });
    const tasks = await TasksAdapter.open(redex, 0xABCDEF01, { persistent: true });
    // --- end of seed ---
    await tasks.waitForSeq(tasks.create(7n, 'standalone', 1n));
  }
  // On disk the state survives a restart: closed, reopened, folded back.
  const onDisk = { originHash: 0xABCDEF01, withTasks: true, persistentDir: join(dir, 'db'), persistent: true };
  const first = await NetDb.open(onDisk);
  await first.tasks!.waitForSeq(first.tasks!.create(7n, 'survive a restart', 1n));
  first.close();
  const again = await NetDb.open(onDisk);
  console.log(`after reopen: ${again.tasks!.listTasks().map((t) => t.title).join(', ')}`);
  again.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
