// Prometheus 3 clients against Pharos over the three 3.16 members (issue 16): promtool 3.16's `query instant|range|
// series|labels` compared with the same commands against the 3.16 union, and alert rules written for Prometheus 3
// (`for`, `keep_firing_for`, `absent`, `changes`, `*_over_time` on window edges) whose `promtool test rules` file
// passes and whose backtest through Pharos's API gives the same firing alerts at every minute.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { TokenAuthenticator, sha256Hex } from '../../../libs/auth/token-authenticator.ts';
import { configSchema } from '../../../libs/config/config.schema.ts';
import { buildApp } from '../../../libs/http/app.ts';
import { createLogger } from '../../../libs/logging/logger.ts';
import { Resources } from '../../../libs/runtime/resources.ts';
import { alertingPlugin, processSources } from '../../../services/alerting/alerting.features.ts';
import { testModule } from '../../../services/alerting/testing/fakes.ts';
import { binaryPath, PROMETHEUS3 } from '../../../scripts/stack/go-binaries.ts';
import { CLUSTER_NAMES, PROMETHEUS3_PORTS } from '../../fixtures/prometheus/generate.ts';
import {
  RULE_TEST_GROUP,
  RULE_TEST_MINUTES,
  RULE_TEST_START,
  expectedFiring,
  promtoolTestFile,
} from '../../fixtures/prometheus/rule-tests.ts';
import { diffResults } from './compare.ts';
import { EVAL_TIME } from './differential.ts';
import { startFederation, TOKEN } from './harness.ts';

const run = promisify(execFile);
const promtool = binaryPath(PROMETHEUS3, 'cmd/promtool');
const clusters3 = () =>
  CLUSTER_NAMES.map((name) => ({ name, prometheus: { url: `http://127.0.0.1:${PROMETHEUS3_PORTS[name]}` } }));

