// The seed README's "Compute (daemons + migration)" example, as written
// (package @net-mesh/sdk). Filled in: the echo daemon gets a counter
// state so snapshot and spawnFromSnapshot have something to carry, one
// event is delivered, and the migration call shows the typed error this
// release gives (migration is not supported yet). Run via `make demo-node`.
import {
  DaemonRuntime, DaemonError, Identity, MeshNode, MigrationError,
  type CausalEvent, type MeshDaemon,
} from '@net-mesh/sdk';

/** An echo that counts the events it saw; the count is its state. */
function echoDaemon(): MeshDaemon {
  let seen = 0;
  return {
    name: 'echo',
    process: (event: CausalEvent) => {
      seen += 1;
      return [event.payload];
    },
    snapshot: () => Buffer.from(String(seen)),
    restore: (state: Buffer) => {
      seen = Number(state.toString());
    },
  };
}

// --- seed: Compute ---
// 1. Build a mesh + runtime.
const mesh = await MeshNode.create({ bindAddr: '127.0.0.1:0', psk: '42'.repeat(32) });
const rt = DaemonRuntime.create(mesh);

// 2. Register factories BEFORE flipping the runtime to Ready.
rt.registerFactory('echo', (): MeshDaemon => echoDaemon());

// 3. Ready the runtime — after this point spawns accept.
await rt.start();

// 4. Spawn a daemon. `Identity` pins its ed25519 keypair so
//    `originHash` / `entityId` stay stable across restarts.
const identity = Identity.generate();
const handle = await rt.spawn('echo', identity);
console.log('origin matches the identity:', handle.originHash === identity.originHash);

// Deliver an event: the outputs are the daemon's answer.
const out = await rt.deliver(handle.originHash, { originHash: 1n, sequence: 1n, payload: Buffer.from('hello') });
console.log('echo:', out.map((b) => b.toString()).join(','));

// 5. Inspect / stop when done.
const stats = handle.stats(); // eventsProcessed / eventsEmitted / ...
console.log(`stats: processed ${stats.eventsProcessed} emitted ${stats.eventsEmitted} errors ${stats.errors}`);
const snapshot = await rt.snapshot(handle.originHash);
await rt.stop(handle.originHash);

// Respawn from the snapshot: same identity, same state.
const again = await rt.spawnFromSnapshot('echo', identity, snapshot!);
const state = await rt.snapshot(again.originHash);
console.log('respawned with state:', state!.subarray(-1).toString());

try {
  await rt.startMigration(again.originHash, mesh.nodeId(), 42n);
} catch (e) {
  if (e instanceof MigrationError) console.log(`migration: ${e.name}(${e.kind}) instanceof DaemonError: ${e instanceof DaemonError}`);
}
await rt.shutdown();
await mesh.shutdown();
