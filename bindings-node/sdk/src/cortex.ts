// RedEX files and CortEX / NetDb over the native @net-mesh/core: the seed's
// names (Redex, RedexFile, NetDb, TasksAdapter, MemoriesAdapter) with
// async iterators for tails and watches; `break` closes the native side.

import type * as core from '@net-mesh/core';
import { native } from './native';
import { toCortexError } from './errors';

/** How a RedEX file stores, syncs and forgets records. At most one of
 *  `fsyncEveryN`, `fsyncIntervalMs`, `fsyncNever`. */
export interface RedexFileConfig {
  persistent?: boolean;
  fsyncEveryN?: bigint;
  fsyncIntervalMs?: number;
  fsyncNever?: boolean;
  retentionMaxEvents?: bigint;
  retentionMaxBytes?: bigint;
  retentionMaxAgeMs?: number;
  segmentMaxBytes?: number;
  /** Cut a corrupt log at its last good record instead of throwing. */
  recover?: boolean;
}

/** One record of a RedEX file. */
export interface RedexEvent {
  seq: bigint;
  timestampNanos: bigint;
  payload: Buffer;
}

/** What opening a persistent file had to cut. */
export interface RepairReport {
  kind: 'torn_tail' | 'corruption';
  file: string;
  offset: bigint;
  reason: string;
  bytesCut: bigint;
  segmentsRemoved: number;
}

function redex<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw toCortexError(e, 'redex');
  }
}

function cortex<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw toCortexError(e, 'cortex');
  }
}

/** A manager of RedEX files: in memory, or under `persistentDir`. */
export class Redex {
  /** @internal */
  readonly native: core.Redex;

  constructor(options: { persistentDir?: string } = {}) {
    this.native = new native.Redex(options.persistentDir);
  }

  /** Open `name` (a channel name). Throws `RedexError`. */
  openFile(name: string, config: RedexFileConfig = {}): RedexFile {
    return new RedexFile(redex(() => this.native.openFile(name, config)));
  }
}

/** An open, append-only RedEX file. */
export class RedexFile {
  /** @internal */
  constructor(private readonly file: core.RedexFile) {}

