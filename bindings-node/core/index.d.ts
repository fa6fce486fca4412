// Types of @net-mesh/core, the native binding of Net.
//
// Kept by hand beside src/*.rs; test/dts.test.cjs fails when an export,
// a method or a getter exists on one side only. Errors thrown (or
// rejected) by every function are `Error`s whose `code` is the core's
// stable kind string: 'backpressure', 'closed', 'invalid_config',
// 'invalid_cursor', 'invalid_argument', 'invalid_length',
// 'invalid_entity_id', 'unknown_scope', 'invalid_channel', 'zero_ttl',
// 'invalid_format', 'invalid_signature', 'expired', 'not_yet_valid',
// 'delegation_exhausted', 'delegation_not_allowed', 'not_authorized',
// and for the mesh 'not_connected', 'timeout', 'io', 'message_too_large',
// 'wrong_psk', 'unknown_static_key', 'identity_mismatch',
// 'handshake_refused', 'handshake_malformed', …

/** Options of a node; every field is optional. */
export interface NodeConfig {
  /** Number of shards, 1..=1024 (default 4). */
  shards?: number
  /** Ring slots per shard, rounded up to a power of two (default 8192). */
  ringCapacity?: number
  /**
   * What an emit does when its shard's ring is full: 'Block' (default:
   * wait for room up to `blockTimeoutMs`, then throw 'backpressure';
   * nothing is lost), 'DropOldest' (evict queued events; the receipt's
   * `evicted`), 'DropNewest' (discard the new one; `dropped`) or
   * 'FailProducer' (throw 'backpressure' at once).
   */
  backpressure?: 'Block' | 'DropOldest' | 'DropNewest' | 'FailProducer' | 'block' | 'drop_oldest' | 'drop_newest' | 'fail_producer'
  /** 'hash' (default: equal payloads share a shard) or 'roundRobin'. */
  shardStrategy?: 'hash' | 'roundRobin'
  /** Events the in-memory backend keeps per shard (default 2^20). */
  retention?: number
  /** Largest batch a batcher appends at once (default 1024). */
  maxBatch?: number
  /** How long an idle batcher sleeps, in milliseconds (default 1). */
  maxDelayMs?: number
  /** How long an emit under 'Block' waits for room before it throws 'backpressure', in milliseconds, > 0 (default 1000). */
  blockTimeoutMs?: number
}

/** An event read back from the bus. */
export interface JsEvent {
  /** "shard:sequence". */
  id: string
  /** The payload as text (invalid UTF-8 replaced by U+FFFD). */
  raw: string
  shardId: number
  /** Per-shard sequence. */
  sequence: bigint
  /** Emit time, Unix nanoseconds. */
  insertionTs: bigint
}

/** What `poll` resolves to. */
export interface PollPage {
  events: Array<JsEvent>
  /** The cursor to pass next time. */
  nextId: string
  /** Whether some shard still has unread events. */
  hasMore: boolean
}

/** Ingestion statistics. */
export interface JsStats {
  eventsIngested: bigint
  eventsDropped: bigint
  batchesDispatched: bigint
  shardDepths: Array<number>
  /** Failed backend appends (each failed retry counts). */
  backendErrors: bigint
  /** Times the backend recovered: an append succeeded after failures. */
  reconnects: bigint
  /** Milliseconds since the latest successful append; null before the first. */
  sinceLastSuccessMs: number | null
  /**
   * Mesh transport: events not delivered to a peer (gone when they were
   * forwarded, or not acknowledged by shutdown).
   */
  forwardFailures: bigint
  /** Mesh transport: events received from peers and stored here. */
  remoteEvents: bigint
}

/** What an emit hands back. */
export interface JsReceipt {
  shardId: number
  sequence: bigint
  /** Emit time, Unix nanoseconds. */
  timestamp: bigint
  /** True when the event was discarded (DropNewest on a full ring). */
  dropped: boolean
  /** Older events this emit evicted to make room (DropOldest only; 0 otherwise). */
  evicted: number
}

/** Where a subscription starts and how much it reads at a time. */
export interface SubscribeOptions {
  /** Resume from a poll cursor (`nextId`); takes precedence. */
  cursor?: string
  /** Start at the oldest retained event instead of the current tail. */
  fromBeginning?: boolean
  /** Events read from the backend per round (default 256). */
  batch?: number
  /** End once caught up (after a flush) instead of waiting for more. */
  untilCaughtUp?: boolean
}

/**
 * Emitters bound to one node (from `bindEmitters()`): the same calls as
 * the NetNode methods of these names, at about half the per-call cost.
 */