describe('promtool 3.16 query against /prometheus over Prometheus 3 members', () => {
  let server: Awaited<ReturnType<typeof startFederation>>;
  let pharos = '';
  const union = `http://127.0.0.1:${PROMETHEUS3_PORTS.union}`;

  beforeAll(async () => {
    server = await startFederation(clusters3());
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = server.app.server.address() as AddressInfo;
    pharos = `http://promtool:${TOKEN}@127.0.0.1:${port}/prometheus`;
  });
  afterAll(async () => server.close());

  const query = async (args: string[]): Promise<unknown> =>
    JSON.parse((await run(promtool, ['query', ...args, '-o', 'json'], { timeout: 30_000 })).stdout);

  it('instant: a cross-cluster window that starts on a sample, and a native histogram quantile, equal the union', async () => {
    for (const q of [
      'count_over_time(sum(demo_memory_usage_bytes)[5m:1m])',
      'histogram_quantile(0.9, sum(rate(demo_nh_request_duration_seconds[5m])))',
    ]) {
      const args = ['instant', `--time=${EVAL_TIME}`];
      const [ours, theirs] = await Promise.all([query([...args, pharos, q]), query([...args, union, q])]);
      // Equal within 1e-9 relative (float sums in another order differ in the last digit).
      expect(
        diffResults(
          { resultType: 'vector', result: theirs },
          { resultType: 'vector', result: ours },
          { ordered: false, rel: 1e-9 },
        ),
        q,
      ).toBeUndefined();
      expect((theirs as unknown[]).length).toBe(1);
    }
  });

  it('range: a subquery over a cross-cluster aggregation equals the union', async () => {
    const q = 'rate(sum(demo_cpu_usage_seconds_total)[10m:1m])';
    const args = ['range', `--start=${EVAL_TIME - 600}`, `--end=${EVAL_TIME}`, '--step=60s'];
    const [ours, theirs] = await Promise.all([query([...args, pharos, q]), query([...args, union, q])]);
    expect(
      diffResults(
        { resultType: 'matrix', result: theirs },
        { resultType: 'matrix', result: ours },
        { ordered: false, rel: 1e-9 },
      ),
    ).toBeUndefined();
    expect((theirs as { values: unknown[] }[])[0]?.values).toHaveLength(11);
  });

  it('series and labels: every series with its cluster, label values as the union has them', async () => {
    const key = (s: Record<string, string>) => JSON.stringify(Object.entries(s).sort());
    const args = [
      'series',
      '--match=demo_nh_request_duration_seconds',
      `--start=${EVAL_TIME - 60}`,
      `--end=${EVAL_TIME}`,
    ];
    const [ours, theirs] = (await Promise.all([query([...args, pharos]), query([...args, union])])) as Record<
      string,
      string
    >[][];
    expect((ours as Record<string, string>[]).map(key).sort()).toEqual(
      (theirs as Record<string, string>[]).map(key).sort(),
    );
    const labels = ['labels', `--start=${EVAL_TIME - 60}`, `--end=${EVAL_TIME}`];
    expect(await query([...labels, pharos, 'le'])).toEqual(await query([...labels, union, 'le']));
    expect(await query([...labels, pharos, 'cluster'])).toEqual(['east', 'north', 'west']);
  });

  it('buildinfo reports the semantics served and each member version', async () => {
    const res = await server.app.inject({
      url: '/prometheus/api/v1/status/buildinfo',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.json().data).toMatchObject({
      version: '3.16.0',
      semantics: 'Prometheus 3.16.x-compatible',
      pharosVersion: expect.any(String),
      members: { east: { version: '3.16.0' }, west: { version: '3.16.0' }, north: { version: '3.16.0' } },
    });
  });
});

describe("alert rules written for Prometheus 3: promtool 3.16 and Pharos's backtest agree", () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-rules3-'));
  const ADMIN = 'rules3-admin-token-0123456789';
  let app: FastifyInstance;
  let resources: Resources;

  beforeAll(async () => {
    writeFileSync(join(dir, 'rules.yaml'), stringify({ groups: [RULE_TEST_GROUP] }));
    writeFileSync(join(dir, 'tests.yaml'), stringify(promtoolTestFile('rules.yaml')));
    const config = configSchema.parse({ clusters: clusters3(), alerting: { ruleFiles: [] } });
    resources = new Resources();
    const ctx = {
      config,
      logger: createLogger('silent'),
      metrics: new Registry(),
      authenticator: new TokenAuthenticator([]),
      resources,
    };
    const { module } = await testModule({}, processSources(ctx));
    const authenticator = new TokenAuthenticator([]);
    authenticator.add({ name: 'admin', tokenSha256: sha256Hex(ADMIN), role: 'admin' });
    app = await buildApp({
      logger: createLogger('silent'),
      metrics: new Registry(),
      authenticator,
      features: [{ name: 'alerting', routes: alertingPlugin(async () => module) }],
    });
  });
  afterAll(async () => {
    await app?.close();
    await resources?.closeAll();
  });

  it('promtool test rules passes with the expected alerts of every minute', async () => {
    const { stdout } = await run(promtool, ['test', 'rules', join(dir, 'tests.yaml')], { timeout: 60_000 });
    expect(stdout).toContain('SUCCESS');
  });

  it('the backtest over the three members fires the same alerts with the same labels at every minute', async () => {
    const start = RULE_TEST_START;
    const end = RULE_TEST_START + (RULE_TEST_MINUTES - 1) * 60;
    const res = await app.inject({
      method: 'POST',
      url: '/v1/alert-rules/backtest',
      headers: { authorization: `Bearer ${ADMIN}` },
      payload: { group: RULE_TEST_GROUP, start, end, step: '1m' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as {
      rules: {
        alert: string;
        errors: unknown[];
        episodes: { labels: Record<string, string>; firingAt?: number; resolvedAt?: number }[];
      }[];
    };
    expect(body.rules.flatMap((r) => r.errors)).toEqual([]);
    const sortLabels = (ls: Record<string, string>[]) => ls.map((l) => JSON.stringify(Object.entries(l).sort())).sort();
    for (const rule of body.rules) {
      for (let m = 0; m < RULE_TEST_MINUTES; m++) {
        const t = (start + m * 60) * 1000;
        const firing = rule.episodes
          .filter(
            (e) => e.firingAt !== undefined && e.firingAt <= t && (e.resolvedAt === undefined || e.resolvedAt > t),
          )
          .map(({ labels: { alertname: _a, ...rest } }) => rest);
        expect(sortLabels(firing), `${rule.alert} at minute ${m}`).toEqual(sortLabels(expectedFiring(rule.alert, m)));
      }
    }
  });
});
