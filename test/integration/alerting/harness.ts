import { Registry } from 'prom-client';
import { alertingConfigSchema } from '../../../libs/config/sections/alerting.ts';
import { createLogger } from '../../../libs/logging/logger.ts';
import { OpenSearchStateStore } from '../../../libs/store/state/opensearch-state.store.ts';
import type { StateStore } from '../../../libs/store/state-store.ts';
import { AlertingModule } from '../../../services/alerting/alerting.module.ts';
import type { RuleSources } from '../../../services/alerting/engine/rule-query.ts';
import type { FederatedResult, InstantQuery } from '../../../libs/federation/federation.types.ts';

export const OPENSEARCH = 'http://127.0.0.1:9200';

/** A state store on the real OpenSearch, in an index of its own that `drop` removes. */
export async function openSearchStore(name: string): Promise<{ store: StateStore; drop: () => Promise<void> }> {
  const prefix = `pharos-it-${name}-${Date.now().toString(36)}`;
  const store = new OpenSearchStateStore({ url: OPENSEARCH, indexPrefix: prefix, requestTimeoutMs: 30_000 });
  await store.init();
  return {
    store,
    drop: async () => void (await fetch(`${OPENSEARCH}/${prefix}-state`, { method: 'DELETE' }).catch(() => undefined)),
  };
}

/**
 * A metric source the test switches on and off: `up == 0` answers one series per entry of `down` (cluster/instance)
 * while it is set. The federation itself is checked against real Prometheus servers in federation-parity.
 */
export function switchableSource(): { sources: RuleSources; down: Set<string> } {
  const down = new Set<string>();
  const instant = async (q: InstantQuery): Promise<FederatedResult> => ({
    resultType: 'vector',
    result:
      q.query === 'up == 0'
        ? [...down].map((d) => ({
            metric: { __name__: 'up', cluster: d.split('/')[0], instance: d.split('/')[1], job: 'node' },
            value: [q.time, '0'],
          }))
        : [],
    warnings: [],
    clusters: { east: { status: 'ok' }, west: { status: 'ok' } },
  });
  return {
    down,
    sources: {
      federation: async () => ({ instant, clusters: () => ['east', 'west'] }),
      records: async () => Promise.reject(new Error('none')),
      clusters: () => ['east', 'west'],
    },
  };
}

export const RULE_GROUP = {
  name: 'it-node',
  interval: '1s',
  rules: [
    {
      alert: 'NodeDown',
      expr: 'up == 0',
      labels: { severity: 'critical' },
      annotations: { summary: '{{ $labels.instance }} in {{ $labels.cluster }} is down' },
    },
  ],
};

/** Fast timings so a test sees a whole episode in seconds; the pipeline is the production one. */
export function fastConfig(receivers: unknown[]) {
  return alertingConfigSchema.parse({
    ruleFiles: [],
    evaluation: { leaseTtl: '3s', resolvedRetention: '1m' },
    notification: { initialBackoff: '500ms', maxBackoff: '3s', giveUpAfter: '10m' },
    route: {
      receiver: 'team',
      group_by: ['alertname', 'cluster'],
      group_wait: '1s',
      group_interval: '2s',
      repeat_interval: '1h',
    },
    receivers,
  });
}

export function startModule(opts: {
  store: StateStore;
  sources: RuleSources;
  receivers: unknown[];
  holder: string;
}): AlertingModule {
  return new AlertingModule({
    config: fastConfig(opts.receivers),
    store: opts.store,
    sources: opts.sources,
    logger: createLogger(process.env.PHAROS_TEST_LOG ?? 'silent'),
    metrics: new Registry(),
    externalUrl: 'http://pharos.test',
    holder: opts.holder,
    tickMs: 200,
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
