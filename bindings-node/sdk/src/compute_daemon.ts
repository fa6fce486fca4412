// What a daemon is on the TypeScript side (MeshDaemon and its factory,
// the event it sees, its config and counters) and how its calls are
// served: the core queues each call on the daemon's native port and wakes
// the JS thread, which answers every queued call here.

import type * as core from '@net-mesh/core';
import { capabilitiesToJson, type CapabilityInput, type CapabilitySet } from './capabilities';
import { DaemonError, daemonCall } from './compute_errors';
import { native } from './native';
import { packOutputs, unpackEvents, type PackedEvents } from './compute_packed';

/** A causal event delivered to a daemon's `process`. */
export interface CausalEvent {
  /** 64-bit origin hash of the emitting entity. */
  readonly originHash: bigint;
  /** Sequence number in the emitter's causal chain. */
  readonly sequence: bigint;
  /** Opaque payload bytes. */
  readonly payload: Buffer;
}

/**
 * A user-implemented daemon: what a factory passed to
 * `DaemonRuntime.registerFactory` returns. `process` is synchronous by
 * contract (returning a Promise fails the delivery with
 * `callback-failed`). Snapshot / restore are optional; stateless daemons
 * omit them.
 */
export interface MeshDaemon {
  /** Stable human-readable name. Used only for diagnostics. */
  readonly name: string;
  /** Handle one inbound event; each returned buffer becomes an output event. */
  process(event: CausalEvent): Buffer[];
  /** Optional: serialize current state for persistence (`null`: stateless). */
  snapshot?(): Buffer | null;
  /** Optional: restore state from a snapshot produced by `snapshot`. */
  restore?(state: Buffer): void;
  /** Tags the hosting node must announce; a missing one refuses the spawn (`missing-capabilities`). */
  requiredCapabilities?: CapabilitySet;
  /** Tags the daemon prefers (never refuses a spawn). */
  optionalCapabilities?: CapabilitySet;
  /** Optional (MeshOS): a control event routed to this daemon (also queued on its handle). */
  onControl?(control: DaemonControlEvent): void;
  /** Optional (MeshOS): how the daemon judges itself; sampled every supervisor tick. */
  health?(): 'healthy' | 'degraded' | 'unhealthy';
  /** Optional (MeshOS): how full it is, in [0, 1]; 0.8 and above brings `BackpressureOn`. */
  saturation?(): number;
}

/** A MeshOS control event as a daemon's `onControl` receives it. */
export type DaemonControlEvent =
  | { kind: 'Shutdown'; gracePeriodMs: number }
  | { kind: 'DrainStart'; gracePeriodMs: number }
  | { kind: 'DrainFinish' }
  | { kind: 'BackpressureOn'; level: number }
  | { kind: 'BackpressureOff' }
  | { kind: 'Unknown' };

/** A zero-arg function returning a MeshDaemon or a Promise of one. */
export type DaemonFactory = () => MeshDaemon | Promise<MeshDaemon>;

/**
 * A daemon's counters since it was spawned (monotonic; a respawn,
 * including from a snapshot, starts them at zero).
 */
export interface DaemonStats {
  /** Total events processed since spawn (failed ones included). */
  readonly eventsProcessed: bigint;
  /** Total output events emitted since spawn. */
  readonly eventsEmitted: bigint;
  /** `process` calls that failed: threw, timed out, or returned a non-array. */
  readonly errors: bigint;
  /** Number of snapshots taken (manual + auto combined). */
  readonly snapshotsTaken: bigint;
}

/** Host configuration for a daemon. Omit a field to take the default. */
export interface DaemonHostConfig {
  /** Auto-snapshot cadence in events processed. `0n` (the default) = manual snapshots only. */
  readonly autoSnapshotInterval?: bigint;
  /** Events kept for replay since the last snapshot; reaching it forces a snapshot (default 10 000). */
  readonly maxLogEntries?: number;
  /**
   * The longest wait (ms) for a JS `process` / `snapshot` / `restore` to
   * return (default 60 000). A callback that keeps the JS thread busy
   * longer fails its call with `callback-timeout` instead of freezing the
   * runtime; its late answer is dropped.
   */
  readonly callbackTimeoutMs?: number;
}

