import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertingConfigSchema } from '../../../libs/config/sections/alerting.ts';
import { notificationData } from '../../../services/alerting/notify/notification-data.ts';
import type { Integration } from '../../../services/alerting/notify/receivers/integration.ts';
import { integrationsOf } from '../../../services/alerting/notify/receivers/registry.ts';
import { NotificationTemplates } from '../../../services/alerting/notify/templates.ts';

/**
 * `http_config` as Alertmanager's (prometheus/common) client honours it, against real servers on loopback: TLS with
 * a CA file, a server name, a client certificate; a proxy (absolute-form for http targets, CONNECT for https ones,
 * no_proxy); bearer, basic and custom headers, secrets from files. A made-up CA signs the certificates.
 */
const dir = mkdtempSync(join(tmpdir(), 'pharos-httpcfg-'));
const f = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  clientCert?: string;
}

const data = notificationData({
  receiver: 'r',
  groupKey: '{}:{alertname="Tls"}',
  groupLabels: { alertname: 'Tls' },
  now: Date.now(),
  externalUrl: 'http://pharos.test',
  alerts: [
    {
      fingerprint: 'f',
      labels: { alertname: 'Tls' },
      annotations: {},
      startsAt: Date.now() - 1000,
      generatorURL: 'g',
      updatedAt: Date.now(),
    },
  ],
});

function integration(webhook: Record<string, unknown>): Integration {
  const c = alertingConfigSchema.parse({
    ruleFiles: [],
    route: { receiver: 'r' },
    receivers: [{ name: 'r', webhook_configs: [webhook] }],
  });
  return integrationsOf(c.receivers[0]!, {
    global: c.global,
    templates: new NotificationTemplates('http://pharos.test'),
  })[0]!;
}
const send = (i: Integration) => i.notify(data, AbortSignal.timeout(10_000), { timeoutMs: 5000 });

