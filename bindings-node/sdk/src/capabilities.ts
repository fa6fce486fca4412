// Capabilities: what nodes can do, typed; predicates over them; validation,
// diff, scopes and subnets.
//
// The data builders here (`emptyCapabilities`, `requireTag`, `p.*`,
// `withTenantScope`, ...) only assemble plain objects. Everything that
// decides something (canonical JSON, evaluation, traces, header bytes,
// validation, diff, scope resolution, subnet derivation) is the Rust core's,
// reached through the native binding, so every face gives the same bytes
// and verdicts. Objects cross the boundary as the shared JSON wire shapes:
// `toWire` / `fromWire` below are the one place camelCase meets snake_case.

import type * as core from '@net-mesh/core';
import { CapabilityError, toCapabilityError } from './errors';
import { native } from './native';

// ---------------------------------------------------------------- types

/** The typed axes of the capability taxonomy. */
export type TaxonomyAxis = 'hardware' | 'software' | 'model';

/** GPU vendors the core knows. */
export type GpuVendor = 'nvidia' | 'amd' | 'intel' | 'apple' | 'qualcomm' | 'other';

/** A node's GPU. Give `vramMb` or `vramGb` (not both). */
export interface GpuInfo {
  vendor: GpuVendor;
  /** Product name, e.g. `'h100'`. */
  model?: string;
  /** Memory of one GPU in MiB. */
  vramMb?: number;
  /** Memory of one GPU in GiB (input only; read back as `vramMb`). */
  vramGb?: number;
  /** How many such GPUs (default 1). */
  count?: number;
}

/** The hardware axis; absent fields are not announced. */
export interface HardwareCapabilities {
  cpuCores?: number;
  cpuThreads?: number;
  memoryGb?: number;
  storageGb?: number;
  gpu?: GpuInfo;
}

/** The software axis; `runtimes` maps a runtime to its version (`{ cuda: '12.4' }`). */
export interface SoftwareCapabilities {
  os?: string;
  arch?: string;
  kernel?: string;
  runtimes?: Record<string, string>;
}

/** One model a node serves. */
export interface ModelCapability {
  modelId: string;
  family?: string;
  contextLength?: number;
}

/**
 * A capability set in the wire shape: tags (typed `hardware.memory_gb=64`,
 * free `gpu`, scope `scope:tenant:x`) and string metadata.
 */
export interface CapabilitySet {
  tags: string[];
  metadata: Record<string, string>;
}

/**
 * What `announceCapabilities` and the set functions take: the wire shape
 * and/or the typed sections, which become tags (typed sections first,
 * then `tags`, each tag once).
 */
export interface CapabilityInput {
  tags?: readonly string[];
  metadata?: Record<string, string>;
  hardware?: HardwareCapabilities;
  software?: SoftwareCapabilities;
  models?: readonly ModelCapability[];
}

/** The scope a set's `scope:*` tags resolve to (strictest wins; untagged is global). */
export type CapabilityScope =
  | { kind: 'global' }
  | { kind: 'subnetLocal' }
  | { kind: 'tenants'; tenants: string[] }
  | { kind: 'regions'; regions: string[] };

/** The typed axes and resolved scope of a set (from `capabilityViews`). */
export interface CapabilityViews {
  hardware: HardwareCapabilities;
  software: SoftwareCapabilities;
  models: ModelCapability[];
  scope: CapabilityScope;
}

/** Which scoped candidates a query admits (default `{ kind: 'any' }`). */
export type ScopeFilter =
  | { kind: 'any' }
  | { kind: 'globalOnly' }
  | { kind: 'sameSubnet' }
  | { kind: 'tenant'; tenant: string }
  | { kind: 'tenants'; tenants: readonly string[] }
  | { kind: 'region'; region: string }
  | { kind: 'regions'; regions: readonly string[] };

/** The structured query of `findNodes`; absent fields do not constrain. */
export interface CapabilityFilter {
  requireGpu?: boolean;
  gpuVendor?: GpuVendor;
  minVramMb?: number;
  minMemoryGb?: number;
  minCpuCores?: number;
  minCpuThreads?: number;
  /** Exact tags every match carries. */
  requireTags?: readonly string[];
  /** A model id the node serves (with `minContextLength`, at least that context). */
  model?: string;
  minContextLength?: number;
  os?: string;
  /** A predicate the node's tags and metadata satisfy. */
  predicate?: Predicate;
}

/**
 * A boolean test over tags and metadata, in the JSON wire form every face
 * shares (`{ op: 'num_at_least', path: 'hardware.memory_gb', value: 64 }`).
 * Build one with `p.*`.
 */
