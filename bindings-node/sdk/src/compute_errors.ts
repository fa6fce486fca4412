// The typed errors of the compute surface: DaemonError for every daemon
// and runtime failure (its `kind` is the core's stable kind string), and
// MigrationError, the seed's typed migration failure.

import { NetError } from './errors';

/**
 * Base class of daemon-layer errors: factory registration, runtime
 * lifecycle, spawn / stop, delivery, callbacks. `kind` is the core's kind
 * (`not-ready`, `shutting-down`, `factory-not-found`,
 * `factory-already-registered`, `daemon-not-found`, `already-running`,
 * `missing-capabilities`, `requirements-unmet`, `state-failed`,
 * `snapshot-decode`, `snapshot-mismatch`, `callback-timeout`,
 * `reentrant-call`, `callback-dropped`, `callback-failed`), or
 * `invalid_argument` for a value of the wrong type. The message is the
 * core's without its `daemon:` prefix.
 */
export class DaemonError extends NetError {
  constructor(message: string, kind = 'daemon', options?: { cause?: unknown }) {
    super(kind, message, options);
  }
}

/**
 * Stable discriminator for migration-layer failures (the seed's list).
 * This release has no migration: every migration call fails with
 * `compute-not-supported`.
 */
export type MigrationErrorKind =
  | 'not-ready'
  | 'factory-not-found'
  | 'compute-not-supported'
  | 'state-failed'
  | 'already-migrating'
  | 'identity-transport-failed'
  | 'not-ready-timeout'
  | 'daemon-not-found'
  | 'target-unavailable'
  | 'wrong-phase'
  | 'snapshot-too-large'
  | 'unknown';

/** Typed migration failure; a DaemonError, so `catch (e: DaemonError)` still matches. */
export class MigrationError extends DaemonError {
  declare readonly kind: MigrationErrorKind;
  /** Number of NotReady retries on `not-ready-timeout`. */
  readonly attempts?: number;
  /** Daemon origin on `daemon-not-found` / `already-migrating`. */
  readonly originHash?: number;
  /** Node ID on `target-unavailable`. */
  readonly nodeId?: bigint;
  /** Size / max on `snapshot-too-large`. */
  readonly size?: number;
  readonly max?: number;
  /** Underlying string detail on `state-failed` / `identity-transport-failed`. */
  readonly detail?: string;

  constructor(
    kind: MigrationErrorKind,
    message: string,
    extras: { attempts?: number; originHash?: number; nodeId?: bigint; size?: number; max?: number; detail?: string } = {},
  ) {
    super(message, kind);
    this.attempts = extras.attempts;
    this.originHash = extras.originHash;
    this.nodeId = extras.nodeId;
    this.size = extras.size;
    this.max = extras.max;
    this.detail = extras.detail;
  }
}

/**
 * The DaemonError of a native compute error (its `code` is the kind; a
 * napi argument check's status, such as `InvalidArg`, is a bad argument).
 */
export function toDaemonError(e: unknown): unknown {
  if (e instanceof NetError || !(e instanceof Error)) return e;
  const code = (e as { code?: unknown }).code;
  const kind = typeof code !== 'string' || /^[A-Z]/.test(code) ? 'invalid_argument' : code;
  return new DaemonError(e.message.replace(/^daemon: /, ''), kind, { cause: e });
}

/** Run a native compute call, turning its errors into DaemonErrors. */
export function daemonCall<R>(f: () => R): R {
  try {
    return f();
  } catch (e) {
    throw toDaemonError(e);
  }
}

/** Await a native compute Promise, turning its rejection into a DaemonError. */
export async function daemonAwait<R>(f: () => Promise<R>): Promise<R> {
  try {
    return await f();
  } catch (e) {
    throw toDaemonError(e);
  }
}
