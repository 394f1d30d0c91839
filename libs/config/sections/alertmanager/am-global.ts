import { z } from 'zod';
import { httpConfigSchema, tlsConfigSchema } from './am-http-config.ts';
import { amHostPort, amSecretUrl, amString, amUrl, atMostOne, modelDuration } from './am-primitives.ts';

/**
 * Alertmanager's `global` block (config/config.go GlobalConfig, 0.35) with DefaultGlobalConfig's values: the
 * providers' public endpoints, so a receiver needs only its key or webhook.
 */
export const GLOBAL_DEFAULTS = {
  resolve_timeout: '5m',
  smtp_hello: 'localhost',
  smtp_require_tls: true,
  pagerduty_url: 'https://events.pagerduty.com/v2/enqueue',
  opsgenie_api_url: 'https://api.opsgenie.com/',
  wechat_api_url: 'https://qyapi.weixin.qq.com/cgi-bin/',
  victorops_api_url: 'https://alert.victorops.com/integrations/generic/20131114/alert/',
  telegram_api_url: 'https://api.telegram.org',
  webex_api_url: 'https://webexapis.com/v1/messages',
  slack_app_url: 'https://slack.com/api/chat.postMessage',
  rocketchat_api_url: 'https://open.rocket.chat/',
} as const;

export const globalSchema = z
  .object({
    resolve_timeout: modelDuration.default(GLOBAL_DEFAULTS.resolve_timeout),
    http_config: httpConfigSchema.optional(),
    smtp_from: amString.optional(),
    smtp_hello: amString.default(GLOBAL_DEFAULTS.smtp_hello),
    smtp_smarthost: amHostPort.optional(),
    smtp_auth_username: amString.optional(),
    smtp_auth_password: amString.optional(),
    smtp_auth_password_file: amString.optional(),
    smtp_auth_secret: amString.optional(),
    smtp_auth_secret_file: amString.optional(),
    smtp_auth_identity: amString.optional(),
    smtp_require_tls: z.boolean().default(GLOBAL_DEFAULTS.smtp_require_tls),
    smtp_tls_config: tlsConfigSchema.optional(),
    smtp_force_implicit_tls: z.boolean().optional(),
    slack_api_url: amSecretUrl.optional(),
    slack_api_url_file: amString.optional(),
    slack_app_token: amString.optional(),
    slack_app_token_file: amString.optional(),
    slack_app_url: amUrl.default(GLOBAL_DEFAULTS.slack_app_url),
    pagerduty_url: amUrl.default(GLOBAL_DEFAULTS.pagerduty_url),
    opsgenie_api_url: amUrl.default(GLOBAL_DEFAULTS.opsgenie_api_url),
    opsgenie_api_key: amString.optional(),
    opsgenie_api_key_file: amString.optional(),
    wechat_api_url: amUrl.default(GLOBAL_DEFAULTS.wechat_api_url),
    wechat_api_secret: amString.optional(),
    wechat_api_secret_file: amString.optional(),
    wechat_api_corp_id: amString.optional(),
    victorops_api_url: amUrl.default(GLOBAL_DEFAULTS.victorops_api_url),
    victorops_api_key: amString.optional(),
    victorops_api_key_file: amString.optional(),
    telegram_api_url: amUrl.default(GLOBAL_DEFAULTS.telegram_api_url),
    telegram_bot_token: amString.optional(),
    telegram_bot_token_file: amString.optional(),
    webex_api_url: amUrl.default(GLOBAL_DEFAULTS.webex_api_url),
    jira_api_url: amUrl.optional(),
    rocketchat_api_url: amUrl.default(GLOBAL_DEFAULTS.rocketchat_api_url),
    rocketchat_token: amString.optional(),
    rocketchat_token_file: amString.optional(),
    rocketchat_token_id: amString.optional(),
    rocketchat_token_id_file: amString.optional(),
    mattermost_webhook_url: amSecretUrl.optional(),
    mattermost_webhook_url_file: amString.optional(),
  })
  .strict()
  .superRefine((g, ctx) => {
    const pairs: [string, string][] = [
      ['slack_app_token', 'slack_app_token_file'],
      ['slack_api_url', 'slack_api_url_file'],
      ['opsgenie_api_key', 'opsgenie_api_key_file'],
      ['victorops_api_key', 'victorops_api_key_file'],
      ['telegram_bot_token', 'telegram_bot_token_file'],
      ['smtp_auth_password', 'smtp_auth_password_file'],
      ['rocketchat_token', 'rocketchat_token_file'],
      ['rocketchat_token_id', 'rocketchat_token_id_file'],
      ['smtp_auth_secret', 'smtp_auth_secret_file'],
      ['wechat_api_secret', 'wechat_api_secret_file'],
      ['mattermost_webhook_url', 'mattermost_webhook_url_file'],
    ];
    for (const pair of pairs) atMostOne(ctx, g, pair);
    const appToken = g.slack_app_token || g.slack_app_token_file;
    if (appToken && (g.slack_api_url || g.slack_api_url_file) && g.slack_api_url !== g.slack_app_url) {
      ctx.addIssue({
        code: 'custom',
        path: ['slack_app_token'],
        message:
          'at most one of slack_app_token/slack_app_token_file & slack_api_url/slack_api_url_file must be configured',
      });
    }
  });

export type GlobalConfig = z.infer<typeof globalSchema>;
