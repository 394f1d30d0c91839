import { readFileSync } from 'node:fs';
import type tls from 'node:tls';
import type { HttpConfig } from '../../../../libs/config/sections/alertmanager/am-http-config.ts';
import { httpRequest, type HttpRequest, type HttpResponse, type ProxyOptions, type TlsOptions } from './http-client.ts';

/**
 * A receiver's `http_config` (prometheus/common HTTPClientConfig) turned into request options: Authorization from
 * basic_auth, authorization or bearer_token (secrets and files read on every request, as Alertmanager re-reads
 * them, so a rotated secret is picked up), TLS material, proxy (proxy_url with no_proxy, or the environment's
 * HTTP(S)_PROXY/NO_PROXY with proxy_from_environment), proxy_connect_header, http_headers, follow_redirects.
 */
export interface HttpSender {
  send(req: Omit<HttpRequest, 'tls' | 'proxyFor' | 'followRedirects'>): Promise<HttpResponse>;
}

const readSecret = (file: string) => readFileSync(file, 'utf8').trim();
const material = (inline: string | undefined, file: string | undefined) =>
  inline ?? (file ? readFileSync(file) : undefined);

export function tlsOptions(t: HttpConfig['tls_config']): TlsOptions | undefined {
  if (!t) return undefined;
  const version = (v: string | undefined) =>
    v ? (`TLSv${v.slice(3, 4)}.${v.slice(4)}` as tls.SecureVersion) : undefined;
  const ca = material(t.ca, t.ca_file);
  const cert = material(t.cert, t.cert_file);
  const key = material(t.key, t.key_file);
  const min = version(t.min_version);
  const max = version(t.max_version);
  return {
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    ...(t.server_name ? { servername: t.server_name } : {}),
    rejectUnauthorized: !(t.insecure_skip_verify ?? false),
    ...(min ? { minVersion: min } : {}),
    ...(max ? { maxVersion: max } : {}),
  };
}

/** The Authorization header value, or undefined. */
export function authorization(c: HttpConfig | undefined): string | undefined {
  if (!c) return undefined;
  if (c.basic_auth) {
    const user = c.basic_auth.username ?? (c.basic_auth.username_file ? readSecret(c.basic_auth.username_file) : '');
    const pass = c.basic_auth.password ?? (c.basic_auth.password_file ? readSecret(c.basic_auth.password_file) : '');
    return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  }
  const a =
    c.authorization ??
    (c.bearer_token || c.bearer_token_file
      ? { type: 'Bearer', credentials: c.bearer_token, credentials_file: c.bearer_token_file }
      : undefined);
  if (!a) return undefined;
  const credentials = a.credentials ?? (a.credentials_file ? readSecret(a.credentials_file) : '');
  return `${(a.type ?? '').trim() || 'Bearer'} ${credentials}`;
}

/** NO_PROXY / no_proxy matching as Go's httpproxy does: hosts, domain suffixes (.x or x), IPs, "*", ports. */
export function bypassesProxy(target: URL, noProxy: string): boolean {
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  return noProxy
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)
    .some((entry) => {
      if (entry === '*') return true;
      const [h, p] = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(entry)?.slice(1) ?? [entry];
      if (p && p !== port) return false;
      const name = (h as string).replace(/^\*?\./, '');
      return host === name || host.endsWith(`.${name}`);
    });
}

function proxyChooser(
  c: HttpConfig | undefined,
  env: NodeJS.ProcessEnv,
): ((u: URL) => ProxyOptions | undefined) | undefined {
  if (!c) return undefined;
  const connectHeaders = c.proxy_connect_header
    ? Object.fromEntries(Object.entries(c.proxy_connect_header).map(([k, v]) => [k, v.join(', ')]))
    : undefined;
  const make = (url: string) => ({ url: new URL(url), ...(connectHeaders ? { connectHeaders } : {}) });
  if (c.proxy_url) {
    const proxy = make(c.proxy_url);
    return (u) => (c.no_proxy && bypassesProxy(u, c.no_proxy) ? undefined : proxy);
  }
  if (c.proxy_from_environment) {
    return (u) => {
      const url = u.protocol === 'https:' ? (env.HTTPS_PROXY ?? env.https_proxy) : (env.HTTP_PROXY ?? env.http_proxy);
      const noProxy = env.NO_PROXY ?? env.no_proxy ?? '';
      return url && !bypassesProxy(u, noProxy) ? make(url) : undefined;
    };
  }
  return undefined;
}

/** Headers from http_headers: values as given, secrets likewise, files read now. */
function extraHeaders(c: HttpConfig | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, h] of Object.entries(c?.http_headers ?? {})) {
    const values = [...(h.values ?? []), ...(h.secrets ?? []), ...(h.files ?? []).map(readSecret)];
    if (values.length) out[name.toLowerCase()] = values.join(', ');
  }
  return out;
}

/** A sender for one integration: its own http_config, else the global one (Alertmanager's cmp.Or). */
export function httpSender(
  own: HttpConfig | undefined,
  global: HttpConfig | undefined,
  env: NodeJS.ProcessEnv = process.env,
): HttpSender {
  const c = own ?? global;
  const proxyFor = proxyChooser(c, env);
  return {
    send: (req) => {
      // Files (TLS material, secrets) are read per request: they may appear or rotate after the config loaded.
      const tlsOpts = tlsOptions(c?.tls_config);
      const auth = authorization(c);
      const headers = { ...extraHeaders(c), ...(auth ? { authorization: auth } : {}), ...req.headers };
      return httpRequest({
        ...req,
        headers,
        ...(tlsOpts ? { tls: tlsOpts } : {}),
        ...(proxyFor ? { proxyFor } : {}),
        followRedirects: c?.follow_redirects ?? true,
      });
    },
  };
}
