import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { TokenAuthenticator } from '../../../libs/auth/token-authenticator.ts';
import { configSchema, type PharosConfig } from '../../../libs/config/config.schema.ts';
import { buildApp } from '../../../libs/http/app.ts';
import type { Feature } from '../../../libs/http/feature.ts';
import { createMetricsRegistry } from '../../../libs/metrics/metrics.ts';
import type { ServiceContext } from '../../../libs/runtime/context.ts';
import { Resources } from '../../../libs/runtime/resources.ts';
import { collectorFeatures } from '../../../services/collector/collector.features.ts';
import { indexerFeatures } from '../../../services/indexer/indexer.features.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
/** CI clones the repo beside a copy of shared/, so the data is found relative to the repo, never by absolute path. */
export const DATA = resolve(REPO_ROOT, '../shared/data');
export const INGEST_TOKEN = 'ingest-token-for-integration-tests';

export const readJson = (file: string): unknown => JSON.parse(readFileSync(resolve(DATA, file), 'utf8'));
export const readJsonl = (file: string): unknown[] =>
  readFileSync(resolve(DATA, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as unknown);

/** A unique run name, so topics, groups and indices of one run never meet another's. */
export const runId = (label: string): string =>
  `it-${label}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e4)}`;

/** Config for Kafka + OpenSearch under a fresh topic and index prefix (plus overrides). */
export function engineConfig(
  run: string,
  dataDir: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    server: { host: '127.0.0.1', port: 0 },
    dataDir,
    log: { level: 'warn' },
    storage: { type: 'opensearch', url: 'http://127.0.0.1:9200', indexPrefix: run },
    bus: { type: 'kafka', brokers: ['127.0.0.1:9092'], topicPrefix: run, clientId: run, partitions: 3 },
    collector: { cluster: 'it' },
    auth: {
      tokens: [
        { name: 'ingest', token: INGEST_TOKEN, role: 'ingest' },
        { name: 'admin', token: `${INGEST_TOKEN}-admin`, role: 'admin' },
      ],
    },
    ...extra,
  };
}

export const configYaml = (config: Record<string, unknown>): string => stringify(config);

export interface InProcessPipeline {
  ctx: ServiceContext;
  app: FastifyInstance;
  features: Feature[];
  post(
    url: string,
    body: unknown,
    how?: { contentType?: string; token?: string },
  ): Promise<{
    status: number;
    body: { accepted?: number; rejected?: { index: number; reason: string }[]; error?: unknown };
  }>;
  /**
   * Starts the indexer's consumers when `deferIndexer` held them back (so its first batches hold all that was posted).
   */
  startIndexer(): Promise<void>;
  close(): Promise<void>;
}

/** Collector + indexer in this process, the way `npm start -- all` assembles them. */
export async function startInProcess(
  raw: Record<string, unknown>,
  services: ('collector' | 'indexer')[] = ['collector', 'indexer'],
  options: { deferIndexer?: boolean } = {},
): Promise<InProcessPipeline> {
  const config: PharosConfig = configSchema.parse(raw);
  const logger = pino({ level: process.env.PHAROS_TEST_LOG ?? 'error' });
  const authenticator = new TokenAuthenticator(config.auth.tokens);
  const ctx: ServiceContext = {
    config,
    logger,
    metrics: createMetricsRegistry(),
    authenticator,
    resources: new Resources(),
  };
  const features: Feature[] = [];
  const indexer = services.includes('indexer') ? await indexerFeatures(ctx) : [];
  if (services.includes('collector')) features.push(...(await collectorFeatures(ctx)));
  features.push(...indexer);
  const app = await buildApp({ logger, metrics: ctx.metrics, authenticator, features });
  const deferred = options.deferIndexer ? indexer : [];
  for (const f of features) if (!deferred.includes(f)) await f.start?.();
  return {
    ctx,
    app,
    features,
    async post(url, body, { contentType = 'application/json', token = INGEST_TOKEN } = {}) {
      const res = await app.inject({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
        payload: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: res.statusCode, body: res.json() };
    },
    async startIndexer() {
      for (const f of deferred.splice(0)) await f.start?.();
    },
    async close() {
      await app.close();
      for (const f of [...features].reverse()) await f.stop?.();
      await ctx.resources.closeAll();
    },
  };
}

/** `tsx services/main.ts <service> --config <file>` as a real child process (for kill -9). */
export function spawnService(service: string, configFile: string): ChildProcess {
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile per service process on exit (bench profiling).
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  // --max-semi-space-size as deployed (deploy/kubernetes, npm start): the ingest path makes short-lived garbage.
  const flags = ['--max-semi-space-size=32', ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
  const child = spawn(
    process.execPath,
    [...prof, ...flags, '--import', 'tsx', resolve(REPO_ROOT, 'services/main.ts'), service, '--config', configFile],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      // PHAROS_TEST_LOG is the test harness's switch, not a config override: the child would refuse it.
      env: { ...process.env, PHAROS_CONFIG: '', PHAROS_TEST_LOG: undefined },
    },
  );
  child.stderr?.on('data', (d: Buffer) => {
    if (process.env.PHAROS_TEST_LOG) process.stderr.write(d);
  });
  return child;
}

export function exited(child: ChildProcess): Promise<void> {
  return new Promise((r) =>
    child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r()),
  );
}

export { until } from '../../support/until.ts';
