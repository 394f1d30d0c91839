import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BodyTooLargeError, httpRequest } from './http-transport.ts';

let server: http.Server | undefined;

async function serve(handler: http.RequestListener): Promise<string> {
  server = http.createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  server = undefined;
});

const signal = () => AbortSignal.timeout(5000);

describe('httpRequest', () => {
  it('posts the form with its length and reads the whole answer, GET with the query in the URL', async () => {
    const url = await serve((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () =>
        res.end(JSON.stringify({ method: req.method, url: req.url, length: req.headers['content-length'], body })),
      );
    });
    const post = await httpRequest({
      url: `${url}/api/v1/query`,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'query=up%7Bjob%3D%22a%22%7D&time=1',
      maxBytes: 10_000,
      signal: signal(),
    });
    expect(post.status).toBe(200);
    expect(JSON.parse(post.body)).toEqual({
      method: 'POST',
      url: '/api/v1/query',
      length: '34',
      body: 'query=up%7Bjob%3D%22a%22%7D&time=1',
    });
    const get = await httpRequest({
      url: `${url}/x?a=1`,
      method: 'GET',
      headers: {},
      maxBytes: 10_000,
      signal: signal(),
    });
    expect(JSON.parse(get.body)).toMatchObject({ method: 'GET', url: '/x?a=1', body: '' });
  });

  it('hands the chunks to a consumer as they arrive, and fails the request when it throws', async () => {
    const url = await serve((_req, res) => {
      res.write('["a",');
      setTimeout(() => res.end('"b"]'), 20);
    });
    const seen: string[] = [];
    const r = await httpRequest({
      url,
      method: 'GET',
      headers: {},
      maxBytes: 100,
      signal: signal(),
      consume: (c) => seen.push(c.toString()),
    });
    expect(r.body).toBe('');
    expect(seen.join('')).toBe('["a","b"]');
    const failing = () =>
      httpRequest({
        url,
        method: 'GET',
        headers: {},
        maxBytes: 100,
        signal: signal(),
        consume: () => {
          throw new SyntaxError('Unexpected token');
        },
      });
    await expect(failing()).rejects.toBeInstanceOf(SyntaxError);
  });

  it('answers an error status with its body (the envelope says why)', async () => {
    const url = await serve((_req, res) => {
      res.statusCode = 422;
      res.end('{"status":"error"}');
    });
    const r = await httpRequest({ url, method: 'GET', headers: {}, maxBytes: 100, signal: signal() });
    expect(r).toEqual({ status: 422, body: '{"status":"error"}' });
  });

  it('stops reading over maxBytes', async () => {
    const url = await serve((_req, res) => {
      res.write('x'.repeat(60_000));
      res.end('x'.repeat(60_000));
    });
    await expect(
      httpRequest({ url, method: 'GET', headers: {}, maxBytes: 50_000, signal: signal() }),
    ).rejects.toBeInstanceOf(BodyTooLargeError);
  });

  it('rejects when the signal aborts, and when the answer is cut short', async () => {
    const url = await serve((req, res) => {
      if (req.url === '/cut') {
        res.setHeader('content-length', '100');
        res.write('partial');
        setTimeout(() => res.destroy(), 20);
      }
      // /slow never answers
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('gave up')), 50);
    await expect(
      httpRequest({ url: `${url}/slow`, method: 'GET', headers: {}, maxBytes: 100, signal: ac.signal }),
    ).rejects.toThrow();
    await expect(
      httpRequest({ url: `${url}/cut`, method: 'GET', headers: {}, maxBytes: 1000, signal: signal() }),
    ).rejects.toThrow();
  });

  it('keeps the connection alive between calls, and sends again when the server closed an idle one', async () => {
    const ports = new Set<number>();
    const url = await serve((req, res) => {
      ports.add(req.socket.remotePort as number);
      res.end('ok');
    });
    const call = () => httpRequest({ url, method: 'GET', headers: {}, maxBytes: 100, signal: signal() });
    await call();
    await call();
    expect(ports.size).toBe(1);
    // The server drops its idle connections without telling the client first: the next call finds its
    // kept-alive socket closed and goes again on a new one.
    server?.closeIdleConnections();
    await new Promise((r) => setTimeout(r, 20));
    expect((await call()).body).toBe('ok');
  });
});
