import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { TokenAuthenticator } from '../../../libs/auth/token-authenticator.ts';
import { configSchema } from '../../../libs/config/config.schema.ts';
import { createLogger } from '../../../libs/logging/logger.ts';
import { Resources } from '../../../libs/runtime/resources.ts';
import { processSources } from '../../../services/alerting/alerting.features.ts';
import { backtest, type BacktestResult } from '../../../services/alerting/engine/backtest.ts';
import { loadRuleFiles } from '../../../services/alerting/rules/rule-files.ts';
import { CLUSTER_NAMES, FIXTURE_END, FIXTURE_START, PROMETHEUS_PORTS } from '../../fixtures/prometheus/generate.ts';
import { unionSources } from './union-reference.ts';

const config = configSchema.parse({
  clusters: CLUSTER_NAMES.map((name) => ({ name, prometheus: { url: `http://127.0.0.1:${PROMETHEUS_PORTS[name]}` } })),
  alerting: { ruleFiles: [] },
});
const ctx = {
  config,
  logger: createLogger('silent'),
  metrics: new Registry(),
  authenticator: new TokenAuthenticator([]),
  resources: new Resources(),
};

/** Transitions as comparable lines: time, alert labels (which include `cluster` where the expr keeps it), change. */
const timeline = (r: BacktestResult) =>
  r.rules
    .flatMap((rule) =>
      rule.transitions.map(
        (t) =>
          `${new Date(t.time).toISOString()} ${JSON.stringify(Object.entries(t.labels).sort())} ${t.from}->${t.to}`,
      ),
    )
    .sort();

describe('metric rules: Pharos over three clusters vs a reference over the union Prometheus', () => {
  const { groups, problems } = loadRuleFiles([join('test/integration/alerting/parity-rules.yaml')], {
    defaultIntervalMs: 60_000,
  });

  it('loads the parity rule file', () => {
    expect(problems).toEqual([]);
    expect(groups).toHaveLength(2);
  });

  it.each(groups.map((g) => [g.name, g] as const))(
    '%s fires the same alerts with the same labels at the same times',
    async (_name, group) => {
      const range = { start: (FIXTURE_START + 10 * 60) * 1000, end: FIXTURE_END * 1000 };
      const opts = {
        resolvedRetentionMs: 15 * 60_000,
        externalUrl: 'http://pharos.test',
        signal: AbortSignal.timeout(110_000),
      };
      const [pharos, reference] = await Promise.all([
        backtest(group, range, { ...opts, sources: processSources(ctx) }),
        backtest(group, range, { ...opts, sources: unionSources(`http://127.0.0.1:${PROMETHEUS_PORTS.union}`) }),
      ]);
      expect(pharos.rules.flatMap((r) => r.errors)).toEqual([]);
      expect(reference.rules.flatMap((r) => r.errors)).toEqual([]);
      expect(timeline(pharos)).toEqual(timeline(reference));
      expect(timeline(pharos).length).toBeGreaterThan(0);
    },
  );

  it('gives per-cluster alerts their cluster label', async () => {
    const group = groups.find((g) => g.name === 'parity-per-cluster');
    const at = (FIXTURE_START + 75 * 60) * 1000;
    const out = await backtest(
      group!,
      { start: at - 10 * 60_000, end: at },
      {
        sources: processSources(ctx),
        resolvedRetentionMs: 1,
        externalUrl: 'x',
        signal: AbortSignal.timeout(60_000),
      },
    );
    const down = out.rules.find((r) => r.alert === 'TargetDown');
    expect(down?.episodes.map((e) => e.labels)).toEqual([
      expect.objectContaining({
        alertname: 'TargetDown',
        cluster: 'west',
        instance: 'node-2:9100',
        severity: 'warning',
      }),
    ]);
    expect(down?.episodes[0]?.firingAt).toBeDefined();
  });
});
