import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { rawHttp, type RawAnswer } from '../../test/support/raw-http.ts';
import { TokenAuthenticator } from '../auth/token-authenticator.ts';
import { createLogger } from '../logging/logger.ts';
import { createMetricsRegistry } from '../metrics/metrics.ts';
import { buildApp } from './app.ts';
import { TEXT_BODY_TYPES } from './body-types.ts';
import type { Feature } from './feature.ts';

const TOKEN = 'admin-token-0123456789';
const LIMITS = { requestTimeoutMs: 800, headersTimeoutMs: 300, maxHeaderBytes: 16 * 1024 };

const routes: Feature = {
  name: 'hardening',
  routes: async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.post('/v1/json', { schema: { body: z.object({ n: z.number() }) } }, async (req) => ({ n: req.body.n }));
    r.post('/v1/text', { config: { bodyTypes: TEXT_BODY_TYPES } }, async (req) => ({
      length: String(req.body).length,
    }));
    r.get('/v1/slow', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      return { ok: true };
    });
  },
};

/** The documented error body, and only it. */
function expectErrorShape(answer: RawAnswer, status: number, code: string): { code: string; message: string } {
  expect(answer.status, answer.body).toBe(status);
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(answer.body) as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(10);
  return body.error;
}

const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;

describe('HTTP hardening (a listening server, raw sockets)', () => {
  let app: FastifyInstance;
  let port: number;
  beforeAll(async () => {
    app = await buildApp({
      logger: createLogger('silent'),
      metrics: createMetricsRegistry(),
      authenticator: new TokenAuthenticator([{ name: 'admin', token: TOKEN, role: 'admin' }]),
      features: [routes],
      bodyLimitBytes: 1024,
      limits: LIMITS,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(() => app.close());

  it('answers unfinished headers with 408 in the error shape, within the header timeout and a check interval', async () => {
    const answer = await rawHttp({ port, chunks: ['GET /v1/slow HTTP/1.1\r\nHost: x\r\n'] });
    expect(expectErrorShape(answer, 408, 'PHAROS_ERR_REQUEST_TIMEOUT').message).toMatch(
      /headers did not arrive within 300 ms \(server\.headersTimeoutMs\)/,
    );
    expect(answer.headers.connection).toBe('close');
    expect(answer.elapsedMs).toBeGreaterThanOrEqual(LIMITS.headersTimeoutMs - 50);
    expect(answer.elapsedMs).toBeLessThan(LIMITS.headersTimeoutMs + 2_000);
  });

  it('answers headers sent a byte at a time (slowloris) with 408 too', async () => {
    const line = `GET /v1/slow HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n`;
    const answer = await rawHttp({ port, chunks: line.split(''), gapMs: 20 });
    expectErrorShape(answer, 408, 'PHAROS_ERR_REQUEST_TIMEOUT');
  });

  it('answers an unfinished body with 408 in the error shape, within the request timeout', async () => {
    const answer = await rawHttp({
      port,
      chunks: [
        head([
          'POST /v1/json HTTP/1.1',
          'Host: x',
          `Authorization: Bearer ${TOKEN}`,
          'Content-Type: application/json',
          'Content-Length: 100',
        ]),
        '{"n":',
      ],
    });
    expect(expectErrorShape(answer, 408, 'PHAROS_ERR_REQUEST_TIMEOUT').message).toMatch(
      /body did not arrive within 800 ms \(server\.requestTimeoutMs\)/,
    );
    expect(answer.elapsedMs).toBeLessThan(LIMITS.requestTimeoutMs + 2_000);
  });

  it('lets a slow handler finish: the timeouts bound receiving the request, not answering it', async () => {
    const answer = await rawHttp({
      port,
      chunks: [head(['GET /v1/slow HTTP/1.1', 'Host: x', `Authorization: Bearer ${TOKEN}`, 'Connection: close'])],
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ ok: true });
  });

  it('answers headers or a URL over 16 KiB with 431 in the error shape', async () => {
    const bigHeader = await rawHttp({
      port,
      chunks: [head(['GET /v1/slow HTTP/1.1', 'Host: x', `X-Big: ${'a'.repeat(17 * 1024)}`])],
    });
    expect(expectErrorShape(bigHeader, 431, 'PHAROS_ERR_HEADERS_TOO_LARGE').message).toMatch(
      /16384 bytes \(server\.maxHeaderBytes\)/,
    );
    const bigUrl = await rawHttp({
      port,
      chunks: [head([`GET /prometheus/api/v1/query?query=${'x'.repeat(20_000)} HTTP/1.1`, 'Host: x'])],
    });
    expectErrorShape(bigUrl, 431, 'PHAROS_ERR_HEADERS_TOO_LARGE');
  });

  it('answers bytes that are not HTTP with 400 in the error shape', async () => {
    const answer = await rawHttp({
      port,
      chunks: ['\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003 not http\r\n\r\n'],
    });
    expect(expectErrorShape(answer, 400, 'PHAROS_ERR_VALIDATION').message).toMatch(/^Malformed HTTP request/);
  });

  it('counts the answers the HTTP server gave before routing', async () => {
    const text = (await app.inject('/metrics')).body;
    for (const status of ['400', '408', '431'])
      expect(text).toMatch(new RegExp(`^pharos_http_client_errors_total\\{status="${status}"[^}]*\\} [1-9]`, 'm'));
  });

  it('answers a body over the limit with 413 in the error shape, by Content-Length or as it streams', async () => {
    const declared = await rawHttp({
      port,
      chunks: [
        head([
          'POST /v1/json HTTP/1.1',
          'Host: x',
          `Authorization: Bearer ${TOKEN}`,
          'Content-Type: application/json',
          'Content-Length: 5000',
          'Connection: close',
        ]),
      ],
    });
    expectErrorShape(declared, 413, 'PHAROS_ERR_PAYLOAD_TOO_LARGE');
    const chunk = `{"n":1,"pad":"${'x'.repeat(2000)}"}`;
    const streamed = await rawHttp({
      port,
      chunks: [
        head([
          'POST /v1/json HTTP/1.1',
          'Host: x',
          `Authorization: Bearer ${TOKEN}`,
          'Content-Type: application/json',
          'Transfer-Encoding: chunked',
          'Connection: close',
        ]),
        `${chunk.length.toString(16)}\r\n${chunk}\r\n0\r\n\r\n`,
      ],
    });
    expectErrorShape(streamed, 413, 'PHAROS_ERR_PAYLOAD_TOO_LARGE');
  });

  it('answers JSON sent as text/plain or NDJSON to a JSON route with 415, and keeps text where a route takes it', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    for (const type of ['text/plain', 'text/plain; charset=utf-8', 'application/x-ndjson', 'Text/Plain']) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/json',
        headers: { ...auth, 'content-type': type },
        payload: '{"n":1}',
      });
      expect(res.statusCode, type).toBe(415);
      expect(res.json().error).toEqual({
        code: 'PHAROS_ERR_UNSUPPORTED_MEDIA_TYPE',
        message: expect.stringMatching(/POST \/v1\/json does not take .* bodies: send JSON as application\/json/i),
      });
    }
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/v1/json',
          headers: { ...auth, 'content-type': 'application/json' },
          payload: '{"n":1}',
        })
      ).json(),
    ).toEqual({ n: 1 });
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/v1/text',
          headers: { ...auth, 'content-type': 'text/plain' },
          payload: 'a\nb',
        })
      ).json(),
    ).toEqual({ length: 3 });
    // Unauthenticated callers learn nothing about the route's media types.
    expect(
      (await app.inject({ method: 'POST', url: '/v1/json', headers: { 'content-type': 'text/plain' }, payload: '{}' }))
        .statusCode,
    ).toBe(401);
  });
});

