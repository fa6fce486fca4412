// The TypeScript-face peer of tests/cross (protocol: tests/cross/README.md).
//
//   node peer.mjs dial|accept STREAM_ID COUNT PSK_HEX [--bad-psk]
//   node peer.mjs caps PSK_HEX                       (peer_caps.mjs)
//
// Plain JS over @net-mesh/sdk, resolved through tests/cross/node_modules
// (a link to bindings-node/node_modules that `make test-cross` makes, as
// `make build-node` does for examples/node).
import { createInterface } from 'node:readline';
import { MeshNode } from '@net-mesh/sdk';

if (process.argv[2] === 'caps') {
  const { run } = await import('./peer_caps.mjs');
  process.exit(await run(process.argv.slice(3)));
}

const HANDSHAKE_MS = 10_000; // connect / accept: the other process is already up
const RECV_TIMEOUT_MS = 30_000; // one message; the driver's deadline is the real bound

const [role, streamIdArg, countArg, pskHex, ...flags] = process.argv.slice(2);
const streamId = BigInt(streamIdArg);
const count = Number(countArg);

/** Message i: i as 8 bytes little-endian, then filler that depends on i,
 *  so a message under the wrong index cannot pass. The last one is
 *  12,000 bytes, larger than one default datagram. */
function payload(i) {
  const size = i === count - 1 ? 12_000 : 8 + (i % 200);
  const b = Buffer.alloc(size);
  b.writeBigUInt64LE(BigInt(i));
  for (let j = 8; j < size; j++) b[j] = (i * 7 + j) & 0xff;
  return b;
}

const emit = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
const failure = (e) => ({ ok: false, kind: e?.kind ?? e?.name ?? 'unknown', error: String(e?.message ?? e) });

async function receive(node, stream) {
  for (let i = 0; i < count; i++) {
    const got = await node.recv(stream, { timeoutMs: RECV_TIMEOUT_MS });
    if (!got.equals(payload(i))) {
      const head = got.length >= 8 ? got.readBigUInt64LE() : null;
      throw Object.assign(new Error(`message ${i}: got ${got.length} bytes with index ${head}`), { kind: 'mismatch' });
    }
  }
}

async function send(node, stream) {
  for (let i = 0; i < count; i++) await node.sendBlocking(stream, [payload(i)]);
}

async function exchange(node, peer) {
  const peerId = BigInt(peer.node_id);
  if (role === 'dial') {
    await node.connect(peer.addr, Buffer.from(peer.public_key, 'hex'), peerId, { timeoutMs: HANDSHAKE_MS });
  } else {
    await node.accept(peerId, { timeoutMs: HANDSHAKE_MS });
  }
  node.start();
  const stream = node.openStream(peerId, { streamId, reliability: 'reliable' });
  // Send and receive at once: a side that only sent would fill the
  // other's receive queue and stall both (flow control).
  await Promise.all([send(node, stream), receive(node, stream)]);
  return { ok: true, received: count };
}

// Listen for the end of stdin from the start, so an early EOF is not missed.
const input = createInterface({ input: process.stdin });
const stdinClosed = new Promise((resolve) => input.once('close', resolve));
const lines = input[Symbol.asyncIterator]();

let psk = Buffer.from(pskHex, 'hex');
if (flags.includes('--bad-psk')) psk = psk.map((b) => b ^ 0xff); // another mesh's key
const node = await MeshNode.create({ bindAddr: '127.0.0.1:0', psk });
emit({ addr: node.localAddr(), public_key: node.publicKey().toString('hex'), node_id: node.nodeId().toString() });

let result;
try {
  const { value } = await lines.next();
  result = await exchange(node, JSON.parse(value));
} catch (e) {
  result = failure(e);
}
emit(result);
// Stay up until the driver closes stdin: shutting down early would close
// the session under a peer that is still receiving.
await stdinClosed;
await node.shutdown();
process.exit(result.ok ? 0 : 1);