export type Predicate =
  | { op: 'and'; clauses: Predicate[] }
  | { op: 'or'; clauses: Predicate[] }
  | { op: 'not'; clause: Predicate }
  | { op: 'exists'; path: string }
  | { op: 'equals'; path: string; value: string }
  | { op: 'num_at_least'; path: string; value: number }
  | { op: 'num_at_most'; path: string; value: number }
  | { op: 'num_between'; path: string; min: number; max: number }
  | { op: 'metadata_equals'; key: string; value: string }
  | { op: 'tag_prefix'; prefix: string };

/** A typed tag path: `{ axis: 'hardware', key: 'gpu' }` is `hardware.gpu`. */
export interface TagKey {
  axis: TaxonomyAxis;
  key: string;
}

/** A tag path as text (`'hardware.gpu'`, `'prod'`) or typed. */
export type TagPath = string | TagKey;

/** What a predicate is evaluated against. */
export interface EvalContext {
  tags: readonly string[];
  metadata?: Record<string, string>;
}

/** One clause of a predicate: its position (`'0'` the root, `'0.2'` its third child) and what it tests. */
export interface ClauseInfo {
  id: string;
  op: Predicate['op'];
  /** The path, metadata key or prefix (none for and / or / not). */
  subject?: string;
  /** The expected value or bound, rendered. */
  expected?: string;
}

/** A clause's outcome: `'skipped'` when a short-circuit never reached it. */
export type Verdict = 'true' | 'false' | 'skipped';

/** One clause of a trace. */
export interface ClauseTrace extends ClauseInfo {
  verdict: Verdict;
}

/** The result of one evaluation and every clause's verdict, in pre-order. */
export interface PredicateTrace {
  result: boolean;
  trace: ClauseTrace[];
}

/** One clause's counts over a corpus. */
export interface ClauseStats extends ClauseInfo {
  evaluated: number;
  trueCount: number;
  falseCount: number;
  skipped: number;
}

/** A predicate profiled over a corpus (`predicateDebugReport`). */
export interface PredicateDebugReport {
  total: number;
  matched: number;
  clauses: ClauseStats[];
}

/** One schema problem of a capability set; `kind` says which fields are present. */
export type SchemaError =
  | { kind: 'invalid_tag'; tag: string; reason: string }
  | { kind: 'too_many_tags'; count: number; max: number }
  | { kind: 'unknown_axis'; tag: string; axis: string; suggestion: string }
  | { kind: 'unknown_key'; tag: string; axis: TaxonomyAxis; key: string; suggestion?: string }
  | { kind: 'type_mismatch'; tag: string; path: string; expected: string }
  | { kind: 'duplicate_key'; path: string }
  | { kind: 'invalid_scope'; tag: string }
  | { kind: 'oversize_metadata'; key: string; what: string; size: number; max: number };

/** Every schema problem of a set (`validateCapabilities`). */
export interface ValidationReport {
  valid: boolean;
  errors: SchemaError[];
}

/** One metadata entry that differs. */
export type MetadataChange =
  | { kind: 'added'; key: string; value: string }
  | { kind: 'removed'; key: string; value: string }
  | { kind: 'changed'; key: string; old: string; new: string };

/** What changed from one set to the next (`diffCapabilities`). */
export interface CapabilityDiff {
  addedTags: string[];
  removedTags: string[];
  metadata: MetadataChange[];
}

/** A 4-level subnet, outermost level first (`{ levels: [3, 7] }`; no levels: the root). */
export interface SubnetId {
  levels: number[];
}

/** Tags `<tagPrefix><name>` set subnet level `level` (0..3) to `values[name]` (1..255). */
export interface SubnetRule {
  tagPrefix: string;
  level: number;
  /** What follows the prefix → the level's value (entries left undefined are ignored). */
  values: { readonly [name: string]: number | undefined };
}

/** Derives a peer's subnet from its announced tags; every node must hold the same one. */
export interface SubnetPolicy {
  rules: readonly SubnetRule[];
}

/** A policy as the native binding takes it (undefined entries dropped). */
export function subnetPolicyToNative(policy: SubnetPolicy): core.JsSubnetPolicy {
  if (!Array.isArray(policy?.rules)) throw new CapabilityError('invalid_argument', 'subnetPolicy must be { rules: [...] }');
  return {
    rules: policy.rules.map((r) => ({
      tagPrefix: r.tagPrefix,
      level: r.level,
      values: Object.fromEntries(Object.entries(r.values ?? {}).filter((e): e is [string, number] => e[1] !== undefined)),
    })),
  };
}

