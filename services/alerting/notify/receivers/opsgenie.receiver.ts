import type { OpsgenieConfig } from '../../../../libs/config/sections/alertmanager/am-receivers-paging.ts';
import { useTemplate } from '../../template/default-templates.ts';
import { httpSender } from '../http/http-config.ts';
import type { NotificationData } from '../notification-data.ts';
import { checkStatus, plainUrlShown, secretValue, sendJson, timeoutOf } from './http-result.ts';
import { DEFAULT_TIMEOUT_MS, type AttemptReport, type Integration, type IntegrationContext } from './integration.ts';
import { groupKeyHash } from './pagerduty.receiver.ts';
import { omitEmpty } from './slack.receiver.ts';
import { truncateRunes } from './truncate.ts';

/**
 * Opsgenie (notify/opsgenie): create an alert (POST v2/alerts) whose alias is the SHA-256 of the group key, and close
 * it by alias when the group resolves (POST v2/alerts/<alias>/close?identifierType=alias); with update_alerts, also
 * PUT its message and description. `Authorization: GenieKey <api_key>`. details = the common labels, then the
 * configured details. 429 and 5xx are retried. https://docs.opsgenie.com/docs/alert-api
 */
const safeSplit = (s: string) =>
  s
    .trim()
    .split(',')
    .filter((x) => x !== '');

interface OpsgenieRequest {
  method: 'POST' | 'PUT';
  path: string;
  body: unknown;
}

export function opsgenieIntegration(cfg: OpsgenieConfig, index: number, ctx: IntegrationContext): Integration {
  const { templates, global } = ctx;
  const message = cfg.message ?? useTemplate('opsgenie.default.message');
  const description = cfg.description ?? useTemplate('opsgenie.default.description');
  const source = cfg.source ?? useTemplate('opsgenie.default.source');
  for (const t of [message, description, source]) templates.check(t);
  const base = (cfg.api_url ?? global.opsgenie_api_url).replace(/\/?$/, '/');
  const sender = httpSender(cfg.http_config, global.http_config, ctx.env);

  const requests = (data: NotificationData): OpsgenieRequest[] => {
    const tx = (s: string | undefined) => templates.text(s, data);
    const alias = groupKeyHash(data.GroupKey);
    if (data.Status === 'resolved')
      return [{ method: 'POST', path: `v2/alerts/${alias}/close?identifierType=alias`, body: { source: tx(source) } }];
    const details = {
      ...Object.fromEntries(
        Object.entries(data.CommonLabels).filter((e): e is [string, string] => typeof e[1] === 'string'),
      ),
      ...Object.fromEntries(Object.entries(cfg.details ?? {}).map(([k, v]) => [k, tx(v)])),
    };
    const responders = (cfg.responders ?? []).flatMap((r): Record<string, string>[] => {
      const x = omitEmpty({ id: tx(r.id), name: tx(r.name), username: tx(r.username), type: tx(r.type) });
      if (!Object.keys(x).length) return [];
      return x.type === 'teams'
        ? safeSplit(x.name ?? '').map((team) => ({ name: tx(team), type: 'team' }))
        : [{ ...(x as Record<string, string>), type: x.type ?? '' }];
    });
    const create = omitEmpty(
      {
        alias,
        message: truncateRunes(tx(message), 130),
        description: tx(description),
        details,
        source: tx(source),
        responders,
        tags: safeSplit(tx(cfg.tags)),
        note: tx(cfg.note),
        priority: tx(cfg.priority),
        entity: tx(cfg.entity),
        actions: safeSplit(tx(cfg.actions)),
      },
      ['alias', 'message', 'details', 'source'],
    );
    const out: OpsgenieRequest[] = [{ method: 'POST', path: 'v2/alerts', body: create }];
    if (cfg.update_alerts) {
      out.push({
        method: 'PUT',
        path: `v2/alerts/${alias}/message?identifierType=alias`,
        body: omitEmpty({ message: create.message }),
      });
      out.push({
        method: 'PUT',
        path: `v2/alerts/${alias}/description?identifierType=alias`,
        body: omitEmpty({ description: create.description }),
      });
    }
    return out;
  };

  return {
    type: 'opsgenie',
    index,
    target: `opsgenie ${plainUrlShown(base)}`,
    sendResolved: cfg.send_resolved,
    render: (data) => ({ requests: requests(data) }),
    async notify(data, signal, opts) {
      const inlineKey = cfg.api_key ?? (cfg.api_key_file ? undefined : global.opsgenie_api_key);
      const key = templates.text(
        secretValue(inlineKey, cfg.api_key ? undefined : (cfg.api_key_file ?? global.opsgenie_api_key_file), 'api_key'),
        data,
      );
      let report: AttemptReport | undefined;
      for (const r of requests(data)) {
        const res = await sendJson({
          sender,
          url: base + r.path,
          method: r.method,
          body: r.body,
          signal,
          timeoutMs: timeoutOf(undefined, opts?.timeoutMs ?? DEFAULT_TIMEOUT_MS),
          shownAs: plainUrlShown(base + r.path),
          headers: { authorization: `GenieKey ${key}` },
        });
        report = checkStatus(res);
      }
      return report;
    },
  };
}
