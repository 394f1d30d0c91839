// Issue 15, item 3: every regex Pharos evaluates itself is RE2 (linear time). Patterns that backtrack for minutes
// in JavaScript's RegExp go through each place — PromQL matchers and label_replace evaluated in Pharos, the
// metrics API filters, dashboard variable regexes, silences, routes, inhibition, Alertmanager API filters,
// rules over records, rule templates, scoped (tenancy) callers — against a Pharos process on the embedded
// default and the fixture Prometheus servers. Each answers within 1 s while /healthz, asked every 50 ms from
// outside, keeps answering; a stored silence with such a regex does not wedge a restart; `(?i)` works.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../../../libs/store/state/sqlite-state.store.ts';
import { SILENCE_COLLECTION, type Silence } from '../../../services/alerting/notify/silences.ts';
import { CLUSTER_NAMES, PROMETHEUS_PORTS } from '../../fixtures/prometheus/generate.ts';
import { until } from '../../support/until.ts';
import { EVAL_TIME } from '../federation/differential.ts';
import { HealthProbe, startPharos, type PharosProcess } from './pharos-process.ts';

const TOKENS = {
  admin: 'regex-admin-token-0123456789',
  editor: 'regex-editor-token-0123456789',
  viewer: 'regex-viewer-token-0123456789',
};
const payments = { clusters: ['*'], namespaces: ['payments'] };
const LONG_ALERT = `${'x'.repeat(40)}`;
const LONG_SEVERITY = 'w'.repeat(40);

function config(dir: string) {
  return {
    dataDir: join(dir, 'data'),
    log: { level: 'warn' },
    storage: { type: 'sqlite', path: join(dir, 'data', 'pharos.db') },
    bus: { type: 'memory' },
    clusters: CLUSTER_NAMES.map((name) => ({
      name,
      prometheus: { url: `http://127.0.0.1:${PROMETHEUS_PORTS[name]}`, timeoutMs: 10_000 },
    })),
    auth: {
      tokens: [
        { name: 'admin', token: TOKENS.admin, role: 'admin' },
        { name: 'editor', token: TOKENS.editor, role: 'editor', scope: payments },
        { name: 'viewer', token: TOKENS.viewer, role: 'viewer', scope: payments },
      ],
      rateLimit: { perSecond: 0 },
    },
    alerting: {
      route: {
        receiver: 'team',
        group_by: ['alertname'],
        group_wait: '1s',
        routes: [
          { receiver: 'team', matchers: ['alertname=~"((.*)*)*!"'] },
          { receiver: 'team', match_re: { severity: '(.+)+!' } },
        ],
      },
      receivers: [{ name: 'team' }],
      inhibit_rules: [
        { source_matchers: ['alertname=~"(.+)+!"'], target_matchers: ['severity=~"((.*)*)*!"'], equal: ['cluster'] },
      ],
    },
  };
}

type Who = keyof typeof TOKENS;

