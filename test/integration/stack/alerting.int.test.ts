// node-exporter and Alertmanager from the stack are the real daemons: node-exporter serves this machine's
// metrics, and an alert posted to Alertmanager arrives at its webhook receiver.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERTMANAGER_PORT, ALERTMANAGER_WEBHOOK_PORT } from '../../../scripts/stack/alertmanager.ts';
import { NODE_EXPORTER_PORT } from '../../../scripts/stack/node-exporter.ts';
import { until } from '../../support/until.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

describe('node-exporter (stack)', () => {
  it('serves node metrics', async () => {
    const response = await fetch(`http://127.0.0.1:${NODE_EXPORTER_PORT}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^node_cpu_seconds_total\{cpu="0",mode="idle"\} /m);
  });
});

describe('alertmanager (stack)', () => {
  let webhook: WebhookReceiver;
  beforeAll(async () => {
    webhook = await startWebhookReceiver({ port: ALERTMANAGER_WEBHOOK_PORT });
  });
  afterAll(() => webhook.close());

  it('notifies the webhook receiver of a posted alert', async () => {
    const alertname = `StackTest_${randomUUID().slice(0, 8)}`;
    const response = await fetch(`http://127.0.0.1:${ALERTMANAGER_PORT}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { labels: { alertname, cluster: 'east', severity: 'warning' }, annotations: { summary: 'test' } },
      ]),
    });
    expect(response.status).toBe(200);

    await until(
      () => webhook.requests.some((r) => r.body.includes(alertname)),
      30_000,
      `Alertmanager's webhook for ${alertname}`,
    );
    const request = webhook.requests.find((r) => r.body.includes(alertname));
    expect(request?.url).toBe('/alertmanager');
    expect(request?.json).toMatchObject({
      version: '4',
      status: 'firing',
      receiver: 'pharos-webhook',
      groupLabels: { alertname, cluster: 'east' },
      alerts: [{ status: 'firing', labels: { alertname, cluster: 'east', severity: 'warning' } }],
    });
  });
});
