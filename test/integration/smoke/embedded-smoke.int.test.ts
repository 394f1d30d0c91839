import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../../../scripts/deploy/image-layout.ts';
import { CLUSTER_NAMES, PROMETHEUS_PORTS } from '../../fixtures/prometheus/clusters.ts';
import { FIXTURE_START } from '../../fixtures/prometheus/model.ts';
import { diffResults, type PromData } from '../federation/compare.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../stack/webhook-receiver.ts';

/**
 * Pharos as a user starts it, on the embedded default (SQLite store and durable bus), on whichever Node runs this
 * test (CI runs it on the machine's Node and again on the LTS the image runs: scripts/ci/node-lts.sh): once
 * from the sources through `npm start`, once compiled (`npm run build`, then `NODE_ENV=production npm start`).
 * Each takes logs in, answers them, federates PromQL over the three fixture Prometheus servers exactly as the
 * union server answers, and alerts on the logs to a webhook receiver.
 */

const REPO = resolve(import.meta.dirname, '../../..');
const ADMIN = 'smoke-admin-token-0123456789abcdef';
const INGEST = 'smoke-ingest-token-0123456789abcdef';
const NAMESPACE = 'smoke';
const PROMQL = 'sum by (mode) (rate(demo_cpu_usage_seconds_total[5m]))';
const AT = FIXTURE_START + 3600;

let receiver: WebhookReceiver;
beforeAll(async () => void (receiver = await startWebhookReceiver()));
afterAll(async () => receiver?.close());

function writeConfig(dir: string, port: number): string {
  writeFileSync(
    join(dir, 'smoke.rules.yaml'),
    [
      'groups:',
      '  - name: smoke',
      '    interval: 1s',
      '    rules:',
      '      - alert: SmokeLogsSeen',
      `        expr: count_over_time(pharos_logs{namespace="${NAMESPACE}"}[10m]) > 0`,
      "        annotations: { summary: '{{ $value }} log lines in {{ $labels.cluster }}' }",
    ].join('\n'),
  );
  const config = {
    server: { host: '127.0.0.1', port },
    dataDir: join(dir, 'data'),
    log: { level: 'warn' },
    storage: { type: 'sqlite', path: join(dir, 'data/pharos.db') },
    collector: { cluster: 'local' },
    clusters: CLUSTER_NAMES.map((name) => ({
      name,
      prometheus: { url: `http://127.0.0.1:${PROMETHEUS_PORTS[name]}` },
    })),
    auth: {
      tokens: [
        { name: 'smoke-admin', token: ADMIN, role: 'admin' },
        { name: 'smoke-ingest', token: INGEST, role: 'ingest' },
      ],
    },
    alerting: {
      ruleFiles: [join(dir, 'smoke.rules.yaml')],
      route: {
        receiver: 'smoke',
        group_by: ['alertname', 'cluster'],
        group_wait: '1s',
        group_interval: '2s',
        repeat_interval: '1h',
      },
      receivers: [{ name: 'smoke', webhook_configs: [{ url: `${receiver.url}/${port}` }] }],
    },
  };
  // JSON is YAML: the config file as a user writes it, in the one format both read.
  writeFileSync(join(dir, 'pharos.yaml'), JSON.stringify(config, null, 2));
  return join(dir, 'pharos.yaml');
}

const variants = [
  {
    name: 'from the sources, as `npm start` runs them (no build step)',
    env: { NODE_ENV: 'development' },
    build: false,
  },
  {
    name: 'compiled, as `npm run build` and `NODE_ENV=production npm start` run it',
    env: { NODE_ENV: 'production' },
    build: true,
  },
];

