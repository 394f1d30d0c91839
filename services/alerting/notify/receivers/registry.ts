import type { DeliveredKind, ReceiverConfig } from '../../../../libs/config/sections/alertmanager/am-receiver.ts';
import { discordIntegration } from './discord.receiver.ts';
import { emailIntegration } from './email.receiver.ts';
import { NotifyError, type Integration, type IntegrationContext } from './integration.ts';
import { msteamsIntegration, msteamsV2Integration } from './msteams.receiver.ts';
import { opsgenieIntegration } from './opsgenie.receiver.ts';
import { pagerdutyIntegration } from './pagerduty.receiver.ts';
import { dingtalkIntegration, feishuIntegration } from './robot.receivers.ts';
import { slackIntegration } from './slack.receiver.ts';
import { telegramIntegration } from './telegram.receiver.ts';
import { webhookIntegration } from './webhook.receiver.ts';
import { wechatIntegration } from './wechat.receiver.ts';

type Factory<K extends DeliveredKind> = (
  cfg: NonNullable<ReceiverConfig[K]>[number],
  index: number,
  ctx: IntegrationContext,
) => Integration;

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

/**
 * The integrations of one receiver. One Pharos cannot build (a template its Go-template subset cannot parse, which
 * Alertmanager would only notice when sending) is reported through `onProblem` and kept as an integration that
 * fails every notification with that message: the config still loads, as Alertmanager's does, and nothing is
 * silently dropped.
 */
export function integrationsOf(
  receiver: ReceiverConfig,
  ctx: IntegrationContext,
  onProblem?: (where: string, message: string) => void,
): Integration[] {
  const out: Integration[] = [];
  for (const kind of Object.keys(RECEIVER_TYPES) as DeliveredKind[]) {
    const make = RECEIVER_TYPES[kind] as Factory<DeliveredKind>;
    (receiver[kind] ?? []).forEach((cfg, i) => {
      try {
        out.push(make(cfg, i, ctx));
      } catch (err) {
        const message = (err as Error).message;
        onProblem?.(`receiver "${receiver.name}" ${kind}.${i}`, message);
        out.push(broken(kind.replace(/_configs$/, ''), i, message));
      }
    });
  }
  return out;
}

function broken(type: string, index: number, message: string): Integration {
  const fail = () => {
    throw new NotifyError(`not configured: ${message}`, false);
  };
  return {
    type,
    index,
    target: `${type} (invalid: ${message})`,
    sendResolved: false,
    render: fail,
    notify: async () => fail(),
  };
}
