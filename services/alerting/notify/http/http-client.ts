import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import tls from 'node:tls';

/**
 * One HTTP request of a notifier, over node:http(s) so that every `http_config` option can be honoured: TLS
 * material and server name, a proxy (absolute-form request for http targets, CONNECT tunnel for https ones, as
 * Go's net/http does), redirects (followed up to 10 times unless disabled), a timeout and an abort signal.
 */
export interface TlsOptions {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  servername?: string;
  rejectUnauthorized?: boolean;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
}

export interface ProxyOptions {
  url: URL;
  connectHeaders?: Record<string, string>;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal: AbortSignal;
  tls?: TlsOptions;
  /** Chooses the proxy per target (no_proxy and the environment are applied by the caller). */
  proxyFor?: (target: URL) => ProxyOptions | undefined;
  followRedirects?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** When the response arrived (Retry-After as an HTTP date is relative to it). */
  receivedAt: number;
}

/** A transport failure (no HTTP answer): connection refused, TLS, timeout. The message never holds the URL. */
export class TransportError extends Error {
  override name = 'TransportError';
}

const MAX_BODY = 1 << 20;

export async function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  const signal = AbortSignal.any([req.signal, AbortSignal.timeout(req.timeoutMs)]);
  let url = new URL(req.url);
  let method = req.method;
  let body = req.body;
  for (let hop = 0; ; hop++) {
    const res = await once({ ...req, method, body, url, signal });
    const location = res.headers.location;
    if (req.followRedirects === false || ![301, 302, 303, 307, 308].includes(res.status) || !location) return res;
    if (hop >= 10) throw new TransportError('stopped after 10 redirects');
    url = new URL(location, url);
    // Go's client: 301/302/303 turn a POST into a GET without body; 307/308 repeat it.
    if (res.status <= 303 && method !== 'GET') {
      method = 'GET';
      body = undefined;
    }
  }
}

async function once(req: Omit<HttpRequest, 'url'> & { url: URL; signal: AbortSignal }): Promise<HttpResponse> {
  const { url } = req;
  const secure = url.protocol === 'https:';
  const proxy = req.proxyFor?.(url);
  const headers: Record<string, string> = { ...req.headers, host: url.host };
  if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
  const tlsOpts = { ...req.tls, servername: req.tls?.servername ?? (isIp(url.hostname) ? undefined : url.hostname) };
  let options: http.RequestOptions & tls.ConnectionOptions;
  if (proxy && !secure) {
    // Plain HTTP through a proxy: the request line carries the absolute URL.
    if (proxy.url.username) headers['proxy-authorization'] = basic(proxy.url);
    options = {
      host: proxy.url.hostname,
      port: Number(proxy.url.port || (proxy.url.protocol === 'https:' ? 443 : 80)),
      path: url.href,
      method: req.method,
      headers,
      agent: false,
    };
  } else {
    const base = {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port || (secure ? 443 : 80)),
      path: `${url.pathname}${url.search}`,
      method: req.method,
      headers,
      agent: false as const,
    };
    options = secure ? { ...base, ...tlsOpts } : base;
    if (proxy && secure) {
      const socket = await tunnel(proxy, url, req.signal);
      options = { ...options, createConnection: () => tls.connect({ ...tlsOpts, socket }) } as typeof options;
    }
  }
  return new Promise<HttpResponse>((resolve, reject) => {
    const onAbort = () =>
      request.destroy(
        new TransportError(
          req.signal.reason instanceof Error && req.signal.reason.name === 'TimeoutError'
            ? `timed out after ${req.timeoutMs} ms`
            : 'aborted',
        ),
      );
    const request = (secure ? https : http).request(options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_BODY) chunks.push(c);
      });
      res.on('end', () => {
        req.signal.removeEventListener('abort', onAbort);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          receivedAt: Date.now(),
        });
      });
      res.on('error', (err) => reject(new TransportError(err.message)));
    });
    request.on('error', (err) => {
      req.signal.removeEventListener('abort', onAbort);
      reject(err instanceof TransportError ? err : new TransportError(err.message));
    });
    if (req.signal.aborted) return onAbort();
    req.signal.addEventListener('abort', onAbort, { once: true });
    request.end(req.body);
  });
}

/** CONNECT host:port through the proxy; resolves with the tunnelled socket. */
function tunnel(proxy: ProxyOptions, target: URL, signal: AbortSignal): Promise<Socket> {
  const headers: Record<string, string> = { host: `${target.hostname}:${target.port || 443}`, ...proxy.connectHeaders };
  if (proxy.url.username) headers['proxy-authorization'] = basic(proxy.url);
  const secureProxy = proxy.url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (secureProxy ? https : http).request({
      host: proxy.url.hostname,
      port: proxy.url.port || (secureProxy ? 443 : 80),
      method: 'CONNECT',
      path: headers.host,
      headers,
      agent: false,
      signal,
    });
    req.on('connect', (res, socket) => {
      if (res.statusCode === 200) resolve(socket);
      else {
        socket.destroy();
        reject(new TransportError(`proxy answered CONNECT with HTTP ${res.statusCode}`));
      }
    });
    req.on('error', (err) => reject(new TransportError(`proxy: ${err.message}`)));
    req.end();
  });
}

const basic = (u: URL) =>
  `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
const isIp = (h: string) => /^[\d.]+$/.test(h) || h.includes(':');
