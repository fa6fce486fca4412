// MeshNode: a node of the encrypted UDP mesh, over the native binding.
//
// Only translation happens here: argument shapes (the seed's
// `openStream(peer, { streamId, ... })`, numbers or bigints for stream
// ids) and native errors into the typed classes of ./errors.

import * as core from '@net-mesh/core';
import { NetError, NotConnectedError, toNetError } from './errors';
import {
  capCall,
  nodeCapabilitiesFrom,
  subnetPolicyToNative,
  toWire,
  validateCapabilities,
  type CapabilityFilter,
  type CapabilityInput,
  type CapabilityStats,
  type NodeCapabilities,
  type ScopeFilter,
  type SubnetId,
  type SubnetPolicy,
} from './capabilities';
import { native } from './native';

/** Delivery guarantee of a stream. */
export type Reliability = 'reliable' | 'fire_and_forget';

/** Options of `MeshNode.create`. */
export interface MeshNodeConfig {
  /** The UDP address to bind, `"ip:port"` (port 0 picks a free one). */
  bindAddr: string;
  /** The mesh's 32-byte pre-shared key: 64 hex characters, or the 32 bytes. */
  psk: string | Uint8Array;
  /** A 32-byte identity seed (e.g. `identity.toBytes()`): the node's ids and keys derive from it. */
  identitySeed?: Uint8Array;
  /** Default time limit of `connect` and `accept` (ms, default 5000). */
  handshakeTimeoutMs?: number;
  /** Idle time before a heartbeat is sent (ms, default 500). */
  heartbeatIntervalMs?: number;
  /** Silence after which a peer is 'suspect' (ms, default 2000). */
  suspectAfterMs?: number;
  /** Silence after which a peer is 'dead' and its session closed (ms, default 6000). */
  deadAfterMs?: number;
  /** Largest datagram sent, 512..=65000 bytes (default 1400). */
  maxDatagram?: number;
  /**
   * Refuse a hello from a node nobody accepts at once: its `connect`
   * fails with `handshake_refused` instead of waiting out its timeout.
   * Default false, since a `connect` may come before the matching `accept`.
   */
  refuseUnaccepted?: boolean;
  /** This node's subnet, e.g. `{ levels: [3, 7] }` (default: the root). */
  subnet?: SubnetId;
  /** The mesh-wide policy deriving each peer's subnet from its announced tags. */
  subnetPolicy?: SubnetPolicy;
  /** How often capability entries past their TTL are evicted (ms, default 60000). */
  capabilityGcIntervalMs?: number;
  /** Shortest time between two broadcasts of this node's capabilities; announces within it coalesce (ms, 0 allowed, default 10000). */
  minAnnounceIntervalMs?: number;
  /** Time to live of this node's announcements at their receivers (whole seconds, default 300). */
  capabilityTtlSecs?: number;
}

/** What `openStream` opens. */
export interface OpenStreamOptions {
  /** The stream id; both sides use the same one. */
  streamId: bigint | number;
  /** Default 'reliable': exactly once, in order, bounded by the window. */
  reliability?: Reliability;
  /** Unacknowledged packets in flight before a send throws `BackpressureError` (default 256). */
  windowBytes?: number;
  /** Received messages queued before this side stops acknowledging (default 8192). */
  receiveCapacity?: number;
}

/** A stream with one peer (from `openStream`): `peerNodeId`, `streamId`, `isOpen`. */
export type MeshStream = core.MeshStream;
/** Live counters of a stream; every field a bigint. */
export type StreamStats = core.JsStreamStats;
/** Node-wide mesh counters; every field a bigint. */
export type MeshStats = core.JsMeshStats;
/** A peer with a session. */
export type MeshPeer = core.JsPeer;
/** Liveness of a peer. */
export type PeerState = 'alive' | 'suspect' | 'dead';

/**
 * A node of the encrypted mesh.
 *
 * ```ts
 * const a = await MeshNode.create({ bindAddr: '127.0.0.1:0', psk: '42'.repeat(32) });
 * const b = await MeshNode.create({ bindAddr: '127.0.0.1:0', psk: '42'.repeat(32) });
 * const accepted = b.accept(a.nodeId());
 * await a.connect(b.localAddr(), b.publicKey(), b.nodeId());
 * await accepted;
 * const out = a.openStream(b.nodeId(), { streamId: 1n });
 * await a.sendOnStream(out, [Buffer.from('hi')]);
 * const inbox = b.openStream(a.nodeId(), { streamId: 1n });
 * (await b.recv(inbox)).toString(); // 'hi'
 * ```
 */
export class MeshNode {
  private readonly native: core.MeshNode;

  private constructor(n: core.MeshNode) {
    this.native = n;
  }

