// MeshOS: the daemon-side supervision SDK over the core's
// (net_sdk::meshos), one-to-one. A MeshOsDaemonSdk hosts daemons written
// in TypeScript (the same shape as compute's MeshDaemon), routes control
// events to them, collects their log lines, shows each its metadata and
// commits the capability tags they publish to the node's announcement.

import type * as core from '@net-mesh/core';
import type { CapabilityInput } from './capabilities';
import { DaemonRuntime } from './compute';
import { capsJson, checkDaemon, openPort, type DaemonControlEvent, type DaemonHostConfig, type MeshDaemon } from './compute_daemon';
import { NetError } from './errors';
import type { Identity } from './identity';
import type { MeshNode } from './mesh';
import { native } from './native';

/** How a daemon judges itself (sampled by the supervisor each tick). */
export type DaemonHealth = 'healthy' | 'degraded' | 'unhealthy';

/** The capability tags a daemon publishes (committed to the node's announcement). */
export type CapabilityAdvert = CapabilityInput;

/** A log line's severity (the C ABI's `NET_MESHOS_LOG_*` 0..4, in order). */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** A control event routed to a daemon (delivery is at most once): what `onControl` receives. */
export type DaemonControl = DaemonControlEvent;

/**
 * A daemon hosted by the MeshOS SDK: the compute daemon's shape, whose
 * optional `onControl`, `health` and `saturation` the supervisor calls
 * (on the JS thread, bounded by `callbackTimeoutMs`). It also reads its
 * control events from its handle (`nextControl`).
 */
export type MeshOsDaemon = MeshDaemon;

/** One published log line. */
export interface LogRecord {
  readonly daemonId: bigint;
  readonly daemonName: string;
  readonly level: LogLevel;
  readonly message: string;
  /** Wall-clock milliseconds since the Unix epoch. */
  readonly atMs: number;
}

/** A peer of the local node, as a daemon sees it. */
export interface PeerView {
  readonly nodeId: bigint;
  readonly health: 'alive' | 'suspect' | 'dead';
  readonly capabilitySet: string[];
}

/** A daemon's view of where it runs (read-only). */
export interface MetadataView {
  readonly nodeId: bigint;
  readonly daemonId: bigint;
  readonly daemonName: string;
  readonly health: DaemonHealth;
  readonly saturation: number;
  readonly maintenanceState: 'active';
  /** The tags this daemon publishes. */
  readonly capabilities: string[];
  readonly peers: PeerView[];
}

/** Settings of a MeshOsDaemonSdk; an omitted (or 0) field takes its default. */
export interface MeshOsConfig {
  /** The local node id (on a mesh, 0 takes the mesh's). */
  readonly thisNode?: bigint;
  /** How often health and saturation are sampled (default 500 ms). */
  readonly tickIntervalMs?: number;
  /** Capacity of the log ring (default 1024; full: `queue_full`). */
  readonly eventQueueCapacity?: number;
  /** Capacity of the supervisor's action queue (default 1024). */
  readonly actionQueueCapacity?: number;
  /** Capacity of each daemon's control channel (default 8; overflow is dropped and counted). */
  readonly controlCapacity?: number;
}

/**
 * A MeshOS failure; `kind` is the core's: `register_failed`,
 * `queue_full`, `loop_closed`, `invalid_log_level`, `already_shutdown`,
 * `shutdown_failed`, `runtime_panic`, `invalid_argument`.
 */
export class MeshOsError extends NetError {}

function toMeshOsError(e: unknown): unknown {
  if (e instanceof NetError) return e instanceof MeshOsError ? e : new MeshOsError(e.kind, e.message, { cause: e });
  if (!(e instanceof Error)) return e;
  const code = (e as { code?: unknown }).code;
  const kind = typeof code !== 'string' || /^[A-Z]/.test(code) ? 'invalid_argument' : code;
  return new MeshOsError(kind, e.message, { cause: e });
}

function meshos<R>(f: () => R): R {
  try {
    return f();
  } catch (e) {
    throw toMeshOsError(e);
  }
}

async function meshosAwait<R>(f: () => Promise<R>): Promise<R> {
  try {
    return await f();
  } catch (e) {
    throw toMeshOsError(e);
  }
}

function nativeConfig(c: MeshOsConfig | undefined): core.JsMeshOsConfig | undefined {
  return c === undefined ? undefined : { ...c };
}

/** A registered daemon's side of the SDK: control channel, logs, metadata, tags, shutdown. */
export class MeshOsDaemonHandle {
  private readonly inner: core.MeshOsDaemonHandle;

  /** @internal */
  constructor(inner: core.MeshOsDaemonHandle) {
    this.inner = inner;
  }

  /** The daemon's id: its identity's origin hash. */
  get daemonId(): bigint {
    return this.inner.daemonId;
  }

  get daemonName(): string {
    return this.inner.daemonName;
  }