  /** Append one record; its seq. */
  append(payload: Uint8Array): bigint {
    return redex(() => this.file.append(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)));
  }

  /** Append records with consecutive seqs: the first seq, or `null` for an empty input. */
  appendBatch(payloads: Uint8Array[]): bigint | null {
    return redex(() => this.file.appendBatch(payloads.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
  }

  /** Append once per `key`: a retry returns the original seq while that record is retained. */
  appendIdempotent(key: Uint8Array, payload: Uint8Array): bigint {
    return redex(() => this.file.appendIdempotent(Buffer.from(key), Buffer.from(payload)));
  }

  /** The retained records with `start <= seq < end`. */
  readRange(start: bigint = 0n, end: bigint = 2n ** 64n - 1n): RedexEvent[] {
    return redex(() => this.file.readRange(start, end));
  }

  /** Backfill the retained range from `fromSeq`, then stream live appends. */
  async tail(fromSeq: bigint = 0n): Promise<RedexTailStream> {
    return new RedexTailStream(redex(() => this.file.tail(fromSeq)));
  }

  get nextSeq(): bigint {
    return this.file.nextSeq;
  }

  get firstSeq(): bigint {
    return this.file.firstSeq;
  }

  get closed(): boolean {
    return this.file.closed;
  }

  get repairReport(): RepairReport | null {
    return this.file.repairReport as RepairReport | null;
  }

  /** Write and fsync everything appended so far. */
  sync(): void {
    redex(() => this.file.sync());
  }

  /** Sync and close; appends then throw `RedexError` (`redex:closed`). Idempotent. */
  close(): void {
    redex(() => this.file.close());
  }
}

/** An async iterator of a file's records; `break` releases the native tail. */
export class RedexTailStream implements AsyncIterableIterator<RedexEvent> {
  private buffer: RedexEvent[] = [];
  private done = false;

  /** @internal */
  constructor(private readonly tail: core.RedexTail) {}

  async next(): Promise<IteratorResult<RedexEvent, undefined>> {
    for (;;) {
      const event = this.buffer.shift();
      if (event !== undefined) return { value: event, done: false };
      if (this.done) return { value: undefined, done: true };
      let batch: RedexEvent[] | null;
      try {
        batch = await this.tail.nextBatch(256);
      } catch (e) {
        throw toCortexError(e, 'redex');
      }
      if (batch === null) this.done = true;
      else this.buffer = batch;
    }
  }

  async return(): Promise<IteratorResult<RedexEvent, undefined>> {
    this.close();
    return { value: undefined, done: true };
  }

  /** Stop tailing now. Idempotent. */
  close(): void {
    this.done = true;
    this.buffer = [];
    this.tail.close();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** Where a task stands. */
export const TaskStatus = {
  Pending: 'pending',
  InProgress: 'in_progress',
  Completed: 'completed',
  Cancelled: 'cancelled',
} as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

export interface Task {
  id: bigint;
  title: string;
  status: TaskStatus;
  createdAt: bigint;
  updatedAtNanos: bigint;
  origin: bigint;
  seq: bigint;
}

export interface Memory {
  id: bigint;
  content: string;
  tags: string[];
  pinned: boolean;
  createdAt: bigint;
  updatedAtNanos: bigint;
  origin: bigint;
  seq: bigint;
}

export type TaskOrder = 'id_asc' | 'id_desc' | 'created_asc' | 'created_desc' | 'updated_asc' | 'updated_desc' | 'title_asc';
export type MemoryOrder = 'id_asc' | 'id_desc' | 'created_asc' | 'created_desc' | 'updated_asc' | 'updated_desc';

export interface TaskFilter {
  status?: TaskStatus;
  titleContains?: string;
  origin?: bigint;
  order?: TaskOrder;
  limit?: number;
}

export interface MemoryFilter {
  tagsAll?: string[];
  tagsAny?: string[];
  contentContains?: string;
  pinned?: boolean;
  origin?: bigint;
  order?: MemoryOrder;
  limit?: number;
}

interface NativeWatch<T> {
  nextBatch(): Promise<T[] | null>;
  close(): void;
}

/** Deduplicated result batches of a query; `break` releases the native watch. */
export class WatchStream<T> implements AsyncIterableIterator<T[]> {
  private done = false;

  /** @internal */
  constructor(private readonly watch: NativeWatch<T>) {}

  async next(): Promise<IteratorResult<T[], undefined>> {
    if (this.done) return { value: undefined, done: true };
    let batch: T[] | null;
    try {
      batch = await this.watch.nextBatch();
    } catch (e) {
      throw toCortexError(e, 'cortex');
    }
    if (batch === null) {
      this.done = true;
      return { value: undefined, done: true };
    }
    return { value: batch, done: false };
  }

  async return(): Promise<IteratorResult<T[], undefined>> {
    this.close();
    return { value: undefined, done: true };
  }

  close(): void {
    this.done = true;
    this.watch.close();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** `snapshotAndWatch`'s result: the current result and later differing ones. */
export interface SnapshotAndWatch<T> {
  snapshot: T[];
  updates: WatchStream<T>;
}

async function waitSeq(wait: () => Promise<void>): Promise<void> {
  try {
    await wait();
  } catch (e) {
    // A deadline is an adapter error here, like every other waitForSeq failure.
    throw toCortexError(e, 'cortex');
  }
}

function netdb<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw toCortexError(e, 'netdb');
  }
}

/** How a standalone adapter's file is kept. */
export interface AdapterOptions {
  /** Keep the model's file on disk (the Redex needs a `persistentDir`). */
  persistent?: boolean;
}

function origin(hash: number | bigint | undefined): bigint {
  return typeof hash === 'number' ? BigInt(hash) : (hash ?? 0n);
}

function modelOptions(originHash: number | bigint, opts: AdapterOptions): core.ModelOptions {
  return { originHash: origin(originHash), persistent: opts.persistent };
}

/** The tasks model: mutations return their event's seq. */
export class TasksAdapter {
  /** @internal */
  constructor(private readonly tasks: core.Tasks) {}

  /** Open the tasks model alone on `redex`. */
  static async open(redex: Redex, originHash: number | bigint, opts: AdapterOptions = {}): Promise<TasksAdapter> {
    const db = await NetDb.open({ redex, originHash, persistent: opts.persistent, withTasks: true });
    return db.tasks as TasksAdapter;
  }

  /**
   * Open the tasks model alone on `redex`, restored from a `snapshot()`:
   * its state, then the events the log holds after it. Throws `NetDbError`
   * (`netdb:bundle`) for bytes that are not a tasks snapshot.
   */
  static async openFromSnapshot(
    redex: Redex,
    originHash: number | bigint,
    snapshot: Buffer,
    opts: AdapterOptions = {},
  ): Promise<TasksAdapter> {
    return new TasksAdapter(netdb(() => native.Tasks.openFromSnapshot(redex.native, snapshot, modelOptions(originHash, opts))));
  }

  /** The model's state and the seq it covers, for `openFromSnapshot` (`db.snapshot()` bundles exactly this). */
  snapshot(): Buffer {
    return cortex(() => this.tasks.snapshot());
  }

  create(id: bigint, title: string, createdAt: bigint = 0n): bigint {
    return cortex(() => this.tasks.create(id, title, createdAt));
  }

  rename(id: bigint, title: string): bigint {
    return cortex(() => this.tasks.rename(id, title));
  }

  setStatus(id: bigint, status: TaskStatus): bigint {
    return cortex(() => this.tasks.setStatus(id, status));
  }

  complete(id: bigint): bigint {
    return cortex(() => this.tasks.complete(id));
  }

  delete(id: bigint): bigint {
    return cortex(() => this.tasks.delete(id));
  }

  /** Resolves once the event at `seq` is folded; `CortexError` (kind `timeout`) after `timeoutMs`. */
  waitForSeq(seq: bigint, timeoutMs?: number): Promise<void> {
    return waitSeq(() => this.tasks.waitForSeq(seq, timeoutMs));
  }

  get(id: bigint): Task | null {
    return cortex(() => this.tasks.get(id)) as Task | null;
  }

  listTasks(filter: TaskFilter = {}): Task[] {
    return cortex(() => this.tasks.list(filter)) as Task[];
  }

  count(filter: TaskFilter = {}): number {
    return cortex(() => this.tasks.count(filter));
  }

  /** The current result first, then each differing result after a fold. */
  async watch(filter: TaskFilter = {}): Promise<WatchStream<Task>> {
    return new WatchStream(cortex(() => this.tasks.watch(filter)) as NativeWatch<Task>);
  }

  /** Atomic paint + react: a mutation racing the call is in `snapshot` or comes out of `updates`. */
  async snapshotAndWatch(filter: TaskFilter = {}): Promise<SnapshotAndWatch<Task>> {
    const w = cortex(() => this.tasks.snapshotAndWatch(filter));
    return { snapshot: (w.snapshot ?? []) as Task[], updates: new WatchStream(w as NativeWatch<Task>) };
  }
}

/** The memories model: mutations return their event's seq. */
export class MemoriesAdapter {
  /** @internal */
  constructor(private readonly memories: core.Memories) {}

  /** Open the memories model alone on `redex`. */
  static async open(redex: Redex, originHash: number | bigint, opts: AdapterOptions = {}): Promise<MemoriesAdapter> {
    const db = await NetDb.open({ redex, originHash, persistent: opts.persistent, withMemories: true });
    return db.memories as MemoriesAdapter;
  }

  /** Open the memories model alone on `redex`, restored from a `snapshot()`; as `TasksAdapter.openFromSnapshot`. */
  static async openFromSnapshot(
    redex: Redex,
    originHash: number | bigint,
    snapshot: Buffer,
    opts: AdapterOptions = {},
  ): Promise<MemoriesAdapter> {
    return new MemoriesAdapter(netdb(() => native.Memories.openFromSnapshot(redex.native, snapshot, modelOptions(originHash, opts))));
  }

  /** The model's state and the seq it covers, for `openFromSnapshot`. */
  snapshot(): Buffer {
    return cortex(() => this.memories.snapshot());
  }

  store(id: bigint, content: string, tags: string[] = [], createdAt: bigint = 0n): bigint {
    return cortex(() => this.memories.store(id, content, tags, createdAt));
  }

  tag(id: bigint, tag: string): bigint {
    return cortex(() => this.memories.tag(id, tag));
  }

  untag(id: bigint, tag: string): bigint {
    return cortex(() => this.memories.untag(id, tag));
  }

  pin(id: bigint): bigint {
    return cortex(() => this.memories.pin(id));
  }

  unpin(id: bigint): bigint {
    return cortex(() => this.memories.unpin(id));
  }

  delete(id: bigint): bigint {
    return cortex(() => this.memories.delete(id));
  }

  waitForSeq(seq: bigint, timeoutMs?: number): Promise<void> {
    return waitSeq(() => this.memories.waitForSeq(seq, timeoutMs));
  }

  get(id: bigint): Memory | null {
    return cortex(() => this.memories.get(id));
  }

  listMemories(filter: MemoryFilter = {}): Memory[] {
    return cortex(() => this.memories.list(filter));
  }

  count(filter: MemoryFilter = {}): number {
    return cortex(() => this.memories.count(filter));
  }

  async watch(filter: MemoryFilter = {}): Promise<WatchStream<Memory>> {
    return new WatchStream(cortex(() => this.memories.watch(filter)));
  }

  async snapshotAndWatch(filter: MemoryFilter = {}): Promise<SnapshotAndWatch<Memory>> {
    const w = cortex(() => this.memories.snapshotAndWatch(filter));
    return { snapshot: w.snapshot ?? [], updates: new WatchStream(w) };
  }
}

/** How `NetDb.open` builds its Redex and models. */
export interface NetDbConfig {
  /** The producer identity stamped on every event. */
  originHash?: number | bigint;
  withTasks?: boolean;
  withMemories?: boolean;
  /** A new Redex under this directory (unless `redex` is given). */
  persistentDir?: string;
  /** Keep the models' files on disk. */
  persistent?: boolean;
  /** An existing Redex to open the models on. */
  redex?: Redex;
  /** File settings of the models' files (fsync policy...). */
  file?: RedexFileConfig;
}

function nativeOptions(config: NetDbConfig): core.NetDbOptions {
  return {
    originHash: origin(config.originHash),
    persistent: config.persistent,
    withTasks: config.withTasks,
    withMemories: config.withMemories,
    file: config.file,
  };
}

function redexOf(config: NetDbConfig): Redex {
  return config.redex ?? new Redex({ persistentDir: config.persistentDir });
}

/** Tasks and memories, event-sourced on RedEX files. */
export class NetDb {
  readonly tasks: TasksAdapter | null;
  readonly memories: MemoriesAdapter | null;

  private constructor(private readonly db: core.NetDb) {
    const tasks = db.tasks;
    const memories = db.memories;
    this.tasks = tasks ? new TasksAdapter(tasks) : null;
    this.memories = memories ? new MemoriesAdapter(memories) : null;
  }

  /** Open the enabled models, folding their logs. Throws `NetDbError` / `CortexError`. */
  static async open(config: NetDbConfig = {}): Promise<NetDb> {
    const redex = redexOf(config);
    return new NetDb(netdb(() => native.NetDb.open(redex.native, nativeOptions(config))));
  }

  /** Restore from a `snapshot()` bundle, folding only later events. */
  static async openFromSnapshot(config: NetDbConfig, bundle: Buffer): Promise<NetDb> {
    const redex = redexOf(config);
    return new NetDb(netdb(() => native.NetDb.openFromSnapshot(redex.native, nativeOptions(config), bundle)));
  }

  /** Every model's snapshot (`adapter.snapshot()`), bundled. */
  snapshot(): Buffer {
    return this.db.snapshot();
  }

  /** Close every model: mutations then throw `CortexError` (`cortex:closed`), watches end. */
  close(): void {
    netdb(() => this.db.close());
  }
}
