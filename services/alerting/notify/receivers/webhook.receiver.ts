import { createHmac } from 'node:crypto';
import type { WebhookConfig } from '../../../../libs/config/sections/alerting.ts';
import { parseGoDuration as goDurationMs } from '../../../../libs/time/duration.ts';
import { GoTemplate } from '../../template/template.ts';
import { httpSender } from '../http/http-config.ts';
import type { NotificationData } from '../notification-data.ts';
import { checkStatus, plainUrlShown, secretValue, sendJson, timeoutOf } from './http-result.ts';
import { DEFAULT_TIMEOUT_MS, NotifyError, type Integration, type IntegrationContext } from './integration.ts';
import { webhookPayload } from './webhook-payload.ts';

/**
 * Webhook (notify/webhook): Alertmanager's version "4" JSON by default, or the body a `payload_template` renders
 * (it must be JSON). With `hmac_secret`, `<hmac_header>: sha256=<hex HMAC-SHA256 of the body>` lets the receiver
 * check origin. 5xx, 429 and network errors are retried; other 4xx are not (the receiver refused the payload).
 * The URL (or url_file, read on each attempt) may hold credentials: the log shows it without them.
 */
export function webhookIntegration(cfg: WebhookConfig, index: number, ctx?: IntegrationContext): Integration {
  const template = cfg.payload_template ? new GoTemplate(cfg.payload_template) : undefined;
  const sender = httpSender(cfg.http_config, ctx?.global.http_config, ctx?.env);
  const ownTimeout = cfg.timeout ? goDurationMs(cfg.timeout) : undefined;
  const shown = cfg.url ? plainUrlShown(cfg.url) : `url_file ${cfg.url_file}`;

  const render = (data: NotificationData): unknown => {
    if (!template) return webhookPayload(data, cfg.max_alerts);
    const text = template.render(data, { functions: { dialect: 'alertmanager' } });
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new NotifyError(`payload_template did not produce JSON: ${(err as Error).message}`, false);
    }
  };

  return {
    type: 'webhook',
    index,
    target: shown,
    sendResolved: cfg.send_resolved,
    timeoutMs: ownTimeout,
    render,
    async notify(data, signal, opts) {
      const url = cfg.url ?? secretValue(undefined, cfg.url_file, 'url');
      const body = render(data);
      const secret =
        cfg.hmac_secret || cfg.hmac_secret_file
          ? secretValue(cfg.hmac_secret, cfg.hmac_secret_file, 'hmac_secret')
          : undefined;
      const text = `${JSON.stringify(body)}\n`;
      const headers: Record<string, string> = secret
        ? { [cfg.hmac_header.toLowerCase()]: `sha256=${createHmac('sha256', secret).update(text).digest('hex')}` }
        : {};
      const res = await sendJson({
        sender,
        url,
        body,
        signal,
        timeoutMs: timeoutOf(ownTimeout, opts?.timeoutMs ?? DEFAULT_TIMEOUT_MS),
        shownAs: shown,
        headers,
      });
      return checkStatus(res);
    },
  };
}