export interface BoundEmitters {
  emitBuffer(buf: Uint8Array): boolean
  emitRaw(json: string): boolean
  fire(json: string): boolean
}

/** A node of the local bus (in-memory backend). */
export declare class NetNode {
  constructor(config?: NodeConfig | undefined | null)
  /** Start a node over the transport `transportJson` names (the core's TransportConfig JSON); resolves once it is up. */
  static withTransport(config: NodeConfig | undefined | null, transportJson: string): Promise<NetNode>
  /** Emit bytes; false when discarded by DropNewest. */
  emitBuffer(buf: Uint8Array): boolean
  /** Emit a string; the receipt goes to `receiptScratch()`; false when discarded. */
  emitRaw(json: string): boolean
  /** Like emitRaw, but backpressure returns false instead of throwing. */
  fire(json: string): boolean
  /** Emit strings as one batch to one shard; returns how many were stored. */
  emitRawBatch(jsons: Array<string>): number
  /** emitRawBatch, but backpressure returns 0 instead of throwing. */
  fireBatch(jsons: Array<string>): number
  /** Fast batch: events concatenated, with their UTF-16 lengths. */
  emitJoined(joined: string, lengths: Uint32Array): number
  /** One-shot poll of up to `limit` events from `cursor`. */
  poll(limit: number, cursor?: string | undefined | null): Promise<PollPage>
  /** A live subscription. */
  subscribe(options?: SubscribeOptions | undefined | null): Subscription
  /** Resolves once every event emitted before the call can be polled. */
  flush(): Promise<void>
  /** Drain and stop; idempotent. */
  shutdown(): Promise<void>
  stats(): JsStats
  /** The bus counters as Prometheus text (see `prometheusText`). */
  prometheusText(): string
  shards(): number
  /** { emitBuffer, emitRaw, fire } bound to this node (no per-call lookup of `this`). */
  bindEmitters(): BoundEmitters
  /** Whether shutdown has started. */
  get isShutDown(): boolean
}

/** A live stream of events; ends when the node shuts down or on close(). */
export declare class Subscription {
  /** The next ready events (at least one, at most `max`), or null once ended or closed. */
  nextBatch(max: number): Promise<Array<JsEvent> | null>
  /** Release the stream now; a pending nextBatch resolves to null. Idempotent. */
  close(): void
  /** Whether close() was called. */
  get closed(): boolean
}

/** An ed25519 identity from a 32-byte seed. */
export declare class Identity {
  static generate(): Identity
  /** Throws code 'invalid_length' unless `seed` is 32 bytes. */
  static fromSeed(seed: Uint8Array): Identity
  /** The 32-byte secret seed. */
  toBytes(): Buffer
  get entityId(): Buffer
  /** The 32-byte static key a mesh node with this identity listens under. */
  get meshPublicKey(): Buffer
  get nodeId(): bigint
  get originHash(): bigint
  /** ed25519 over "net message v1" ‖ message. */
  sign(message: Uint8Array): Buffer
  /** Issue a token valid from now for ttlSeconds (0 throws 'zero_ttl'). */
  issueToken(subject: Uint8Array, scope: Array<string>, channel: string, ttlSeconds: number, delegationDepth: number): Token
  /** Issue a token with every field chosen by the caller (deterministic). */
  issueTokenAt(subject: Uint8Array, scope: Array<string>, channelHash: number, notBefore: bigint, notAfter: bigint, delegationDepth: number, nonce: bigint): Token
  /** As the subject of `parent`, issue a narrower child token. */
  delegate(parent: Token, subject: Uint8Array, scope: Array<string>, ttlSeconds: number): Token
}

/** A permission token and its 161-byte wire form. */
export declare class Token {
  /** Parse the wire form (shape only; throws 'invalid_format'). */
  static fromBytes(bytes: Uint8Array): Token
  get bytes(): Buffer
  get issuer(): Buffer
  get subject(): Buffer
  get scope(): Array<string>
  get scopeBits(): number
  get channelHash(): number
  get notBefore(): bigint
  get notAfter(): bigint
  get delegationDepth(): number
  get nonce(): bigint
  get signature(): Buffer
  /** The exact bytes the issuer signed. */
  signingMessage(): Buffer
  /** Check signature and validity window at nowSecs (default now); throws the token kind. */
  verify(nowSecs?: bigint | undefined | null): void
  /** Verify a delegation chain of wire-form tokens, root first. */
  static verifyChain(chain: Array<Uint8Array>, nowSecs?: bigint | undefined | null): void
}

