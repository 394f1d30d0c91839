// Issue 15, item 4: what a leaf query may cost a member Prometheus is bounded before it is sent. Every cluster is
// reached through a recording proxy in front of its real fixture Prometheus; queries over
// federation.maxPointsPerSeries / maxSubqueryPointsPerSeries get 400 PHAROS_ERR_LIMIT naming the limit, through
// the Prometheus API, the rules API, rule files, backtests and dashboard panels, and no proxy ever sees them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_NAMES, PROMETHEUS_PORTS } from '../../fixtures/prometheus/generate.ts';
import { buildFullApp, TOKENS, type FullApp } from '../tenancy/full-app.ts';
import { EVAL_TIME } from './differential.ts';
import { startRecordingProxy, type RecordedRequest, type RecordingProxy } from './recording-proxy.ts';

const admin = { authorization: `Bearer ${TOKENS.admin}` };
const viewer = { authorization: `Bearer ${TOKENS.viewer}` };

/** Anything finer than a minute, as a subquery step or a range step: only the refused queries ask for that. */
const costly = (r: RecordedRequest): boolean =>
  /:(\d+ms|\d+s)\]/.test(r.params.query ?? '') || (r.params.step !== undefined && Number(r.params.step) < 60);

const ISSUE_QUERY = 'max_over_time(kube_pod_info[30d:1ms])';