/** What a node knows of another node (or of itself). */
export interface NodeCapabilities {
  nodeId: bigint;
  /** The verified signer of its announcement. */
  entityId: Buffer;
  /** Its announcement's version (0 for this node's own entry). */
  version: bigint;
  /** Links away (0: this node, 1: a direct peer). */
  hops: number;
  capabilities: CapabilitySet;
  /** Its subnet as this node derives it. */
  subnet: SubnetId;
  scope: CapabilityScope;
}

/** A node's announcement counters; every field a bigint. */
export type CapabilityStats = core.JsCapabilityStats;

// ------------------------------------------------- the wire boundary

// Keys whose values are user data (maps keyed by user strings): their keys
// are never renamed.
const OPAQUE_KEYS: ReadonlySet<string> = new Set(['metadata', 'runtimes', 'values']);

const snake = (k: string): string => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (k: string): string => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function rename(value: unknown, key: (k: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => rename(v, key));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[key(k)] = OPAQUE_KEYS.has(k) ? v : rename(v, key);
  }
  return out;
}

/** The wire JSON of a camelCase object (snake_case keys; already-snake keys pass). */
export function toWire(value: unknown, what: string): string {
  if (value === null || typeof value !== 'object') {
    throw new CapabilityError('invalid_argument', `${what} must be an object, got ${value === null ? 'null' : typeof value}`);
  }
  try {
    return JSON.stringify(rename(value, snake));
  } catch (e) {
    throw new CapabilityError('invalid_argument', `${what} is not JSON-serializable: ${(e as Error).message}`, { cause: e });
  }
}

/** A camelCase object from the core's wire JSON. */
export function fromWire<T>(json: string): T {
  return rename(JSON.parse(json), camel) as T;
}

/** Run a native capability call; its errors become `CapabilityError` (or the mesh's typed errors). */
export function capCall<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw toCapabilityError(e);
  }
}

const tagsArg = (tags: readonly string[]): string[] => tags as string[];

// ------------------------------------------------ constants and tags

const constants = native.capabilityConstants();

/** The nRPC header that carries a predicate (`predicateToRpcHeader`'s value). */
export const RPC_WHERE_HEADER = constants.rpcWhereHeader as 'net-where';

/** Tag prefixes only the typed builders and scope helpers write. */
export const RESERVED_PREFIXES: readonly string[] = Object.freeze(constants.reservedPrefixes);

/** How many links a capability announcement travels at most. */
export const MAX_CAPABILITY_HOPS: number = constants.maxCapabilityHops;

/**
 * A tag from untrusted text (trimmed). Throws `CapabilityError` kind
 * `invalid_tag` when it is empty, longer than 256 bytes, has control
 * characters or starts with a reserved prefix.
 */
export function tagFromUserString(text: string): string {
  return capCall(() => native.tagFromUserString(text));
}

// ------------------------------------------------------- set builders

const AXES: ReadonlySet<string> = new Set(['hardware', 'software', 'model']);

function axisPath(axis: TaxonomyAxis, key: string): string {
  if (!AXES.has(axis)) throw new CapabilityError('invalid_tag', `unknown taxonomy axis ${JSON.stringify(axis)} (hardware, software or model)`);
  return `${axis}.${key}`;
}

/** A set with no tags and no metadata. */
export function emptyCapabilities(): CapabilitySet {
  return { tags: [], metadata: {} };
}

/** `caps` plus the presence tag `<axis>.<key>` (once): `requireTag(caps, 'hardware', 'gpu')`. */
export function requireTag(caps: CapabilitySet, axis: TaxonomyAxis, key: string): CapabilitySet {
  return capCall(() => JSON.parse(native.requireTag(toWire(caps, 'capabilities'), axis, key)) as CapabilitySet);
}

/** `caps` with `<axis>.<key>=<value>`, replacing earlier values of that path. */
export function requireAxisValue(caps: CapabilitySet, axis: TaxonomyAxis, key: string, value: string): CapabilitySet {
  return capCall(() => JSON.parse(native.requireAxisValue(toWire(caps, 'capabilities'), axis, key, value)) as CapabilitySet);
}

/** `caps` with metadata `key` set to `value`. */
export function withMetadata(caps: CapabilitySet, key: string, value: string): CapabilitySet {
  return { tags: [...caps.tags], metadata: { ...caps.metadata, [key]: value } };
}

/** `tags` plus `scope:tenant:<tenant>` (once): visible to that tenant's queries and unscoped ones. */
export function withTenantScope(tags: readonly string[], tenant: string): string[] {
  return native.withTenantScope(tagsArg(tags), tenant);
}

