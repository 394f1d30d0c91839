import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../scripts/deploy/image-layout.ts';
import {
  configYaml,
  engineConfig,
  exited,
  INGEST_TOKEN,
  spawnService,
} from '../test/integration/ingest/pipeline.helpers.ts';
import { until } from '../test/support/until.ts';

/**
 * The traces benchmark's Pharos phase as Pharos is deployed (bench/traces.bench.ts): a collector process and an
 * indexer process (`tsx services/main.ts collector|indexer`, as bench/ingest.bench.ts runs them), each with its
 * own event loop, the sending client in the bench process. Run in one process with the client, the three share
 * one thread, and that thread is the limit (event loop 97% busy with OpenSearch waiting: issue 22's notes).
 */
export interface SpanServices {
  collectorUrl: string;
  indexerPort: number;
  pids: { name: string; pid: number | undefined }[];
  close(): Promise<void>;
}

export async function startSpanServices(run: string, extra: Record<string, unknown>): Promise<SpanServices> {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-bench-traces-'));
  const base = engineConfig(run, dir, extra);
  const [collectorPort, indexerPort] = [await freePort(), await freePort()];
  const file = (name: string, port: number) => {
    const path = join(dir, `${name}.yaml`);
    writeFileSync(path, configYaml({ ...base, server: { host: '127.0.0.1', port } }));
    return path;
  };
  const children = [
    spawnService('indexer', file('indexer', indexerPort)),
    spawnService('collector', file('collector', collectorPort)),
  ];
  const ready = (port: number) =>
    fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
  await until(async () => (await ready(indexerPort)) && (await ready(collectorPort)), 300_000, 'services ready');
  return {
    collectorUrl: `http://127.0.0.1:${collectorPort}`,
    indexerPort,
    pids: [
      { name: 'indexer', pid: children[0]!.pid },
      { name: 'collector', pid: children[1]!.pid },
    ],
    close: async () => {
      for (const c of children) c.kill('SIGTERM');
      await Promise.all(children.map(exited));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One OTLP/HTTP protobuf request to the collector, again while it answers 503 (the bus is full). */
export async function postSpans(svc: SpanServices, body: Buffer): Promise<void> {
  for (;;) {
    const res = await fetch(`${svc.collectorUrl}/otlp/v1/traces`, {
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
export async function indexerSpanStats(
  svc: SpanServices,
): Promise<{ indexed: number; bulks: number; seconds: number }> {
  const text = await (await fetch(`http://127.0.0.1:${svc.indexerPort}/metrics`)).text();
  const bulk = (what: string) =>
    Number(
      new RegExp(`pharos_indexer_bulk_duration_seconds_${what}\\{[^}]*kind="spans"[^}]*\\} ([\\d.e+-]+)`).exec(
        text,
      )?.[1] ?? 0,
    );
  const indexed = Number(
    /pharos_indexer_records_total\{[^}]*kind="spans"[^}]*result="indexed"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0,
  );
  return { indexed, bulks: bulk('count'), seconds: Math.round(bulk('sum') * 10) / 10 };
}