/** Options of `MeshNode.create`. */
export interface MeshOptions {
  /** The UDP address to bind, "ip:port" (port 0 picks a free one). */
  bindAddr: string
  /** The mesh's 32-byte pre-shared key: 64 hex digits or 32 bytes. */
  psk: string | Uint8Array
  /** A 32-byte identity seed; ids and static key derive from it (default: fresh). */
  identitySeed?: Buffer
  /** How long connect/accept wait by default (default 5000). */
  handshakeTimeoutMs?: number
  /** Idle time before a heartbeat is sent (default 500). */
  heartbeatIntervalMs?: number
  /** Silence after which a peer is 'suspect' (default 2000). */
  suspectAfterMs?: number
  /** Silence after which a peer is 'dead' and its session closed (default 6000). */
  deadAfterMs?: number
  /** Largest datagram sent, 512..=65000 bytes (default 1400). */
  maxDatagram?: number
  /** Refuse a hello nobody accepts at once (default false). */
  refuseUnaccepted?: boolean
  /** This node's subnet (default: the root); bad levels throw 'invalid_subnet'. */
  subnet?: JsSubnetId
  /** The mesh-wide policy deriving peers' subnets from their tags; a bad rule throws 'invalid_subnet'. */
  subnetPolicy?: JsSubnetPolicy
  /** How often expired capability entries are evicted (ms, default 60000). */
  capabilityGcIntervalMs?: number
  /** Shortest time between two capability broadcasts (ms, 0 allowed, default 10000). */
  minAnnounceIntervalMs?: number
  /** Time to live of this node's announcements at receivers (whole seconds, default 300). */
  capabilityTtlSecs?: number
}

/** A subnet id: up to 4 levels of 0..=255, outermost first. */
export interface JsSubnetId {
  levels: Array<number>
}

/** Tags `<tagPrefix><name>` set level `level` (0..=3) to `values[name]` (1..=255). */
export interface JsSubnetRule {
  tagPrefix: string
  level: number
  values: Record<string, number>
}

/** A subnet policy: rules applied in order. */
export interface JsSubnetPolicy {
  rules: Array<JsSubnetRule>
}

/** Capability counters of a mesh node. */
export interface JsCapabilityStats {
  received: bigint
  accepted: bigint
  duplicates: bigint
  rejectedMalformed: bigint
  rejectedSignature: bigint
  rejectedOrigin: bigint
  rejectedStale: bigint
  rejectedHops: bigint
  evicted: bigint
  broadcasts: bigint
  forwarded: bigint
  entries: bigint
}

/** What a node knows of another (or itself); the open shapes as wire JSON. */
export interface JsNodeCapabilities {
  nodeId: bigint
  entityId: Buffer
  version: bigint
  hops: number
  /** `{"tags", "metadata"}` */
  capabilities: string
  /** `{"levels": [...]}` */
  subnet: string
  /** `{"kind", ...}` */
  scope: string
}

/** One context of a predicate corpus. */
export interface JsEvalContext {
  tags: Array<string>
  metadata?: Record<string, string>
}

/** Constants of the capability layer. */
export interface JsCapabilityConstants {
  rpcWhereHeader: string
  reservedPrefixes: Array<string>
  maxCapabilityHops: number
}

/** A signed capability announcement and its parts. */
export interface JsCapabilityAnnouncement {
  origin: bigint
  entityId: Buffer
  version: bigint
  ttlSecs: number
  hopCount: number
  /** Canonical wire JSON of the capabilities. */
  capabilities: string
  signedBytes: Buffer
  signingMessage: Buffer
  signature: Buffer
  wire: Buffer
}

/** How `openStream` configures a stream; every field is optional. */
export interface StreamOptions {
  /** 'reliable' (default: exactly once, in order, windowed) or 'fire_and_forget'. */
  reliability?: 'reliable' | 'fire_and_forget'
  /** Unacknowledged packets in flight before a send throws 'backpressure' (default 256). */
  windowBytes?: number
  /** Received messages queued before this side stops acknowledging (default 8192). */
  receiveCapacity?: number
}

/** Node-wide mesh counters. */
export interface JsMeshStats {
  datagramsReceived: bigint
  datagramsSent: bigint
  tampered: bigint
  replayed: bigint
  malformed: bigint
  handshakesCompleted: bigint
  handshakesFailed: bigint
  pendingHandshakes: bigint
  sessions: bigint
  /** Panics the receive task caught and survived. */
  receivePanics: bigint
  /** Panics the timer task caught and survived. */
  maintenancePanics: bigint
  /** Datagrams the socket refused (send buffer full); reliable packets among them are retransmitted. */
  datagramsRefused: bigint
}

/** A peer with a session (live or dead). */
export interface JsPeer {
  nodeId: bigint
  /** Its authenticated identity (32 bytes). */
  entityId: Buffer
  /** "ip:port". */
  addr: string
  state: 'alive' | 'suspect' | 'dead'
}

