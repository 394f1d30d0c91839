import type { AlertingConfig, ReceiverConfig } from '../../../../libs/config/sections/alerting.ts';
import { emailIntegration } from './email.receiver.ts';
import type { Integration } from './integration.ts';
import { webhookIntegration } from './webhook.receiver.ts';

/** Receiver kinds keyed by their Alertmanager config key; a new kind is one entry here. */
export const RECEIVER_TYPES: Record<'email_configs' | 'webhook_configs', (cfg: never, index: number, global: AlertingConfig['global']) => Integration> = {
  email_configs: (cfg, index, global) => emailIntegration(cfg, index, global),
  webhook_configs: (cfg, index) => webhookIntegration(cfg, index),
};

export function integrationsOf(receiver: ReceiverConfig, global: AlertingConfig['global']): Integration[] {
  const out: Integration[] = [];
  for (const [key, make] of Object.entries(RECEIVER_TYPES)) {
    const list = (receiver as Record<string, unknown[] | undefined>)[key] ?? [];
    list.forEach((cfg, i) => out.push(make(cfg as never, i, global)));
  }
  return out;
}
