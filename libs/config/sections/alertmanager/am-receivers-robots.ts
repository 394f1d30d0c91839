import { z } from 'zod';
import { notifierFields } from './am-receivers-basic.ts';
import { amSecretUrl, amString, atMostOne, issue } from './am-primitives.ts';

/**
 * DingTalk and Feishu (Lark) group robots: not in Alertmanager, so these are Pharos's own receiver kinds, named
 * after KubeSphere notification-manager's Receiver CRD (`dingtalk.chatbot.{webhook, secret, keywords, atMobiles,
 * atUsers, atAll}`, `feishu.chatbot.{webhook, secret, keywords}`, `tmplType`) but written in Alertmanager's
 * snake_case beside the other `*_configs`. Alertmanager refuses a file that contains them (check-config says so).
 */
const robotFields = {
  ...notifierFields,
  send_resolved: z.boolean().default(true),
  /** The robot's webhook URL (DingTalk: https://oapi.dingtalk.com/robot/send?access_token=…). */
  webhook_url: amSecretUrl.optional(),
  webhook_url_file: amString.optional(),
  /** The robot's signing secret ("加签"); signed requests carry timestamp and sign. */
  secret: amString.optional(),
  secret_file: amString.optional(),
  /** Words the robot's "custom keywords" security setting requires; appended to every message. */
  keywords: z.array(amString).optional(),
  title: amString.optional(),
  message: amString.optional(),
};

function robotChecks(
  c: {
    webhook_url?: string | undefined;
    webhook_url_file?: string | undefined;
    secret?: string | undefined;
    secret_file?: string | undefined;
  },
  ctx: z.RefinementCtx,
): void {
  if (!c.webhook_url && !c.webhook_url_file)
    issue(ctx, ['webhook_url'], 'one of webhook_url or webhook_url_file must be configured');
  atMostOne(ctx, c, ['webhook_url', 'webhook_url_file']);
  atMostOne(ctx, c, ['secret', 'secret_file']);
}

export const dingtalkConfigSchema = z
  .object({
    ...robotFields,
    /** notification-manager's tmplType: text or markdown (default text, as there). */
    msg_type: z.enum(['text', 'markdown']).default('text'),
    at_mobiles: z.array(amString).optional(),
    at_user_ids: z.array(amString).optional(),
    at_all: z.boolean().default(false),
  })
  .strict()
  .superRefine(robotChecks);

export const feishuConfigSchema = z
  .object({
    ...robotFields,
    /** notification-manager's tmplType: post (rich text, its default) or text. */
    msg_type: z.enum(['post', 'text']).default('post'),
  })
  .strict()
  .superRefine(robotChecks);

export type DingtalkConfig = z.infer<typeof dingtalkConfigSchema>;
export type FeishuConfig = z.infer<typeof feishuConfigSchema>;
