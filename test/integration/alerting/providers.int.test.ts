import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeProviders, type Failure, type FakeProviders, type ProviderRequest } from './fake-providers.ts';
import { providerHarness, type ProviderHarness } from './provider-harness.ts';

/**
 * Every HTTP integration against a loopback server playing its provider: method, path, headers and JSON body as the
 * provider's API documents them, for firing and for resolved; a rate-limit answer (429 with the provider's own
 * wait) and a 5xx are retried, the wait honoured; a 4xx is given up at once. Each attempt is in the notification log.
 */
let fake: FakeProviders | undefined;
/** The fake's address (a placeholder while test names are collected, before it starts). */
const base = () => fake?.url ?? 'http://127.0.0.1:9';
const provider = () => fake as FakeProviders;

interface Case {
  provider: string;
  receiver: () => Record<string, unknown>;
  global?: () => Record<string, unknown>;
  /** Checks one request of a firing or resolved notification (WeCom's token request is checked on its own). */
  check: (r: ProviderRequest, status: 'firing' | 'resolved') => void;
  /** The provider's rate-limit answer and the wait (ms) it asks for. */
  rateLimited: Failure;
  waitMs: number;
  /** Requests per notification that reach the checked endpoint (WeCom: the token request comes first, once). */
  sendPath?: RegExp;
}

