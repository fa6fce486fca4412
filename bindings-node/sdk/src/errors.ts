// Typed errors, built from the stable kind strings of the Rust core.
//
// The native binding throws `Error`s whose `code` is the kind; `toNetError`
// turns them into these classes so callers can use `instanceof` and
// switch on `kind`. The kind strings are the same in every language.

// Each kind list is written once; its type is derived from it.
const TOKEN_KIND_LIST = [
  'invalid_format',
  'invalid_signature',
  'expired',
  'not_yet_valid',
  'delegation_exhausted',
  'delegation_not_allowed',
  'not_authorized',
  'zero_ttl',
] as const;

const HANDSHAKE_KIND_LIST = [
  'wrong_psk',
  'unknown_static_key',
  'identity_mismatch',
  'handshake_refused',
  'handshake_malformed',
] as const;

const CAPABILITY_KIND_LIST = [
  'malformed_announcement',
  'unsupported_version',
  'invalid_signature',
  'origin_mismatch',
  'stale_version',
  'hop_limit',
  'announcement_too_large',
  'invalid_capabilities',
  'invalid_tag',
  'invalid_json',
  'invalid_predicate',
  'invalid_header',
  'invalid_subnet',
  'invalid_argument',
] as const;

/**
 * Why capability input was refused: an announcement (malformed, forged,
 * tampered, replayed, over the hop or size limit), a set that fails
 * validation, a tag, JSON of the wrong shape, a predicate, a `net-where`
 * header, a subnet; `invalid_argument` for a value of the wrong type.
 */
export type CapabilityErrorKind = (typeof CAPABILITY_KIND_LIST)[number];

/** Why a permission token was refused (spelled as in the core and every face). */
export type TokenErrorKind = (typeof TOKEN_KIND_LIST)[number];

/** Why an identity input was refused. */
export type IdentityErrorKind = 'invalid_length' | 'invalid_entity_id' | 'unknown_scope' | 'invalid_channel' | 'invalid_argument';

/** Why a mesh handshake produced no session. */
export type HandshakeErrorKind = (typeof HANDSHAKE_KIND_LIST)[number];

const HANDSHAKE_KINDS: ReadonlySet<string> = new Set(HANDSHAKE_KIND_LIST);
const TOKEN_KINDS: ReadonlySet<string> = new Set(TOKEN_KIND_LIST);
const CAPABILITY_KINDS: ReadonlySet<string> = new Set(CAPABILITY_KIND_LIST);
// The capability kinds no other surface uses: outside a capability call
// they still pick CapabilityError (e.g. a bad subnet in MeshNode.create).
const CAPABILITY_ONLY_KINDS: ReadonlySet<string> = new Set(
  CAPABILITY_KIND_LIST.filter((k) => k !== 'invalid_signature' && k !== 'invalid_argument'),
);
const IDENTITY_KINDS: ReadonlySet<string> = new Set(['invalid_length', 'invalid_entity_id', 'unknown_scope', 'invalid_channel']);

/** Base class of every error the SDK throws; `kind` is the core's kind string. */
export class NetError extends Error {
  readonly kind: string;

  constructor(kind: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    // The concrete class's own name (`TokenError`, …): subclasses need not repeat it.
    this.name = new.target.name;
    this.kind = kind;
  }
}

/**
 * No room: a shard's ring is full and the node's policy is `FailProducer`,
 * or a mesh stream's in-flight window is exhausted (nothing was sent).
 */
export class BackpressureError extends NetError {
  declare readonly kind: 'backpressure';

  constructor(message: string, options?: { cause?: unknown }) {
    super('backpressure', message, options);
  }
}

/** The mesh peer is gone (dead, shut down, never connected) or the stream was closed. */
export class NotConnectedError extends NetError {
  declare readonly kind: 'not_connected';

  constructor(message: string, options?: { cause?: unknown }) {
    super('not_connected', message, options);
  }
}

/** A mesh handshake failed; `kind` says why (a different PSK, key or identity). */
export class HandshakeError extends NetError {
  declare readonly kind: HandshakeErrorKind;

  constructor(kind: HandshakeErrorKind, message: string, options?: { cause?: unknown }) {
    super(kind, message, options);
  }
}

/** An operation with a time limit did not complete in time (handshake, accept, recv). */
export class TimeoutError extends NetError {
  declare readonly kind: 'timeout';

  constructor(message: string, options?: { cause?: unknown }) {
    super('timeout', message, options);
  }
}

/** Malformed identity inputs: bad seed length, unknown scope, invalid channel name, … */
export class IdentityError extends NetError {
  declare readonly kind: IdentityErrorKind;

