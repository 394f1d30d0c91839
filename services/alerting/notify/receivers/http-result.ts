import { readFileSync } from 'node:fs';
import type { HttpSender } from '../http/http-config.ts';
import { TransportError, type HttpResponse } from '../http/http-client.ts';
import { NotifyError, type AttemptReport } from './integration.ts';

/**
 * What the HTTP-based notifiers share: posting JSON with Pharos's User-Agent, and turning the answer into success or
 * a NotifyError as Alertmanager's notify.Retrier does (2xx ok, 5xx retried, other codes final), plus Pharos's rule
 * that a rate-limit answer (429) is always retried, after the provider's Retry-After when it gives one.
 */
export const USER_AGENT = 'Pharos-Alerting/0.1';

/** Retry-After as seconds or an HTTP date (measured against the response's Date header when present). */
export function retryAfterMs(res: HttpResponse): number | undefined {
  const value = res.headers['retry-after'];
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  const serverNow = typeof res.headers.date === 'string' ? Date.parse(res.headers.date) : NaN;
  return Math.max(0, at - (Number.isNaN(serverNow) ? res.receivedAt : serverNow));
}

/** A 2xx answer's report, or the NotifyError of any other. */
export function checkStatus(
  res: HttpResponse,
  opts: { retryCodes?: number[]; details?: (res: HttpResponse) => string } = {},
): AttemptReport {
  if (res.status >= 200 && res.status < 300) return { status: res.status };
  const retry = res.status >= 500 || res.status === 429 || (opts.retryCodes ?? []).includes(res.status);
  const detail = opts.details ? opts.details(res) : res.body.slice(0, 300).trim();
  const wait = retryAfterMs(res);
  throw new NotifyError(`unexpected status code ${res.status}${detail ? `: ${detail}` : ''}`, retry, {
    status: res.status,
    ...(wait !== undefined ? { retryAfterMs: wait } : {}),
  });
}

export interface PostOptions {
  sender: HttpSender;
  url: string;
  body: unknown;
  signal: AbortSignal;
  timeoutMs: number;
  /** How the URL may appear in errors and logs. */
  shownAs: string;
  method?: 'POST' | 'PUT' | 'GET';
  headers?: Record<string, string>;
}

/** Sends JSON (or nothing for GET); transport failures become retryable NotifyErrors naming `shownAs`. */
export async function sendJson(o: PostOptions): Promise<HttpResponse> {
  const method = o.method ?? 'POST';
  try {
    return await o.sender.send({
      method,
      url: o.url,
      headers: {
        'user-agent': USER_AGENT,
        ...(method === 'GET' ? {} : { 'content-type': 'application/json' }),
        ...o.headers,
      },
      ...(method === 'GET' ? {} : { body: `${JSON.stringify(o.body)}\n` }),
      timeoutMs: o.timeoutMs,
      signal: o.signal,
    });
  } catch (err) {
    if (o.signal.aborted) throw err;
    throw new NotifyError(
      `${method} ${o.shownAs}: ${err instanceof TransportError ? err.message : (err as Error).message}`,
      true,
    );
  }
}

/** A URL with everything that may hold a secret (credentials, path, query) hidden: for webhook-style secret URLs. */
export function secretUrlShown(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/<redacted>`;
  } catch {
    return '<redacted>';
  }
}

/** A URL with credentials and query hidden but its path kept: for URLs whose path is not the secret. */
export function plainUrlShown(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?<redacted>' : ''}`;
  } catch {
    return '<redacted>';
  }
}

/** A secret given inline or in a file (read now: a rotated file is picked up on the next notification). */
export function secretValue(inline: string | undefined, file: string | undefined, what: string): string {
  if (inline !== undefined && inline !== '') return inline;
  if (file) {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw new NotifyError(
        `cannot read ${what} file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        false,
      );
    }
  }
  throw new NotifyError(`no ${what} configured`, false);
}

/** An attempt's timeout: the integration's own option, else the delivery setting. */
export const timeoutOf = (own: number | undefined, fallback: number) => (own && own > 0 ? own : fallback);

/** The receivers configured by a secret `webhook_url` or `webhook_url_file` (Teams, Discord, robots). */
export interface WebhookUrlConfig {
  webhook_url?: string | undefined;
  webhook_url_file?: string | undefined;
}

export const webhookTarget = (c: WebhookUrlConfig) =>
  c.webhook_url ? secretUrlShown(c.webhook_url) : `webhook_url_file ${c.webhook_url_file}`;

/** Posts `body` to the configured webhook URL (the file read now), the URL hidden in errors. */
export async function postToWebhook(o: {
  cfg: WebhookUrlConfig;
  sender: HttpSender;
  body: unknown;
  signal: AbortSignal;
  timeoutMs: number;
  url?: string;
}): Promise<HttpResponse> {
  const url = o.url ?? secretValue(o.cfg.webhook_url, o.cfg.webhook_url_file, 'webhook_url');
  return sendJson({
    sender: o.sender,
    url,
    body: o.body,
    signal: o.signal,
    timeoutMs: o.timeoutMs,
    shownAs: secretUrlShown(url),
  });
}