/** `tags` plus `scope:region:<region>` (once). */
export function withRegionScope(tags: readonly string[], region: string): string[] {
  return native.withRegionScope(tagsArg(tags), region);
}

/** `tags` plus `scope:subnet-local` (once): only `sameSubnet` queries from this subnet see the node. */
export function withSubnetLocalScope(tags: readonly string[]): string[] {
  return native.withSubnetLocalScope(tagsArg(tags));
}

/** The canonical wire form of a set (typed sections turned into tags, each tag once). */
export function normalizeCapabilities(caps: CapabilityInput): CapabilitySet {
  return JSON.parse(capabilitiesToJson(caps)) as CapabilitySet;
}

/** The canonical wire JSON of a set: the same bytes in every face (metadata sorted by key). */
export function capabilitiesToJson(caps: CapabilityInput): string {
  return capCall(() => native.normalizeCapabilities(toWire(caps, 'capabilities')));
}

/**
 * A set from JSON text in the wire shape and/or with typed sections (snake_case
 * keys, as every face writes them). Throws `CapabilityError` kind `invalid_json`.
 */
export function parseCapabilities(json: string): CapabilitySet {
  return capCall(() => JSON.parse(native.normalizeCapabilities(json)) as CapabilitySet);
}

/** The typed axes and the resolved scope of a set. */
export function capabilityViews(caps: CapabilityInput): CapabilityViews {
  return capCall(() => fromWire<CapabilityViews>(native.capabilityViews(toWire(caps, 'capabilities'))));
}

// --------------------------------------------------------- predicates

const path = (t: TagPath): string => (typeof t === 'string' ? t : axisPath(t.axis, t.key));

/**
 * Predicate builders:
 *
 * ```ts
 * p.and(p.exists({ axis: 'hardware', key: 'gpu' }),
 *       p.numericAtLeast('hardware.memory_gb', 64),
 *       p.metadataEquals('intent', 'ml-training'))
 * ```
 */
export const p = {
  /** Every clause holds (true when none). */
  and: (...clauses: Predicate[]): Predicate => ({ op: 'and', clauses }),
  /** Some clause holds (false when none). */
  or: (...clauses: Predicate[]): Predicate => ({ op: 'or', clauses }),
  /** The clause does not hold. */
  not: (clause: Predicate): Predicate => ({ op: 'not', clause }),
  /** Some tag has this path, with or without a value. */
  exists: (tag: TagPath): Predicate => ({ op: 'exists', path: path(tag) }),
  /** Some tag is exactly `path=value`. */
  equals: (tag: TagPath, value: string): Predicate => ({ op: 'equals', path: path(tag), value }),
  /** Some tag of this path has a numeric value `>= value`. */
  numericAtLeast: (tag: TagPath, value: number): Predicate => ({ op: 'num_at_least', path: path(tag), value }),
  /** Some tag of this path has a numeric value `<= value`. */
  numericAtMost: (tag: TagPath, value: number): Predicate => ({ op: 'num_at_most', path: path(tag), value }),
  /** Some tag of this path has a numeric value in `[min, max]`. */
  numericBetween: (tag: TagPath, min: number, max: number): Predicate => ({ op: 'num_between', path: path(tag), min, max }),
  /** Metadata `key` is exactly `value`. */
  metadataEquals: (key: string, value: string): Predicate => ({ op: 'metadata_equals', key, value }),
  /** Some tag starts with `prefix`. */
  tagPrefix: (prefix: string): Predicate => ({ op: 'tag_prefix', prefix }),
} as const;

const predArg = (pred: Predicate): string => toWire(pred, 'predicate');

/** The predicate's canonical JSON (the bytes every face writes). Throws kind `invalid_predicate`. */
export function predicateToJson(pred: Predicate): string {
  return capCall(() => native.predicateToJson(predArg(pred)));
}

/** A predicate from its JSON wire form, checked by the core (kind `invalid_predicate`). */
export function predicateFromJson(json: string): Predicate {
  return capCall(() => JSON.parse(native.predicateToJson(json)) as Predicate);
}

/** Whether `pred` holds for these tags and metadata: `evaluatePredicate(pred, caps.tags, caps.metadata)`. */
export function evaluatePredicate(pred: Predicate, tags: readonly string[], metadata: Record<string, string> = {}): boolean {
  return capCall(() => native.evaluatePredicate(predArg(pred), tagsArg(tags), metadata));
}

