// Compute: DaemonRuntime and DaemonHandle over the native runtime, with
// daemons written in TypeScript. The runtime itself (lifecycle, the
// daemon table, causal links, counters, snapshots, the bounded wait on
// every callback) is the Rust core's; this file keeps the TS factory
// table, builds each daemon's port and turns native errors into
// DaemonError. Migration is not in this release: its calls fail with
// MigrationError kind `compute-not-supported`.

import type * as core from '@net-mesh/core';
import type { CapabilityInput } from './capabilities';
import { DaemonError, MigrationError, daemonAwait, daemonCall } from './compute_errors';
import {
  capsJson,
  checkDaemon,
  openPort,
  type CausalEvent,
  type DaemonFactory,
  type DaemonHostConfig,
  type DaemonStats,
  type MeshDaemon,
} from './compute_daemon';
import type { Identity } from './identity';
import type { MeshNode } from './mesh';
import { native } from './native';
import { packEvents, unpackOutputs } from './compute_packed';

export { DaemonError, MigrationError, type MigrationErrorKind } from './compute_errors';
export type { CausalEvent, DaemonFactory, DaemonHostConfig, DaemonStats, MeshDaemon } from './compute_daemon';

/** Phase a migration is in (`snapshot` → … → `complete`). */
export type MigrationPhase = 'snapshot' | 'transfer' | 'restore' | 'replay' | 'cutover' | 'complete';

/** Options for `DaemonRuntime.startMigrationWith`. */
export interface MigrationOptions {
  readonly transportIdentity?: boolean;
  readonly retryNotReadyMs?: bigint;
}

/** The one answer of every migration call in this release. */
function migrationUnsupported(what: string): MigrationError {
  return new MigrationError(
    'compute-not-supported',
    `${what}: daemon migration is not supported by this release (spawn from a snapshot instead)`,
  );
}

/**
 * Handle to a running daemon, from `DaemonRuntime.spawn`. Dropping it
 * does not stop the daemon; `DaemonRuntime.stop(originHash)` does.
 */
export class DaemonHandle {
  private readonly inner: core.DaemonHandle;

  /** @internal */
  constructor(inner: core.DaemonHandle) {
    this.inner = inner;
  }

  /** 64-bit hash of the daemon's identity: its key in the runtime. */
  get originHash(): bigint {
    return this.inner.originHash;
  }

  /** The daemon identity's 32-byte entity id (ed25519 public key). */
  get entityId(): Buffer {
    return this.inner.entityId;
  }

  /** Current counters; throws DaemonError kind `daemon-not-found` once stopped. */
  stats(): DaemonStats {
    return daemonCall(() => this.inner.stats());
  }
}

/**
 * Handle to an in-flight migration (the seed's shape). This release
 * starts no migration, so none is ever made; every member throws
 * MigrationError kind `compute-not-supported`.
 */
export class MigrationHandle {
  private constructor() {
    throw migrationUnsupported('MigrationHandle');
  }

  get originHash(): bigint {
    throw migrationUnsupported('originHash');
  }
  get sourceNode(): bigint {
    throw migrationUnsupported('sourceNode');
  }
  get targetNode(): bigint {
    throw migrationUnsupported('targetNode');
  }
  phase(): MigrationPhase | null {
    throw migrationUnsupported('phase');
  }
  // An async generator whose first step rejects.
  async *phases(): AsyncGenerator<MigrationPhase, void, void> {
    throw migrationUnsupported('phases');
  }
  async wait(): Promise<void> {
    throw migrationUnsupported('wait');
  }
  async waitWithTimeout(_timeoutMs: bigint): Promise<void> {
    throw migrationUnsupported('waitWithTimeout');
  }
  async cancel(): Promise<void> {
    throw migrationUnsupported('cancel');
  }
}

function nativeConfig(config: DaemonHostConfig | undefined): core.JsDaemonHostConfig | undefined {
  if (config === undefined) return undefined;
  if (config === null || typeof config !== 'object') {
    throw new DaemonError(`config must be an object, got ${config === null ? 'null' : typeof config}`, 'invalid_argument');
  }
  return {
    autoSnapshotInterval: config.autoSnapshotInterval,
    maxLogEntries: config.maxLogEntries,
    callbackTimeoutMs: config.callbackTimeoutMs,
  };
}

/**
 * Per-node compute runtime: the kind-keyed factory table and the
 * `Registering → Ready → ShuttingDown` lifecycle. Every method that
 * fails throws (or rejects with) a DaemonError whose `kind` is the
 * core's.
 */
export class DaemonRuntime {
  private readonly inner: core.DaemonRuntime;
  /** The TS factories, keyed by kind; the native side holds the same kinds. */
  private readonly factories = new Map<string, DaemonFactory>();

  private constructor(inner: core.DaemonRuntime) {
    this.inner = inner;
  }

  /** A runtime on `mesh`: spawns check the capabilities it announces for this node. */
  static create(mesh: MeshNode): DaemonRuntime {
    return new DaemonRuntime(daemonCall(() => native.DaemonRuntime.create(mesh.napi)));
  }

  /**
   * A runtime without a mesh, for local use; `capabilities` (none by
   * default) stand for the local node's when a daemon requires some.
   */
  static local(capabilities?: CapabilityInput): DaemonRuntime {
    const json = capsJson(capabilities, 'capabilities');
    return new DaemonRuntime(daemonCall(() => native.DaemonRuntime.local(json)));
  }

  /** @internal A runtime over a native one (the MeshOS SDK's). */
  static fromNative(inner: core.DaemonRuntime): DaemonRuntime {
    return new DaemonRuntime(inner);
  }

  /** Promote to Ready; idempotent; rejects `shutting-down` after shutdown. */
  async start(): Promise<void> {
    await daemonAwait(() => this.inner.start());
  }

