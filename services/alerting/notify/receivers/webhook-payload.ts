import { z } from 'zod';
import type { NotificationData } from '../notification-data.ts';

/**
 * Alertmanager's webhook payload, version "4" (docs/configuration.md, <webhook_config>), derived from what real
 * receivers accept (../shared/data/alertmanager-webhook): `status`, `receiver`, `alerts` and `version` are
 * mandatory; the rest is optional because older senders left it out.
 */
const labels = z.record(z.string(), z.string());

export const webhookAlertSchema = z.object({
  status: z.enum(['firing', 'resolved']).optional(),
  labels,
  annotations: labels,
  startsAt: z.string().min(1),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});

export const webhookPayloadSchema = z.object({
  version: z.literal('4'),
  groupKey: z.string().optional(),
  truncatedAlerts: z.number().int().min(0).optional(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string(),
  groupLabels: labels.optional(),
  commonLabels: labels.optional(),
  commonAnnotations: labels.optional(),
  externalURL: z.string().optional(),
  alerts: z.array(webhookAlertSchema),
});

export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;

const plain = (kv: object): Record<string, string> =>
  Object.fromEntries(Object.entries(kv).filter((e): e is [string, string] => typeof e[1] === 'string'));

/** The payload Alertmanager 0.25 sends, field for field, with `max_alerts` truncation. */
export function webhookPayload(data: NotificationData, maxAlerts: number): WebhookPayload {
  const alerts = maxAlerts > 0 ? data.Alerts.slice(0, maxAlerts) : [...data.Alerts];
  return {
    receiver: data.Receiver,
    status: data.Status,
    alerts: alerts.map((a) => ({
      status: a.Status,
      labels: plain(a.Labels),
      annotations: plain(a.Annotations),
      startsAt: a.StartsAt.toJSON(),
      endsAt: a.EndsAt.toJSON(),
      generatorURL: a.GeneratorURL,
      fingerprint: a.Fingerprint,
    })),
    groupLabels: plain(data.GroupLabels),
    commonLabels: plain(data.CommonLabels),
    commonAnnotations: plain(data.CommonAnnotations),
    externalURL: data.ExternalURL,
    version: '4',
    groupKey: data.GroupKey,
    truncatedAlerts: data.Alerts.length - alerts.length,
  };
}
