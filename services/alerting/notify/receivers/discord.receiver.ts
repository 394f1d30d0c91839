import type { DiscordConfig } from '../../../../libs/config/sections/alertmanager/am-receivers-chat.ts';
import { useTemplate } from '../../template/default-templates.ts';
import { httpSender } from '../http/http-config.ts';
import type { NotificationData } from '../notification-data.ts';
import { checkStatus, postToWebhook, retryAfterMs, timeoutOf, webhookTarget } from './http-result.ts';
import { DEFAULT_TIMEOUT_MS, NotifyError, type Integration, type IntegrationContext } from './integration.ts';
import { truncateRunes } from './truncate.ts';

/**
 * Discord (notify/discord): an execute-webhook call with `content` and one embed (title, description, colour red
 * while firing, green when resolved), capped at Discord's limits (title 256, description 4096, content 2000
 * runes). https://discord.com/developers/docs/resources/webhook#execute-webhook. A 429 carries `retry_after`
 * (seconds, in the body and the Retry-After header): the retry waits that long.
 */
const COLOR_FIRING = 0x992d22;
const COLOR_RESOLVED = 0x2ecc71;

export function discordIntegration(cfg: DiscordConfig, index: number, ctx: IntegrationContext): Integration {
  const title = cfg.title ?? useTemplate('discord.default.title');
  const message = cfg.message ?? useTemplate('discord.default.message');
  const content = cfg.content ?? useTemplate('discord.default.content');
  for (const t of [title, message, content]) ctx.templates.check(t);
  const sender = httpSender(cfg.http_config, ctx.global.http_config, ctx.env);

  const render = (data: NotificationData) => ({
    content: truncateRunes(ctx.templates.text(content, data), 2000),
    embeds: [
      {
        title: truncateRunes(ctx.templates.text(title, data), 256),
        description: truncateRunes(ctx.templates.text(message, data), 4096),
        color: data.Status === 'firing' ? COLOR_FIRING : COLOR_RESOLVED,
      },
    ],
    ...(cfg.username ? { username: cfg.username } : {}),
    ...(cfg.avatar_url ? { avatar_url: cfg.avatar_url } : {}),
  });

  return {
    type: 'discord',
    index,
    target: webhookTarget(cfg),
    sendResolved: cfg.send_resolved,
    render,
    async notify(data, signal, opts) {
      const res = await postToWebhook({
        cfg,
        sender,
        body: render(data),
        signal,
        timeoutMs: timeoutOf(undefined, opts?.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
      if (res.status === 429 && retryAfterMs(res) === undefined) {
        const wait = (JSON.parse(res.body || '{}') as { retry_after?: number }).retry_after;
        if (typeof wait === 'number')
          throw new NotifyError('unexpected status code 429: rate limited', true, {
            status: 429,
            retryAfterMs: Math.ceil(wait * 1000),
          });
      }
      return checkStatus(res);
    },
  };
}
