// One loopback HTTP server playing every provider Pharos notifies (Slack, Teams, Discord, Telegram, PagerDuty,
// Opsgenie, WeCom, DingTalk, Feishu, a webhook), answering each as the provider's API documents its success, and
// able to answer the next requests of a provider with a failure (a status, headers, a body) to test retries.
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { until } from '../../support/until.ts';

export interface ProviderRequest {
  provider: string;
  method: string;
  /** Path and query. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
  at: number;
}

export interface Failure {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface FakeProviders {
  readonly url: string;
  readonly requests: ProviderRequest[];
  of(provider: string): ProviderRequest[];
  waitFor(provider: string, count: number, timeoutMs?: number): Promise<ProviderRequest[]>;
  /** The next `failures.length` requests to `provider` get these answers, in order. */
  failNext(provider: string, ...failures: Failure[]): void;
  clear(): void;
  close(): Promise<void>;
}

/** A successful answer per provider, as their APIs document it. */
function success(provider: string, path: string, json: unknown): { status: number; body: string; type?: string } {
  switch (provider) {
    case 'slack':
      // Incoming webhooks answer text/plain "ok" (https://api.slack.com/messaging/webhooks#handling_errors).
      return { status: 200, body: 'ok', type: 'text/plain; charset=utf-8' };
    case 'telegram': {
      const chat = Number((json as { chat_id?: string } | undefined)?.chat_id ?? 0);
      return {
        status: 200,
        body: JSON.stringify({
          ok: true,
          result: { message_id: 1, date: Math.floor(Date.now() / 1000), chat: { id: chat, type: 'group' }, text: 'x' },
        }),
      };
    }
    case 'pagerduty':
      return { status: 202, body: JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: 'x' }) };
    case 'opsgenie':
      return { status: 202, body: JSON.stringify({ result: 'Request will be processed', took: 0.01, requestId: 'r' }) };
    case 'wechat':
      return path.includes('gettoken')
        ? {
            status: 200,
            body: JSON.stringify({ errcode: 0, errmsg: 'ok', access_token: 'wecom-token', expires_in: 7200 }),
          }
        : { status: 200, body: JSON.stringify({ errcode: 0, errmsg: 'ok' }) };
    case 'discord':
      return { status: 204, body: '' };
    case 'dingtalk':
      return { status: 200, body: JSON.stringify({ errcode: 0, errmsg: 'ok' }) };
    case 'feishu':
      return { status: 200, body: JSON.stringify({ code: 0, msg: 'success', data: {} }) };
    case 'msteams':
      return { status: 200, body: '1', type: 'text/plain' };
    default:
      return { status: 200, body: '{"ok":true}' };
  }
}

export async function startFakeProviders(): Promise<FakeProviders> {
  const requests: ProviderRequest[] = [];
  const failures = new Map<string, Failure[]>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = req.url ?? '';
      const provider = url.split('/')[1] ?? '';
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      requests.push({ provider, method: req.method ?? '', url, headers: req.headers, body, json, at: Date.now() });
      const failure = failures.get(provider)?.shift();
      const answer = failure ?? success(provider, url, json);
      res.writeHead(answer.status, {
        'content-type': (answer as { type?: string }).type ?? 'application/json',
        ...(failure?.headers ?? {}),
      });
      res.end(failure ? (failure.body ?? '{"error":"simulated"}') : (answer as { body: string }).body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const of = (p: string) => requests.filter((r) => r.provider === p);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    of,
    async waitFor(p, count, timeoutMs = 30_000) {
      await until(
        () => of(p).length >= count,
        timeoutMs,
        () => `${p}: expected ${count} requests, got ${of(p).length}`,
      );
      return of(p);
    },
    failNext(p, ...list) {
      failures.set(p, [...(failures.get(p) ?? []), ...list]);
    },
    clear() {
      requests.length = 0;
      failures.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
