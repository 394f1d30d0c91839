import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { TokenAuthenticator } from '../libs/auth/token-authenticator.ts';
import { configSchema } from '../libs/config/config.schema.ts';
import { createLogger } from '../libs/logging/logger.ts';
import { Resources } from '../libs/runtime/resources.ts';
import { OpenSearchStateStore } from '../libs/store/state/opensearch-state.store.ts';
import { SqliteStateStore } from '../libs/store/state/sqlite-state.store.ts';
import { AlertingModule } from '../services/alerting/alerting.module.ts';
import { processSources } from '../services/alerting/alerting.features.ts';
import { CLUSTER_NAMES, FIXTURE_START, PROMETHEUS_PORTS } from '../test/fixtures/prometheus/generate.ts';

/**
 * 1,000 metric rules (10 groups × 100, interval 30 s) evaluated by the real scheduler through the federation layer
 * over the three fixture Prometheus servers (east/west/north), on the wall clock, for BENCH_CYCLES cycles (default
 * 4). The scheduler's clock is mapped into the fixture window so every query reads real data. Goal: zero missed
 * evaluations. Prints per-group and per-cycle evaluation time. Run: `npm run bench -- rules`
 * (BENCH_STORE=opensearch keeps alert state in OpenSearch at 127.0.0.1:9200 instead of SQLite).
 */
const CYCLES = Number(process.env.BENCH_CYCLES ?? 4);
const GROUPS = 10;
const PER_GROUP = 100;
const INTERVAL = '30s';

const TEMPLATES = [
  (i: number) =>
    `rate(container_cpu_usage_seconds_total{namespace="${['payments', 'checkout', 'search', 'default'][i % 4]}"}[5m]) > ${(i % 50) / 100}`,
  (i: number) => `sum by (namespace) (rate(container_cpu_usage_seconds_total[5m])) > ${(i % 40) / 20}`,
  (i: number) => `up == ${i % 2}`,
  (i: number) => `demo_memory_usage_bytes{type="used"} > ${1e9 + i * 1e7}`,
  (i: number) => `avg by (cluster) (rate(demo_cpu_usage_seconds_total{mode="user"}[5m])) > ${(i % 30) / 20}`,
  (i: number) => `sum by (cluster, namespace) (container_memory_working_set_bytes) > ${i * 1e6}`,
  (i: number) => `increase(kube_pod_container_status_restarts_total[10m]) > ${i % 3}`,
  (i: number) => `count by (cluster) (kube_pod_info) > ${i % 60}`,
];

const groups = Array.from({ length: GROUPS }, (_, g) => ({
  name: `bench-${g}`,
  interval: INTERVAL,
  rules: Array.from({ length: PER_GROUP }, (_, r) => {
    const i = g * PER_GROUP + r;
    return {
      alert: `BenchRule${i}`,
      expr: (TEMPLATES[i % TEMPLATES.length] as (i: number) => string)(i),
      for: '1m',
      labels: { bench: 'rules' },
    };
  }),
}));

const config = configSchema.parse({
  clusters: CLUSTER_NAMES.map((name) => ({ name, prometheus: { url: `http://127.0.0.1:${PROMETHEUS_PORTS[name]}` } })),
  alerting: {
    ruleFiles: [],
    route: { receiver: 'default', group_by: ['alertname'] },
    receivers: [{ name: 'default' }],
  },
});
const metrics = new Registry();
const ctx = {
  config,
  logger: createLogger('warn'),
  metrics,
  authenticator: new TokenAuthenticator([]),
  resources: new Resources(),
};
const dir = mkdtempSync(join(tmpdir(), 'pharos-bench-rules-'));
const onOpenSearch = process.env.BENCH_STORE === 'opensearch';
const prefix = `pharos-bench-rules-${Date.now().toString(36)}`;
const store = onOpenSearch
  ? new OpenSearchStateStore({ url: 'http://127.0.0.1:9200', indexPrefix: prefix, requestTimeoutMs: 30_000 })
  : new SqliteStateStore(join(dir, 'state.db'));
await store.init();

const wallStart = Date.now();
// Wall time runs on from one hour into the fixture window, so queries see data.
const fixtureNow = () => (FIXTURE_START + 3600) * 1000 + (Date.now() - wallStart);
const module = new AlertingModule({
  config: config.alerting,
  store,
  sources: processSources(ctx),
  logger: ctx.logger,
  metrics,
  externalUrl: 'http://bench',
  holder: 'bench',
  now: fixtureNow,
});
for (const g of groups) await module.catalog.create(g);

// Per-group durations, recorded by wrapping the engine's evaluation.
const durations: { group: string; at: number; ms: number }[] = [];
const evaluate = module.engine.evaluateGroup.bind(module.engine);
module.engine.evaluateGroup = async (group, at, signal) => {
  const t0 = performance.now();
  await evaluate(group, at, signal);
  durations.push({ group: group.name, at, ms: performance.now() - t0 });
};

console.log(
  `rules bench (state store: ${store.type}): ${GROUPS * PER_GROUP} rules in ${GROUPS} groups, interval ${INTERVAL}, ${CYCLES} cycles, clusters ${CLUSTER_NAMES.join('/')}`,
);
await module.start();
await new Promise((r) => setTimeout(r, CYCLES * 30_000 + 5_000));
await module.stop();

const missed =
  (await metrics.getSingleMetric('pharos_alerting_group_missed_evaluations_total')?.get())?.values.reduce(
    (s, v) => s + v.value,
    0,
  ) ?? 0;
const cycles = new Map<number, number[]>();
for (const d of durations) {
  const cycle = Math.floor((d.at - (FIXTURE_START + 3600) * 1000) / 30_000);
  cycles.set(cycle, [...(cycles.get(cycle) ?? []), d.ms]);
}
const sorted = durations.map((d) => d.ms).sort((a, b) => a - b);
const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const states = module.engine.ruleStates();
const health = [...states.values()].reduce<Record<string, number>>(
  (acc, s) => ((acc[s.health] = (acc[s.health] ?? 0) + 1), acc),
  {},
);
console.log(
  `group evaluations: ${durations.length}; per group (100 rules): p50 ${pct(50).toFixed(0)} ms, p95 ${pct(95).toFixed(0)} ms, max ${pct(100).toFixed(0)} ms`,
);
for (const [cycle, list] of [...cycles].sort(([a], [b]) => a - b)) {
  console.log(
    `cycle ${cycle}: ${list.length} groups, evaluation time summed over groups ${(list.reduce((s, x) => s + x, 0) / 1000).toFixed(2)} s (of a 30 s interval)`,
  );
}
console.log(
  `rule health: ${JSON.stringify(health)}; active alerts: ${[...states.values()].reduce((s, st) => s + st.alerts.filter((a) => a.state !== 'inactive').length, 0)}`,
);
console.log(`missed evaluations: ${missed}`);
await store.close();
if (onOpenSearch) await fetch(`http://127.0.0.1:9200/${prefix}-state`, { method: 'DELETE' }).catch(() => undefined);
rmSync(dir, { recursive: true, force: true });
process.exit(missed === 0 ? 0 : 1);