  /**
   * Bind and start receiving. A bad `bindAddr` or `psk` rejects with
   * `NetError` kind `invalid_config`, a bad `identitySeed` with
   * `IdentityError` kind `invalid_length`, a failed bind with kind `io`.
   */
  static async create(config: MeshNodeConfig): Promise<MeshNode> {
    return new MeshNode(await call(() => native.MeshNode.create(toNative(config))));
  }

  /** The underlying native binding (`@net-mesh/core`'s MeshNode). */
  get napi(): core.MeshNode {
    return this.native;
  }

  /** This node's 64-bit id. */
  nodeId(): bigint {
    return this.native.nodeId();
  }

  /** This node's identity (32-byte ed25519 public key); equal to `Identity.fromSeed(identitySeed).entityId`. */
  entityId(): Buffer {
    return this.native.entityId();
  }

  /** The 32-byte static key a peer passes to `connect`. */
  publicKey(): Buffer {
    return this.native.publicKey();
  }

  /** The bound `"ip:port"` (the real port after binding port 0). */
  localAddr(): string {
    return this.native.localAddr();
  }

  /**
   * Handshake with the node `peerNodeId` at `addr` whose static key is
   * `peerPublicKey`. Rejects with `HandshakeError` (wrong PSK, key or
   * identity) or `TimeoutError`.
   */
  async connect(addr: string, peerPublicKey: Uint8Array, peerNodeId: bigint, options: { timeoutMs?: number } = {}): Promise<void> {
    await call(() => this.native.connect(addr, peerPublicKey, peerNodeId, options.timeoutMs));
  }

  /** Wait until `peerNodeId` completes a handshake with this node; resolves to its address. */
  async accept(peerNodeId: bigint, options: { timeoutMs?: number } = {}): Promise<string> {
    return call(() => this.native.accept(peerNodeId, options.timeoutMs));
  }

  /** Start heartbeats, failure detection and retransmission (idempotent). */
  start(): void {
    call(() => this.native.start());
  }

  /** Open (or re-open) a stream to `peerNodeId`; throws `NotConnectedError` without a session. */
  openStream(peerNodeId: bigint, options: OpenStreamOptions): MeshStream {
    if (options?.streamId === undefined) throw new NetError('invalid_argument', 'openStream needs options with a streamId');
    const { streamId, ...rest } = options;
    return call(() => this.native.openStream(peerNodeId, toBigInt(streamId, 'streamId'), rest));
  }

  /** Close a stream on this side: sends throw `NotConnectedError`, `messages` ends. */
  closeStream(stream: MeshStream): void {
    this.native.closeStream(stream);
  }

  /**
   * Send now or not at all: rejects with `BackpressureError` when the
   * window has no room for the whole batch (nothing was sent),
   * `NotConnectedError` when the peer is gone or the stream closed.
   */
  async sendOnStream(stream: MeshStream, payloads: readonly Uint8Array[]): Promise<void> {
    call(() => this.native.sendOnStream(stream, payloads as Uint8Array[]));
  }

  /** `sendOnStream`, retrying on back-pressure up to `maxRetries` times (5 ms doubling to 200 ms). */
  async sendWithRetry(stream: MeshStream, payloads: readonly Uint8Array[], maxRetries: number): Promise<void> {
    await call(() => this.native.sendWithRetry(stream, payloads as Uint8Array[], maxRetries));
  }

  /**
   * Send, waiting for window room as long as it takes: an acknowledgement
   * wakes the wait (no polling). A batch that fits now is sent at once and
   * costs what `sendOnStream` does. Rejects with `NotConnectedError` when
   * the peer or stream goes away while waiting.
   */
  async sendBlocking(stream: MeshStream, payloads: readonly Uint8Array[]): Promise<void> {
    await call(() => this.native.sendBlocking(stream, payloads as Uint8Array[]));
  }

  /**
   * The next message on `stream`. With `timeoutMs`, rejects with
   * `TimeoutError` when none came; once the stream or peer closed and the
   * queued messages are read, rejects with `NotConnectedError`.
   */
  async recv(stream: MeshStream, options: { timeoutMs?: number } = {}): Promise<Buffer> {
    return call(() => this.native.recv(stream, options.timeoutMs));
  }

  /** A message already received on `stream`, or null (never waits). */
  tryRecv(stream: MeshStream): Buffer | null {
    return call(() => this.native.tryRecv(stream));
  }

  /** The messages of `stream` as an async iterator; it ends when the stream or peer closes. */
  async *messages(stream: MeshStream): AsyncGenerator<Buffer, void, undefined> {
    for (;;) {
      try {
        yield await this.recv(stream);
      } catch (e) {
        if (e instanceof NotConnectedError) return;
        throw e;
      }
    }
  }

  /** Live counters of stream `streamId` with `peerNodeId` (bigints), or null when closed or never opened. */
  streamStats(peerNodeId: bigint, streamId: bigint | number): StreamStats | null {
    return call(() => this.native.streamStats(peerNodeId, toBigInt(streamId, 'streamId')));
  }

