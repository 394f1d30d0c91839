import { z } from 'zod';
import { tryParseDuration as parseDuration } from '../../promql/literals.ts';

/**
 * The `alerting` section. `route`, `receivers`, `inhibit_rules` and `global` follow Alertmanager's own
 * configuration format (snake_case, https://prometheus.io/docs/alerting/latest/configuration/), so the
 * matching part of an existing alertmanager.yml can be pasted in. Everything else is Pharos's own.
 */
const duration = z.string().refine((s) => parseDuration(s) !== undefined, 'must be a Prometheus duration such as 30s, 5m, 1h30m');
const labelMap = z.record(z.string(), z.string());
const secret = z.string().optional();

export interface AmRoute {
  receiver?: string | undefined;
  group_by?: string[] | undefined;
  continue?: boolean | undefined;
  matchers?: string[] | undefined;
  match?: Record<string, string> | undefined;
  match_re?: Record<string, string> | undefined;
  group_wait?: string | undefined;
  group_interval?: string | undefined;
  repeat_interval?: string | undefined;
  mute_time_intervals?: string[] | undefined;
  active_time_intervals?: string[] | undefined;
  routes?: AmRoute[] | undefined;
}

export const routeSchema: z.ZodType<AmRoute> = z.lazy(() =>
  z
    .object({
      receiver: z.string().optional(),
      group_by: z.array(z.string()).optional(),
      continue: z.boolean().optional(),
      matchers: z.array(z.string()).optional(),
      match: labelMap.optional(),
      match_re: labelMap.optional(),
      group_wait: duration.optional(),
      group_interval: duration.optional(),
      repeat_interval: duration.optional(),
      mute_time_intervals: z.array(z.string()).optional(),
      active_time_intervals: z.array(z.string()).optional(),
      routes: z.array(routeSchema).optional(),
    })
    .strict(),
);

const tlsConfig = z
  .object({
    ca_file: z.string().optional(),
    cert_file: z.string().optional(),
    key_file: z.string().optional(),
    server_name: z.string().optional(),
    insecure_skip_verify: z.boolean().optional(),
  })
  .strict();

export const emailConfigSchema = z
  .object({
    send_resolved: z.boolean().default(false),
    to: z.string().min(1),
    from: z.string().optional(),
    smarthost: z.string().optional(),
    hello: z.string().optional(),
    auth_username: z.string().optional(),
    auth_password: secret,
    auth_password_file: z.string().optional(),
    auth_identity: z.string().optional(),
    auth_secret: secret,
    require_tls: z.boolean().optional(),
    tls_config: tlsConfig.optional(),
    headers: labelMap.optional(),
    html: z.string().optional(),
    text: z.string().optional(),
  })
  .strict();

export const webhookConfigSchema = z
  .object({
    send_resolved: z.boolean().default(true),
    url: z.url().optional(),
    url_file: z.string().optional(),
    max_alerts: z.number().int().min(0).default(0),
    timeout: duration.optional(),
    http_config: z.object({ tls_config: tlsConfig.optional() }).loose().optional(),
    /** Pharos: HMAC-SHA256 of the body with this secret, hex, in `hmac_header`. */
    hmac_secret: secret,
    hmac_secret_file: z.string().optional(),
    hmac_header: z.string().default('X-Pharos-Signature'),
    /** Pharos: a Go-template producing the JSON body instead of the version "4" payload. */
    payload_template: z.string().optional(),
  })
  .strict()
  .refine((w) => Boolean(w.url) !== Boolean(w.url_file), { message: 'give exactly one of url or url_file' });

/** Receiver kinds Pharos implements; any other `*_configs` key is reported, not silently ignored. */
export const receiverSchema = z
  .object({
    name: z.string().min(1),
    email_configs: z.array(emailConfigSchema).optional(),
    webhook_configs: z.array(webhookConfigSchema).optional(),
  })
  .loose()
  .superRefine((r, ctx) => {
    for (const key of Object.keys(r)) {
      if (!['name', 'email_configs', 'webhook_configs'].includes(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" is not supported by Pharos (supported: email_configs, webhook_configs)` });
      }
    }
  });

const inhibitRuleSchema = z
  .object({
    source_matchers: z.array(z.string()).optional(),
    target_matchers: z.array(z.string()).optional(),
    source_match: labelMap.optional(),
    source_match_re: labelMap.optional(),
    target_match: labelMap.optional(),
    target_match_re: labelMap.optional(),
    equal: z.array(z.string()).optional(),
  })
  .strict();

const globalSchema = z
  .object({
    resolve_timeout: duration.default('5m'),
    smtp_from: z.string().optional(),
    smtp_hello: z.string().optional(),
    smtp_smarthost: z.string().optional(),
    smtp_auth_username: z.string().optional(),
    smtp_auth_password: secret,
    smtp_auth_password_file: z.string().optional(),
    smtp_auth_identity: z.string().optional(),
    smtp_auth_secret: secret,
    smtp_require_tls: z.boolean().default(true),
  })
  .loose();

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
        /** A notification is given up after this long of failed attempts (logged as failed). */
        giveUpAfter: duration.default('1h'),
        /** How often pending groups are flushed. */
        tick: duration.default('1s'),
      })
      .strict()
      .prefault({}),
    global: globalSchema.prefault({}),
    route: routeSchema.default({ receiver: 'default', group_by: ['alertname', 'cluster'] }),
    receivers: z.array(receiverSchema).default([{ name: 'default' }]),
    inhibit_rules: z.array(inhibitRuleSchema).default([]),
  })
  .strict()
  .superRefine((c, ctx) => {
    const names = new Set<string>();
    c.receivers.forEach((r, i) => {
      if (names.has(r.name)) ctx.addIssue({ code: 'custom', path: ['receivers', i, 'name'], message: `duplicate receiver "${r.name}"` });
      names.add(r.name);
    });
    if (!c.route.receiver) ctx.addIssue({ code: 'custom', path: ['route', 'receiver'], message: 'the root route needs a receiver' });
    const walk = (r: AmRoute, path: (string | number)[]) => {
      if (r.receiver && !names.has(r.receiver)) ctx.addIssue({ code: 'custom', path: [...path, 'receiver'], message: `undefined receiver "${r.receiver}"` });
      for (const key of ['mute_time_intervals', 'active_time_intervals'] as const) {
        if (r[key]?.length) ctx.addIssue({ code: 'custom', path: [...path, key], message: `${key} is not supported by Pharos yet; use silences` });
      }
      r.routes?.forEach((child, i) => walk(child, [...path, 'routes', i]));
    };
    walk(c.route, ['route']);
  })
  .prefault({});

export type AlertingConfig = z.infer<typeof alertingConfigSchema>;
export type ReceiverConfig = z.infer<typeof receiverSchema>;
export type EmailConfig = z.infer<typeof emailConfigSchema>;
export type WebhookConfig = z.infer<typeof webhookConfigSchema>;
export type InhibitRuleConfig = z.infer<typeof inhibitRuleSchema>;
