import { createHmac } from 'node:crypto';
import type {
  DingtalkConfig,
  FeishuConfig,
} from '../../../../libs/config/sections/alertmanager/am-receivers-robots.ts';
import { useTemplate } from '../../template/default-templates.ts';
import { httpSender } from '../http/http-config.ts';
import type { NotificationData } from '../notification-data.ts';
import { checkStatus, postToWebhook, secretValue, timeoutOf, webhookTarget } from './http-result.ts';
import { DEFAULT_TIMEOUT_MS, NotifyError, type Integration, type IntegrationContext } from './integration.ts';

/**
 * DingTalk and Feishu (Lark) group robots ("custom bots"), as KubeSphere notification-manager sends to them:
 * - DingTalk: POST <webhook>[&timestamp=<ms>&sign=<base64 HMAC-SHA256(secret, "<ms>\n<secret>")>] with a text or
 *   markdown message and `at` (mobiles, user ids, all); answers {"errcode": 0}; 130101 ("send too fast", 20 a
 *   minute) is retried after a minute. https://open.dingtalk.com/document/robots/custom-robot-access
 * - Feishu: POST <webhook> with a text or post (rich text) message, signed with `timestamp` (seconds) and
 *   `sign` = base64 HMAC-SHA256 keyed by "<timestamp>\n<secret>" over nothing; answers {"code": 0}; 9499 (too many
 *   requests) is retried. https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot
 * Keywords (the robot's keyword security setting) are appended as notification-manager appends them.
 */
const keywordsSuffix = (k: string[] | undefined) => (k?.length ? `\n\n[Keywords] ${k.join(', ')}` : '');

export function dingtalkIntegration(cfg: DingtalkConfig, index: number, ctx: IntegrationContext): Integration {
  const message =
    cfg.message ?? useTemplate(cfg.msg_type === 'markdown' ? 'dingtalk.default.markdown' : 'dingtalk.default.message');
  const title = cfg.title ?? useTemplate('dingtalk.default.title');
  for (const t of [message, title]) ctx.templates.check(t);
  const sender = httpSender(cfg.http_config, ctx.global.http_config, ctx.env);
  const at = { atMobiles: cfg.at_mobiles ?? [], atUserIds: cfg.at_user_ids ?? [], isAtAll: cfg.at_all };
  const render = (data: NotificationData) => {
    const text = ctx.templates.text(message, data) + keywordsSuffix(cfg.keywords);
    if (cfg.msg_type === 'text') return { msgtype: 'text', text: { content: text }, at };
    // DingTalk highlights a mention in Markdown only when the text contains "@<mobile>".
    const mentions = (cfg.at_mobiles ?? []).map((m) => `@${m}`).join(' ');
    return {
      msgtype: 'markdown',
      markdown: { title: ctx.templates.text(title, data), text: mentions ? `${text} ${mentions}` : text },
      at,
    };
  };
  return {
    type: 'dingtalk',
    index,
    target: webhookTarget(cfg),
    sendResolved: cfg.send_resolved,
    render,
    async notify(data, signal, opts) {
      let url = secretValue(cfg.webhook_url, cfg.webhook_url_file, 'webhook_url');
      if (cfg.secret || cfg.secret_file) {
        const secret = secretValue(cfg.secret, cfg.secret_file, 'secret');
        const ts = String(Date.now());
        const sign = createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64');
        url += `${url.includes('?') ? '&' : '?'}timestamp=${ts}&sign=${encodeURIComponent(sign)}`;
      }
      const res = await postToWebhook({
        cfg,
        url,
        sender,
        body: render(data),
        signal,
        timeoutMs: timeoutOf(undefined, opts?.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
      const report = checkStatus(res);
      const answer = parse(res.body) as { errcode?: number; errmsg?: string } | undefined;
      const code = answer?.errcode ?? 0;
      if (code === 0) return report;
      throw new NotifyError(
        `dingtalk: ${code} ${answer?.errmsg ?? ''}`.trim(),
        code === 130101,
        code === 130101 ? { retryAfterMs: 60_000 } : {},
      );
    },
  };
}

export function feishuIntegration(cfg: FeishuConfig, index: number, ctx: IntegrationContext): Integration {
  const message = cfg.message ?? useTemplate('feishu.default.message');
  const title = cfg.title ?? useTemplate('feishu.default.title');
  for (const t of [message, title]) ctx.templates.check(t);
  const sender = httpSender(cfg.http_config, ctx.global.http_config, ctx.env);
  const render = (data: NotificationData) => {
    const text = ctx.templates.text(message, data) + keywordsSuffix(cfg.keywords);
    if (cfg.msg_type === 'text') return { msg_type: 'text', content: { text } };
    const lines = text.split('\n').map((line) => [{ tag: 'text', text: line }]);
    return {
      msg_type: 'post',
      content: { post: { zh_cn: { title: ctx.templates.text(title, data), content: lines } } },
    };
  };
  return {
    type: 'feishu',
    index,
    target: webhookTarget(cfg),
    sendResolved: cfg.send_resolved,
    render,
    async notify(data, signal, opts) {
      const body: Record<string, unknown> = render(data);
      if (cfg.secret || cfg.secret_file) {
        const ts = String(Math.floor(Date.now() / 1000));
        body.timestamp = ts;
        body.sign = createHmac('sha256', `${ts}\n${secretValue(cfg.secret, cfg.secret_file, 'secret')}`)
          .update('')
          .digest('base64');
      }
      const res = await postToWebhook({
        cfg,
        sender,
        body,
        signal,
        timeoutMs: timeoutOf(undefined, opts?.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
      const report = checkStatus(res);
      const answer = parse(res.body) as { code?: number; msg?: string; StatusCode?: number } | undefined;
      const code = answer?.code ?? answer?.StatusCode ?? 0;
      if (code === 0) return report;
      throw new NotifyError(`feishu: ${code} ${answer?.msg ?? ''}`.trim(), code === 9499);
    },
  };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
