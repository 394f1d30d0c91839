import type { WechatConfig } from '../../../../libs/config/sections/alertmanager/am-receivers-paging.ts';
import { useTemplate } from '../../template/default-templates.ts';
import { httpSender } from '../http/http-config.ts';
import type { NotificationData } from '../notification-data.ts';
import { checkStatus, plainUrlShown, secretValue, sendJson, timeoutOf } from './http-result.ts';
import { DEFAULT_TIMEOUT_MS, NotifyError, type Integration, type IntegrationContext } from './integration.ts';

/**
 * WeChat Work / WeCom (notify/wechat): an access token from GET <api_url>gettoken?corpid=…&corpsecret=… (kept two
 * hours, as Alertmanager keeps it), then POST <api_url>message/send?access_token=… with the application message.
 * The body has Alertmanager's shape (both `text` and `markdown` objects, `safe: "0"`). WeCom answers 200 with
 * {"errcode": …}: 0 is success; 42001/40014 (expired/invalid token) fetch a new token and retry; 45009, 45033 and
 * -1 (frequency limits, busy) are retried; the others are final. Alertmanager 0.25 reads `code`, which WeCom does
 * not send, and so never sees an error. https://developer.work.weixin.qq.com/document/path/90236
 */
const TOKEN_TTL_MS = 2 * 3600_000;
const RETRY_CODES = new Set([42001, 40014, 45009, 45033, -1]);

export function wechatIntegration(cfg: WechatConfig, index: number, ctx: IntegrationContext): Integration {
  const { templates, global } = ctx;
  const t = {
    message: cfg.message ?? useTemplate('wechat.default.message'),
    toUser: cfg.to_user ?? useTemplate('wechat.default.to_user'),
    toParty: cfg.to_party ?? useTemplate('wechat.default.to_party'),
    toTag: cfg.to_tag ?? useTemplate('wechat.default.to_tag'),
    agentId: cfg.agent_id ?? useTemplate('wechat.default.agent_id'),
  };
  for (const x of Object.values(t)) templates.check(x);
  const base = (cfg.api_url ?? global.wechat_api_url).replace(/\/?$/, '/');
  const corpId = cfg.corp_id ?? global.wechat_api_corp_id ?? '';
  const sender = httpSender(cfg.http_config, global.http_config, ctx.env);
  let token: { value: string; at: number } | undefined;

  const render = (data: NotificationData) => {
    const tx = (s: string) => templates.text(s, data);
    const content = tx(t.message);
    const body: Record<string, unknown> = {
      text: { content: cfg.message_type === 'markdown' ? '' : content },
      touser: tx(t.toUser),
      toparty: tx(t.toParty),
      totag: tx(t.toTag),
      agentid: tx(t.agentId),
      safe: '0',
      msgtype: cfg.message_type,
      markdown: { content: cfg.message_type === 'markdown' ? content : '' },
    };
    return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== ''));
  };

  const accessToken = async (data: NotificationData, signal: AbortSignal, timeoutMs: number): Promise<string> => {
    if (token && Date.now() - token.at < TOKEN_TTL_MS) return token.value;
    const secret = templates.text(
      secretValue(
        cfg.api_secret ?? (cfg.api_secret_file ? undefined : global.wechat_api_secret),
        cfg.api_secret ? undefined : (cfg.api_secret_file ?? global.wechat_api_secret_file),
        'api_secret',
      ),
      data,
    );
    const query = new URLSearchParams({ corpid: templates.text(corpId, data), corpsecret: secret });
    const res = await sendJson({
      sender,
      url: `${base}gettoken?${query}`,
      method: 'GET',
      body: undefined,
      signal,
      timeoutMs,
      shownAs: `${plainUrlShown(base)}gettoken`,
    });
    checkStatus(res);
    const answer = parse(res.body);
    if (!answer?.access_token)
      throw new NotifyError(
        `wechat: no access token for corp_id ${corpId}${answer?.errmsg ? ` (${answer.errcode}: ${answer.errmsg})` : ''}`,
        false,
      );
    token = { value: answer.access_token, at: Date.now() };
    return token.value;
  };

  return {
    type: 'wechat',
    index,
    target: `wechat corp ${corpId}${cfg.to_user ? ` to ${cfg.to_user}` : ''}`,
    sendResolved: cfg.send_resolved,
    render,
    async notify(data, signal, opts) {
      const timeoutMs = timeoutOf(undefined, opts?.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      const access = await accessToken(data, signal, timeoutMs);
      const res = await sendJson({
        sender,
        url: `${base}message/send?${new URLSearchParams({ access_token: access })}`,
        body: render(data),
        signal,
        timeoutMs,
        shownAs: `${plainUrlShown(base)}message/send`,
      });
      const report = checkStatus(res);
      const answer = parse(res.body);
      const code = answer?.errcode ?? 0;
      if (code === 0) return report;
      if (code === 42001 || code === 40014) token = undefined;
      throw new NotifyError(`wechat: ${code} ${answer?.errmsg ?? ''}`.trim(), RETRY_CODES.has(code), {
        status: res.status,
      });
    },
  };
}

function parse(text: string): { errcode?: number; errmsg?: string; access_token?: string } | undefined {
  try {
    return JSON.parse(text) as { errcode?: number; errmsg?: string; access_token?: string };
  } catch {
    return undefined;
  }
}
