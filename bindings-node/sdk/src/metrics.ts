// prometheusText: the bus, mesh and stream counters as Prometheus text,
// rendered by the core exactly as every other face of Net renders them.

import { native } from './native';
import type { MeshNode } from './mesh';
import type { NetNode } from './node';

/**
 * The counters of `node`'s bus, of `mesh` and of each of its open streams
 * as Prometheus text (OpenMetrics encoding, ending in `# EOF`) — what
 * `net node run --metrics` serves on `/metrics`. Either may be omitted to
 * leave that part out.
 */
export function prometheusText(node?: NetNode | null, mesh?: MeshNode | null): string {
  return native.prometheusText(node?.napi ?? null, mesh?.napi ?? null);
}
