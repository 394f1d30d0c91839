import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Feature } from '../../../libs/http/feature.ts';
import { alertingFeatures } from '../../../services/alerting/alerting.features.ts';
import { otlpTracesJson, times } from '../../../services/alerting/testing/span-fixtures.ts';
import { engineConfig, startInProcess, type InProcessPipeline } from '../ingest/pipeline.helpers.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../stack/webhook-receiver.ts';

/**
 * A span rule in the embedded default, end to end: OTLP/JSON spans posted to the traces intake, through the
 * in-process bus and the indexer into the SQLite span store, evaluated by the alerting feature as the process
 * builds it (its span store from the same config), notified to a webhook.
 */
const RULES = `groups:
  - name: traces
    interval: 1s
    rules:
      - alert: ServiceErrorRate
        expr: >-
          sum by (service) (count_over_time(pharos_spans{kind="server", status="error"}[5m]))
          / sum by (service) (count_over_time(pharos_spans{kind="server"}[5m])) > 0.05
        labels:
          severity: warning
`;

describe('span rules in the running process (embedded default)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-span-rules-process-'));
  let hook: WebhookReceiver;
  let pipeline: InProcessPipeline;
  let alerting: Feature[];
  beforeAll(async () => {
    hook = await startWebhookReceiver();
    writeFileSync(join(dir, 'traces.yaml'), RULES);
    pipeline = await startInProcess({
      ...engineConfig('x', dir),
      storage: { type: 'sqlite', path: join(dir, 'pharos.db') },
      bus: { type: 'memory' },
      alerting: {
        ruleFiles: [join(dir, '*.yaml')],
        evaluation: { leaseTtl: '3s' },
        route: { receiver: 'team', group_by: ['alertname', 'cluster'], group_wait: '1s', group_interval: '2s' },
        receivers: [{ name: 'team', webhook_configs: [{ url: `${hook.url}/hook` }] }],
      },
    });
    alerting = await alertingFeatures(pipeline.ctx);
    for (const f of alerting) await f.start?.();
  });
  afterAll(async () => {
    for (const f of alerting ?? []) await f.stop?.();
    await pipeline?.close();
    await hook?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = async (specs: Parameters<typeof otlpTracesJson>[0]) => {
    const res = await pipeline.post('/otlp/v1/traces', otlpTracesJson(specs));
    expect(res.status).toBe(200);
  };

  it('fires on the error rate of spans posted to the intake, and resolves when it falls', async () => {
    const live = { cluster: 'east', namespace: 'shop', service: 'orders', at: Date.now() - 1000 };
    await send([...times(8, live), ...times(2, { ...live, error: true })]);
    const [fired] = await hook.waitForRequests(1, 60_000);
    expect(fired?.json).toMatchObject({
      status: 'firing',
      alerts: [{ labels: { alertname: 'ServiceErrorRate', cluster: 'east', service: 'orders', severity: 'warning' } }],
    });
    // 2 errors in 100 spans.
    await send(times(90, { ...live, at: Date.now() - 500 }));
    const [, resolved] = await hook.waitForRequests(2, 60_000);
    expect(resolved?.json).toMatchObject({ status: 'resolved', alerts: [{ labels: { service: 'orders' } }] });
  });
});
