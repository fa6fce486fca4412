// Identities and permission tokens.

import type * as core from '@net-mesh/core';
import { NetError, toNetError } from './errors';
import { native } from './native';

/** A right a token grants on one channel. */
export type Scope = 'publish' | 'subscribe' | 'delegate' | 'admin';

/** A time for verification: Unix seconds (number or bigint) or a Date. */
export type When = number | bigint | Date;

/** Options of `Identity.issueToken`. */
export interface IssueTokenOptions {
  /** Who the grant is for: an entity id (32 bytes) or an identity. */
  subject: Uint8Array | Identity;
  /** The rights granted. */
  scope: Scope | readonly Scope[];
  /** The channel name they apply to. */
  channel: string;
  /** Lifetime in whole seconds; 0 throws (a zero TTL would mint a born-expired token). */
  ttlSeconds: number;
  /** How many further hops of re-delegation the subject may start (default 0: none). */
  delegationDepth?: number;
}

/** Options of `Identity.issueTokenAt`: every field fixed, for reproducible tokens. */
export interface IssueTokenAtOptions {
  subject: Uint8Array | Identity;
  scope: Scope | readonly Scope[];
  /** The channel name, or its hash. */
  channel: string | { hash: number };
  notBefore: number | bigint;
  notAfter: number | bigint;
  delegationDepth?: number;
  nonce: number | bigint;
}

/** Options of `Identity.delegate`. */
export interface DelegateOptions {
  subject: Uint8Array | Identity;
  scope: Scope | readonly Scope[];
  ttlSeconds: number;
}

/** Runs a native identity/token call, turning its errors into typed ones. */
function call<R>(f: () => R): R {
  try {
    return f();
  } catch (e) {
    throw toNetError(e, true);
  }
}

function subjectBytes(s: Uint8Array | Identity): Uint8Array {
  return s instanceof Identity ? s.entityId : s;
}

function scopes(s: Scope | readonly Scope[]): string[] {
  return typeof s === 'string' ? [s] : [...s];
}

function seconds(when: When | undefined): bigint | undefined {
  if (when === undefined) return undefined;
  if (when instanceof Date) return BigInt(Math.floor(when.getTime() / 1000));
  if (typeof when === 'number' && !Number.isSafeInteger(when)) {
    throw new NetError('invalid_argument', `a time in seconds must be a whole number, got ${when}`);
  }
  return BigInt(when);
}

/**
 * An ed25519 identity. The 32-byte seed is the whole secret and the
 * persisted form (`toBytes()` / `Identity.fromSeed()`); `entityId`,
 * `nodeId` and `originHash` derive from it and are stable across restarts.
 */
export class Identity {
  private constructor(private readonly native: core.Identity) {}

  /** A fresh identity from the OS random generator. */
  static generate(): Identity {
    return new Identity(native.Identity.generate());
  }

  /** The identity of a 32-byte seed; `IdentityError` kind `invalid_length` otherwise. */
  static fromSeed(seed: Uint8Array): Identity {
    return new Identity(call(() => native.Identity.fromSeed(seed)));
  }

  /** Whether `signature` is `entityId`'s signature of `message` (see `sign`). */
  static verify(entityId: Uint8Array, message: Uint8Array | string, signature: Uint8Array): boolean {
    return call(() => native.verifySignature(entityId, bytes(message), signature));
  }

  /** @internal The native identity (a daemon's, for `DaemonRuntime.spawn`). */
  get napi(): core.Identity {
    return this.native;
  }

  /** The 32-byte secret seed: treat as secret material. */
  toBytes(): Buffer {
    return this.native.toBytes();
  }

  /** The 32-byte public key. */
  get entityId(): Buffer {
    return this.native.entityId;
  }

  /**
   * The 32-byte static key a mesh node with this identity listens under:
   * what a peer dials (`peerPublicKey`), known from the seed before the
   * node starts.
   */
  get meshPublicKey(): Buffer {
    return this.native.meshPublicKey;
  }

  /** The 64-bit node id derived from the entity id. */
  get nodeId(): bigint {
    return this.native.nodeId;
  }

  /** The 64-bit origin hash stamped on this entity's events. */
  get originHash(): bigint {
    return this.native.originHash;
  }

  /** A 64-byte ed25519 signature over the tag "net message v1" then `message`. */
  sign(message: Uint8Array | string): Buffer {
    return this.native.sign(bytes(message));
  }

  /** Whether `signature` is this identity's signature of `message`. */
  verify(message: Uint8Array | string, signature: Uint8Array): boolean {
    return Identity.verify(this.entityId, message, signature);
  }