  constructor(kind: IdentityErrorKind, message: string, options?: { cause?: unknown }) {
    super(kind, message, options);
  }
}

/** A permission token was refused; `kind` says why. */
export class TokenError extends NetError {
  declare readonly kind: TokenErrorKind;

  constructor(kind: TokenErrorKind, message: string, options?: { cause?: unknown }) {
    super(kind, message, options);
  }
}

/**
 * Capability input was refused; `kind` says why. `report` holds the
 * schema errors when an announced set failed validation
 * (`invalid_capabilities`).
 */
export class CapabilityError extends NetError {
  declare readonly kind: CapabilityErrorKind;
  /** The validation report, for kind `invalid_capabilities`. */
  report?: import('./capabilities').ValidationReport;

  constructor(kind: CapabilityErrorKind, message: string, options?: { cause?: unknown }) {
    super(kind, message, options);
  }
}

/**
 * The typed error of a capability call: every capability kind (and a
 * bad argument, napi's own checks included) is a `CapabilityError`; any
 * other native error (a closed node, ...) gets its usual class.
 */
export function toCapabilityError(e: unknown): unknown {
  if (e instanceof NetError || !(e instanceof Error)) return e;
  const code = (e as { code?: unknown }).code;
  if (typeof code !== 'string') return e;
  const kind = /^[A-Z]/.test(code) ? 'invalid_argument' : code;
  if (CAPABILITY_KINDS.has(kind)) return new CapabilityError(kind as CapabilityErrorKind, e.message, { cause: e });
  return toNetError(e);
}

/**
 * A raw RedEX file error: an invalid file (channel) name, a bad
 * configuration, corruption (`redex:corrupt`, naming file and offset), a
 * locked directory, append / tail / sync / close failures.
 */
export class RedexError extends NetError {}

/**
 * A CortEX adapter error: fold halted, RedEX I/O, decode failures, an id
 * not found or already used, a closed adapter, a `waitForSeq` deadline.
 */
export class CortexError extends NetError {}

/** A NetDb error: a snapshot bundle refused, a model that was not enabled. */
export class NetDbError extends NetError {}

/**
 * The typed error of a RedEX / CortEX / NetDb call: kinds with a
 * `redex:`, `cortex:` or `netdb:` prefix pick their class; any other
 * native error of the call (a bad channel name, a bad argument, a
 * timeout) becomes the class of the surface it came from (`family`).
 */
export function toCortexError(e: unknown, family: 'redex' | 'cortex' | 'netdb'): unknown {
  if (e instanceof NetError || !(e instanceof Error)) return e;
  const code = (e as { code?: unknown }).code;
  if (typeof code !== 'string') return e;
  const options = { cause: e };
  const kind = /^[A-Z]/.test(code) ? 'invalid_argument' : code;
  if (kind.startsWith('redex:')) return new RedexError(kind, e.message, options);
  if (kind.startsWith('cortex:')) return new CortexError(kind, e.message, options);
  if (kind.startsWith('netdb:')) return new NetDbError(kind, e.message, options);
  const cls = family === 'redex' ? RedexError : family === 'cortex' ? CortexError : NetDbError;
  return new cls(kind, e.message, options);
}

/**
 * The typed error for a native error (or anything else thrown).
 * `identityContext` makes an `invalid_argument` an `IdentityError`: in
 * identity and token calls a bad argument is a malformed identity input.
 */
export function toNetError(e: unknown, identityContext = false): unknown {
  if (e instanceof NetError || !(e instanceof Error)) return e;
  const code = (e as { code?: unknown }).code;
  if (typeof code !== 'string') return e;
  const options = { cause: e };
  if (code === 'backpressure') return new BackpressureError(e.message, options);
  if (code === 'not_connected') return new NotConnectedError(e.message, options);
  if (code === 'timeout') return new TimeoutError(e.message, options);
  if (HANDSHAKE_KINDS.has(code)) return new HandshakeError(code as HandshakeErrorKind, e.message, options);
  if (TOKEN_KINDS.has(code)) return new TokenError(code as TokenErrorKind, e.message, options);
  if (CAPABILITY_ONLY_KINDS.has(code)) return new CapabilityError(code as CapabilityErrorKind, e.message, options);
  if (IDENTITY_KINDS.has(code) || (identityContext && code === 'invalid_argument')) {
    return new IdentityError(code as IdentityErrorKind, e.message, options);
  }
  // napi's own argument checks use statuses such as 'InvalidArg' or
  // 'NumberExpected': those are bad arguments too.
  if (/^[A-Z]/.test(code)) {
    return identityContext
      ? new IdentityError('invalid_argument', e.message, options)
      : new NetError('invalid_argument', e.message, options);
  }
  return new NetError(code, e.message, options);
}
