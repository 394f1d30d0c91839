import { z } from 'zod';
import { httpConfigSchema, tlsConfigSchema } from './am-http-config.ts';
import { amHostPort, amString, amUint, amUrlProblem, atMostOne, goDuration, issue } from './am-primitives.ts';

/** Fields every integration has (config/common NotifierConfig) and most have (http_config). */
export const notifierFields = { send_resolved: z.boolean().optional(), http_config: httpConfigSchema.optional() };

/** notify/email/config.go (Alertmanager 0.35; 0.25 lacks auth_secret_file, force_implicit_tls and threading). */
export const emailConfigSchema = z
  .object({
    send_resolved: z.boolean().default(false),
    to: amString.optional(),
    from: amString.optional(),
    smarthost: amHostPort.optional(),
    hello: amString.optional(),
    auth_username: amString.optional(),
    auth_password: amString.optional(),
    auth_password_file: amString.optional(),
    auth_identity: amString.optional(),
    auth_secret: amString.optional(),
    auth_secret_file: amString.optional(),
    require_tls: z.boolean().optional(),
    force_implicit_tls: z.boolean().optional(),
    tls_config: tlsConfigSchema.optional(),
    headers: z.record(z.string(), amString).optional(),
    html: amString.optional(),
    text: amString.optional(),
    threading: z.object({ enabled: z.boolean().optional(), thread_by_date: amString.optional() }).strict().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    for (const h of Object.keys(c.headers ?? {})) {
      const canonical = h.toLowerCase().replace(/(^|-)([a-z])/g, (_m, d: string, ch: string) => d + ch.toUpperCase());
      if (seen.has(canonical)) issue(ctx, ['headers', h], `duplicate header "${canonical}" in email config`);
      seen.add(canonical);
    }
    if (!c.to) issue(ctx, ['to'], 'missing to address in email config');
    if (c.threading?.enabled && !['none', 'daily'].includes(c.threading.thread_by_date ?? '')) {
      issue(ctx, ['threading', 'thread_by_date'], "threading.thread_by_date must be either 'none' or 'daily'");
    }
  })
  .transform((c) => ({ ...c, to: c.to as string }));

/**
 * notify/webhook/config.go. `url` may be a template in 0.35 (SecretTemplateURL); a plain URL must be http(s).
 * Pharos extensions (refused by Alertmanager, listed by check-config): hmac_secret(_file), hmac_header,
 * payload_template.
 */
export const webhookConfigSchema = z
  .object({
    ...notifierFields,
    send_resolved: z.boolean().default(true),
    url: amString.optional(),
    url_file: amString.optional(),
    max_alerts: amUint.default(0),
    timeout: goDuration.optional(),
    payload: z.unknown().optional(),
    hmac_secret: amString.optional(),
    hmac_secret_file: amString.optional(),
    hmac_header: amString.default('X-Pharos-Signature'),
    payload_template: amString.optional(),
  })
  .strict()
  .superRefine((w, ctx) => {
    if (!w.url && !w.url_file) issue(ctx, ['url'], 'one of url or url_file must be configured');
    atMostOne(ctx, w, ['url', 'url_file']);
    if (w.url && !w.url.includes('{{')) {
      const problem = amUrlProblem(w.url);
      if (problem) issue(ctx, ['url'], problem);
    }
    atMostOne(ctx, w, ['hmac_secret', 'hmac_secret_file']);
  });

export type EmailConfig = z.infer<typeof emailConfigSchema>;
export type WebhookConfig = z.infer<typeof webhookConfigSchema>;
