import type {
  MsTeamsConfig,
  MsTeamsV2Config,
} from '../../../../libs/config/sections/alertmanager/am-receivers-chat.ts';
import { useTemplate } from '../../template/default-templates.ts';
import { httpSender } from '../http/http-config.ts';
import type { NotificationData } from '../notification-data.ts';
import { checkStatus, postToWebhook, timeoutOf, webhookTarget } from './http-result.ts';
import { DEFAULT_TIMEOUT_MS, type Integration, type IntegrationContext } from './integration.ts';

/**
 * Microsoft Teams, both kinds Alertmanager has (notify/msteams, 0.26; notify/msteamsv2, 0.28):
 * - msteams: an Office 365 connector MessageCard (`@context`, `type`, title, summary, text, themeColor);
 * - msteamsv2: a Power Automate Workflows webhook taking a message with one Adaptive Card attachment (a bold
 *   heading coloured Attention/Good, then the text). Microsoft retired the connectors in favour of Workflows.
 * Webhook URLs are secrets. 5xx and 429 are retried.
 */
interface TeamsKind<C> {
  type: string;
  fields: (c: C) => Record<string, string>;
  body: (f: Record<string, string>, status: NotificationData['Status']) => unknown;
}

const messageCard: TeamsKind<MsTeamsConfig> = {
  type: 'msteams',
  fields: (c) => ({
    title: c.title ?? useTemplate('msteams.default.title'),
    summary: c.summary ?? useTemplate('msteams.default.summary'),
    text: c.text ?? useTemplate('msteams.default.text'),
  }),
  body: (f, status) => ({
    '@context': 'http://schema.org/extensions',
    type: 'MessageCard',
    title: f.title,
    summary: f.summary,
    text: f.text,
    themeColor: status === 'firing' ? '8C1A1A' : '2DC72D',
  }),
};

const adaptiveCard: TeamsKind<MsTeamsV2Config> = {
  type: 'msteamsv2',
  fields: (c) => ({
    title: c.title ?? useTemplate('msteamsv2.default.title'),
    text: c.text ?? useTemplate('msteamsv2.default.text'),
  }),
  body: (f, status) => ({
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.2',
          body: [
            {
              type: 'TextBlock',
              text: f.title,
              weight: 'Bolder',
              size: 'Medium',
              wrap: true,
              style: 'heading',
              color: status === 'firing' ? 'Attention' : 'Good',
            },
            { type: 'TextBlock', text: f.text, wrap: true },
          ],
          msteams: { width: 'full' },
        },
      },
    ],
  }),
};

function teams<C extends MsTeamsConfig | MsTeamsV2Config>(
  kind: TeamsKind<C>,
  cfg: C,
  place: { index: number; ctx: IntegrationContext },
): Integration {
  const { index, ctx } = place;
  const fields = kind.fields(cfg);
  for (const text of Object.values(fields)) ctx.templates.check(text);
  const sender = httpSender(cfg.http_config, ctx.global.http_config, ctx.env);
  const render = (data: NotificationData) =>
    kind.body(
      Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, ctx.templates.text(v, data)])),
      data.Status,
    );
  return {
    type: kind.type,
    index,
    target: webhookTarget(cfg),
    sendResolved: cfg.send_resolved,
    render,
    async notify(data, signal, opts) {
      return checkStatus(
        await postToWebhook({
          cfg,
          sender,
          body: render(data),
          signal,
          timeoutMs: timeoutOf(undefined, opts?.timeoutMs ?? DEFAULT_TIMEOUT_MS),
        }),
      );
    },
  };
}

export const msteamsIntegration = (cfg: MsTeamsConfig, index: number, ctx: IntegrationContext) =>
  teams(messageCard, cfg, { index, ctx });
export const msteamsV2Integration = (cfg: MsTeamsV2Config, index: number, ctx: IntegrationContext) =>
  teams(adaptiveCard, cfg, { index, ctx });
