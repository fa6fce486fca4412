// The seed README's "Typed Channels", as written (package @net-mesh/sdk).
// Run via `make demo-node`.
import { NetNode } from '@net-mesh/sdk';

const node = await NetNode.create({ shards: 4 });
node.emit({ unrelated: true }); // other traffic on the bus is skipped

// --- seed: Typed Channels ---
interface TemperatureReading {
  sensor_id: string;
  celsius: number;
  timestamp: number;
}

const temps = node.channel<TemperatureReading>('sensors/temperature');

// Publish
temps.publish({ sensor_id: 'A1', celsius: 22.5, timestamp: Date.now() });

// Subscribe
for await (const reading of temps.subscribe()) {
  console.log(`${reading.sensor_id}: ${reading.celsius}°C`);
}
// --- end of seed ---

await node.shutdown();
