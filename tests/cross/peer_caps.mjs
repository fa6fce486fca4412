// The capability cases of the TypeScript-face peer (protocol:
// tests/cross/README.md, "Capabilities"): a MeshNode that announces its
// own capability set and answers the driver's commands, one JSON line
// each, on stdin / stdout.
//
//   node peer.mjs caps PSK_HEX
import { createInterface } from 'node:readline';
import { MeshNode, evaluatePredicate, p, predicateToJson, predicateToRpcHeader, withTenantScope } from '@net-mesh/sdk';

const HANDSHAKE_MS = 10_000; // connect / accept: the other process is already up
const WAIT_MS = 30_000; // a `wait` or `wait_stats`; the driver's own deadline is the real bound

// The mesh-wide subnet policy every peer holds, and this node's place in it.
const SUBNET_POLICY = { rules: [{ tagPrefix: 'region:', level: 0, values: { eu: 3, us: 4 } }] };
const SUBNET = { levels: [4] };
// What this node announces: an AMD GPU with 192 GiB, 16 cores, 128 GB;
// scoped to tenant `acme`.
const CAPS = {
  tags: withTenantScope(['lang:typescript', 'cross:caps', 'region:us'], 'acme'),
  hardware: { cpuCores: 16, cpuThreads: 32, memoryGb: 128, gpu: { vendor: 'amd', model: 'mi300x', vramGb: 192 } },
  metadata: { face: 'typescript' },
};

const STATS = [
  'received', 'accepted', 'duplicates', 'rejected_malformed', 'rejected_signature', 'rejected_origin',
  'rejected_stale', 'rejected_hops', 'evicted', 'broadcasts', 'forwarded', 'entries',
];

const emit = (obj) => process.stdout.write(`${JSON.stringify(obj, (_, v) => (typeof v === 'bigint' ? Number(v) : v))}\n`);
const failure = (e) => ({ ok: false, kind: e?.kind ?? e?.name ?? 'unknown', error: String(e?.message ?? e) });
const refused = (kind, message) => Object.assign(new Error(message), { kind });
const camel = (key) => key.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

/** The wire (snake_case) filter the driver sends, as the TS face spells it. */
function tsFilter(filter) {
  return Object.fromEntries(Object.entries(filter).map(([k, v]) => [camel(k), v]));
}

/** A predicate built with `p.*` from the driver's program: `[name, ...args]`,
 *  an argument being a literal or another program. */
function build(program) {
  const [name, ...args] = program;
  if (typeof p[name] !== 'function') throw refused('unsupported', `no builder p.${name}`);
  return p[name](...args.map((a) => (Array.isArray(a) ? build(a) : a)));
}

function stats(node) {
  const s = node.capabilityStats();
  return Object.fromEntries(STATS.map((k) => [k, Number(s[camel(k)])]));
}

function lookup(node, ids) {
  return Object.fromEntries(ids.map((id) => {
    const info = node.capabilitiesOf(BigInt(id));
    return [id, info === null ? null : { hops: info.hops, tags: info.capabilities.tags, scope: info.scope, subnet: info.subnet.levels }];
  }));
}

async function until(check, what) {
  const deadline = Date.now() + WAIT_MS;
  while (!check()) {
    if (Date.now() > deadline) throw refused('timeout', `never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function command(node, cmd) {
  switch (cmd.op) {
    case 'connect':
    case 'accept': {
      const peerId = BigInt(cmd.peer.node_id);
      if (cmd.op === 'connect') {
        await node.connect(cmd.peer.addr, Buffer.from(cmd.peer.public_key, 'hex'), peerId, { timeoutMs: HANDSHAKE_MS });
      } else {
        await node.accept(peerId, { timeoutMs: HANDSHAKE_MS });
      }
      node.start(); // idempotent
      return {};
    }
    case 'announce':
      await node.announceCapabilities(CAPS);
      return {};
    case 'wait':
      await until(() => cmd.nodes.every((id) => node.capabilitiesOf(BigInt(id)) !== null), `knowing ${cmd.nodes}`);
      return { nodes: lookup(node, cmd.nodes) };
    case 'lookup':
      return { nodes: lookup(node, cmd.nodes) };
    case 'find':
      return {
        results: cmd.queries.map(({ filter, scope }) => {
          const found = scope == null ? node.findNodes(tsFilter(filter)) : node.findNodesScoped(tsFilter(filter), scope);
          return found.map(String);
        }),
      };
    case 'stats':
      return { stats: stats(node) };
    case 'wait_stats':
      await until(() => {
        const s = stats(node);
        return Object.entries(cmd.at_least).every(([k, v]) => s[k] >= v);
      }, `stats reaching ${JSON.stringify(cmd.at_least)}`);
      return { stats: stats(node) };
    case 'send_raw':
      for (const wire of cmd.wires) node.napi.sendCapabilityBytes(BigInt(cmd.to), Buffer.from(wire, 'hex'));
      return {};
    case 'build_predicate': {
      // The TS half of the header case: build with p.*, encode, evaluate here.
      const pred = build(cmd.program);
      return {
        header: predicateToRpcHeader(pred),
        json: predicateToJson(pred),
        verdicts: cmd.caps.map((c) => evaluatePredicate(pred, c.tags, c.metadata)),
      };
    }
    default:
      throw refused('unsupported', `unknown op ${cmd.op}`);
  }
}

export async function run([pskHex]) {
  const node = await MeshNode.create({
    bindAddr: '127.0.0.1:0',
    psk: Buffer.from(pskHex, 'hex'),
    subnet: SUBNET,
    subnetPolicy: SUBNET_POLICY,
    minAnnounceIntervalMs: 1,
  });
  let ok = true;
  try {
    emit({ addr: node.localAddr(), public_key: node.publicKey().toString('hex'), node_id: node.nodeId().toString() });
    // One reply per command line, until the driver closes stdin.
    for await (const line of createInterface({ input: process.stdin })) {
      let reply;
      try {
        reply = { ok: true, ...(await command(node, JSON.parse(line))) };
      } catch (e) {
        reply = failure(e);
        ok = false;
      }
      emit(reply);
    }
  } finally {
    await node.shutdown();
  }
  return ok ? 0 : 1;
}