  /** Whether `gracefulShutdown` has run on this handle. */
  isShutDown(): boolean {
    return this.inner.isShutDown();
  }

  /** The next control event if one is queued, else null (never waits). */
  tryNextControl(): DaemonControl | null {
    return this.inner.tryNextControl() as DaemonControl | null;
  }

  /** The next control event; null once unregistered or shut down, or after `timeoutMs`. */
  async nextControl(timeoutMs?: number): Promise<DaemonControl | null> {
    return (await meshosAwait(() => this.inner.nextControl(timeoutMs))) as DaemonControl | null;
  }

  /**
   * Publish a log line (never waits). Throws MeshOsError
   * `invalid_log_level`, `queue_full` (drain the SDK's logs),
   * `loop_closed` after the SDK shut down, `already_shutdown` after this
   * handle's shutdown.
   */
  publishLog(level: LogLevel | 0 | 1 | 2 | 3 | 4, message: string): void {
    meshos(() => this.inner.publishLog(level, message));
  }

  /** Replace this daemon's tags and commit them (an empty set withdraws them). */
  publishCapabilities(tags: CapabilityAdvert): void {
    const json = meshos(() => capsJson(tags, 'tags') as string);
    meshos(() => this.inner.publishCapabilities(json));
  }

  /** The metadata view as of the last refresh (taken now the first time). */
  metadata(): MetadataView {
    return meshos(() => this.inner.metadata()) as MetadataView;
  }

  /** Rebuild the metadata view from the node's current state. */
  refreshMetadata(): MetadataView {
    return meshos(() => this.inner.refreshMetadata()) as MetadataView;
  }

  /**
   * Send this daemon `Shutdown`, wait `graceMs` (omitted or 0: 5 s), then
   * unregister it. Rejects `already_shutdown` the second time; every
   * other call then throws `already_shutdown` too.
   */
  async gracefulShutdown(graceMs?: number): Promise<void> {
    await meshosAwait(() => this.inner.gracefulShutdown(graceMs));
  }
}

/** The MeshOS daemon SDK: register daemons, route control events, collect logs. */
export class MeshOsDaemonSdk {
  private readonly inner: core.MeshOsDaemonSdk;
  private readonly rt: DaemonRuntime;

  private constructor(inner: core.MeshOsDaemonSdk) {
    this.inner = inner;
    this.rt = DaemonRuntime.fromNative(inner.runtime());
  }

  /** An SDK without a mesh (published tags stay in daemons' metadata). */
  static start(config?: MeshOsConfig): MeshOsDaemonSdk {
    return new MeshOsDaemonSdk(meshos(() => native.MeshOsDaemonSdk.start(nativeConfig(config))));
  }

  /** An SDK on `mesh`: published tags are committed to its capability announcement. */
  static startOnMesh(mesh: MeshNode, config?: MeshOsConfig): MeshOsDaemonSdk {
    return new MeshOsDaemonSdk(meshos(() => native.MeshOsDaemonSdk.startOnMesh(mesh.napi, nativeConfig(config))));
  }

  /**
   * Register `daemon` under `identity` (its id is the identity's origin
   * hash). Throws MeshOsError `register_failed` (empty name, identity
   * taken, a required capability missing), `already_shutdown`, or
   * `invalid_argument` for an object that is not a daemon.
   */
  registerDaemon(daemon: MeshOsDaemon, identity: Identity, config?: DaemonHostConfig): MeshOsDaemonHandle {
    const port = meshos(() => openPort(checkDaemon(daemon, 'registerDaemon was given an object that')));
    return new MeshOsDaemonHandle(meshos(() => this.inner.registerDaemon(identity.napi, port, config)));
  }

  /**
   * Queue `control` for daemon `daemonId` (the supervisor's entry, for the
   * host that embeds the SDK and for tests). Throws `queue_full`,
   * `loop_closed` after shutdown, `invalid_argument` for an unknown
   * daemon or a malformed control.
   */
  routeControl(daemonId: bigint, control: DaemonControl): void {
    meshos(() => this.inner.routeControl(daemonId, control));
  }

  /** Control events dropped so far because a daemon's channel was full. */
  droppedControlEvents(): bigint {
    return this.inner.droppedControlEvents();
  }

  /** Every log line published since the last drain, in order. */
  drainLogs(): LogRecord[] {
    return this.inner.drainLogs() as LogRecord[];
  }

  /** Ids of the registered daemons. */
  daemonIds(): bigint[] {
    return this.inner.daemonIds();
  }

  /** Whether `shutdown` has run. */
  isShutDown(): boolean {
    return this.inner.isShutDown();
  }

  /** The compute runtime hosting the daemons: `deliver(daemonId, event)`, `snapshot`. */
  runtime(): DaemonRuntime {
    return this.rt;
  }

  /** Stop the supervisor, end every control channel, unregister every daemon. Rejects `already_shutdown` the second time. */
  async shutdown(): Promise<void> {
    await meshosAwait(() => this.inner.shutdown());
  }
}