const json = (r: ProviderRequest) => r.json as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const CASES: Case[] = [
  {
    provider: 'slack',
    receiver: () => ({
      name: 'slack',
      slack_configs: [{ api_url: `${base()}/slack/services/T0/B0/secret`, channel: '#ops', send_resolved: true }],
    }),
    check: (r, status) => {
      // https://api.slack.com/messaging/webhooks: POST JSON; attachments per /reference/messaging/attachments.
      expect([r.method, r.url, r.headers['content-type']]).toEqual([
        'POST',
        '/slack/services/T0/B0/secret',
        'application/json',
      ]);
      expect(json(r)).toMatchObject({
        channel: '#ops',
        username: 'Alertmanager',
        attachments: [
          {
            color: status === 'firing' ? 'danger' : 'good',
            title: expect.stringMatching(status === 'firing' ? /^\[FIRING:1\] KubePodCrashLooping/ : /^\[RESOLVED\]/),
            title_link: 'http://pharos.test/#/alerts?receiver=slack',
            mrkdwn_in: ['fallback', 'pretext', 'text'],
          },
        ],
      });
    },
    rateLimited: { status: 429, headers: { 'retry-after': '1' }, body: 'rate_limited' },
    waitMs: 1000,
  },
  {
    provider: 'msteams',
    receiver: () => ({ name: 'teams', msteams_configs: [{ webhook_url: `${base()}/msteams/webhookb2/abc` }] }),
    check: (r, status) => {
      // Office 365 connector card: https://learn.microsoft.com/outlook/actionable-messages/message-card-reference
      expect([r.method, r.url]).toEqual(['POST', '/msteams/webhookb2/abc']);
      expect(json(r)).toMatchObject({
        '@context': 'http://schema.org/extensions',
        type: 'MessageCard',
        themeColor: status === 'firing' ? '8C1A1A' : '2DC72D',
        title: expect.stringContaining('KubePodCrashLooping'),
        text: expect.stringContaining(`# Alerts ${status === 'firing' ? 'Firing' : 'Resolved'}:`),
      });
    },
    rateLimited: { status: 429, headers: { 'retry-after': '1' } },
    waitMs: 1000,
  },
  {
    provider: 'msteamsv2',
    receiver: () => ({ name: 'teams2', msteamsv2_configs: [{ webhook_url: `${base()}/msteamsv2/workflows/x?sig=s` }] }),
    check: (r, status) => {
      // Workflows "post to a channel when a webhook request is received": a message with an Adaptive Card attachment.
      expect([r.method, r.url]).toEqual(['POST', '/msteamsv2/workflows/x?sig=s']);
      const card = json(r).attachments[0];
      expect(card).toMatchObject({
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          type: 'AdaptiveCard',
          version: '1.2',
          body: [
            { type: 'TextBlock', weight: 'Bolder', color: status === 'firing' ? 'Attention' : 'Good' },
            { type: 'TextBlock', wrap: true },
          ],
        },
      });
    },
    rateLimited: { status: 429, headers: { 'retry-after': '1' } },
    waitMs: 1000,
  },
  {
    provider: 'discord',
    receiver: () => ({ name: 'discord', discord_configs: [{ webhook_url: `${base()}/discord/api/webhooks/1/tok` }] }),
    check: (r, status) => {
      // https://discord.com/developers/docs/resources/webhook#execute-webhook
      expect([r.method, r.url]).toEqual(['POST', '/discord/api/webhooks/1/tok']);
      expect(json(r)).toMatchObject({
        content: '',
        embeds: [
          { color: status === 'firing' ? 0x992d22 : 0x2ecc71, title: expect.stringContaining('KubePodCrashLooping') },
        ],
      });
    },
    // Discord's 429: retry_after in seconds, in the body (https://discord.com/developers/docs/topics/rate-limits).
    rateLimited: {
      status: 429,
      body: JSON.stringify({ message: 'You are being rate limited.', retry_after: 1.2, global: false }),
    },
    waitMs: 1200,
  },
  {
    provider: 'telegram',
    receiver: () => ({
      name: 'tg',
      telegram_configs: [
        { bot_token: '12345:SECRET', chat_id: -1001, message_thread_id: 3, api_url: `${base()}/telegram` },
      ],
    }),
    check: (r, status) => {
      // https://core.telegram.org/bots/api#sendmessage
      expect([r.method, r.url, r.headers['content-type']]).toEqual([
        'POST',
        '/telegram/bot12345:SECRET/sendMessage',
        'application/json',
      ]);
      expect(json(r)).toEqual({
        chat_id: '-1001',
        text: expect.stringContaining(`Alerts ${status === 'firing' ? 'Firing' : 'Resolved'}:`),
        parse_mode: 'HTML',
        disable_web_page_preview: 'true',
        message_thread_id: '3',
      });
    },
    // Telegram's flood control: https://core.telegram.org/bots/api#responseparameters
    rateLimited: {
      status: 429,
      body: JSON.stringify({
        ok: false,
        error_code: 429,
        description: 'Too Many Requests: retry after 1',
        parameters: { retry_after: 1 },
      }),
    },
    waitMs: 1000,
  },
  {
    provider: 'pagerduty',
    receiver: () => ({
      name: 'pd',
      pagerduty_configs: [{ routing_key: 'R0UT1NGKEY', url: `${base()}/pagerduty/v2/enqueue` }],
    }),
    check: (r, status) => {
      // https://developer.pagerduty.com/docs/events-api-v2/trigger-events/ and /resolve-events/
      expect([r.method, r.url]).toEqual(['POST', '/pagerduty/v2/enqueue']);
      expect(json(r)).toMatchObject({
        routing_key: 'R0UT1NGKEY',
        event_action: status === 'firing' ? 'trigger' : 'resolve',
        dedup_key: expect.stringMatching(/^[0-9a-f]{64}$/),
        payload: { summary: expect.stringContaining('KubePodCrashLooping'), source: 'Alertmanager', severity: 'error' },
        client: 'Alertmanager',
      });
    },
    rateLimited: { status: 429, headers: { 'retry-after': '1' } },
    waitMs: 1000,
  },
  {
    provider: 'pagerduty',
    receiver: () => ({
      name: 'pd1',
      pagerduty_configs: [
        { service_key: 'S3RV1CEKEY', url: `${base()}/pagerduty/generic/2010-04-15/create_event.json` },
      ],
    }),
    check: (r, status) => {
      // Events API v1: https://developer.pagerduty.com/docs/events-api-v1/trigger-events/
      expect([r.method, r.url]).toEqual(['POST', '/pagerduty/generic/2010-04-15/create_event.json']);
      expect(json(r)).toMatchObject({
        service_key: 'S3RV1CEKEY',
        event_type: status === 'firing' ? 'trigger' : 'resolve',
        incident_key: expect.stringMatching(/^[0-9a-f]{64}$/),
        description: expect.stringContaining('KubePodCrashLooping'),
      });
      if (status === 'resolved') expect(json(r).client).toBeUndefined();
    },
    // v1 answers 403 when throttled (Alertmanager retries it).
    rateLimited: { status: 403, headers: { 'retry-after': '1' } },
    waitMs: 1000,
  },
  {
    provider: 'opsgenie',
    receiver: () => ({
      name: 'og',
      opsgenie_configs: [{ api_key: 'g3n1e', api_url: `${base()}/opsgenie/`, priority: 'P1' }],
    }),
    check: (r, status) => {
      // https://docs.opsgenie.com/docs/alert-api#create-alert and #close-alert
      expect(r.headers.authorization).toBe('GenieKey g3n1e');
      if (status === 'firing') {
        expect([r.method, r.url]).toEqual(['POST', '/opsgenie/v2/alerts']);
        expect(json(r)).toMatchObject({
          alias: expect.stringMatching(/^[0-9a-f]{64}$/),
          message: expect.stringContaining('KubePodCrashLooping'),
          priority: 'P1',
          source: 'http://pharos.test/#/alerts?receiver=og',
          details: { cluster: 'east', namespace: 'payments' },
        });
      } else {
        expect(r.method).toBe('POST');
        expect(r.url).toMatch(/^\/opsgenie\/v2\/alerts\/[0-9a-f]{64}\/close\?identifierType=alias$/);
        expect(json(r)).toEqual({ source: 'http://pharos.test/#/alerts?receiver=og' });
      }
    },
    rateLimited: { status: 429, headers: { 'retry-after': '1' } },
    waitMs: 1000,
  },
  {
    provider: 'wechat',
    receiver: () => ({
      name: 'wx',
      wechat_configs: [
        {
          api_url: `${base()}/wechat/`,
          corp_id: 'ww1',
          api_secret: 'w3csecret',
          agent_id: '1000002',
          to_user: 'zhangsan',
          send_resolved: true,
        },
      ],
    }),
    sendPath: /^\/wechat\/message\/send/,
    check: (r, status) => {
      // https://developer.work.weixin.qq.com/document/path/90236 (application message, text)
      expect([r.method, r.url]).toEqual(['POST', '/wechat/message/send?access_token=wecom-token']);
      expect(json(r)).toMatchObject({
        touser: 'zhangsan',
        agentid: '1000002',
        msgtype: 'text',
        safe: '0',
        text: { content: expect.stringContaining(status === 'firing' ? '[FIRING:1]' : '[RESOLVED]') },
      });
    },
    // WeCom answers 200 with errcode 45009 ("api freq out of limit") when throttled.
    rateLimited: { status: 200, body: JSON.stringify({ errcode: 45009, errmsg: 'api freq out of limit' }) },
    waitMs: 0,
  },
  {
    provider: 'hook',
    receiver: () => ({
      name: 'hook',
      webhook_configs: [{ url: `${base()}/hook/in`, http_config: { basic_auth: { username: 'am', password: 'pw' } } }],
    }),
    check: (r, status) => {
      expect([r.method, r.url, r.headers.authorization]).toEqual([
        'POST',
        '/hook/in',
        `Basic ${Buffer.from('am:pw').toString('base64')}`,
      ]);
      expect(json(r)).toMatchObject({
        version: '4',
        status,
        receiver: 'hook',
        alerts: [{ status, labels: { pod: 'api-7d9f' } }],
      });
    },
    rateLimited: { status: 429, headers: { 'retry-after': '1' } },
    waitMs: 1000,
  },
  {
    provider: 'dingtalk',
    receiver: () => ({
      name: 'ding',
      dingtalk_configs: [
        {
          webhook_url: `${base()}/dingtalk/robot/send?access_token=dtok`,
          secret: 'SECxyz',
          msg_type: 'markdown',
          at_mobiles: ['13800000000'],
          keywords: ['alert'],
        },
      ],
    }),
    check: (r, status) => {
      // https://open.dingtalk.com/document/robots/custom-robot-access (signing: timestamp + sign in the query)
      const u = new URL(r.url, 'http://x');
      expect([r.method, u.pathname, u.searchParams.get('access_token')]).toEqual([
        'POST',
        '/dingtalk/robot/send',
        'dtok',
      ]);
      const ts = u.searchParams.get('timestamp') ?? '';
      expect(u.searchParams.get('sign')).toBe(createHmac('sha256', 'SECxyz').update(`${ts}\nSECxyz`).digest('base64'));
      expect(json(r)).toMatchObject({
        msgtype: 'markdown',
        markdown: {
          title: expect.stringContaining(status === 'firing' ? '[FIRING:1]' : '[RESOLVED]'),
          text: expect.stringMatching(/\[Keywords\] alert @13800000000$/),
        },
        at: { atMobiles: ['13800000000'], isAtAll: false },
      });
    },
    // "send too fast": the robot takes 20 messages a minute.
    rateLimited: {
      status: 200,
      body: JSON.stringify({ errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' }),
    },
    waitMs: 60_000,
  },
  {
    provider: 'feishu',
    receiver: () => ({
      name: 'lark',
      feishu_configs: [{ webhook_url: `${base()}/feishu/open-apis/bot/v2/hook/xyz`, secret: 'fsecret' }],
    }),
    check: (r, status) => {
      // https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot (post message, signature in the body)
      expect([r.method, r.url]).toEqual(['POST', '/feishu/open-apis/bot/v2/hook/xyz']);
      const body = json(r);
      expect(body.sign).toBe(createHmac('sha256', `${body.timestamp}\nfsecret`).update('').digest('base64'));
      expect(body).toMatchObject({
        msg_type: 'post',
        content: {
          post: {
            zh_cn: {
              title: expect.stringContaining(status === 'firing' ? '[FIRING:1]' : '[RESOLVED]'),
              content: expect.arrayContaining([[{ tag: 'text', text: expect.any(String) }]]),
            },
          },
        },
      });
    },
    rateLimited: { status: 200, body: JSON.stringify({ code: 9499, msg: 'too many request' }) },
    waitMs: 0,
  },
];

beforeAll(async () => {
  fake = await startFakeProviders();
});
afterAll(async () => fake?.close());

const kindOf = (c: Case) => Object.entries(c.receiver()).find(([k]) => k.endsWith('_configs'))?.[0] ?? '';

describe.each(CASES.map((c) => [`${kindOf(c)} (${c.receiver().name as string})`, c] as const))('%s', (_name, c) => {
  let h: ProviderHarness;
  const mine = () =>
    provider()
      .of(c.provider)
      .filter((r) => !c.sendPath || c.sendPath.test(r.url));
  beforeAll(async () => {
    provider().clear();
    h = await providerHarness(c.receiver(), c.global?.() ?? {});
  });
  afterAll(async () => h?.close());

  it('sends a firing and a resolved notification as the provider documents', async () => {
    const firing = await h.notify('firing');
    const resolved = await h.notify('resolved');
    expect([firing.result, resolved.result]).toEqual(['sent', 'sent']);
    // The provider's own success status (Discord 204, PagerDuty and Opsgenie 202, …) is in the attempt log.
    for (const r of [firing, resolved])
      expect(r.attemptLog?.at(-1)).toMatchObject({
        ok: true,
        status: expect.toSatisfy((s: number) => s >= 200 && s < 300),
      });
    const reqs = mine();
    expect(reqs).toHaveLength(2);
    c.check(reqs[0] as ProviderRequest, 'firing');
    c.check(reqs[1] as ProviderRequest, 'resolved');
  });

  it("retries a rate-limit answer after the provider's wait, and a 5xx", async () => {
    if (c.waitMs > 5000) {
      // DingTalk asks for a minute, beyond this harness's 20 s give-up window: one attempt, then failed (a retry
      // sooner than the provider's wait is never made).
      provider().failNext(c.provider, c.rateLimited);
      const before = mine().length;
      const rec = await h.notify('firing');
      expect(rec.result).toBe('failed');
      expect(rec.attemptLog?.[0]?.error).toMatch(/130101/);
      expect(mine().length).toBe(before + 1);
      return;
    }
    const before = mine().length;
    provider().failNext(c.provider, c.rateLimited, { status: 503, body: 'unavailable' });
    const rec = await h.notify('firing');
    const attempts = mine().slice(before);
    expect(rec.result).toBe('sent');
    expect(rec.attempts).toBe(3);
    expect(rec.attemptLog?.map((a) => a.ok)).toEqual([false, false, true]);
    expect(attempts).toHaveLength(3);
    expect((attempts[1] as ProviderRequest).at - (attempts[0] as ProviderRequest).at).toBeGreaterThanOrEqual(
      c.waitMs - 50,
    );
  });

  it('gives up after a 4xx at once', async () => {
    const before = mine().length;
    const refusal: Failure =
      c.provider === 'wechat'
        ? { status: 200, body: JSON.stringify({ errcode: 40003, errmsg: 'invalid userid' }) }
        : c.provider === 'dingtalk'
          ? { status: 200, body: JSON.stringify({ errcode: 310000, errmsg: 'keywords not in content' }) }
          : c.provider === 'feishu'
            ? {
                status: 200,
                body: JSON.stringify({
                  code: 19021,
                  msg: 'sign match fail or timestamp is not within one hour from current time',
                }),
              }
            : { status: 400, body: JSON.stringify({ error: 'invalid payload' }) };
    provider().failNext(c.provider, refusal);
    const rec = await h.notify('firing');
    expect(rec).toMatchObject({ result: 'failed', attempts: 1 });
    expect(mine().length - before).toBe(1);
  });
});
