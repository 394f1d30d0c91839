import type { AlertingConfig } from '../../../libs/config/sections/alerting.ts';
import { tryParseDuration as modelDurationMs } from '../../../libs/time/duration.ts';
import type { DeliverySettings } from './delivery.ts';
import type { RetryPolicy } from './retry.ts';

/** A duration the config schema has already validated, in ms. */
export const configMs = (d: string) => modelDurationMs(d) as number;

/** Each receiver's retry policy and attempt timeout: alerting.notification, overridden per receiver. */
export function deliverySettings(
  c: AlertingConfig,
  extra: Partial<RetryPolicy> = {},
): (receiver: string) => DeliverySettings {
  return (receiver) => {
    const n = { ...c.notification, ...c.notification.receivers[receiver] };
    return {
      retry: {
        initialMs: configMs(n.initialBackoff),
        maxMs: configMs(n.maxBackoff),
        giveUpAfterMs: configMs(n.giveUpAfter),
        ...extra,
      },
      timeoutMs: configMs(n.timeout),
    };
  };
}