describe('leaf queries are bounded before a cluster is asked (issue 15)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-leaf-limits-'));
  let proxies: RecordingProxy[];
  let full: FullApp;

  const prom = async (
    headers: Record<string, string>,
    { path, params, method = 'GET' }: { path: string; params: Record<string, string>; method?: 'GET' | 'POST' },
  ) => {
    const form = new URLSearchParams(params).toString();
    return method === 'GET'
      ? full.app.inject({ method, url: `/prometheus/api/v1/${path}?${form}`, headers })
      : full.app.inject({
          method,
          url: `/prometheus/api/v1/${path}`,
          headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
          payload: form,
        });
  };
  const asked = () => proxies.flatMap((p) => p.requests);

  beforeAll(async () => {
    proxies = await Promise.all(
      CLUSTER_NAMES.map((name) => startRecordingProxy(`http://127.0.0.1:${PROMETHEUS_PORTS[name]}`, costly)),
    );
    writeFileSync(
      join(dir, 'costly.yaml'),
      `groups:\n  - name: costly\n    rules:\n      - alert: Costly\n        expr: ${ISSUE_QUERY} > 0\n`,
    );
    writeFileSync(
      join(dir, 'fine.yaml'),
      'groups:\n  - name: fine\n    rules:\n      - alert: Fine\n        expr: vector(1) < 0\n',
    );
    full = await buildFullApp({
      clusters: CLUSTER_NAMES.map((name, i) => ({
        name,
        prometheus: { url: (proxies[i] as RecordingProxy).url, timeoutMs: 10_000 },
      })),
      alerting: { ruleFiles: [join(dir, '*.yaml')] },
    });
  });

  afterAll(async () => {
    await full?.close();
    for (const p of proxies ?? []) await p.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks the clusters for queries within the limits (the proxies see them)', async () => {
    for (const query of [
      'count(kube_pod_info)',
      'max_over_time(kube_pod_info[1h:1m])',
      'max_over_time(count(kube_pod_info)[1h:5m])',
    ]) {
      const res = await prom(admin, { path: 'query', params: { query, time: String(EVAL_TIME) } });
      expect(res.statusCode, query).toBe(200);
      expect(res.json().data.result.length, query).toBeGreaterThan(0);
    }
    for (const p of proxies) expect(p.requests.filter((r) => r.forwarded).length).toBeGreaterThanOrEqual(3);
  });

  it('refuses costly queries on the Prometheus API with 400 PHAROS_ERR_LIMIT naming the limit, before any cluster is asked', async () => {
    const before = asked().length;
    const cases: [Record<string, string>, 'query' | 'query_range', RegExp][] = [
      [
        { query: ISSUE_QUERY, time: String(EVAL_TIME) },
        'query',
        /the subquery \[4w2d:1ms\] evaluates 2,592,000,001 points per series at each step .*federation\.maxPointsPerSeries=11000/,
      ],
      [
        { query: 'sum by (namespace) (max_over_time(kube_pod_info{cluster="east"}[1d:1s]))', time: String(EVAL_TIME) },
        'query',
        /\[1d:1s\] evaluates 86,401 points .*federation\.maxPointsPerSeries/,
      ],
      [
        { query: 'up', start: String(EVAL_TIME - 86_400), end: String(EVAL_TIME), step: '1' },
        'query_range',
        /exceeded maximum resolution of 11,000 points per timeseries \(federation\.maxPointsPerSeries; this query asks 86,401\)/,
      ],
      [
        {
          query: 'max_over_time(up[1h:1s])',
          start: String(EVAL_TIME - 30 * 86_400),
          end: String(EVAL_TIME),
          step: '3600',
        },
        'query_range',
        /federation\.maxSubqueryPointsPerSeries=110000/,
      ],
      [
        {
          query: 'max_over_time(sum(up)[1d:10s])',
          start: String(EVAL_TIME - 2 * 86_400),
          end: String(EVAL_TIME),
          step: '3600',
        },
        'query_range',
        /above a cross-cluster expression.*range query of 25,921 points per series, over federation\.maxPointsPerSeries/,
      ],
    ];
    for (const [params, path, message] of cases) {
      for (const [who, method] of [
        [admin, 'GET'],
        [viewer, 'POST'],
      ] as const) {
        const res = await prom(who, { path, params, method });
        expect(res.statusCode, params.query).toBe(400);
        expect(res.json()).toMatchObject({
          status: 'error',
          errorType: 'bad_data',
          code: 'PHAROS_ERR_LIMIT',
          error: expect.stringMatching(message),
        });
      }
    }
    expect(asked().slice(before)).toEqual([]);
  });

  it('refuses such a rule on the rules API and in a backtest, and reports a rule file holding one', async () => {
    const group = { name: 'costly-api', rules: [{ alert: 'Costly', expr: `${ISSUE_QUERY} > 0` }] };
    const created = await full.app.inject({ method: 'POST', url: '/v1/alert-rules', headers: admin, payload: group });
    expect(created.statusCode).toBe(400);
    expect(created.json().error).toMatchObject({
      code: 'PHAROS_ERR_LIMIT',
      message: expect.stringMatching(/federation\.maxPointsPerSeries/),
      details: [{ path: 'rules.0.expr', message: expect.stringMatching(/\[4w2d:1ms\]/) }],
    });
    const bt = await full.app.inject({
      method: 'POST',
      url: '/v1/alert-rules/backtest',
      headers: admin,
      payload: {
        group,
        start: new Date((EVAL_TIME - 600) * 1000).toISOString(),
        end: new Date(EVAL_TIME * 1000).toISOString(),
      },
    });
    expect(bt.statusCode).toBe(400);
    expect(bt.json().error.code).toBe('PHAROS_ERR_LIMIT');
    const list = (await full.app.inject({ url: '/v1/alert-rules', headers: admin })).json();
    expect(list.groups.map((g: { group: { name: string } }) => g.group.name)).toEqual(['fine']);
    expect(list.fileProblems).toEqual([
      {
        file: join(dir, 'costly.yaml'),
        message: '1 problem(s)',
        details: [
          { path: 'groups.0.rules.0.expr', message: expect.stringMatching(/federation\.maxPointsPerSeries=11000/) },
        ],
      },
    ]);
  });

  it('answers a dashboard panel holding such a query with the limit error, beside the panels that render', async () => {
    const board = {
      id: 'costly-board',
      title: 'costly',
      rows: [
        {
          panels: [
            { type: 'stat', title: 'costly', targets: [{ expr: ISSUE_QUERY, instant: true }] },
            { type: 'stat', title: 'fine', targets: [{ expr: 'count(kube_pod_info)', instant: true }] },
          ],
        },
      ],
    };
    expect(
      (await full.app.inject({ method: 'POST', url: '/v1/dashboards', headers: admin, payload: board })).statusCode,
    ).toBe(201);
    const range = `from=${(EVAL_TIME - 3600) * 1000}&to=${EVAL_TIME * 1000}`;
    const render = await full.app.inject({ url: `/v1/dashboards/costly-board/render?${range}`, headers: viewer });
    expect(render.statusCode).toBe(200);
    const panels = render.json().panels as {
      title: string;
      error?: { code: string; message: string };
      data: { series: unknown[] };
    }[];
    expect(panels.map((p) => [p.title, p.error?.code])).toEqual([
      ['costly', 'PHAROS_ERR_LIMIT'],
      ['fine', undefined],
    ]);
    expect(panels[0]?.error?.message).toMatch(/federation\.maxPointsPerSeries=11000/);
    expect(panels[1]?.data.series.length).toBeGreaterThan(0);
  });

  it('sent none of the refused queries to any member Prometheus', () => {
    const all = asked();
    expect(all.length).toBeGreaterThan(0);
    expect(all.filter(costly)).toEqual([]);
    expect(all.every((r) => r.forwarded)).toBe(true);
  });
});
