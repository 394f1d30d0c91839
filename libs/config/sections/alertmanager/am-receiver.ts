import { z } from 'zod';
import { amString, issue } from './am-primitives.ts';
import { emailConfigSchema, webhookConfigSchema } from './am-receivers-basic.ts';
import {
  discordConfigSchema,
  msteamsConfigSchema,
  msteamsV2ConfigSchema,
  slackConfigSchema,
  telegramConfigSchema,
} from './am-receivers-chat.ts';
import { NOT_DELIVERED_RECEIVERS } from './am-receivers-other.ts';
import { opsgenieConfigSchema, pagerdutyConfigSchema, wechatConfigSchema } from './am-receivers-paging.ts';
import { dingtalkConfigSchema, feishuConfigSchema } from './am-receivers-robots.ts';

/**
 * One receiver: a name and lists of integrations keyed by Alertmanager's config keys. The kinds Pharos delivers
 * to are DELIVERED_RECEIVERS (their notifiers are registered in services/alerting/notify/receivers/registry.ts);
 * Alertmanager's other kinds are accepted, validated and reported as not acted on.
 */
export const DELIVERED_RECEIVERS = {
  email_configs: emailConfigSchema,
  webhook_configs: webhookConfigSchema,
  slack_configs: slackConfigSchema,
  msteams_configs: msteamsConfigSchema,
  msteamsv2_configs: msteamsV2ConfigSchema,
  discord_configs: discordConfigSchema,
  telegram_configs: telegramConfigSchema,
  pagerduty_configs: pagerdutyConfigSchema,
  opsgenie_configs: opsgenieConfigSchema,
  wechat_configs: wechatConfigSchema,
  dingtalk_configs: dingtalkConfigSchema,
  feishu_configs: feishuConfigSchema,
} as const;

export type DeliveredKind = keyof typeof DELIVERED_RECEIVERS;
export type NotDeliveredKind = keyof typeof NOT_DELIVERED_RECEIVERS;

/** Kinds that are Pharos's own: Alertmanager refuses a file containing them. */
export const PHAROS_ONLY_KINDS: readonly DeliveredKind[] = ['dingtalk_configs', 'feishu_configs'];

/** A list of integrations; an empty item (`- ` alone) is refused, as Alertmanager 0.35 refuses a nil config. */
function list<T extends z.ZodType>(schema: T) {
  return z
    .array(z.unknown())
    .superRefine((items, ctx) => {
      items.forEach((item, i) => {
        if (item === null) issue(ctx, [i], 'missing config (empty list item)');
      });
    })
    .pipe(z.array(schema))
    .optional();
}

const D = DELIVERED_RECEIVERS;
const N = NOT_DELIVERED_RECEIVERS;

export const receiverSchema = z
  .object({
    name: amString.optional(),
    email_configs: list(D.email_configs),
    webhook_configs: list(D.webhook_configs),
    slack_configs: list(D.slack_configs),
    msteams_configs: list(D.msteams_configs),
    msteamsv2_configs: list(D.msteamsv2_configs),
    discord_configs: list(D.discord_configs),
    telegram_configs: list(D.telegram_configs),
    pagerduty_configs: list(D.pagerduty_configs),
    opsgenie_configs: list(D.opsgenie_configs),
    wechat_configs: list(D.wechat_configs),
    dingtalk_configs: list(D.dingtalk_configs),
    feishu_configs: list(D.feishu_configs),
    pushover_configs: list(N.pushover_configs),
    victorops_configs: list(N.victorops_configs),
    sns_configs: list(N.sns_configs),
    webex_configs: list(N.webex_configs),
    jira_configs: list(N.jira_configs),
    rocketchat_configs: list(N.rocketchat_configs),
    mattermost_configs: list(N.mattermost_configs),
    incidentio_configs: list(N.incidentio_configs),
  })
  .strict()
  .transform((r, ctx) => {
    if (!r.name) {
      issue(ctx, ['name'], 'missing name in receiver');
      return z.NEVER;
    }
    return { ...r, name: r.name };
  });

export type ReceiverConfig = z.infer<typeof receiverSchema>;