describe.each(variants)('Pharos on the embedded default, $name', ({ env, build }) => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-smoke-'));
  let port: number;
  let pharos: ReturnType<typeof spawn>;
  let output = '';
  const url = (path: string) => `http://127.0.0.1:${port}${path}`;
  const admin = { authorization: `Bearer ${ADMIN}` };

  beforeAll(async () => {
    if (build) execFileSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'pipe' });
    port = await freePort();
    const config = writeConfig(dir, port);
    const startedAt = Date.now();
    // Its own process group, so that stopping it stops npm and node together, as Ctrl-C in a terminal does.
    pharos = spawn('npm', ['start', '--', '--config', config], {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    pharos.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    pharos.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor('/readyz', async () => ((await fetch(url('/readyz'))).ok ? true : undefined), {
      timeoutMs: 120_000,
      context: () => output.slice(-3000),
      gaveUp: () => (pharos.exitCode === null ? undefined : `npm start exited with ${pharos.exitCode}`),
    });
    console.log(
      `[smoke] node ${process.version}, ${build ? 'compiled' : 'sources'}: /readyz after ${Date.now() - startedAt} ms`,
    );
  }, 300_000);

  /** Signals the process group (npm and the node it started); false once none of them is left. */
  const signalGroup = (signal: NodeJS.Signals | 0): boolean => {
    try {
      process.kill(-pharos.pid!, signal);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
      throw err;
    }
  };

  afterAll(async () => {
    if (pharos?.pid) signalGroup('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes log lines in and answers them from the store', async () => {
    const lines = [1, 2, 3].map((i) =>
      JSON.stringify({
        time: new Date().toISOString(),
        log: `smoke line ${i} on ${process.version}`,
        stream: 'stdout',
        kubernetes: { namespace_name: NAMESPACE, pod_name: 'smoke-0', container_name: 'app', host: 'node-1' },
      }),
    );
    const posted = await fetch(url('/v1/ingest/logs'), {
      method: 'POST',
      headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/x-ndjson' },
      body: lines.join('\n'),
    });
    expect(posted.status, await posted.clone().text()).toBeLessThan(300);
    const found = await waitFor(
      'the log lines in /v1/logs',
      async () => {
        const body = (await (await fetch(url(`/v1/logs?namespace=${NAMESPACE}`), { headers: admin })).json()) as {
          total: number;
          items: { message: string; cluster: string }[];
        };
        return body.total === 3 ? body.items : undefined;
      },
      { timeoutMs: 30_000, context: () => output.slice(-3000) },
    );
    expect(found.map((i) => `${i.cluster} ${i.message}`).sort()).toEqual(
      [1, 2, 3].map((i) => `local smoke line ${i} on ${process.version}`),
    );
  });

  it('federates PromQL over the three clusters exactly as the Prometheus holding all of them answers', async () => {
    const query = (base: string, headers = {}) =>
      fetch(`${base}/api/v1/query?${new URLSearchParams({ query: PROMQL, time: String(AT) })}`, { headers }).then(
        (r) => r.json() as Promise<{ status: string; data: PromData }>,
      );
    const [federated, union] = await Promise.all([
      query(url('/prometheus'), admin),
      query(`http://127.0.0.1:${PROMETHEUS_PORTS.union}`),
    ]);
    expect(federated.status).toBe('success');
    expect((union.data.result as unknown[]).length).toBeGreaterThan(1);
    expect(diffResults(union.data, federated.data, { ordered: false })).toBeUndefined();
  });

  it('fires an alert on the logs and posts it to the webhook receiver', async () => {
    const alert = await waitFor(
      'the firing alert at the webhook receiver',
      async () => {
        const body = receiver.requests.find((r) => r.url === `/${port}`)?.json as
          | { status: string; alerts: { labels: Record<string, string>; annotations: Record<string, string> }[] }
          | undefined;
        return body?.status === 'firing' ? body.alerts[0] : undefined;
      },
      { timeoutMs: 60_000, context: () => output.slice(-3000) },
    );
    expect(alert?.labels).toMatchObject({ alertname: 'SmokeLogsSeen', cluster: 'local' });
    expect(alert?.annotations.summary).toBe('3 log lines in local');
  });

  it('stops, npm and node, on SIGTERM to its process group (as Ctrl-C in a terminal)', async () => {
    signalGroup('SIGTERM');
    await waitFor('every process of the group to exit', async () => (signalGroup(0) ? undefined : true), {
      timeoutMs: 35_000,
      context: () => output.slice(-3000),
    });
    expect(output).not.toMatch(/stop failed|\n\s+at /);
    await expect(fetch(url('/healthz'))).rejects.toThrow();
  });
});
