import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { WebhookConfig } from '../../../../libs/config/sections/alerting.ts';
import { tryParseDuration as parseDuration } from '../../../../libs/promql/literals.ts';
import { GoTemplate } from '../../template/template.ts';
import type { NotificationData } from '../notification-data.ts';
import { NotifyError, type Integration } from './integration.ts';
import { webhookPayload } from './webhook-payload.ts';

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Webhook: Alertmanager's version "4" JSON by default, or the body a `payload_template` renders (it must be
 * JSON). With `hmac_secret`, `<hmac_header>: sha256=<hex HMAC-SHA256 of the body>` lets the receiver check origin.
 * 5xx, 429 and network errors are retried; other 4xx are not (the receiver refused the payload).
 */
export function webhookIntegration(cfg: WebhookConfig, index: number): Integration {
  const url = cfg.url ?? readFileSync(cfg.url_file as string, 'utf8').trim();
  const secret = cfg.hmac_secret ?? (cfg.hmac_secret_file ? readFileSync(cfg.hmac_secret_file, 'utf8').trim() : undefined);
  const template = cfg.payload_template ? new GoTemplate(cfg.payload_template) : undefined;
  const timeoutMs = cfg.timeout ? (parseDuration(cfg.timeout) as number) : DEFAULT_TIMEOUT_MS;
  const safeUrl = redact(url);

  const render = (data: NotificationData): unknown => {
    if (!template) return webhookPayload(data, cfg.max_alerts);
    const text = template.render(data);
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new NotifyError(`payload_template did not produce JSON: ${(err as Error).message}`, false);
    }
  };

  return {
    type: 'webhook',
    index,
    target: safeUrl,
    sendResolved: cfg.send_resolved,
    render,
    async notify(data, signal) {
      const body = JSON.stringify(render(data));
      const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Pharos-Alerting/0.1' };
      if (secret) headers[cfg.hmac_header.toLowerCase()] = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
      let res: Response;
      try {
        res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) });
      } catch (err) {
        throw new NotifyError(`POST ${safeUrl}: ${(err as Error).message}`, true);
      }
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return;
      throw new NotifyError(`POST ${safeUrl}: HTTP ${res.status}`, res.status >= 500 || res.status === 429);
    },
  };
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = 'redacted';
    return u.toString();
  } catch {
    return url;
  }
}
