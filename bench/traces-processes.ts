import { INGEST_TOKEN, engineConfig } from '../test/integration/ingest/pipeline.helpers.ts';
import { until } from '../test/support/until.ts';
import { bulkStats, metricsText, startPipeline, type Pipeline } from './pipeline-services.ts';

/**
 * The traces benchmark's Pharos phase as Pharos is deployed (bench/traces.bench.ts): a collector process and an
 * indexer process (bench/pipeline-services.ts, as bench/ingest.bench.ts runs them), each with its own event
 * loop, the sending client in the bench process. Run in one process with the client, the three share one
 * thread, and that thread is the limit (event loop 97% busy with OpenSearch waiting: docs/traces.md).
 */
export async function startSpanServices(run: string, extra: Record<string, unknown>): Promise<Pipeline> {
  const svc = await startPipeline((dir) => engineConfig(run, dir, extra));
  const ready = (port: number) =>
    fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
  await until(
    async () => (await ready(svc.indexerPort)) && (await ready(svc.collectorPort)),
    300_000,
    'services ready',
  );
  return svc;
}

/** One OTLP/HTTP protobuf request to the collector, again while it answers 503 (the bus is full). */
export async function postSpans(svc: Pipeline, body: Buffer): Promise<void> {
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${svc.collectorPort}/otlp/v1/traces`, {
      method: 'POST',
      body: body as unknown as BodyInit,
      headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/x-protobuf' },
    });
    const text = await res.text();
    if (res.status === 200) return;
    if (res.status !== 503) throw new Error(`HTTP ${res.status}: ${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** From the indexer's /metrics: spans stored so far, and its spans bulks (count, seconds inside them). */
export async function indexerSpanStats(svc: Pipeline): Promise<{ indexed: number; bulks: number; seconds: number }> {
  const text = await metricsText(svc.indexerPort);
  const indexed = Number(
    /pharos_indexer_records_total\{[^}]*kind="spans"[^}]*result="indexed"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0,
  );
  const { bulks, seconds } = bulkStats(text, 'spans');
  return { indexed, bulks, seconds: Math.round(seconds * 10) / 10 };
}

/**
 * Until the indexer has stored `spans` (its own count, from /metrics): every 500 ms until 90% are, then every
 * 50 ms. A scrape is not free for the indexer (the whole registry, and its consumer lag read from Kafka: two
 * admin requests per kind), and at 20 a second for the whole phase it cost the indexer some 5% of its CPU and
 * Kafka more, work the raw phases do not pay; polling closely only near the end keeps the phase's end as exact.
 */
export async function untilIndexed(svc: Pipeline, spans: number): Promise<void> {
  const deadline = Date.now() + 1_800_000;
  for (;;) {
    const { indexed } = await indexerSpanStats(svc);
    if (indexed >= spans) return;
    if (Date.now() > deadline) throw new Error(`${spans} spans indexed: not met (${indexed})`);
    await new Promise((r) => setTimeout(r, indexed < 0.9 * spans ? 500 : 50));
  }
}
