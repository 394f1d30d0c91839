import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { notificationData } from '../notification-data.ts';
import { webhookPayload, webhookPayloadSchema } from './webhook-payload.ts';

const dir = join(import.meta.dirname, '../../../../../shared/data/alertmanager-webhook');
const files = [
  ...readdirSync(dir).filter((f) => f.endsWith('.json')),
  ...readdirSync(join(dir, 'generated-locally-am0.25'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => `generated-locally-am0.25/${f}`),
];

describe('webhook payload v4 schema', () => {
  it.each(files)('%s', (file) => {
    const parsed = webhookPayloadSchema.safeParse(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    expect(parsed.success).toBe(file !== 'prom2teams_without_mandatory_field.json');
  });

  // Times are written as Go's encoding/json writes them (RFC 3339, fraction trimmed: "…:00Z", "…:12.314Z").
  it('is what Pharos sends, with Alertmanager 0.25 field values', () => {
    const now = Date.parse('2026-01-01T00:10:00Z');
    const alerts = [
      {
        fingerprint: 'f1',
        labels: { alertname: 'A', cluster: 'east' },
        annotations: { summary: 's' },
        startsAt: now - 60_000,
        generatorURL: 'http://p/x',
        updatedAt: now,
      },
      {
        fingerprint: 'f2',
        labels: { alertname: 'A', cluster: 'west' },
        annotations: { summary: 's' },
        startsAt: now - 60_000,
        endsAt: now - 1,
        generatorURL: 'http://p/x',
        updatedAt: now,
      },
    ];
    const payload = webhookPayload(
      notificationData({
        receiver: 'hook',
        groupKey: '{}:{alertname="A"}',
        groupLabels: { alertname: 'A' },
        alerts,
        now,
        externalUrl: 'http://p',
      }),
      1,
    );
    expect(webhookPayloadSchema.parse(payload)).toEqual(payload);
    expect(payload).toMatchObject({
      version: '4',
      status: 'firing',
      commonLabels: { alertname: 'A' },
      commonAnnotations: { summary: 's' },
      truncatedAlerts: 1,
    });
    expect(payload.alerts[0]).toEqual({
      status: 'firing',
      labels: alerts[0]?.labels,
      annotations: { summary: 's' },
      startsAt: '2026-01-01T00:09:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://p/x',
      fingerprint: 'f1',
    });
  });
});