/** Live counters of a stream. */
export interface JsStreamStats {
  txSeq: bigint
  rxSeq: bigint
  inFlight: bigint
  window: bigint
  backpressureEvents: bigint
  retransmits: bigint
  messagesSent: bigint
  messagesReceived: bigint
  inbox: bigint
  /** Smoothed round-trip time, microseconds (0 before a sample). */
  srttUs: bigint
}

/** A node of the encrypted UDP mesh. */
export declare class MeshNode {
  /** Bind and start receiving; bad bindAddr/psk throw 'invalid_config'. */
  static create(options: MeshOptions): Promise<MeshNode>
  nodeId(): bigint
  /** The 32-byte ed25519 public key. */
  entityId(): Buffer
  /** The 32-byte static key peers pass to connect. */
  publicKey(): Buffer
  /** The bound "ip:port". */
  localAddr(): string
  /** Handshake with a peer; rejects with a handshake kind or 'timeout'. */
  connect(addr: string, peerPublicKey: Uint8Array, peerNodeId: bigint, timeoutMs?: number | undefined | null): Promise<void>
  /** Wait for `peerNodeId` to complete a handshake; resolves to its address. */
  accept(peerNodeId: bigint, timeoutMs?: number | undefined | null): Promise<string>
  /** Start heartbeats, failure detection and retransmission (idempotent). */
  start(): void
  /** Open (or re-open) a stream; throws 'not_connected' without a live session. */
  openStream(peerNodeId: bigint, streamId: bigint, options?: StreamOptions | undefined | null): MeshStream
  /** Close a stream on this side. */
  closeStream(stream: MeshStream): void
  /** Send now or throw ('backpressure', 'not_connected', 'message_too_large', 'closed'). */
  sendOnStream(stream: MeshStream, payloads: Array<Uint8Array>): void
  /** sendOnStream retrying on backpressure up to maxRetries times (5 ms .. 200 ms back-off). */
  sendWithRetry(stream: MeshStream, payloads: Array<Uint8Array>, maxRetries: number): Promise<void>
  /** Send, waiting for window room as long as it takes (an ack wakes the wait; no polling). */
  sendBlocking(stream: MeshStream, payloads: Array<Uint8Array>): Promise<void>
  /** The next message; 'timeout' after timeoutMs, 'not_connected' once closed and drained. */
  recv(stream: MeshStream, timeoutMs?: number | undefined | null): Promise<Buffer>
  /** A message already received, or null. */
  tryRecv(stream: MeshStream): Buffer | null
  /** Counters of a stream, or null when closed or never opened. */
  streamStats(peerNodeId: bigint, streamId: bigint): JsStreamStats | null
  /** null if the peer never completed a handshake. */
  peerState(peerNodeId: bigint): 'alive' | 'suspect' | 'dead' | null
  peers(): Array<JsPeer>
  stats(): JsMeshStats
  /**
   * The mesh's and its streams' counters as Prometheus text (see
   * `prometheusText`).
   */
  prometheusText(): string
  /** Tell the peers, close every session and stop; idempotent. */
  shutdown(): Promise<void>
  /** Announce capabilities (JSON); throws 'invalid_json', 'invalid_capabilities', 'announcement_too_large', 'closed'. */
  announceCapabilities(capsJson: string): void
  /** Nodes matching the filter (JSON), self included, sorted. */
  findNodes(filterJson: string): Array<bigint>
  /** Nodes matching the filter that the scope filter (JSON) admits. */
  findNodesScoped(filterJson: string, scopeJson: string): Array<bigint>
  /** The best match under the scope, or null. */
  findBestNodeScoped(filterJson: string, scopeJson: string): bigint | null
  /** What this node knows of `nodeId`, or null. */
  capabilitiesOf(nodeId: bigint): JsNodeCapabilities | null
  capabilityStats(): JsCapabilityStats
  /** This node's subnet, JSON `{"levels": [...]}`. */
  subnet(): string
  /** The subnet derived for `nodeId` (JSON), or null. */
  peerSubnet(nodeId: bigint): string | null
  /** TEST HOOK: raw bytes on the capability stream to `peer`. Not for applications. */
  sendCapabilityBytes(peer: bigint, bytes: Buffer): void
}

/** A stream with one peer (from MeshNode.openStream). */
export declare class MeshStream {
  get peerNodeId(): bigint
  get streamId(): bigint
  /** Whether sends on this handle can still succeed. */
  get isOpen(): boolean
}

