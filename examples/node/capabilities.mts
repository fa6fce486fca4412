// The seed README's "Capability announcements", "Scoped discovery",
// "Capability enhancements" and "Subnets" examples, as written (package
// @net-mesh/sdk). Where the seed leaves a value undefined (`prevCaps`,
// `tags`, `metadata`, `contexts`) it is defined just before; the
// placement-filter lines (`standardPlacement`, `placementFilterFromFn`)
// belong to the compute surface and are not part of this example.
// Afterwards a peer dials the subnet node, derives its subnet from the
// announced tags and finds it by hardware. Run via `make demo-node`.
import {
  MeshNode,
  withTenantScope,
  // Typed taxonomy
  tagFromUserString,
  RESERVED_PREFIXES,
  // Chain helpers
  emptyCapabilities,
  requireTag,
  requireAxisValue,
  withMetadata,
  // Predicates
  p,
  evaluatePredicate,
  predicateToRpcHeader,
  predicateFromRpcHeader,
  RPC_WHERE_HEADER,
  // Predicate trace + debug
  evaluatePredicateWithTrace,
  predicateDebugReport,
  redactMetadataKeys,
  renderDebugReport,
  // Validation
  validateCapabilities,
  isReportValid,
  // Diff
  diffCapabilities,
} from '@net-mesh/sdk';

// --- seed: Capability announcements ---
const mesh = await MeshNode.create({
  bindAddr: '127.0.0.1:9002',
  psk: '42'.repeat(32),
});

await mesh.announceCapabilities({
  hardware: {
    cpuCores: 16,
    memoryGb: 64,
    gpu: { vendor: 'nvidia', model: 'h100', vramGb: 80 },
  },
  models: [
    { modelId: 'llama-3.1-70b', family: 'llama', contextLength: 128_000 },
  ],
  tags: ['gpu', 'prod'],
});

const gpuPeers = mesh.findNodes({
  requireGpu: true,
  gpuVendor: 'nvidia',
  minVramMb: 40_000,
});
// gpuPeers includes mesh.nodeId() on self-match.
// --- end of seed ---
console.log(`gpuPeers includes this node: ${gpuPeers.includes(mesh.nodeId())}`);

// --- seed: Scoped discovery ---
// GPU pool advertised to one tenant only.
await mesh.announceCapabilities({
  tags: withTenantScope(['model:llama3-70b'], 'oem-123'),
});

// Tenant-scoped query — returns this node + any Global (untagged) peers.
const oemNodes = mesh.findNodesScoped(
  { requireTags: ['model:llama3-70b'] },
  { kind: 'tenant', tenant: 'oem-123' },
);
// --- end of seed ---
const otherTenant = mesh.findNodesScoped({ requireTags: ['model:llama3-70b'] }, { kind: 'tenant', tenant: 'someone-else' });
console.log(`oem-123 sees this node: ${oemNodes.includes(mesh.nodeId())}; another tenant: ${otherTenant.includes(mesh.nodeId())}`);
await mesh.shutdown();

const prevCaps = emptyCapabilities();
// --- seed: Capability enhancements ---
// Build a capability set in the wire shape `{ tags, metadata }`.
let caps = emptyCapabilities();
caps = requireTag(caps, 'hardware', 'gpu');
caps = requireAxisValue(caps, 'software', 'os', 'linux');
caps = withMetadata(caps, 'intent', 'ml-training');

// Author a predicate.
const pred = p.and(
  p.exists({ axis: 'hardware', key: 'gpu' }),
  p.numericAtLeast({ axis: 'hardware', key: 'memory_gb' }, 64),
  p.metadataEquals('intent', 'ml-training'),
);

// Local evaluation (no mesh round-trip).
const matched = evaluatePredicate(pred, caps.tags, caps.metadata);

// Wire form for nRPC `net-where:` headers.
const headerValue = predicateToRpcHeader(pred);

// Reverse direction: parse a peer-supplied header back into the AST.
const decoded = predicateFromRpcHeader(headerValue);

// Validate against the canonical schema (catches typos, type
// mismatches, oversize metadata, legacy tags).
const report = validateCapabilities(caps);
if (!isReportValid(report)) {
  console.error('schema errors:', report.errors);
}

// Detect what changed between two snapshots.
const delta = diffCapabilities(prevCaps, caps);
// --- end of seed ---
const { tags, metadata } = caps;
const contexts = [caps, { tags: [...caps.tags, 'hardware.memory_gb=128'], metadata: caps.metadata }];
// --- seed: Capability enhancements (trace + debug) ---
// Single-evaluation trace — every clause's verdict + skipped
// children for short-circuit AND/OR.
const { result, trace } = evaluatePredicateWithTrace(pred, tags, metadata);

// Profile a predicate across a corpus + render a per-clause report.
const debug = predicateDebugReport(pred, contexts);
const safe = redactMetadataKeys(debug, ['intent']); // scrub before persisting
console.log(renderDebugReport(safe));
// --- end of seed ---

console.log(`matched: ${matched} (no hardware.memory_gb tag); ${RPC_WHERE_HEADER}: ${headerValue.length} bytes, decodes back: ${JSON.stringify(decoded) === JSON.stringify(pred)}`);
console.log(`schema valid: ${isReportValid(report)}; typo: ${validateCapabilities({ tags: ['hardwre.gpu'] }).errors.map((e) => e.kind).join(', ')}`);
console.log(`delta: +${delta.addedTags.join(' +')}; metadata ${delta.metadata.map((m) => `${m.kind} ${m.key}`).join(', ')}`);
console.log(`trace: ${result} ${trace.map((c) => `${c.id}=${c.verdict}`).join(' ')}`);
console.log(`user tag: ${tagFromUserString(' gpu ')}; reserved: ${RESERVED_PREFIXES.join(' ')}`);

// --- seed: Subnets ---
const policy = {
  rules: [
    { tagPrefix: 'region:', level: 0, values: { us: 3, eu: 4 } },
    { tagPrefix: 'fleet:', level: 1, values: { blue: 7, green: 8 } },
  ],
};

const subnetNode = await MeshNode.create({
  bindAddr: '127.0.0.1:9003',
  psk: '42'.repeat(32),
  subnet: { levels: [3, 7] }, // us/blue
  subnetPolicy: policy,
});

// Announce tags matching the policy so peers derive the same
// SubnetId [3, 7] when they apply their own policy to our caps.
await subnetNode.announceCapabilities({ tags: ['region:us', 'fleet:blue'] });
// --- end of seed ---

// A peer holding the same policy dials in, receives the announcement and
// derives the same subnet.
const peer = await MeshNode.create({ bindAddr: '127.0.0.1:0', psk: '42'.repeat(32), subnetPolicy: policy });
const accepted = subnetNode.accept(peer.nodeId());
await peer.connect(subnetNode.localAddr(), subnetNode.publicKey(), subnetNode.nodeId());
await accepted;
while (peer.capabilitiesOf(subnetNode.nodeId()) === null) await new Promise((r) => setTimeout(r, 10));
console.log(`subnet ${JSON.stringify(subnetNode.subnet().levels)}; the peer derives ${JSON.stringify(peer.peerSubnet(subnetNode.nodeId())?.levels)}`);
console.log(`the peer finds it by tag: ${peer.findNodes({ requireTags: ['fleet:blue'] }).includes(subnetNode.nodeId())}`);
await peer.shutdown();
await subnetNode.shutdown();
