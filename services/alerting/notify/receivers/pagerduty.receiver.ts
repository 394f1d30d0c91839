import { createHash } from 'node:crypto';
import type { PagerdutyConfig } from '../../../../libs/config/sections/alertmanager/am-receivers-paging.ts';
import { parseGoDuration as goDurationMs } from '../../../../libs/time/duration.ts';
import { useTemplate } from '../../template/default-templates.ts';
import { httpSender } from '../http/http-config.ts';
import type { NotificationData } from '../notification-data.ts';
import { checkStatus, plainUrlShown, secretValue, sendJson, timeoutOf } from './http-result.ts';
import { DEFAULT_TIMEOUT_MS, type Integration, type IntegrationContext } from './integration.ts';
import { omitEmpty } from './slack.receiver.ts';
import { truncateRunes } from './truncate.ts';

/**
 * PagerDuty (notify/pagerduty): Events API v2 with `routing_key` (trigger, then resolve, deduplicated by
 * dedup_key = SHA-256 hex of the group key), or the v1 generic API with `service_key` (incident_key the same hash).
 * Alertmanager's defaults: summary __subject, source = client "Alertmanager", severity "error", custom_details
 * firing/resolved/num_firing/num_resolved. v2 retries 429 and 5xx, v1 403 (its rate limit) and 5xx; a 400 shows
 * PagerDuty's own message. https://developer.pagerduty.com/docs/events-api-v2/trigger-events/
 */
const V1_URL = 'https://events.pagerduty.com/generic/2010-04-15/create_event.json';

export const groupKeyHash = (key: string) => createHash('sha256').update(key).digest('hex');

const DEFAULT_DETAILS: Record<string, string> = {
  firing: '{{ template "pagerduty.default.instances" .Alerts.Firing }}',
  resolved: '{{ template "pagerduty.default.instances" .Alerts.Resolved }}',
  num_firing: '{{ .Alerts.Firing | len }}',
  num_resolved: '{{ .Alerts.Resolved | len }}',
};

export function pagerdutyIntegration(cfg: PagerdutyConfig, index: number, ctx: IntegrationContext): Integration {
  const { templates } = ctx;
  const v1 = Boolean(cfg.service_key || cfg.service_key_file);
  const client = cfg.client ?? useTemplate('pagerduty.default.client');
  const clientUrl = cfg.client_url ?? useTemplate('pagerduty.default.clientURL');
  const description = cfg.description ?? useTemplate('pagerduty.default.description');
  const details: Record<string, unknown> = { ...DEFAULT_DETAILS, ...cfg.details };
  const url = v1 ? (cfg.url ?? V1_URL) : (cfg.url ?? ctx.global.pagerduty_url);
  const sender = httpSender(cfg.http_config, ctx.global.http_config, ctx.env);
  const ownTimeout = cfg.timeout ? goDurationMs(cfg.timeout) : undefined;
  for (const t of [client, clientUrl, description, cfg.source, cfg.severity, cfg.class, cfg.component, cfg.group])
    if (t) templates.check(t);

  const render = (data: NotificationData) => {
    const tx = (s: string | undefined) => templates.text(s, data);
    const action = data.Status === 'resolved' ? 'resolve' : 'trigger';
    const renderedDetails = templateValues(details, tx);
    if (v1) {
      return omitEmpty({
        service_key: tx(secretValue(cfg.service_key, cfg.service_key_file, 'service_key')),
        event_type: action,
        incident_key: groupKeyHash(data.GroupKey),
        description: truncateRunes(tx(description), 1024),
        details: renderedDetails,
        ...(action === 'trigger' ? { client: tx(client), client_url: tx(clientUrl) } : {}),
      });
    }
    return omitEmpty(
      {
        client: tx(client),
        client_url: tx(clientUrl),
        routing_key: tx(secretValue(cfg.routing_key, cfg.routing_key_file, 'routing_key')),
        event_action: action,
        dedup_key: groupKeyHash(data.GroupKey),
        images: (cfg.images ?? [])
          .map((i) => ({ src: tx(i.src), alt: tx(i.alt), href: tx(i.href) }))
          .filter((i) => i.src !== ''),
        links: (cfg.links ?? []).map((l) => ({ href: tx(l.href), text: tx(l.text) })).filter((l) => l.href !== ''),
        payload: omitEmpty(
          {
            summary: truncateRunes(tx(description), 1024),
            source: tx(cfg.source ?? client),
            severity: tx(cfg.severity ?? 'error'),
            custom_details: renderedDetails,
            class: tx(cfg.class),
            component: tx(cfg.component),
            group: tx(cfg.group),
          },
          ['summary', 'source', 'severity'],
        ),
      },
      ['event_action'],
    );
  };

  return {
    type: 'pagerduty',
    index,
    target: `pagerduty ${v1 ? 'v1 service' : 'v2 routing key'} via ${plainUrlShown(url)}`,
    sendResolved: cfg.send_resolved,
    timeoutMs: ownTimeout,
    render,
    async notify(data, signal, opts) {
      const res = await sendJson({
        sender,
        url,
        body: render(data),
        signal,
        timeoutMs: timeoutOf(ownTimeout, opts?.timeoutMs ?? DEFAULT_TIMEOUT_MS),
        shownAs: plainUrlShown(url),
      });
      return checkStatus(res, {
        retryCodes: v1 ? [403] : [429],
        details: (r) => (r.status === 400 ? errorDetails(r.body) : r.body.slice(0, 300)),
      });
    },
  };
}

/** String leaves are templates (0.35 allows nested detail values; 0.25 only strings). */
function templateValues(v: Record<string, unknown>, tx: (s: string) => string): Record<string, unknown> {
  const walk = (x: unknown): unknown =>
    typeof x === 'string'
      ? tx(x)
      : Array.isArray(x)
        ? x.map(walk)
        : x && typeof x === 'object'
          ? Object.fromEntries(Object.entries(x).map(([k, y]) => [k, walk(y)]))
          : x;
  return walk(v) as Record<string, unknown>;
}

function errorDetails(body: string): string {
  try {
    const e = JSON.parse(body) as { message?: string; errors?: string[] };
    return `${e.message ?? ''}: ${(e.errors ?? []).join(',')}`;
  } catch {
    return '';
  }
}