/** How a RedEX file stores, syncs and forgets records (at most one fsync option). */
export interface RedexFileOptions {
  persistent?: boolean
  fsyncEveryN?: bigint
  fsyncIntervalMs?: number
  fsyncNever?: boolean
  retentionMaxEvents?: bigint
  retentionMaxBytes?: bigint
  retentionMaxAgeMs?: number
  segmentMaxBytes?: number
  /** Cut a corrupt log at its last good record instead of throwing 'redex:corrupt'. */
  recover?: boolean
}

/** One record of a RedEX file. */
export interface RedexEventJs {
  seq: bigint
  timestampNanos: bigint
  payload: Buffer
}

/** What opening a persistent file had to cut. */
export interface RepairReportJs {
  /** 'torn_tail' or 'corruption'. */
  kind: string
  file: string
  offset: bigint
  reason: string
  bytesCut: bigint
  segmentsRemoved: number
}

/** A manager of RedEX files: in memory, or under `persistentDir`. */
export declare class Redex {
  constructor(persistentDir?: string | undefined | null)
  /** Throws 'invalid_channel', 'redex:config', 'redex:corrupt', 'redex:locked', 'redex:io'. */
  openFile(name: string, options?: RedexFileOptions | undefined | null): RedexFile
}

/** An open RedEX file. */
export declare class RedexFile {
  append(payload: Buffer): bigint
  /** The first seq, or null for an empty array. */
  appendBatch(payloads: Array<Buffer>): bigint | null
  appendIdempotent(key: Buffer, payload: Buffer): bigint
  readRange(start: bigint, end: bigint): Array<RedexEventJs>
  tail(fromSeq: bigint): RedexTail
  get nextSeq(): bigint
  get firstSeq(): bigint
  get length(): bigint
  get closed(): boolean
  get repairReport(): RepairReportJs | null
  sync(): void
  close(): void
}

/** A tail of a RedEX file: backfill, then live appends. */
export declare class RedexTail {
  /** Next ready records, or null at the end; rejects 'redex:tail_lagged' once after a retention gap. */
  nextBatch(max: number): Promise<Array<RedexEventJs> | null>
  close(): void
}

/** How a NetDb is opened. */
export interface NetDbOptions {
  originHash?: bigint
  persistent?: boolean
  withTasks?: boolean
  withMemories?: boolean
  file?: RedexFileOptions
}

export interface TaskJs {
  id: bigint
  title: string
  status: string
  createdAt: bigint
  updatedAtNanos: bigint
  origin: bigint
  seq: bigint
}

export interface MemoryJs {
  id: bigint
  content: string
  tags: Array<string>
  pinned: boolean
  createdAt: bigint
  updatedAtNanos: bigint
  origin: bigint
  seq: bigint
}

export interface TaskFilterJs {
  status?: string
  titleContains?: string
  origin?: bigint
  order?: string
  limit?: number
}

export interface MemoryFilterJs {
  tagsAll?: Array<string>
  tagsAny?: Array<string>
  contentContains?: string
  pinned?: boolean
  origin?: bigint
  order?: string
  limit?: number
}

/** How one model is opened alone (`Tasks.openFromSnapshot`). */
export interface ModelOptions {
  originHash?: bigint
  persistent?: boolean
  file?: RedexFileOptions
}

/** Tasks and memories event-sourced on a Redex. */
export declare class NetDb {
  static open(redex: Redex, options?: NetDbOptions | undefined | null): NetDb
  static openFromSnapshot(redex: Redex, options: NetDbOptions | undefined | null, bundle: Buffer): NetDb
  get tasks(): Tasks | null
  get memories(): Memories | null
  snapshot(): Buffer
  close(): void
}

/** The tasks model; every mutation returns its event's seq. */
export declare class Tasks {
  /** The tasks model alone, restored from a `snapshot()`; throws code 'netdb:bundle' for other bytes. */
  static openFromSnapshot(redex: Redex, snapshot: Buffer, options?: ModelOptions | undefined | null): Tasks
  /** The model's state and the seq it covers (what `NetDb.snapshot()` bundles). */
  snapshot(): Buffer
  create(id: bigint, title: string, createdAt: bigint): bigint
  rename(id: bigint, title: string): bigint
  setStatus(id: bigint, status: string): bigint
  complete(id: bigint): bigint
  delete(id: bigint): bigint
  waitForSeq(seq: bigint, timeoutMs?: number | undefined | null): Promise<void>
  get(id: bigint): TaskJs | null
  list(filter?: TaskFilterJs | undefined | null): Array<TaskJs>
  count(filter?: TaskFilterJs | undefined | null): number
  watch(filter?: TaskFilterJs | undefined | null): TasksWatch
  snapshotAndWatch(filter?: TaskFilterJs | undefined | null): TasksWatch
}

