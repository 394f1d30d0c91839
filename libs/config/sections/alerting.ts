import { z } from 'zod';
import { amSections, checkAlertmanagerConfig } from './alertmanager/am-config.ts';
import { tryParseDuration } from '../../time/duration.ts';
import { receiverSchema } from './alertmanager/am-receiver.ts';
import { routeSchema } from './alertmanager/am-route.ts';

export {
  emailConfigSchema,
  webhookConfigSchema,
  type EmailConfig,
  type WebhookConfig,
} from './alertmanager/am-receivers-basic.ts';
export { receiverSchema, type ReceiverConfig } from './alertmanager/am-receiver.ts';
export { routeSchema, type AmRoute, type InhibitRuleConfig } from './alertmanager/am-route.ts';

/**
 * The `alerting` section. `global`, `route`, `receivers`, `inhibit_rules`, `time_intervals`, `mute_time_intervals`
 * and `templates` follow Alertmanager's own configuration format (snake_case,
 * https://prometheus.io/docs/alerting/latest/configuration/, checked as Alertmanager 0.35 checks them:
 * libs/config/sections/alertmanager/), so an existing alertmanager.yml can be pasted in, or given whole by path with
 * `alertmanagerConfigFile`. Everything else is Pharos's own.
 */
const duration = z
  .string()
  .refine((s) => tryParseDuration(s) !== undefined, 'must be a Prometheus duration such as 30s, 5m, 1h30m');

/** Retry and timeout settings of notification delivery; per receiver in `notification.receivers.<name>`. */
const deliveryFields = {
  initialBackoff: duration.optional(),
  maxBackoff: duration.optional(),
  /** A notification is given up after this long of failed attempts (logged as failed). */
  giveUpAfter: duration.optional(),
  /** Each attempt's timeout (an integration's own `timeout` option wins). */
  timeout: duration.optional(),
};

export const alertingConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Rule files (globs, relative to the working directory). */
    ruleFiles: z.array(z.string().min(1)).default(['alert-rules/**/*.yaml']),
    /** Where links in notifications point (generatorURL, externalURL); defaults to server.publicUrl. */
    externalUrl: z.url().optional(),
    evaluation: z
      .object({
        defaultInterval: duration.default('1m'),
        /** Rules evaluated at once across all groups. */
        concurrency: z.number().int().positive().default(32),
        queryTimeout: duration.default('30s'),
        /** Leader lease: only its holder evaluates and notifies. */
        leaseTtl: duration.default('30s'),
        /** Resolved alerts are kept (and re-sent) this long, like Prometheus's resolvedRetention. */
        resolvedRetention: duration.default('15m'),
        /** Alert history and the notification log are pruned past this age. */
        historyRetention: duration.default('30d'),
      })
      .strict()
      .prefault({}),
    notification: z
      .object({
        initialBackoff: duration.default('1s'),
        maxBackoff: duration.default('1m'),
        giveUpAfter: duration.default('1h'),
        timeout: duration.default('10s'),
        /** How often pending groups are flushed. */
        tick: duration.default('1s'),
        /** Per-receiver overrides of the four settings above, keyed by receiver name. */
        receivers: z.record(z.string(), z.object(deliveryFields).strict()).default({}),
      })
      .strict()
      .prefault({}),
    /**
     * A whole alertmanager.yml, as users keep it: its global, route, receivers, inhibit_rules, time intervals and
     * templates are used instead of inline ones (giving both is an error); relative paths in it are relative to it.
     * The loader (config.loader.ts) reads it; the section is then validated as if pasted inline.
     */
    alertmanagerConfigFile: z.string().min(1).optional(),
    ...amSections,
    route: routeSchema.default({ receiver: 'default', group_by: ['alertname', 'cluster'] }),
    receivers: z.array(receiverSchema).default([{ name: 'default' }]),
  })
  .strict()
  .superRefine((c, ctx) => {
    checkAlertmanagerConfig(c, ctx);
    for (const name of Object.keys(c.notification.receivers)) {
      if (!c.receivers.some((r) => r.name === name))
        ctx.addIssue({ code: 'custom', path: ['notification', 'receivers', name], message: `no receiver "${name}"` });
    }
  })
  .prefault({});

export type AlertingConfig = z.infer<typeof alertingConfigSchema>;
export type DeliverySettings = z.infer<z.ZodObject<typeof deliveryFields>>;
