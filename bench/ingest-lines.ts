/**
 * The ingest benchmarks' records: batch `b` of Fluent Bit-shaped log lines (the `kubernetes` filter's
 * fields), `size` of them. Pod `p<b>` marks the batch, so its visibility can be measured on its own.
 */
export function benchLines(b: number, size: number, perBatch: number): Record<string, unknown>[] {
  return Array.from({ length: size }, (_, i) => {
    const n = b * perBatch + i;
    return {
      date: 1_790_000_000 + n / 1000,
      stream: n % 5 ? 'stdout' : 'stderr',
      log: `${new Date(1_790_000_000_000 + n).toISOString()} INFO request id=${n} path=/api/cart/${n % 97} status=200 latency_ms=${n % 300}`,
      kubernetes: {
        namespace_name: `ns-${n % 13}`,
        pod_name: `p${b}`,
        container_name: 'app',
        host: `node-${n % 4}`,
        labels: { app: 'cart', tier: 'web' },
      },
    };
  });
}
