import type { GlobalConfig } from '../../../../libs/config/sections/alertmanager/am-global.ts';
import type { NotificationData } from '../notification-data.ts';
import type { NotificationTemplates } from '../templates.ts';

/** One configured destination of a receiver (one entry of e.g. slack_configs). */
export interface Integration {
  /** The kind without `_configs`: slack, pagerduty, webhook, … */
  type: string;
  /** Index within its receiver's list of that type; with the receiver name it identifies the integration. */
  index: number;
  /**
   * Whom it notifies, for the notification log and /v1/receivers: never a secret (webhook paths and tokens are
   * redacted).
   */
  target: string;
  sendResolved: boolean;
  /** The integration's own timeout per attempt (e.g. webhook `timeout`), overriding the delivery settings. */
  timeoutMs?: number | undefined;
  /** Builds what would be sent, without sending (preview). */
  render(data: NotificationData): unknown;
  /**
   * One attempt. `timeoutMs` is the delivery setting, used when the integration has no timeout of its own. A
   * successful HTTP attempt reports the provider's status, for the notification log's attempts and test-send.
   */
  notify(data: NotificationData, signal: AbortSignal, opts?: { timeoutMs?: number }): Promise<AttemptReport | void>;
}

/** What a successful attempt tells besides its success. */
export interface AttemptReport {
  status?: number;
}

/** Each attempt's timeout when nothing else says (Alertmanager's notifiers have no timeout of their own by default). */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** What every integration factory gets besides its own config entry. */
export interface IntegrationContext {
  global: GlobalConfig;
  templates: NotificationTemplates;
  /** Where `*_env` and proxy_from_environment read from; process.env in service. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Failure of one attempt; `retry` false means retrying cannot help (a 4xx, a bad template). `retryAfterMs` is the
 * provider's own wait (Retry-After, Telegram's parameters.retry_after), `status` its HTTP status.
 */
export class NotifyError extends Error {
  constructor(
    message: string,
    readonly retry: boolean,
    readonly details: { status?: number; retryAfterMs?: number } = {},
  ) {
    super(message);
    this.name = 'NotifyError';
  }
}
