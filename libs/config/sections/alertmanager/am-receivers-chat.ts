import { z } from 'zod';
import { notifierFields } from './am-receivers-basic.ts';
import { amSecretUrl, amString, amUrl, atMostOne, goDuration, issue } from './am-primitives.ts';

/** Slack, Microsoft Teams (both card kinds), Discord and Telegram, as notify/<name>/config.go of Alertmanager 0.35. */

const slackField = z
  .object({ title: amString.optional(), value: amString.optional(), short: z.boolean().optional() })
  .strict()
  .superRefine((f, ctx) => {
    if (!f.title) issue(ctx, ['title'], 'missing title in Slack field configuration');
    if (!f.value) issue(ctx, ['value'], 'missing value in Slack field configuration');
  });

const slackAction = z
  .object({
    type: amString.optional(),
    text: amString.optional(),
    url: amString.optional(),
    style: amString.optional(),
    name: amString.optional(),
    value: amString.optional(),
    confirm: z
      .object({
        text: amString.optional(),
        title: amString.optional(),
        ok_text: amString.optional(),
        dismiss_text: amString.optional(),
      })
      .strict()
      .superRefine((c, ctx) => {
        if (!c.text) issue(ctx, ['text'], 'missing text in Slack confirmation configuration');
      })
      .optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (!a.type) issue(ctx, ['type'], 'missing type in Slack action configuration');
    if (!a.text) issue(ctx, ['text'], 'missing text in Slack action configuration');
    if (!a.url && !a.name) issue(ctx, [], 'missing name or url in Slack action configuration');
  })
  // As Alertmanager: a URL button drops the message-action fields, a named action drops the URL.
  .transform((a) =>
    a.url ? { ...a, name: undefined, value: undefined, confirm: undefined } : { ...a, url: undefined },
  );

export const SLACK_POST_MESSAGE_URL = 'https://slack.com/api/chat.postMessage';

export const slackConfigSchema = z
  .object({
    ...notifierFields,
    send_resolved: z.boolean().default(false),
    api_url: amSecretUrl.optional(),
    api_url_file: amString.optional(),
    app_token: amString.optional(),
    app_token_file: amString.optional(),
    app_url: amUrl.optional(),
    channel: amString.optional(),
    username: amString.optional(),
    color: amString.optional(),
    title: amString.optional(),
    title_link: amString.optional(),
    pretext: amString.optional(),
    text: amString.optional(),
    message_text: amString.optional(),
    fields: z.array(slackField).optional(),
    short_fields: z.boolean().default(false),
    footer: amString.optional(),
    fallback: amString.optional(),
    callback_id: amString.optional(),
    icon_emoji: amString.optional(),
    icon_url: amString.optional(),
    image_url: amString.optional(),
    thumb_url: amString.optional(),
    link_names: z.boolean().default(false),
    mrkdwn_in: z.array(amString).optional(),
    actions: z.array(slackAction).optional(),
    update_message: z.boolean().optional(),
    post_updates_to_thread: z.boolean().optional(),
    timeout: goDuration.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    atMostOne(ctx, c, ['api_url', 'api_url_file']);
    atMostOne(ctx, c, ['app_token', 'app_token_file']);
    if ((c.api_url || c.api_url_file) && (c.app_token || c.app_token_file))
      issue(ctx, ['app_token'], 'at most one of api_url/api_url_file & app_token/app_token_file must be configured');
    for (const option of ['update_message', 'post_updates_to_thread'] as const) {
      if (!c[option]) continue;
      if (!c.api_url && c.api_url_file) issue(ctx, [option], `${option} can't be used with api_url_file`);
      if (c.api_url && c.api_url !== SLACK_POST_MESSAGE_URL)
        issue(
          ctx,
          [option],
          `${option} can only be used with bot tokens. api_url must be set to ${SLACK_POST_MESSAGE_URL}`,
        );
    }
  });

/** The fields of the kinds posting to one secret webhook URL (Teams, Discord), resolved sent by default. */
const webhookFields = {
  ...notifierFields,
  send_resolved: z.boolean().default(true),
  webhook_url: amSecretUrl.optional(),
  webhook_url_file: amString.optional(),
};

const webhookUrlPair = (
  c: { webhook_url?: string | undefined; webhook_url_file?: string | undefined },
  ctx: z.RefinementCtx,
) => {
  if (!c.webhook_url && !c.webhook_url_file)
    issue(ctx, ['webhook_url'], 'one of webhook_url or webhook_url_file must be configured');
  atMostOne(ctx, c, ['webhook_url', 'webhook_url_file']);
};

/** Office 365 connector (MessageCard); retired by Microsoft in favour of Workflows (msteamsv2). */
export const msteamsConfigSchema = z
  .object({
    ...webhookFields,
    title: amString.optional(),
    summary: amString.optional(),
    text: amString.optional(),
  })
  .strict()
  .superRefine(webhookUrlPair);

/** Power Automate Workflows webhook (Adaptive Card), Alertmanager 0.28+. */
export const msteamsV2ConfigSchema = z
  .object({
    ...webhookFields,
    title: amString.optional(),
    text: amString.optional(),
  })
  .strict()
  .superRefine(webhookUrlPair);

export const discordConfigSchema = z
  .object({
    ...webhookFields,
    content: amString.optional(),
    title: amString.optional(),
    message: amString.optional(),
    username: amString.optional(),
    avatar_url: amString.optional(),
  })
  .strict()
  .superRefine(webhookUrlPair);

/** int64 fields: YAML integers only (yaml.v2 does not turn "123" into a number). */
const int64 = z.number().int();

export const telegramConfigSchema = z
  .object({
    ...notifierFields,
    send_resolved: z.boolean().default(true),
    api_url: amUrl.optional(),
    bot_token: amString.optional(),
    bot_token_file: amString.optional(),
    chat_id: int64.optional(),
    chat_id_file: amString.optional(),
    message_thread_id: int64.optional(),
    message: amString.optional(),
    disable_notifications: z.boolean().default(false),
    parse_mode: amString.default('HTML'),
    timeout: goDuration.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    atMostOne(ctx, c, ['bot_token', 'bot_token_file']);
    if (!c.chat_id && !c.chat_id_file) issue(ctx, ['chat_id'], 'missing chat_id or chat_id_file on telegram_config');
    atMostOne(ctx, c, ['chat_id', 'chat_id_file']);
    if (!['', 'Markdown', 'MarkdownV2', 'HTML'].includes(c.parse_mode)) {
      issue(
        ctx,
        ['parse_mode'],
        'unknown parse_mode on telegram_config, must be Markdown, MarkdownV2, HTML or empty string',
      );
    }
  });

export type SlackConfig = z.infer<typeof slackConfigSchema>;
export type MsTeamsConfig = z.infer<typeof msteamsConfigSchema>;
export type MsTeamsV2Config = z.infer<typeof msteamsV2ConfigSchema>;
export type DiscordConfig = z.infer<typeof discordConfigSchema>;
export type TelegramConfig = z.infer<typeof telegramConfigSchema>;