/** The memories model. */
export declare class Memories {
  static openFromSnapshot(redex: Redex, snapshot: Buffer, options?: ModelOptions | undefined | null): Memories
  snapshot(): Buffer
  store(id: bigint, content: string, tags: Array<string>, createdAt: bigint): bigint
  tag(id: bigint, tag: string): bigint
  untag(id: bigint, tag: string): bigint
  pin(id: bigint): bigint
  unpin(id: bigint): bigint
  delete(id: bigint): bigint
  waitForSeq(seq: bigint, timeoutMs?: number | undefined | null): Promise<void>
  get(id: bigint): MemoryJs | null
  list(filter?: MemoryFilterJs | undefined | null): Array<MemoryJs>
  count(filter?: MemoryFilterJs | undefined | null): number
  watch(filter?: MemoryFilterJs | undefined | null): MemoriesWatch
  snapshotAndWatch(filter?: MemoryFilterJs | undefined | null): MemoriesWatch
}

/** Result batches of a task query. */
export declare class TasksWatch {
  nextBatch(): Promise<Array<TaskJs> | null>
  /** The initial result of snapshotAndWatch (null for a plain watch). */
  get snapshot(): Array<TaskJs> | null
  close(): void
}

/** Result batches of a memory query. */
export declare class MemoriesWatch {
  nextBatch(): Promise<Array<MemoryJs> | null>
  get snapshot(): Array<MemoryJs> | null
  close(): void
}