describe('HTTP answers while shutting down', () => {
  it('answers a request that arrives during close with 503 in the error shape', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const app = await buildApp({
      logger: createLogger('silent'),
      metrics: createMetricsRegistry(),
      authenticator: new TokenAuthenticator([{ name: 'admin', token: TOKEN, role: 'admin' }]),
      features: [
        { name: 'held', routes: async (a) => void a.get('/v1/held', async () => held.then(() => ({ ok: true }))) },
      ],
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    // One keep-alive connection: the first request is in flight when close starts, the second comes after.
    const both = rawHttp({
      port,
      chunks: [
        head(['GET /v1/held HTTP/1.1', 'Host: x', `Authorization: Bearer ${TOKEN}`]),
        head(['GET /v1/held HTTP/1.1', 'Host: x', `Authorization: Bearer ${TOKEN}`]),
      ],
      gapMs: 300,
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closed = app.close();
    await new Promise((resolve) => setTimeout(resolve, 400));
    release();
    const answer = await both;
    await closed;
    const second = answer.body.slice(answer.body.indexOf('HTTP/1.1'));
    expect(answer.status).toBe(200);
    expect(second).toMatch(/^HTTP\/1\.1 503/);
    expect(JSON.parse(second.slice(second.indexOf('\r\n\r\n') + 4))).toEqual({
      error: { code: 'PHAROS_ERR_UNAVAILABLE', message: 'Pharos is shutting down; retry in a moment' },
    });
  });
});
