import type { DeliveredKind, ReceiverConfig } from '../../../../libs/config/sections/alertmanager/am-receiver.ts';
import { discordIntegration } from './discord.receiver.ts';
import { emailIntegration } from './email.receiver.ts';
import type { Integration, IntegrationContext } from './integration.ts';
import { msteamsIntegration, msteamsV2Integration } from './msteams.receiver.ts';
import { opsgenieIntegration } from './opsgenie.receiver.ts';
import { pagerdutyIntegration } from './pagerduty.receiver.ts';
import { dingtalkIntegration, feishuIntegration } from './robot.receivers.ts';
import { slackIntegration } from './slack.receiver.ts';
import { telegramIntegration } from './telegram.receiver.ts';
import { webhookIntegration } from './webhook.receiver.ts';
import { wechatIntegration } from './wechat.receiver.ts';

type Factory<K extends DeliveredKind> = (cfg: NonNullable<ReceiverConfig[K]>[number], index: number, ctx: IntegrationContext) => Integration;

/**
 * Receiver kinds Pharos delivers to, keyed by their Alertmanager config key; a new kind is its config schema in
 * libs/config/sections/alertmanager/am-receiver.ts plus one entry here.
 */
export const RECEIVER_TYPES: { [K in DeliveredKind]: Factory<K> } = {
  email_configs: emailIntegration,
  webhook_configs: webhookIntegration,
  slack_configs: slackIntegration,
  msteams_configs: msteamsIntegration,
  msteamsv2_configs: msteamsV2Integration,
  discord_configs: discordIntegration,
  telegram_configs: telegramIntegration,
  pagerduty_configs: pagerdutyIntegration,
  opsgenie_configs: opsgenieIntegration,
  wechat_configs: wechatIntegration,
  dingtalk_configs: dingtalkIntegration,
  feishu_configs: feishuIntegration,
};

export function integrationsOf(receiver: ReceiverConfig, ctx: IntegrationContext): Integration[] {
  const out: Integration[] = [];
  for (const kind of Object.keys(RECEIVER_TYPES) as DeliveredKind[]) {
    const make = RECEIVER_TYPES[kind] as Factory<DeliveredKind>;
    (receiver[kind] ?? []).forEach((cfg, i) => out.push(make(cfg, i, ctx)));
  }
  return out;
}