/** The 32-bit hash of a channel name; throws 'invalid_channel'. */
export declare function channelHash(name: string): number
/** The 16-bit header hash of a channel name; throws 'invalid_channel'. */
export declare function channelWireHash(name: string): number
/** The bus event carrying JSON `payload` on channel `name`; throws 'invalid_channel', 'serialization'. */
export declare function channelWrap(name: string, payload: string): string
/** The payload JSON of `raw` if it is an envelope for channel `name`, else null. */
export declare function channelOpen(name: string, raw: string): string | null
/** Whether `signature` is `entityId`'s signature of `message`. */
export declare function verifySignature(entityId: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean
/** The receipt of the last emitRaw on this thread, as an object. */
export declare function lastReceipt(): JsReceipt
/** [shardId, sequenceLo, sequenceHi, timestampLo, timestampHi, dropped, evicted] of the last emitRaw. */
export declare function receiptScratch(): Uint32Array
/** Subscriptions whose core stream has not been released yet. */
export declare function liveSubscriptions(): number
/**
 * The counters of `node`'s bus, of `mesh` and of each of its open streams
 * as Prometheus text (OpenMetrics encoding, ending in `# EOF`). Either may
 * be null or omitted to leave that part out.
 */
export declare function prometheusText(node?: NetNode | null, mesh?: MeshNode | null): string

/** rpcWhereHeader, reservedPrefixes, maxCapabilityHops. */
export declare function capabilityConstants(): JsCapabilityConstants
/** Canonical wire JSON of a capability set given as JSON; throws 'invalid_json'. */
export declare function normalizeCapabilities(capsJson: string): string
/** JSON `{"hardware", "software", "models", "scope"}` of a set. */
export declare function capabilityViews(capsJson: string): string
/** A checked tag from untrusted text; throws 'invalid_tag'. */
export declare function tagFromUserString(text: string): string
/** Canonical JSON of a predicate; throws 'invalid_predicate'. */
export declare function predicateToJson(predicateJson: string): string
export declare function evaluatePredicate(predicateJson: string, tags: Array<string>, metadata?: Record<string, string> | undefined | null): boolean
/** JSON `{"result", "trace": [...]}`. */
export declare function evaluatePredicateWithTrace(predicateJson: string, tags: Array<string>, metadata?: Record<string, string> | undefined | null): string
/** The `net-where` header value (base64url, no padding). */
export declare function predicateToRpcHeader(predicateJson: string): string
/** Canonical predicate JSON of a header value; throws 'invalid_header'. */
export declare function predicateFromRpcHeader(value: string | Buffer): string
/** JSON `{"valid", "errors"}`. */
export declare function validateCapabilities(capsJson: string): string
/** JSON `{"added_tags", "removed_tags", "metadata"}`. */
export declare function diffCapabilities(prevJson: string, nextJson: string): string
/** JSON `{"total", "matched", "clauses"}`. */
export declare function predicateDebugReport(predicateJson: string, contexts: Array<JsEvalContext>): string
export declare function redactMetadataKeys(reportJson: string, keys: Array<string>): string
export declare function renderDebugReport(reportJson: string): string
/** `capsJson` plus the presence tag `<axis>.<key>`, as canonical JSON; throws 'invalid_tag' for an unknown axis. */
export declare function requireTag(capsJson: string, axis: string, key: string): string
/** `capsJson` with `<axis>.<key>=<value>` replacing earlier values of that path, as canonical JSON. */
export declare function requireAxisValue(capsJson: string, axis: string, key: string, value: string): string
/** `tags` plus `scope:tenant:<tenant>` (once). */
export declare function withTenantScope(tags: Array<string>, tenant: string): Array<string>
/** `tags` plus `scope:region:<region>` (once). */
export declare function withRegionScope(tags: Array<string>, region: string): Array<string>
/** `tags` plus `scope:subnet-local` (once). */
export declare function withSubnetLocalScope(tags: Array<string>): Array<string>
/** JSON of the scope the tags resolve to. */
export declare function capabilityScope(tags: Array<string>): string
export declare function scopeAdmits(scopeFilterJson: string, scopeJson: string, sameSubnet: boolean): boolean
/** JSON `{"levels"}` the policy (wire JSON) derives from the tags. */
export declare function deriveSubnet(policyJson: string, tags: Array<string>): string
/** Sign an announcement with the identity of a 32-byte seed. */
export declare function signCapabilityAnnouncement(seed: Buffer, capsJson: string, version: bigint, ttlSecs: number, hopCount: number): JsCapabilityAnnouncement
/** Decode and verify announcement bytes; throws the rejection's kind. */
export declare function verifyCapabilityAnnouncement(wire: Buffer): JsCapabilityAnnouncement

/**
 * Remembers the `capacity` most recently seen dedup ids (default 4096).
 * `isDuplicate(id)` is test-and-insert: false the first time (the id is
 * remembered), true while it is among the `capacity` most recent ones.
 */
export declare class RedisStreamDedup {
  constructor(capacity?: number | undefined | null)
  /**
   * Whether `id` was seen among the `capacity` most recent ids; records
   * it as the most recent either way.
   */
  isDuplicate(id: string): boolean
  /** Ids remembered now. */
  get len(): number
  /** The most ids remembered at once. */
  get capacity(): number
  /** Whether no id is remembered. */
  get isEmpty(): boolean
  /** Forget every id. */
  clear(): void
}

/** How the runtime hosts one daemon; an omitted field takes the core's default. */
export interface JsDaemonHostConfig {
  /** Snapshot every this many processed events; 0n (default) = manual only. */
  autoSnapshotInterval?: bigint
  /** Events kept for replay since the last snapshot (default 10 000; 0 keeps none). */
  maxLogEntries?: number
  /** The longest wait for a JS callback, ms (default 60 000; > 0). */
  callbackTimeoutMs?: number
}

/** A daemon's counters since it was spawned. */
export interface JsDaemonStats {
  eventsProcessed: bigint
  eventsEmitted: bigint
  errors: bigint
  snapshotsTaken: bigint
}

/** An event as a daemon's `process` sees it, and as `deliver` takes it. */
export interface JsCausalEvent {
  originHash: bigint
  sequence: bigint
  payload: Buffer
}

/** One call waiting for its answer, as `DaemonPort.next` hands it out. */
export interface JsDaemonCall {
  op: 'process' | 'processBatch' | 'snapshot' | 'restore' | 'control' | 'health' | 'saturation'
  /** The event, for `process`. */
  event?: JsCausalEvent
  /** The state to take back, for `restore`. */
  state?: Buffer
  /** The control event, for `control` (MeshOS). */
  control?: JsDaemonControl
  /** The events, packed, for `processBatch`. */
  batch?: JsPackedEvents
}

/** A packed run of events: 16 bytes of meta each (origin hash, sequence: u64 LE), payloads back to back, their u32 LE ends. */
export interface JsPackedEvents {
  meta: Buffer
  data: Buffer
  ends: Buffer
}

/** The packed outputs of a run of events: a u32 LE count per event, the outputs back to back, their u32 LE ends. */
export interface JsPackedOutputs {
  counts: Buffer
  data: Buffer
  ends: Buffer
}

/**
 * The JS end of one daemon's call channel. `wake` runs on the JS thread
 * each time a call is queued; it drains them with `next()` and answers
 * each with `processed` / `snapshotted` / `restored` / `controlled` /
 * `healthAnswered` / `saturationAnswered` / `failed` (each
 * returns false when the caller had stopped waiting). Used by one spawn.
 */
export declare class DaemonPort {
  constructor(name: string, wake: (...args: any[]) => any, requiredCapabilities?: string | undefined | null, optionalCapabilities?: string | undefined | null)
  next(): JsDaemonCall | null
  processed(outputs: Array<Buffer>): boolean
  processedBatch(outputs: JsPackedOutputs, error?: string | undefined | null): boolean
  snapshotted(state?: Buffer | undefined | null): boolean
  restored(): boolean
  controlled(): boolean
  healthAnswered(health: string): boolean
  saturationAnswered(saturation: number): boolean
  failed(message: string): boolean
}

/**
 * The compute runtime. Errors carry the core's kind as `code`
 * (`not-ready`, `factory-not-found`, `callback-timeout`, …).
 */
export declare class DaemonRuntime {
  /** A runtime on a mesh node (spawns check what it announces). */
  static create(mesh: MeshNode): DaemonRuntime
  /** A runtime without a mesh; `capabilities` JSON stands for the local node's. */
  static local(capabilities?: string | undefined | null): DaemonRuntime
  registerFactory(kind: string): void
  start(): Promise<void>
  shutdown(): Promise<void>
  isReady(): boolean
  daemonCount(): number
  spawn(kind: string, identity: Identity, port?: DaemonPort | undefined | null, config?: JsDaemonHostConfig | undefined | null): Promise<DaemonHandle>
  spawnFromSnapshot(kind: string, identity: Identity, snapshot: Buffer, port?: DaemonPort | undefined | null, config?: JsDaemonHostConfig | undefined | null): Promise<DaemonHandle>
  deliver(originHash: bigint, event: JsCausalEvent): Promise<Buffer[]>
  /** Each event in order on one trip to the blocking pool; the first failure rejects. */
  deliverMany(originHash: bigint, events: JsPackedEvents): Promise<JsPackedOutputs>
  snapshot(originHash: bigint): Promise<Buffer | null>
  stop(originHash: bigint): Promise<void>
}

/** A spawned daemon. */
export declare class DaemonHandle {
  get originHash(): bigint
  get entityId(): Buffer
  /** Throws code 'daemon-not-found' once the daemon was stopped. */
  stats(): JsDaemonStats
}

/** A MeshOS control event; `gracePeriodMs` for Shutdown / DrainStart, `level` for BackpressureOn. */
export interface JsDaemonControl {
  kind: string
  gracePeriodMs?: number
  level?: number
}

/** One published log line. */
export interface JsLogRecord {
  daemonId: bigint
  daemonName: string
  level: string
  message: string
  atMs: number
}

/** A peer of the local node, as a daemon sees it. */
export interface JsPeerView {
  nodeId: bigint
  health: string
  capabilitySet: Array<string>
}

/** A daemon's view of where it runs. */
export interface JsMetadataView {
  nodeId: bigint
  daemonId: bigint
  daemonName: string
  health: string
  saturation: number
  maintenanceState: string
  capabilities: Array<string>
  peers: Array<JsPeerView>
}

/** Settings of a MeshOS SDK; an omitted (or 0) field takes its default. */
export interface JsMeshOsConfig {
  thisNode?: bigint
  tickIntervalMs?: number
  eventQueueCapacity?: number
  actionQueueCapacity?: number
  controlCapacity?: number
}

/** The MeshOS daemon SDK. Errors carry the core's kind as `code` (`register_failed`, `queue_full`, …). */
export declare class MeshOsDaemonSdk {
  static start(config?: JsMeshOsConfig | undefined | null): MeshOsDaemonSdk
  static startOnMesh(mesh: MeshNode, config?: JsMeshOsConfig | undefined | null): MeshOsDaemonSdk
  registerDaemon(identity: Identity, port: DaemonPort, config?: JsDaemonHostConfig | undefined | null): MeshOsDaemonHandle
  routeControl(daemonId: bigint, control: JsDaemonControl): void
  droppedControlEvents(): bigint
  drainLogs(): Array<JsLogRecord>
  daemonIds(): Array<bigint>
  isShutDown(): boolean
  /** The compute runtime hosting the daemons (shared with the SDK). */
  runtime(): DaemonRuntime
  shutdown(): Promise<void>
}

/** A registered daemon's side of the MeshOS SDK. */
export declare class MeshOsDaemonHandle {
  get daemonId(): bigint
  get daemonName(): string
  isShutDown(): boolean
  tryNextControl(): JsDaemonControl | null
  nextControl(timeoutMs?: number | undefined | null): Promise<JsDaemonControl | null>
  publishLog(level: string | number, message: string): void
  publishCapabilities(capabilities: string): void
  metadata(): JsMetadataView
  refreshMetadata(): JsMetadataView
  gracefulShutdown(graceMs?: number | undefined | null): Promise<void>
}
