import { logKey, normalizeLogs } from '../../../libs/schemas/normalize/logs.normalize.ts';
import { packRecords } from '../../../libs/bus/record-pack.ts';
import type { BusMessage } from '../../../libs/bus/bus.ts';

/**
 * `total` distinct log lines from 20 containers, normalized and packed as the collector would (several
 * records per message, so a fault must lose none of a message), in bus publishes of `chunk` records.
 */
export function* packedLogStream(cluster: string, total: number, chunk = 2_500): Generator<BusMessage[]> {
  for (let start = 0; start < total; start += chunk) {
    const items = Array.from({ length: Math.min(chunk, total - start) }, (_, i) => {
      const n = start + i;
      return { index: i, value: { time: new Date(Date.UTC(2026, 10, 20) + n).toISOString(), log: `request ${n} served`, stream: 'stdout', kubernetes: { namespace_name: 'shop', pod_name: `cart-${n % 20}`, container_name: 'app', host: 'node-a' } } };
    });
    yield packRecords('logs', normalizeLogs(items, { cluster, ingestedAt: Date.now() }).docs, logKey);
  }
}
