import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { stringify } from 'yaml';
import { getRecordStore } from '../../../libs/runtime/backends.ts';
import type { LogDoc, RecordKind } from '../../../libs/schemas/records.ts';
import type { AnyDoc, RecordStore } from '../../../libs/store/record-store.ts';
import { ensureOtelcol } from '../../../scripts/otelcol/otelcol.ts';
import { engineConfig, INGEST_TOKEN, runId, startInProcess, type InProcessPipeline } from './pipeline.helpers.ts';

/** An ingest token limited to one cluster: the intakes then file records that name no cluster under it. */
export const scopedToken = (cluster: string): string => `${INGEST_TOKEN}-${cluster}`;

export const SETUPS: [string, (dir: string, clusters: string[]) => Record<string, unknown>][] = [
  [
    'Kafka + OpenSearch',
    (dir, clusters) => withScopedTokens(engineConfig(runId('agents'), join(dir, 'engines')), clusters),
  ],
  [
    'embedded: in-process bus + SQLite',
    (dir, clusters) =>
      withScopedTokens(
        {
          ...engineConfig('x', dir),
          storage: { type: 'sqlite', path: join(dir, `embedded-${Date.now()}.db`) },
          bus: { type: 'memory' },
          dataDir: join(dir, 'embedded'),
        },
        clusters,
      ),
  ],
];

function withScopedTokens(config: Record<string, unknown>, clusters: string[]): Record<string, unknown> {
  const auth = config.auth as { tokens: unknown[] };
  const scoped = clusters.map((c) => ({
    name: `ingest-${c}`,
    token: scopedToken(c),
    role: 'ingest',
    scope: { clusters: [c], namespaces: ['*'] },
  }));
  return { ...config, auth: { ...auth, tokens: [...auth.tokens, ...scoped] } };
}

/** The pipeline listening on a loopback port, for clients that speak HTTP themselves. */
export interface ListeningPipeline {
  p: InProcessPipeline;
  store: RecordStore;
  url: string;
  /** Every stored record of one cluster, oldest first (refreshed first). */
  records<D extends AnyDoc = LogDoc>(kind: RecordKind, cluster: string): Promise<D[]>;
  count(kind: RecordKind, cluster: string): Promise<number>;
  close(): Promise<void>;
}

export async function listen(config: Record<string, unknown>): Promise<ListeningPipeline> {
  const p = await startInProcess(config);
  await p.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = p.app.server.address() as AddressInfo;
  const store = await getRecordStore(p.ctx);
  const count = async (kind: RecordKind, cluster: string) => {
    try {
      await store.refresh(kind);
      return await store.count(kind, { filters: { cluster: [cluster] } });
    } catch {
      return -1; // engines shared with other suites may be briefly unreachable; keep polling
    }
  };
  return {
    p,
    store,
    url: `http://127.0.0.1:${port}`,
    count,
    async records<D extends AnyDoc = LogDoc>(kind: RecordKind, cluster: string) {
      await store.refresh(kind);
      const out: D[] = [];
      for await (const d of store.exportAll(kind, { filters: { cluster: [cluster] }, sort: 'asc' })) out.push(d as D);
      return out;
    },
    close: () => p.close(),
  };
}

/** Accepted records of one protocol, from pharos_ingest_records_total. */
export async function acceptedBy(p: InProcessPipeline, protocol: string, cluster: string): Promise<number> {
  const re = /pharos_ingest_records_total\{([^}]*)\} (\d+)/g;
  let n = 0;
  for (const [, labels, value] of (await p.ctx.metrics.metrics()).matchAll(re)) {
    if (
      labels!.includes(`protocol="${protocol}"`) &&
      labels!.includes(`cluster="${cluster}"`) &&
      labels!.includes('result="accepted"')
    )
      n += Number(value);
  }
  return n;
}

/** A real OpenTelemetry Collector (scripts/otelcol) running `config`, stopped by `stop()`. */
export async function runCollector(
  config: Record<string, unknown>,
): Promise<{ stop(): Promise<void>; output(): string }> {
  const bin = await ensureOtelcol();
  const dir = mkdtempSync(join(tmpdir(), 'pharos-otelcol-run-'));
  const file = join(dir, 'config.yaml');
  writeFileSync(file, stringify(config));
  let output = '';
  const child: ChildProcess = spawn(bin, ['--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (b: Buffer) => void (output += b.toString()));
  child.stderr?.on('data', (b: Buffer) => void (output += b.toString()));
  return {
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
