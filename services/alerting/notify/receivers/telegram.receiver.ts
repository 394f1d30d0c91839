import type { TelegramConfig } from '../../../../libs/config/sections/alertmanager/am-receivers-chat.ts';
import { parseGoDuration as goDurationMs } from '../../../../libs/time/duration.ts';
import { useTemplate } from '../../template/default-templates.ts';
import { httpSender } from '../http/http-config.ts';
import type { NotificationData } from '../notification-data.ts';
import { checkStatus, secretValue, sendJson, timeoutOf } from './http-result.ts';
import { DEFAULT_TIMEOUT_MS, NotifyError, type Integration, type IntegrationContext } from './integration.ts';
import { truncateRunes } from './truncate.ts';

/**
 * Telegram (notify/telegram, through the telebot client): POST <api_url>/bot<token>/sendMessage with the form
 * telebot sends (string values: chat_id, text, parse_mode, disable_web_page_preview "true", disable_notification
 * and message_thread_id when set). With parse_mode HTML (the default) the message is executed as html/template.
 * Telegram answers `{"ok": false, "error_code": 429, "parameters": {"retry_after": N}}` when rate limiting: the
 * retry waits N seconds. https://core.telegram.org/bots/api#sendmessage
 */
const MAX_RUNES = 4096;

export function telegramIntegration(cfg: TelegramConfig, index: number, ctx: IntegrationContext): Integration {
  const message = cfg.message ?? useTemplate('telegram.default.message');
  ctx.templates.check(message);
  const apiUrl = (cfg.api_url ?? ctx.global.telegram_api_url).replace(/\/$/, '');
  const sender = httpSender(cfg.http_config, ctx.global.http_config, ctx.env);
  const ownTimeout = cfg.timeout ? goDurationMs(cfg.timeout) : undefined;
  const tokenInline = cfg.bot_token ?? (cfg.bot_token_file ? undefined : ctx.global.telegram_bot_token);
  const tokenFile = cfg.bot_token ? undefined : (cfg.bot_token_file ?? ctx.global.telegram_bot_token_file);
  const chatId = () =>
    cfg.chat_id !== undefined ? String(cfg.chat_id) : secretValue(undefined, cfg.chat_id_file, 'chat_id');

  const render = (data: NotificationData) => {
    const html = cfg.parse_mode === 'HTML';
    let text = html ? ctx.templates.html(message, data) : truncateRunes(ctx.templates.text(message, data), MAX_RUNES);
    if (html && [...text.replace(/<[^>]*>/g, '')].length > MAX_RUNES) {
      text =
        'Alertmanager notification could not be sent: message length exceeds Telegram limits.\nPlease check the template used for producing the message content.';
    }
    return {
      chat_id: chatId(),
      text,
      ...(cfg.parse_mode ? { parse_mode: cfg.parse_mode } : {}),
      disable_web_page_preview: 'true',
      ...(cfg.disable_notifications ? { disable_notification: 'true' } : {}),
      ...(cfg.message_thread_id ? { message_thread_id: String(cfg.message_thread_id) } : {}),
    };
  };

  return {
    type: 'telegram',
    index,
    target: `telegram chat ${cfg.chat_id ?? `from ${cfg.chat_id_file}`}`,
    sendResolved: cfg.send_resolved,
    timeoutMs: ownTimeout,
    render,
    async notify(data, signal, opts) {
      const token = secretValue(tokenInline, tokenFile, 'bot_token');
      const shownAs = `${apiUrl}/bot<redacted>/sendMessage`;
      const res = await sendJson({
        sender,
        url: `${apiUrl}/bot${token}/sendMessage`,
        body: render(data),
        signal,
        timeoutMs: timeoutOf(ownTimeout, opts?.timeoutMs ?? DEFAULT_TIMEOUT_MS),
        shownAs,
      });
      const answer = parse(res.body);
      if (answer?.ok === false || res.status >= 300) {
        const wait = answer?.parameters?.retry_after;
        const code = answer?.error_code ?? res.status;
        if (typeof wait === 'number')
          throw new NotifyError(`telegram: ${answer?.description ?? 'Too Many Requests'}`, true, {
            status: code,
            retryAfterMs: wait * 1000,
          });
        if (answer?.description && res.status < 500 && res.status !== 429)
          throw new NotifyError(`telegram: ${answer.description} (${code})`, false, { status: code });
        checkStatus(res);
      }
      return { status: res.status };
    },
  };
}

interface TelegramAnswer {
  ok?: boolean;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number };
}

function parse(text: string): TelegramAnswer | undefined {
  try {
    return JSON.parse(text) as TelegramAnswer;
  } catch {
    return undefined;
  }
}
