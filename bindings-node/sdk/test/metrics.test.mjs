// prometheusText: the bus, mesh and stream counters as Prometheus text,
// rendered by the core, the values matching stats().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MeshNode, NetNode, prometheusText } from '@net-mesh/sdk';

const PSK = '42'.repeat(32);

/** The value of one series (name with labels) in Prometheus text. */
function series(text, name) {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  assert.ok(line, `no series ${name} in\n${text}`);
  return BigInt(line.slice(name.length + 1));
}

test('prometheusText renders the bus, the mesh and each stream as stats() counts them', async () => {
  const node = await NetNode.create({ shards: 2 });
  const [a, b] = [await MeshNode.create({ bindAddr: '127.0.0.1:0', psk: PSK }), await MeshNode.create({ bindAddr: '127.0.0.1:0', psk: PSK })];
  try {
    for (let i = 0; i < 6; i++) node.emitRaw(`{"i":${i}}`);
    await node.flush();
    const accepted = b.accept(a.nodeId(), { timeoutMs: 5000 });
    await a.connect(b.localAddr(), b.publicKey(), b.nodeId());
    await accepted;
    const out = a.openStream(b.nodeId(), { streamId: 5n });
    const inbox = b.openStream(a.nodeId(), { streamId: 5n });
    await a.sendOnStream(out, [Buffer.from('hi')]);
    assert.equal(String(await b.recv(inbox, { timeoutMs: 5000 })), 'hi');

    const text = prometheusText(node, b);
    assert.equal(series(text, 'net_bus_events_ingested_total'), BigInt(node.stats().eventsIngested));
    assert.equal(series(text, 'net_bus_events_ingested_total'), 6n);
    assert.equal(series(text, 'net_mesh_handshakes_completed_total'), b.stats().handshakesCompleted);
    const labels = `{peer="0x${a.nodeId().toString(16).padStart(16, '0')}",stream="5"}`;
    assert.equal(series(text, `net_stream_messages_received_total${labels}`), 1n);
    assert.ok(text.endsWith('# EOF\n'));

    assert.ok(!node.prometheusText().includes('net_mesh_'));
    assert.ok(!b.prometheusText().includes('net_bus_'));
    assert.equal(prometheusText(), '# EOF\n');
  } finally {
    await node.shutdown();
    await a.shutdown();
    await b.shutdown();
  }
});