  /** Issue a permission token valid from now. */
  issueToken(o: IssueTokenOptions): PermissionToken {
    return new PermissionToken(
      call(() => this.native.issueToken(subjectBytes(o.subject), scopes(o.scope), o.channel, o.ttlSeconds, o.delegationDepth ?? 0)),
    );
  }

  /** Issue a token with every field fixed (deterministic: same inputs, same bytes). */
  issueTokenAt(o: IssueTokenAtOptions): PermissionToken {
    return new PermissionToken(
      call(() => {
        const hash = typeof o.channel === 'string' ? native.channelHash(o.channel) : o.channel.hash;
        return this.native.issueTokenAt(
          subjectBytes(o.subject),
          scopes(o.scope),
          hash,
          BigInt(o.notBefore),
          BigInt(o.notAfter),
          o.delegationDepth ?? 0,
          BigInt(o.nonce),
        );
      }),
    );
  }

  /** As the subject of `parent`, issue a narrower child token. */
  delegate(parent: PermissionToken, o: DelegateOptions): PermissionToken {
    return new PermissionToken(
      call(() => this.native.delegate(parent.napi, subjectBytes(o.subject), scopes(o.scope), o.ttlSeconds)),
    );
  }
}

/**
 * A signed grant: `issuer` allows `subject` the rights in `scope` on the
 * channel whose hash is `channelHash`, from `notBefore` (inclusive) to
 * `notAfter` (exclusive), Unix seconds. `bytes` is the transport-ready
 * 161-byte wire form. Parsing checks the shape only: `verify()` before
 * trusting a token.
 */
export class PermissionToken {
  /** Size of the wire form. */
  static readonly WIRE_SIZE = 161;

  /** @internal */
  constructor(private readonly native: core.Token) {}

  /** Parse the wire form; `TokenError` kind `invalid_format` otherwise. */
  static fromBytes(wire: Uint8Array): PermissionToken {
    return new PermissionToken(call(() => native.Token.fromBytes(wire)));
  }

  /**
   * Verify a delegation chain (root first) at `now` (default now); throws
   * `TokenError` with the first failure's kind.
   */
  static verifyChain(chain: readonly (PermissionToken | Uint8Array)[], now?: When): void {
    const wires = chain.map((t) => (t instanceof PermissionToken ? t.bytes : t));
    call(() => native.Token.verifyChain(wires, seconds(now)));
  }

  /** @internal The native token. */
  get napi(): core.Token {
    return this.native;
  }

  /** The 161-byte wire form. */
  get bytes(): Buffer {
    return this.native.bytes;
  }

  get issuer(): Buffer {
    return this.native.issuer;
  }

  get subject(): Buffer {
    return this.native.subject;
  }

  /** Scope names in bit order. */
  get scope(): Scope[] {
    return this.native.scope as Scope[];
  }

  get scopeBits(): number {
    return this.native.scopeBits;
  }

  get channelHash(): number {
    return this.native.channelHash;
  }

  get notBefore(): bigint {
    return this.native.notBefore;
  }

  get notAfter(): bigint {
    return this.native.notAfter;
  }

  get delegationDepth(): number {
    return this.native.delegationDepth;
  }

  get nonce(): bigint {
    return this.native.nonce;
  }

  get signature(): Buffer {
    return this.native.signature;
  }

  /** The exact bytes the issuer signed ("net token v1" then the 97-byte body). */
  signingMessage(): Buffer {
    return this.native.signingMessage();
  }

  /** Check the signature and the validity window at `now` (default now); throws `TokenError`. */
  verify(now?: When): void {
    call(() => this.native.verify(seconds(now)));
  }

  /** `verify` as a boolean. */
  isValid(now?: When): boolean {
    try {
      this.verify(now);
      return true;
    } catch {
      return false;
    }
  }

  /** Whether this token grants `scope` on `channel` (fields only: pair with `verify`). */
  grants(scope: Scope, channel: string): boolean {
    return this.scope.includes(scope) && this.channelHash === channelHash(channel);
  }
}

/** The 32-bit hash of a channel name; `IdentityError` kind `invalid_channel` for a bad name. */
export function channelHash(name: string): number {
  return call(() => native.channelHash(name));
}

/** The 16-bit hash of a channel name used in packet headers. */
export function channelWireHash(name: string): number {
  return call(() => native.channelWireHash(name));
}

function bytes(m: Uint8Array | string): Uint8Array {
  return typeof m === 'string' ? Buffer.from(m, 'utf8') : m;
}