  /** Stop every daemon and drop every factory; idempotent. The mesh keeps running. */
  async shutdown(): Promise<void> {
    await daemonAwait(() => this.inner.shutdown());
    this.factories.clear();
  }

  /** Whether the runtime is Ready (started, not shutting down). */
  isReady(): boolean {
    return this.inner.isReady();
  }

  /** Number of live daemons. */
  daemonCount(): number {
    return this.inner.daemonCount();
  }

  /**
   * Register `factory` under `kind`. Throws DaemonError kind
   * `factory-already-registered` for a kind taken, `shutting-down` after
   * shutdown.
   */
  registerFactory(kind: string, factory: DaemonFactory): void {
    if (typeof factory !== 'function') {
      throw new DaemonError(`the factory of kind ${JSON.stringify(kind)} must be a function`, 'invalid_argument');
    }
    daemonCall(() => this.inner.registerFactory(kind));
    this.factories.set(kind, factory);
  }

  /** A port serving a fresh daemon of `kind`, or null when no TS factory has that kind. */
  private async port(kind: string): Promise<core.DaemonPort | null> {
    const factory = this.factories.get(kind);
    if (factory === undefined) return null;
    let daemon: MeshDaemon;
    try {
      daemon = checkDaemon(await factory(), `the factory of kind ${JSON.stringify(kind)}`);
    } catch (e) {
      if (e instanceof DaemonError) throw e;
      throw new DaemonError(`the factory of kind ${JSON.stringify(kind)} threw: ${(e as Error)?.message ?? e}`, 'callback-failed', { cause: e });
    }
    return openPort(daemon);
  }

  /**
   * Spawn a daemon of `kind` under `identity` (its origin hash is the
   * identity's). Rejects `not-ready`, `factory-not-found`,
   * `missing-capabilities`, `already-running`.
   */
  async spawn(kind: string, identity: Identity, config?: DaemonHostConfig): Promise<DaemonHandle> {
    const cfg = nativeConfig(config);
    const port = await this.port(kind);
    return new DaemonHandle(await daemonAwait(() => this.inner.spawn(kind, identity.napi, port, cfg)));
  }

  /**
   * Spawn a daemon of `kind` from `snapshotBytes` (what `snapshot`
   * returned): `restore` gets the state before any event and the causal
   * chain continues. Rejects `snapshot-decode` for bytes that do not
   * parse, `snapshot-mismatch` for another identity or kind.
   */
  async spawnFromSnapshot(kind: string, identity: Identity, snapshotBytes: Buffer, config?: DaemonHostConfig): Promise<DaemonHandle> {
    const cfg = nativeConfig(config);
    const port = await this.port(kind);
    return new DaemonHandle(await daemonAwait(() => this.inner.spawnFromSnapshot(kind, identity.napi, snapshotBytes, port, cfg)));
  }

  /** The daemon's snapshot bytes now, or null for a stateless daemon. */
  async snapshot(originHash: bigint): Promise<Buffer | null> {
    return daemonAwait(() => this.inner.snapshot(originHash));
  }

  /** Stop a daemon. Rejects `daemon-not-found` for an unknown origin, `not-ready` before start. */
  async stop(originHash: bigint): Promise<void> {
    await daemonAwait(() => this.inner.stop(originHash));
  }

  /**
   * Deliver one event to a live daemon; resolves to its output buffers.
   * Rejects `daemon-not-found`, `callback-failed` (process threw; counted
   * in `errors`), `callback-timeout`, or `reentrant-call` when called from
   * inside that daemon's own callback.
   */
  async deliver(originHash: bigint, event: CausalEvent): Promise<Buffer[]> {
    return daemonAwait(() => this.inner.deliver(originHash, event));
  }

  /**
   * Deliver `events` to one daemon in order, in one native call (no
   * Promise per event); resolves to each event's outputs. The first
   * failure rejects; the events before it were processed. Not in the
   * seed: the batch form of `deliver`, for throughput.
   */
  async deliverMany(originHash: bigint, events: readonly CausalEvent[]): Promise<Buffer[][]> {
    let batch;
    try {
      batch = packEvents(events);
    } catch (e) {
      throw new DaemonError(`deliverMany: events must be CausalEvents: ${(e as Error).message}`, 'invalid_argument', { cause: e });
    }
    const packed = await daemonAwait(() => this.inner.deliverMany(originHash, batch));
    return unpackOutputs(packed);
  }

  /** Not supported by this release: rejects MigrationError `compute-not-supported`. */
  async startMigration(_originHash: bigint, _sourceNode: bigint, _targetNode: bigint): Promise<MigrationHandle> {
    throw migrationUnsupported('startMigration');
  }

  /** Not supported by this release: rejects MigrationError `compute-not-supported`. */
  async startMigrationWith(_originHash: bigint, _sourceNode: bigint, _targetNode: bigint, _opts: MigrationOptions): Promise<MigrationHandle> {
    throw migrationUnsupported('startMigrationWith');
  }

  /** Not supported by this release: throws MigrationError `compute-not-supported`. */
  expectMigration(_kind: string, _originHash: bigint, _config?: DaemonHostConfig): void {
    throw migrationUnsupported('expectMigration');
  }

  /** Not supported by this release: throws MigrationError `compute-not-supported`. */
  registerMigrationTargetIdentity(_kind: string, _identity: Identity, _config?: DaemonHostConfig): void {
    throw migrationUnsupported('registerMigrationTargetIdentity');
  }

  /** Not supported by this release: throws MigrationError `compute-not-supported`. */
  migrationPhase(_originHash: bigint): MigrationPhase | null {
    throw migrationUnsupported('migrationPhase');
  }
}