  /** `'alive'`, `'suspect'`, `'dead'`, or null if the peer never completed a handshake. */
  peerState(peerNodeId: bigint): PeerState | null {
    return call(() => this.native.peerState(peerNodeId));
  }

  /** Every peer with a session (live or dead), by node id. */
  peers(): MeshPeer[] {
    return this.native.peers();
  }

  /** Node-wide counters. */
  stats(): MeshStats {
    return this.native.stats();
  }

  /** The mesh's and its streams' counters as Prometheus text (see `prometheusText`). */
  prometheusText(): string {
    return this.native.prometheusText();
  }

  /**
   * Announce this node's capabilities: validated (a `CapabilityError` kind
   * `invalid_capabilities` carries the `report`; an oversize set
   * `announcement_too_large`), indexed here at once, and broadcast signed to
   * every peer, which forward it up to 16 hops; peers that connect later get
   * it on connect. Announces within `minAnnounceIntervalMs` of a broadcast
   * coalesce into one.
   */
  async announceCapabilities(caps: CapabilityInput): Promise<void> {
    const json = toWire(caps, 'capabilities');
    try {
      capCall(() => this.native.announceCapabilities(json));
    } catch (e) {
      if (e instanceof NetError && e.kind === 'invalid_capabilities') {
        Object.assign(e, { report: validateCapabilities(caps) });
      }
      throw e;
    }
  }

  /** Nodes whose capabilities match `filter` (this node included on a self-match), sorted; no scope filtering. */
  findNodes(filter: CapabilityFilter = {}): bigint[] {
    return capCall(() => this.native.findNodes(toWire(filter, 'filter')));
  }

  /**
   * Nodes matching `filter` that `scope` admits: `{ kind: 'any' }` hides
   * subnet-local nodes, `'globalOnly'` shows untagged ones only,
   * `'sameSubnet'` this node's subnet whatever the scope, `'tenant'` /
   * `'region'` (and plurals) the global nodes plus those scoped to them.
   */
  findNodesScoped(filter: CapabilityFilter, scope: ScopeFilter): bigint[] {
    return capCall(() => this.native.findNodesScoped(toWire(filter, 'filter'), toWire(scope, 'scope')));
  }

  /** The best match under `scope` (most GPU memory, then memory, CPU threads, fewest hops, lowest id), or null. */
  findBestNodeScoped(filter: CapabilityFilter, scope: ScopeFilter): bigint | null {
    return capCall(() => this.native.findBestNodeScoped(toWire(filter, 'filter'), toWire(scope, 'scope')));
  }

  /** What this node knows of `nodeId`'s capabilities (itself included), or null. */
  capabilitiesOf(nodeId: bigint): NodeCapabilities | null {
    const n = capCall(() => this.native.capabilitiesOf(nodeId));
    return n === null ? null : nodeCapabilitiesFrom(n);
  }

  /** Announcement counters: received, accepted, duplicates, rejections by kind, evictions, broadcasts, forwards. */
  capabilityStats(): CapabilityStats {
    return this.native.capabilityStats();
  }

  /** This node's configured subnet. */
  subnet(): SubnetId {
    return JSON.parse(this.native.subnet()) as SubnetId;
  }

  /** The subnet this node derives for `nodeId` from its announced tags (its own for itself), or null. */
  peerSubnet(nodeId: bigint): SubnetId | null {
    const s = capCall(() => this.native.peerSubnet(nodeId));
    return s === null ? null : (JSON.parse(s) as SubnetId);
  }

  /** Tell the peers, close every session and stop; idempotent. Later calls throw `NetError` kind `closed`. */
  async shutdown(): Promise<void> {
    await call(() => this.native.shutdown());
  }
}

/** Run a native call; any error it throws (or its Promise rejects with) becomes the typed class. */
function call<T>(f: () => T): T {
  let out: T;
  try {
    out = f();
  } catch (e) {
    throw toNetError(e);
  }
  if (out instanceof Promise) {
    return out.catch((e: unknown) => {
      throw toNetError(e);
    }) as T;
  }
  return out;
}

function toNative(config: MeshNodeConfig): core.MeshOptions {
  const { identitySeed, subnetPolicy, ...rest } = config;
  return {
    ...rest,
    ...(identitySeed === undefined ? {} : { identitySeed: asBuffer(identitySeed) }),
    ...(subnetPolicy === undefined ? {} : { subnetPolicy: subnetPolicyToNative(subnetPolicy) }),
  };
}

function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

function toBigInt(v: bigint | number, what: string): bigint {
  if (typeof v === 'bigint') return v;
  if (Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  throw new NetError('invalid_argument', `${what} must be a bigint or a whole number >= 0, got ${String(v)}`);
}
