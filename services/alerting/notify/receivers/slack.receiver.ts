import type { SlackConfig } from '../../../../libs/config/sections/alertmanager/am-receivers-chat.ts';
import { parseGoDuration as goDurationMs } from '../../../../libs/time/duration.ts';
import { useTemplate } from '../../template/default-templates.ts';
import { httpSender } from '../http/http-config.ts';
import type { NotificationData } from '../notification-data.ts';
import { checkStatus, secretUrlShown, secretValue, sendJson, timeoutOf } from './http-result.ts';
import { DEFAULT_TIMEOUT_MS, NotifyError, type Integration, type IntegrationContext } from './integration.ts';
import { truncateRunes } from './truncate.ts';

/**
 * Slack (notify/slack): one message with one attachment, built from the config's templates, posted to an incoming
 * webhook (`api_url`, secret) or, with an app token, to chat.postMessage with `Authorization: Bearer`. Defaults are
 * Alertmanager's (slack.default.*). 5xx and 429 are retried, 429 after Slack's Retry-After (Alertmanager 0.25 did
 * not retry 429; 0.35 does); an API answer `{"ok": false}` is an error, retried only for `ratelimited`.
 * https://api.slack.com/messaging/webhooks, https://api.slack.com/reference/messaging/attachments
 */
const MAX_TITLE_RUNES = 1024;

export function slackIntegration(cfg: SlackConfig, index: number, ctx: IntegrationContext): Integration {
  const { templates, global } = ctx;
  const t = {
    color: cfg.color ?? useTemplate('slack.default.color'),
    username: cfg.username ?? useTemplate('slack.default.username'),
    title: cfg.title ?? useTemplate('slack.default.title'),
    titleLink: cfg.title_link ?? useTemplate('slack.default.titlelink'),
    iconEmoji: cfg.icon_emoji ?? useTemplate('slack.default.iconemoji'),
    iconUrl: cfg.icon_url ?? useTemplate('slack.default.iconurl'),
    pretext: cfg.pretext ?? useTemplate('slack.default.pretext'),
    text: cfg.text ?? useTemplate('slack.default.text'),
    fallback: cfg.fallback ?? useTemplate('slack.default.fallback'),
    callbackId: cfg.callback_id ?? useTemplate('slack.default.callbackid'),
    footer: cfg.footer ?? useTemplate('slack.default.footer'),
  };
  for (const text of Object.values(t)) templates.check(text);
  const ownUrl = cfg.api_url || cfg.api_url_file;
  const ownToken = cfg.app_token || cfg.app_token_file;
  const useToken =
    Boolean(ownToken) ||
    (!ownUrl &&
      !cfg.http_config?.authorization &&
      Boolean(global.slack_app_token || global.slack_app_token_file) &&
      !(global.slack_api_url || global.slack_api_url_file));
  const apiUrl = cfg.api_url ?? (cfg.api_url_file ? undefined : global.slack_api_url);
  const apiUrlFile = cfg.api_url ? undefined : (cfg.api_url_file ?? global.slack_api_url_file);
  const appUrl = cfg.app_url ?? global.slack_app_url;
  const sender = httpSender(cfg.http_config, global.http_config, ctx.env);
  const ownTimeout = cfg.timeout ? goDurationMs(cfg.timeout) : undefined;
  const target = cfg.channel
    ? `slack ${cfg.channel}`
    : useToken
      ? `slack app ${appUrl}`
      : apiUrl
        ? secretUrlShown(apiUrl)
        : `slack api_url_file ${apiUrlFile}`;

  const render = (data: NotificationData) => {
    const tx = (s: string | undefined) => templates.text(s, data);
    const attachment = omitEmpty(
      {
        title: truncateRunes(tx(t.title), MAX_TITLE_RUNES),
        title_link: tx(t.titleLink),
        pretext: tx(t.pretext),
        text: tx(t.text),
        fallback: tx(t.fallback),
        callback_id: tx(t.callbackId),
        fields: cfg.fields?.length
          ? cfg.fields.map((f) => ({ title: tx(f.title), value: tx(f.value), short: f.short ?? cfg.short_fields }))
          : undefined,
        actions: cfg.actions?.length
          ? cfg.actions.map((a) =>
              omitEmpty({
                type: tx(a.type),
                text: tx(a.text),
                url: tx(a.url),
                style: tx(a.style),
                name: tx(a.name),
                value: tx(a.value),
                confirm: a.confirm
                  ? omitEmpty({
                      title: tx(a.confirm.title),
                      text: tx(a.confirm.text),
                      ok_text: tx(a.confirm.ok_text),
                      dismiss_text: tx(a.confirm.dismiss_text),
                    })
                  : undefined,
              }),
            )
          : undefined,
        image_url: tx(cfg.image_url),
        thumb_url: tx(cfg.thumb_url),
        footer: tx(t.footer),
        color: tx(t.color),
        mrkdwn_in: cfg.mrkdwn_in?.length ? cfg.mrkdwn_in : ['fallback', 'pretext', 'text'],
      },
      ['text', 'fallback', 'callback_id', 'footer'],
    );
    return omitEmpty({
      channel: tx(cfg.channel),
      username: tx(t.username),
      icon_emoji: tx(t.iconEmoji),
      icon_url: tx(t.iconUrl),
      link_names: cfg.link_names || undefined,
      text: tx(cfg.message_text),
      attachments: [attachment],
    });
  };

  return {
    type: 'slack',
    index,
    target,
    sendResolved: cfg.send_resolved,
    timeoutMs: ownTimeout,
    render,
    async notify(data, signal, opts) {
      const body = render(data);
      const url = useToken ? appUrl : (apiUrl ?? secretValue(undefined, apiUrlFile, 'api_url'));
      const headers = useToken
        ? {
            authorization: `Bearer ${secretValue(cfg.app_token ?? (cfg.app_token_file ? undefined : global.slack_app_token), cfg.app_token_file ?? global.slack_app_token_file, 'app_token')}`,
          }
        : undefined;
      const res = await sendJson({
        sender,
        url,
        body,
        signal,
        timeoutMs: timeoutOf(ownTimeout, opts?.timeoutMs ?? DEFAULT_TIMEOUT_MS),
        shownAs: useToken ? url : secretUrlShown(url),
        ...(headers ? { headers } : {}),
      });
      const report = checkStatus(res);
      // As Alertmanager 0.35: the Web API answers JSON {"ok": false, "error": "…"} on failure; an incoming webhook
      // answers text/plain "ok", anything else is its error message.
      if (String(res.headers['content-type'] ?? '').startsWith('application/json')) {
        const answer = parseJson(res.body) as { ok?: boolean; error?: string } | undefined;
        if (!answer)
          throw new NotifyError(`slack: could not parse the answer ${JSON.stringify(res.body.slice(0, 100))}`, true);
        if (answer.ok === false)
          throw new NotifyError(
            `slack: error response from Slack: ${answer.error ?? 'unknown'}`,
            answer.error === 'ratelimited',
          );
      } else if (res.body !== 'ok')
        throw new NotifyError(`slack: received an error response from Slack: ${res.body.slice(0, 200)}`, false);
      return report;
    },
  };
}

/** Drops "", undefined and empty arrays, except the keys Alertmanager always writes (no `omitempty`). */
export function omitEmpty<T extends Record<string, unknown>>(o: T, keep: string[] = []): Partial<T> {
  return Object.fromEntries(
    Object.entries(o).filter(
      ([k, v]) => keep.includes(k) || !(v === undefined || v === '' || (Array.isArray(v) && v.length === 0)),
    ),
  ) as Partial<T>;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