/** The outputs of `process` as the port takes them; anything else throws. */
function outputsOf(out: unknown): Buffer[] {
  if (out instanceof Promise || (typeof out === 'object' && out !== null && typeof (out as { then?: unknown }).then === 'function')) {
    throw new TypeError('process returned a Promise: a daemon must answer synchronously');
  }
  if (!Array.isArray(out)) throw new TypeError(`process must return an array of Buffers, got ${typeof out}`);
  return out.map((b) => {
    if (Buffer.isBuffer(b)) return b;
    if (b instanceof Uint8Array) return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    throw new TypeError('process must return an array of Buffers (or Uint8Arrays)');
  });
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** One crossing for a batch: `process` per event, stopping at the first throw. */
function serveBatch(port: core.DaemonPort, daemon: MeshDaemon, batch: PackedEvents): void {
  const outputs: Buffer[][] = [];
  for (const event of unpackEvents(batch)) {
    try {
      outputs.push(outputsOf(daemon.process(event)));
    } catch (e) {
      port.processedBatch(packOutputs(outputs), messageOf(e));
      return;
    }
  }
  port.processedBatch(packOutputs(outputs), null);
}

/**
 * Answer every call queued on `port` by running `daemon`'s method; a
 * method that throws answers its call with the failure (the delivery
 * rejects with `callback-failed`; a failed `process` counts in `errors`).
 */
export function servePort(port: core.DaemonPort, daemon: MeshDaemon): void {
  for (let call = port.next(); call !== null; call = port.next()) {
    try {
      if (call.op === 'process') {
        port.processed(outputsOf(daemon.process(call.event as CausalEvent)));
      } else if (call.op === 'processBatch') {
        serveBatch(port, daemon, call.batch as PackedEvents);
      } else if (call.op === 'snapshot') {
        const state = daemon.snapshot ? daemon.snapshot() : null;
        port.snapshotted(state ?? null);
      } else if (call.op === 'restore') {
        daemon.restore?.(call.state as Buffer);
        port.restored();
      } else if (call.op === 'control') {
        daemon.onControl?.(call.control as DaemonControlEvent);
        port.controlled();
      } else if (call.op === 'health') {
        port.healthAnswered(daemon.health ? daemon.health() : 'healthy');
      } else {
        port.saturationAnswered(daemon.saturation ? daemon.saturation() : 0);
      }
    } catch (e) {
      port.failed(messageOf(e));
    }
  }
}

export function capsJson(caps: CapabilityInput | undefined, what: string): string | undefined {
  if (caps === undefined) return undefined;
  try {
    return capabilitiesToJson(caps);
  } catch (e) {
    throw new DaemonError(`${what}: ${(e as Error).message}`, 'invalid_argument', { cause: e });
  }
}

/** `d` as a daemon, or a DaemonError naming what is wrong (`who` returned it). */
export function checkDaemon(d: unknown, who: string): MeshDaemon {
  const bad = (why: string) => new DaemonError(`${who} ${why}`, 'invalid_argument');
  if (d === null || typeof d !== 'object') throw bad(`returned ${d === null ? 'null' : typeof d}, not a daemon object`);
  const daemon = d as MeshDaemon;
  if (typeof daemon.name !== 'string') throw bad('returned a daemon without a string `name`');
  if (typeof daemon.process !== 'function') throw bad('returned a daemon without a `process` method');
  for (const m of ['snapshot', 'restore', 'onControl', 'health', 'saturation'] as const) {
    if (daemon[m] !== undefined && typeof daemon[m] !== 'function') throw bad(`returned a daemon whose \`${m}\` is not a method`);
  }
  return daemon;
}

/** A native port serving `daemon` (checked by `checkDaemon`): its calls are answered on the JS thread. */
export function openPort(daemon: MeshDaemon): core.DaemonPort {
  const required = capsJson(daemon.requiredCapabilities, 'requiredCapabilities');
  const optional = capsJson(daemon.optionalCapabilities, 'optionalCapabilities');
  const port: core.DaemonPort = daemonCall(() => new native.DaemonPort(daemon.name, () => servePort(port, daemon), required, optional));
  return port;
}