/** Evaluate recording every clause's verdict (children an and/or never reached are `'skipped'`). */
export function evaluatePredicateWithTrace(
  pred: Predicate,
  tags: readonly string[],
  metadata: Record<string, string> = {},
): PredicateTrace {
  return capCall(() => fromWire<PredicateTrace>(native.evaluatePredicateWithTrace(predArg(pred), tagsArg(tags), metadata)));
}

/** The `net-where` header value carrying `pred`: base64url (no padding) of its canonical JSON. */
export function predicateToRpcHeader(pred: Predicate): string {
  return capCall(() => native.predicateToRpcHeader(predArg(pred)));
}

/** Decode a peer's `net-where` header value; throws `CapabilityError` kind `invalid_header` when malformed. */
export function predicateFromRpcHeader(value: string | Uint8Array): Predicate {
  let arg: string | Buffer;
  if (typeof value === 'string') arg = value;
  else if (value instanceof Uint8Array) arg = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  else throw new CapabilityError('invalid_argument', `a net-where header value is a string or bytes, got ${typeof value}`);
  return capCall(() => JSON.parse(native.predicateFromRpcHeader(arg)) as Predicate);
}

/** Profile `pred` over a corpus: per-clause evaluated / true / false / skipped counts. */
export function predicateDebugReport(pred: Predicate, contexts: Iterable<EvalContext>): PredicateDebugReport {
  const corpus = Array.from(contexts, (c) => ({ tags: tagsArg(c.tags), metadata: c.metadata }));
  return capCall(() => fromWire<PredicateDebugReport>(native.predicateDebugReport(predArg(pred), corpus)));
}

/** `report` with the expected values of `metadataEquals` clauses on `keys` replaced by `'<redacted>'`. */
export function redactMetadataKeys(report: PredicateDebugReport, keys: readonly string[]): PredicateDebugReport {
  return capCall(() => fromWire<PredicateDebugReport>(native.redactMetadataKeys(toWire(report, 'report'), tagsArg(keys))));
}

/** A report as a plain-text table, one clause per line. */
export function renderDebugReport(report: PredicateDebugReport): string {
  return capCall(() => native.renderDebugReport(toWire(report, 'report')));
}

// ------------------------------------------------ validation and diff

/** Check a set against the schema: typos in reserved axes, type mismatches, oversize metadata, bad scope tags. */
export function validateCapabilities(caps: CapabilityInput): ValidationReport {
  return capCall(() => fromWire<ValidationReport>(native.validateCapabilities(toWire(caps, 'capabilities'))));
}

/** Whether a validation report found nothing. */
export function isReportValid(report: ValidationReport): boolean {
  return report.valid && report.errors.length === 0;
}

/** What changed from `prev` to `next`: tags added and removed, metadata added, removed, changed. */
export function diffCapabilities(prev: CapabilityInput, next: CapabilityInput): CapabilityDiff {
  return capCall(() => fromWire<CapabilityDiff>(native.diffCapabilities(toWire(prev, 'prev'), toWire(next, 'next'))));
}

// ------------------------------------------------- scopes and subnets

/** The scope these tags resolve to (strictest wins: subnet-local, then tenants, then regions, else global). */
export function resolveCapabilityScope(tags: readonly string[]): CapabilityScope {
  return capCall(() => JSON.parse(native.capabilityScope(tagsArg(tags))) as CapabilityScope);
}

/** Whether a query under `filter` admits a candidate of `scope`; `sameSubnet`: it sits in the querier's subnet. */
export function scopeAdmits(filter: ScopeFilter, scope: CapabilityScope, sameSubnet: boolean): boolean {
  return capCall(() => native.scopeAdmits(toWire(filter, 'scope filter'), toWire(scope, 'scope'), sameSubnet));
}

/** The subnet `policy` derives from announced `tags`. Throws kind `invalid_subnet` for a bad policy. */
export function deriveSubnet(policy: SubnetPolicy, tags: readonly string[]): SubnetId {
  return capCall(() => JSON.parse(native.deriveSubnet(toWire(policy, 'subnet policy'), tagsArg(tags))) as SubnetId);
}

// ------------------------------------------- mesh-side conversions

/** A native node record as `NodeCapabilities`. */
export function nodeCapabilitiesFrom(n: core.JsNodeCapabilities): NodeCapabilities {
  return {
    nodeId: n.nodeId,
    entityId: n.entityId,
    version: n.version,
    hops: n.hops,
    capabilities: JSON.parse(n.capabilities) as CapabilitySet,
    subnet: JSON.parse(n.subnet) as SubnetId,
    scope: JSON.parse(n.scope) as CapabilityScope,
  };
}
