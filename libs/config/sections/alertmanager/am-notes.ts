import type { AmRoute } from './am-route.ts';
import { PHAROS_ONLY_KINDS, type ReceiverConfig } from './am-receiver.ts';
import { NOT_DELIVERED_RECEIVERS } from './am-receivers-other.ts';

/**
 * What a valid configuration contains that Pharos accepts but does not act on, and what Pharos accepts that
 * Alertmanager would refuse: shown by `npm run check-config` and logged at boot, so nothing is silently dropped.
 */
export interface ConfigNotes {
  notActedOn: string[];
  pharosOnly: string[];
}

const KIND_NAMES: Record<string, string> = {
  pushover_configs: 'Pushover',
  victorops_configs: 'VictorOps (Splunk On-Call)',
  sns_configs: 'Amazon SNS',
  webex_configs: 'Webex',
  jira_configs: 'Jira',
  rocketchat_configs: 'Rocket.Chat',
  mattermost_configs: 'Mattermost',
  incidentio_configs: 'incident.io',
};

/** Options of delivered kinds that Pharos reads but does not implement (it sends as if they were absent). */
const IGNORED_OPTIONS: Record<string, string[]> = {
  slack_configs: ['update_message', 'post_updates_to_thread'],
  email_configs: ['threading', 'auth_secret', 'auth_secret_file', 'auth_identity'],
  webhook_configs: ['payload'],
};

const PHAROS_OPTIONS: Record<string, string[]> = {
  webhook_configs: ['hmac_secret', 'hmac_secret_file', 'hmac_header', 'payload_template'],
};

/** http_config options without an effect in Pharos. */
const IGNORED_HTTP = [
  'oauth2',
  'enable_http2',
  'username_ref',
  'password_ref',
  'credentials_ref',
  'ca_ref',
  'cert_ref',
  'key_ref',
  'client_secret_ref',
];

export function configNotes(
  c: { receivers: ReceiverConfig[]; route?: AmRoute | undefined; tracing?: unknown; event_recorder?: unknown },
  raw: { envFields?: string[] } = {},
): ConfigNotes {
  const notActedOn: string[] = [];
  const pharosOnly: string[] = (raw.envFields ?? []).map((f) => `${f}: taken from the environment (a Pharos option)`);
  c.receivers.forEach((r, i) => {
    const rec = r as Record<string, unknown>;
    for (const kind of Object.keys(NOT_DELIVERED_RECEIVERS)) {
      const list = rec[kind] as unknown[] | undefined;
      if (list?.length)
        notActedOn.push(
          `receivers.${i}.${kind} (receiver "${r.name}"): Pharos does not deliver to ${KIND_NAMES[kind]} yet; these ${list.length} integration(s) are not used`,
        );
    }
    for (const kind of PHAROS_ONLY_KINDS)
      if ((rec[kind] as unknown[] | undefined)?.length)
        pharosOnly.push(`receivers.${i}.${kind} (receiver "${r.name}"): a Pharos receiver kind`);
    for (const [kind, value] of Object.entries(rec)) {
      if (!Array.isArray(value)) continue;
      value.forEach((cfg: Record<string, unknown>, j) => {
        const at = `receivers.${i}.${kind}.${j}`;
        for (const opt of IGNORED_OPTIONS[kind] ?? [])
          if (cfg[opt] !== undefined && cfg[opt] !== false)
            notActedOn.push(`${at}.${opt}: not implemented by Pharos; ignored`);
        for (const opt of PHAROS_OPTIONS[kind] ?? [])
          if (cfg[opt] !== undefined && !(opt === 'hmac_header' && cfg[opt] === 'X-Pharos-Signature'))
            pharosOnly.push(`${at}.${opt}: a Pharos option`);
        const http = cfg.http_config as Record<string, unknown> | undefined;
        for (const opt of ignoredHttp(http))
          notActedOn.push(`${at}.http_config.${opt}: not implemented by Pharos; ignored`);
      });
    }
  });
  const walk = (r: AmRoute, path: string) => {
    if (r.labels && Object.keys(r.labels).length)
      notActedOn.push(`${path}.labels: route labels are not implemented by Pharos; ignored`);
    r.routes?.forEach((child, i) => walk(child, `${path}.routes.${i}`));
  };
  if (c.route) walk(c.route, 'route');
  if (c.tracing) notActedOn.push('tracing: Pharos does not export traces; ignored');
  if (c.event_recorder) notActedOn.push('event_recorder: not implemented by Pharos; ignored');
  return { notActedOn, pharosOnly };
}

function ignoredHttp(http: Record<string, unknown> | undefined): string[] {
  if (!http) return [];
  const out: string[] = [];
  const visit = (o: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(o)) {
      if (IGNORED_HTTP.includes(k) && v !== undefined && v !== false) out.push(`${prefix}${k}`);
      else if (v && typeof v === 'object' && !Array.isArray(v) && k !== 'http_headers' && k !== 'proxy_connect_header')
        visit(v as Record<string, unknown>, `${prefix}${k}.`);
    }
  };
  visit(http, '');
  return out;
}