describe('http_config', () => {
  const seen: Seen[] = [];
  const proxied: string[] = [];
  let httpsPort = 0;
  let mtlsPort = 0;
  let plainPort = 0;
  let proxyPort = 0;
  const servers: (http.Server | https.Server)[] = [];
  const sockets = new Set<net.Socket>();

  beforeAll(async () => {
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      f('ca.key'),
      '-out',
      f('ca.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=pharos-test-ca',
    );
    const sign = (name: string, ext: string) => {
      openssl(
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        f(`${name}.key`),
        '-out',
        f(`${name}.csr`),
        '-subj',
        `/CN=${name}`,
      );
      writeFileSync(f(`${name}.ext`), ext);
      openssl(
        'x509',
        '-req',
        '-in',
        f(`${name}.csr`),
        '-CA',
        f('ca.pem'),
        '-CAkey',
        f('ca.key'),
        '-CAcreateserial',
        '-out',
        f(`${name}.pem`),
        '-days',
        '1',
        '-extfile',
        f(`${name}.ext`),
      );
    };
    // The server certificate names provider.test only: reaching 127.0.0.1 needs server_name.
    sign('server', 'subjectAltName=DNS:provider.test\n');
    sign('client', 'extendedKeyUsage=clientAuth\n');
    const record = (req: http.IncomingMessage, res: http.ServerResponse) => {
      req.resume();
      req.on('end', () => {
        const peer = (
          req.socket as { getPeerCertificate?: () => { subject?: { CN?: string } } }
        ).getPeerCertificate?.();
        seen.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          ...(peer?.subject?.CN ? { clientCert: peer.subject.CN } : {}),
        });
        res.writeHead(200).end('{}');
      });
    };
    const listen = async (s: http.Server | https.Server) => {
      servers.push(s);
      // Tunnelled sockets are not the server's HTTP connections: track them to end them at the close.
      s.on('connection', (sock: net.Socket) => sockets.add(sock));
      s.on('connect', (_req: http.IncomingMessage, sock: net.Socket) => sockets.add(sock));
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      return (s.address() as AddressInfo).port;
    };
    httpsPort = await listen(
      https.createServer({ key: readFileSync(f('server.key')), cert: readFileSync(f('server.pem')) }, record),
    );
    mtlsPort = await listen(
      https.createServer(
        {
          key: readFileSync(f('server.key')),
          cert: readFileSync(f('server.pem')),
          ca: readFileSync(f('ca.pem')),
          requestCert: true,
          rejectUnauthorized: true,
        },
        record,
      ),
    );
    plainPort = await listen(http.createServer(record));
    // A forward proxy: absolute-form requests are forwarded, CONNECT opens a tunnel; each is noted.
    const proxy = http.createServer((req, res) => {
      proxied.push(`${req.method} ${req.url} ${req.headers['proxy-authorization'] ?? ''}`.trim());
      const target = new URL(req.url ?? '');
      const up = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: `${target.pathname}${target.search}`,
          method: req.method,
          headers: req.headers,
        },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      req.pipe(up);
    });
    proxy.on('connect', (req, socket) => {
      proxied.push(`CONNECT ${req.url}`);
      const [host, port] = (req.url ?? '').split(':');
      const up = net.connect(Number(port), host, () => {
        sockets.add(up);
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        up.pipe(socket);
        socket.pipe(up);
      });
      up.on('error', () => socket.destroy());
    });
    proxyPort = await listen(proxy);
    writeFileSync(f('token'), 'file-token\n');
    writeFileSync(f('password'), 'file-password\n');
  });

  afterAll(async () => {
    for (const sock of sockets) sock.destroy();
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  });

  it('verifies the server against ca_file and server_name, and refuses it without', async () => {
    await send(
      integration({
        url: `https://127.0.0.1:${httpsPort}/ca`,
        http_config: { tls_config: { ca_file: f('ca.pem'), server_name: 'provider.test' } },
      }),
    );
    expect(seen.at(-1)?.url).toBe('/ca');
    await expect(send(integration({ url: `https://127.0.0.1:${httpsPort}/no-ca` }))).rejects.toThrow(
      /certificate|self.signed|issuer/i,
    );
    await expect(
      send(
        integration({
          url: `https://127.0.0.1:${httpsPort}/wrong-name`,
          http_config: { tls_config: { ca_file: f('ca.pem') } },
        }),
      ),
    ).rejects.toThrow(/altnames|IP: 127\.0\.0\.1|does not match/i);
    await send(
      integration({
        url: `https://127.0.0.1:${httpsPort}/skip`,
        http_config: { tls_config: { insecure_skip_verify: true } },
      }),
    );
    expect(seen.at(-1)?.url).toBe('/skip');
  });

  it('presents a client certificate (cert_file, key_file)', async () => {
    await send(
      integration({
        url: `https://127.0.0.1:${mtlsPort}/mtls`,
        http_config: {
          tls_config: {
            ca_file: f('ca.pem'),
            server_name: 'provider.test',
            cert_file: f('client.pem'),
            key_file: f('client.key'),
          },
        },
      }),
    );
    expect(seen.at(-1)).toMatchObject({ url: '/mtls', clientCert: 'client' });
    await expect(
      send(
        integration({
          url: `https://127.0.0.1:${mtlsPort}/no-cert`,
          http_config: { tls_config: { ca_file: f('ca.pem'), server_name: 'provider.test' } },
        }),
      ),
    ).rejects.toThrow();
  });

  it('goes through proxy_url: absolute-form for http, CONNECT for https, not for no_proxy hosts', async () => {
    proxied.length = 0;
    await send(
      integration({
        url: `http://127.0.0.1:${plainPort}/via-proxy`,
        http_config: { proxy_url: `http://user:pw@127.0.0.1:${proxyPort}` },
      }),
    );
    await send(
      integration({
        url: `https://127.0.0.1:${httpsPort}/tunnel`,
        http_config: {
          proxy_url: `http://127.0.0.1:${proxyPort}`,
          proxy_connect_header: { 'X-Team': ['ops'] },
          tls_config: { ca_file: f('ca.pem'), server_name: 'provider.test' },
        },
      }),
    );
    await send(
      integration({
        url: `http://127.0.0.1:${plainPort}/direct`,
        http_config: { proxy_url: `http://127.0.0.1:${proxyPort}`, no_proxy: '127.0.0.1' },
      }),
    );
    expect(proxied).toEqual([
      `POST http://127.0.0.1:${plainPort}/via-proxy Basic ${Buffer.from('user:pw').toString('base64')}`,
      `CONNECT 127.0.0.1:${httpsPort}`,
    ]);
    expect(seen.slice(-3).map((s) => s.url)).toEqual(['/via-proxy', '/tunnel', '/direct']);
  });

  it('sends bearer, basic and custom headers, secrets read from files', async () => {
    await send(
      integration({
        url: `http://127.0.0.1:${plainPort}/bearer`,
        http_config: { authorization: { credentials_file: f('token') } },
      }),
    );
    expect(seen.at(-1)?.headers.authorization).toBe('Bearer file-token');
    await send(
      integration({
        url: `http://127.0.0.1:${plainPort}/bearer-legacy`,
        http_config: { bearer_token: 'inline-token' },
      }),
    );
    expect(seen.at(-1)?.headers.authorization).toBe('Bearer inline-token');
    await send(
      integration({
        url: `http://127.0.0.1:${plainPort}/basic`,
        http_config: { basic_auth: { username: 'am', password_file: f('password') } },
      }),
    );
    expect(seen.at(-1)?.headers.authorization).toBe(`Basic ${Buffer.from('am:file-password').toString('base64')}`);
    await send(
      integration({
        url: `http://127.0.0.1:${plainPort}/custom`,
        http_config: {
          authorization: { type: 'Token', credentials: 'abc' },
          http_headers: { 'X-Scope-OrgID': { values: ['tenant-1'] } },
        },
      }),
    );
    expect(seen.at(-1)?.headers).toMatchObject({ authorization: 'Token abc', 'x-scope-orgid': 'tenant-1' });
  });

  it('refuses contradictory http_config at config load, with the field path', () => {
    const r = alertingConfigSchema.safeParse({
      route: { receiver: 'r' },
      receivers: [
        {
          name: 'r',
          webhook_configs: [{ url: 'http://x/', http_config: { bearer_token: 'a', basic_auth: { username: 'u' } } }],
        },
      ],
    });
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toContain(
      'receivers.0.webhook_configs.0.http_config.bearer_token: at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured',
    );
  });
});