describe('regular expressions Pharos evaluates answer in linear time (issue 15)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-regex-'));
  let pharos: PharosProcess & { port: number };
  let probe: HealthProbe;

  const call = async (who: Who, path: string, init: { method?: string; body?: unknown } = {}) => {
    const res = await fetch(`${pharos.url}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${TOKENS[who]}`,
        ...(init.body === undefined
          ? {}
          : { 'content-type': typeof init.body === 'string' ? 'application/x-ndjson' : 'application/json' }),
      },
      ...(init.body === undefined
        ? {}
        : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    // JSON.parse's any, as inject()'s res.json() in the other suites: these tests read what came back.
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };

  /** The call answers within 1 s and /healthz answered within 1 s all along (ceilings for a stuck event loop). */
  const quick = async (
    label: string,
    { who, path }: { who: Who; path: string },
    init: { method?: string; body?: unknown } = {},
  ) => {
    probe.take();
    const t0 = performance.now();
    const res = await call(who, path, init);
    const took = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 120));
    const health = probe.take();
    expect(took, `${label} answered in ${Math.round(took)} ms`).toBeLessThan(1000);
    expect(health.worstMs, `${label}: slowest /healthz ${Math.round(health.worstMs)} ms`).toBeLessThan(1000);
    expect(health.answered, `${label}: /healthz answered`).toBeGreaterThan(0);
    return res;
  };

  const q = (query: string) => `/prometheus/api/v1/query?${new URLSearchParams({ query, time: String(EVAL_TIME) })}`;

  beforeAll(async () => {
    pharos = await startPharos(dir, config(dir));
    probe = new HealthProbe(pharos.url);
    // Warm every path once with harmless patterns: the alerting module is built on first use.
    for (const [who, path] of [
      ['admin', q('count(up)')],
      ['admin', '/v1/metrics/namespace?metrics_filter=none'],
      ['admin', '/alertmanager/api/v2/alerts'],
      ['admin', '/v1/dashboards'],
    ] as const) {
      expect((await call(who, path)).status).toBe(200);
    }
  });

  afterAll(async () => {
    await probe?.stop();
    await pharos?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('PromQL: label_replace and matchers evaluated in Pharos, for an unrestricted and a scoped caller', async () => {
    const issueQuery = 'label_replace(count by (__name__)({__name__=~".+"}), "x", "$1", "__name__", "(.+)+!")';
    for (const who of ['admin', 'viewer'] as const) {
      const res = await quick(`label_replace as ${who}`, { who, path: q(issueQuery) });
      expect(res.status).toBe(200);
      const result = res.json.data.result as { metric: Record<string, string> }[];
      expect(result.length).toBeGreaterThan(0);
      expect(result.every((s) => !('x' in s.metric))).toBe(true);
    }
    const none = await quick('cluster matcher', { who: 'admin', path: q('count(up{cluster=~"((.*)*)*!"})') });
    expect(none.json.data.result).toEqual([]);
    const series = await quick('series match[]', {
      who: 'viewer',
      path: `/prometheus/api/v1/series?${new URLSearchParams({ 'match[]': 'up{cluster=~"(.+)+!"}', start: String(EVAL_TIME - 600), end: String(EVAL_TIME) })}`,
    });
    expect(series).toMatchObject({ status: 200, json: { data: [] } });
  });

  it('the metrics API: metrics_filter and resources_filter', async () => {
    expect(
      (
        await quick('metrics_filter', {
          who: 'admin',
          path: `/v1/metrics/namespace?metrics_filter=${encodeURIComponent('(\\w+)+!')}&time=${EVAL_TIME}`,
        })
      ).json,
    ).toEqual({ results: [] });
    const res = await quick('resources_filter', {
      who: 'viewer',
      path: `/v1/metrics/namespace?metrics_filter=namespace_pod_count&resources_filter=${encodeURIComponent('(.+)+!')}&time=${EVAL_TIME}`,
    });
    expect(res.json.results).toEqual([
      { metric_name: 'namespace_pod_count', data: { resultType: 'vector', result: [] } },
    ]);
  });

  it('dashboard variable regexes', async () => {
    const board = {
      id: 'regex-board',
      title: 'regex',
      variables: [
        { type: 'query', name: 'metric', query: 'label_values(__name__)', regex: '/^((.*)*)*!$/' },
        { type: 'query', name: 'ns', query: 'label_values(kube_pod_info, namespace)', regex: '/^((.*)*)*!$/' },
      ],
    };
    expect((await call('admin', '/v1/dashboards', { method: 'POST', body: board })).status).toBe(201);
    const vars = await quick('variable regex', {
      who: 'admin',
      path: `/v1/dashboards/regex-board/variables?from=${(EVAL_TIME - 3600) * 1000}&to=${EVAL_TIME * 1000}`,
    });
    expect(vars.status).toBe(200);
    expect(vars.json.variables.map((v: { options: string[] }) => v.options)).toEqual([[], []]);
  });

  it('silences, routes, inhibition and the Alertmanager API filters; rules over records and rule templates', async () => {
    const now = Date.now();
    const silence = {
      matchers: [
        { name: 'alertname', value: '((.*)*)*!', isRegex: true },
        { name: 'namespace', value: 'payments', isRegex: false },
      ],
      startsAt: new Date(now).toISOString(),
      endsAt: new Date(now + 3600_000).toISOString(),
      createdBy: 'editor',
      comment: 'backtracking',
    };
    expect(
      (
        await quick(
          'silence by a scoped editor',
          { who: 'editor', path: '/v1/silences' },
          { method: 'POST', body: silence },
        )
      ).status,
    ).toBe(201);
    const rule = {
      name: 'backtracking',
      interval: '1s',
      rules: [
        {
          alert: LONG_ALERT,
          expr: 'vector(1) > 0',
          labels: { namespace: 'payments', severity: LONG_SEVERITY },
          annotations: { summary: `{{ reReplaceAll "(.+)+!" "-" "${LONG_SEVERITY.repeat(3)}" }}` },
        },
      ],
    };
    expect(
      (await quick('rule group', { who: 'admin', path: '/v1/alert-rules' }, { method: 'POST', body: rule })).status,
    ).toBe(201);
    const alerts = [
      { labels: { alertname: `${LONG_ALERT}y`, severity: LONG_SEVERITY, cluster: 'east', namespace: 'payments' } },
    ];
    expect(
      (
        await quick(
          'alerts posted',
          { who: 'admin', path: '/alertmanager/api/v2/alerts' },
          { method: 'POST', body: alerts },
        )
      ).status,
    ).toBe(200);
    // Routes, silences and inhibition are evaluated for each alert the API lists.
    await until(
      async () =>
        (await quick('alerts listed', { who: 'admin', path: '/alertmanager/api/v2/alerts' })).json.length === 2,
      30_000,
      'the rule and the posted alert listed',
    );
    const listed = (await call('admin', '/alertmanager/api/v2/alerts')).json as {
      labels: Record<string, string>;
      annotations: Record<string, string>;
      status: { state: string };
    }[];
    expect(listed.map((a) => a.status.state)).toEqual(['active', 'active']);
    expect(listed.find((a) => a.labels.alertname === LONG_ALERT)?.annotations.summary).toBe(LONG_SEVERITY.repeat(3));
    const filtered = await quick('alert filter and receiver', {
      who: 'admin',
      path: `/alertmanager/api/v2/alerts?${new URLSearchParams({ filter: 'alertname=~"(.+)+!"', receiver: '((.*)*)*!' })}`,
    });
    expect(filtered.json).toEqual([]);
    // Alertmanager's silence filter matches the silences' own matcher values: "((.*)*)*!" ends with "!".
    const bySilenceFilter = await quick('silence filter', {
      who: 'viewer',
      path: `/alertmanager/api/v2/silences?${new URLSearchParams({ filter: 'alertname=~"(.+)+!"' })}`,
    });
    expect(bySilenceFilter.json.map((s: { comment: string }) => s.comment)).toEqual(['backtracking']);

    const line = JSON.stringify({
      log: 'x'.repeat(5000),
      time: new Date(now).toISOString(),
      kubernetes: { namespace_name: 'payments', pod_name: 'api-1', container_name: 'api' },
    });
    expect((await call('admin', '/v1/ingest/logs?cluster=east', { method: 'POST', body: line })).status).toBeLessThan(
      300,
    );
    await until(
      async () =>
        (
          await call(
            'admin',
            `/v1/logs?${new URLSearchParams({ start: new Date(now - 60_000).toISOString(), end: new Date(now + 60_000).toISOString() })}`,
          )
        ).json.items?.length === 1,
      30_000,
      'the log record indexed',
    );
    const backtest = {
      group: { name: 'bt', rules: [{ alert: 'Raw', expr: 'count_over_time(pharos_logs{raw=~"(.+)+!"}[5m]) > 0' }] },
      start: new Date(now - 120_000).toISOString(),
      end: new Date(now + 60_000).toISOString(),
      step: '1m',
    };
    const bt = await quick(
      'rule over records',
      { who: 'admin', path: '/v1/alert-rules/backtest' },
      {
        method: 'POST',
        body: backtest,
      },
    );
    expect(bt.status).toBe(200);
    expect(bt.json.rules[0].errors).toEqual([]);
  });

  it('(?i) works where Pharos evaluates matchers', async () => {
    const east = await call('admin', q('count by (cluster) (up{cluster=~"(?i)EAST"})'));
    const union = await fetch(
      `http://127.0.0.1:${PROMETHEUS_PORTS.union}/api/v1/query?${new URLSearchParams({ query: 'count by (cluster) (up{cluster="east"})', time: String(EVAL_TIME) })}`,
    ).then((r) => r.json());
    expect(union.data.result).toHaveLength(1);
    expect(east.json.data.result).toEqual(union.data.result);
    const names = (
      await call(
        'admin',
        `/v1/metrics/namespace?metrics_filter=${encodeURIComponent('(?i)NAMESPACE_POD_.*')}&time=${EVAL_TIME}`,
      )
    ).json.results.map((r: { metric_name: string }) => r.metric_name);
    expect(names).toEqual(['namespace_pod_count']);
    const board = {
      id: 'ci-board',
      title: 'ci',
      variables: [
        { type: 'query', name: 'ns', query: 'label_values(kube_pod_info, namespace)', regex: '/^PAY(.*)$/i' },
      ],
    };
    expect((await call('admin', '/v1/dashboards', { method: 'POST', body: board })).status).toBe(201);
    expect(
      (
        await call(
          'admin',
          `/v1/dashboards/ci-board/variables?from=${(EVAL_TIME - 3600) * 1000}&to=${EVAL_TIME * 1000}`,
        )
      ).json.variables[0].options,
    ).toEqual(['ments']);
    const now = Date.now();
    const silence = {
      matchers: [{ name: 'alertname', value: '(?i)diskfull', isRegex: true }],
      startsAt: new Date(now).toISOString(),
      endsAt: new Date(now + 3600_000).toISOString(),
      createdBy: 'admin',
      comment: '',
    };
    const { json: created } = await call('admin', '/v1/silences', { method: 'POST', body: silence });
    expect(
      (
        await call('admin', '/alertmanager/api/v2/alerts', {
          method: 'POST',
          body: [{ labels: { alertname: 'DiskFull', cluster: 'west' } }],
        })
      ).status,
    ).toBe(200);
    const disk = (
      await call('admin', `/alertmanager/api/v2/alerts?${new URLSearchParams({ filter: 'alertname="DiskFull"' })}`)
    ).json;
    expect(disk.map((a: { status: unknown }) => a.status)).toEqual([
      { state: 'suppressed', silencedBy: [created.silenceID ?? created.id], inhibitedBy: [] },
    ]);
  });

  it('restarts with those silences stored, and one an older Pharos accepted that RE2 refuses mutes nothing', async () => {
    expect(await pharos.stop()).toBe(0);
    await probe.stop();
    const store = new SqliteStateStore(join(dir, 'data', 'pharos.db'));
    await store.init();
    const now = Date.now();
    const legacy: Silence = {
      id: 'legacy-lookahead',
      matchers: [{ name: 'alertname', value: '(?!Watchdog).*', isRegex: true }],
      startsAt: now - 1000,
      endsAt: now + 3600_000,
      createdBy: 'pharos 0.1',
      comment: 'stored before RE2',
      updatedAt: now,
    };
    await store.put(SILENCE_COLLECTION, { id: legacy.id, value: legacy });
    await store.close();

    const t0 = performance.now();
    pharos = await startPharos(dir, config(dir), pharos.port);
    probe = new HealthProbe(pharos.url);
    expect(performance.now() - t0).toBeLessThan(60_000);
    const silences = await quick('silences after restart', { who: 'admin', path: '/v1/silences' });
    expect(silences.json.silences.map((s: { id: string }) => s.id)).toContain('legacy-lookahead');
    await until(
      async () =>
        (await quick('alerts after restart', { who: 'admin', path: '/alertmanager/api/v2/alerts' })).json.some(
          (a: { labels: Record<string, string> }) => a.labels.alertname === LONG_ALERT,
        ),
      30_000,
      'the rule firing again',
    );
    expect(
      (
        await call('admin', '/alertmanager/api/v2/alerts', {
          method: 'POST',
          body: [{ labels: { alertname: 'Anything', cluster: 'north' } }],
        })
      ).status,
    ).toBe(200);
    const anything = (
      await quick('alert next to the legacy silence', {
        who: 'admin',
        path: `/alertmanager/api/v2/alerts?${new URLSearchParams({ filter: 'alertname="Anything"' })}`,
      })
    ).json;
    expect(anything.map((a: { status: { state: string } }) => a.status.state)).toEqual(['active']);
  });
});
