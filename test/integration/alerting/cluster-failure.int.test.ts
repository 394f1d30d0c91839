import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { TokenAuthenticator } from '../../../libs/auth/token-authenticator.ts';
import { configSchema } from '../../../libs/config/config.schema.ts';
import { createLogger } from '../../../libs/logging/logger.ts';
import { Resources } from '../../../libs/runtime/resources.ts';
import { processSources } from '../../../services/alerting/alerting.features.ts';
import type { RuleSources } from '../../../services/alerting/engine/rule-query.ts';
import { testModule } from '../../../services/alerting/testing/fakes.ts';
import { FIXTURE_EVENTS, PROMETHEUS_PORTS } from '../../fixtures/prometheus/generate.ts';

/** Real federation over east and west; `westUrl` decides whether west answers. */
function federationWith(westUrl: string): RuleSources {
  const config = configSchema.parse({
    clusters: [
      { name: 'east', prometheus: { url: `http://127.0.0.1:${PROMETHEUS_PORTS.east}` } },
      { name: 'west', prometheus: { url: westUrl, timeoutMs: 2000 } },
    ],
  });
  return processSources({
    config,
    logger: createLogger('silent'),
    metrics: new Registry(),
    authenticator: new TokenAuthenticator([]),
    resources: new Resources(),
  });
}

describe('a cluster that fails evaluation', () => {
  it('gives a per-cluster error state and holds that cluster’s alerts instead of resolving them', async () => {
    const healthy = federationWith(`http://127.0.0.1:${PROMETHEUS_PORTS.west}`);
    const broken = federationWith('http://127.0.0.1:1');
    let current = healthy;
    const sources: RuleSources = {
      federation: () => current.federation(),
      records: () => current.records(),
      clusters: () => ['east', 'west'],
    };
    const { module } = await testModule({}, sources);
    const group = await module.catalog
      .create({ name: 'down', rules: [{ alert: 'TargetDown', expr: 'up == 0' }] })
      .then(() => module.catalog.groups()[0]!);
    const { from, to, instance } = FIXTURE_EVENTS.nodeDown;
    const signal = AbortSignal.timeout(60_000);
    const state = () => [...module.engine.ruleStates().values()][0]!;

    await module.engine.evaluateGroup(group, (from + 300) * 1000, signal);
    expect(state().health).toBe('ok');
    expect(state().alerts.map((a) => [a.labels.cluster, a.labels.instance, a.state])).toEqual([
      ['west', instance, 'firing'],
    ]);

    current = broken;
    await module.engine.evaluateGroup(group, (to + 300) * 1000, signal);
    expect(state().health).toBe('partial');
    expect(Object.keys(state().clusterErrors)).toEqual(['west']);
    expect(state().alerts.map((a) => [a.labels.cluster, a.state])).toEqual([['west', 'firing']]);
    const history = await module.repo.history({ limit: 10 });
    expect(history.items.map((h) => h.to)).toEqual(['firing', 'pending']);

    current = healthy;
    await module.engine.evaluateGroup(group, (to + 360) * 1000, signal);
    expect(state().health).toBe('ok');
    expect(state().clusterErrors).toEqual({});
    expect(state().alerts.map((a) => a.state)).toEqual(['inactive']);
  });
});
