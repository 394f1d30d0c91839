import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHealth, healthUrl } from './healthcheck.ts';

describe('healthUrl', () => {
  it('turns a wildcard bind address into loopback, inside the container', () => {
    expect(healthUrl({ host: '0.0.0.0', port: 8080 })).toBe('http://127.0.0.1:8080/healthz');
    expect(healthUrl({ host: '::', port: 9090 })).toBe('http://127.0.0.1:9090/healthz');
  });

  it('keeps a specific address, bracketing IPv6', () => {
    expect(healthUrl({ host: '127.0.0.1', port: 8080 })).toBe('http://127.0.0.1:8080/healthz');
    expect(healthUrl({ host: '::1', port: 8080 })).toBe('http://[::1]:8080/healthz');
  });
});

describe('checkHealth', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.statusCode = req.url === '/healthz' ? 200 : 503;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('is true on a 2xx and false on an error status', async () => {
    expect(await checkHealth(`${base}/healthz`)).toBe(true);
    expect(await checkHealth(`${base}/readyz`)).toBe(false);
  });

  it('is false when nothing listens', async () => {
    const gone = createServer();
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    const port = (gone.address() as { port: number }).port;
    await new Promise<void>((resolve) => gone.close(() => resolve()));
    expect(await checkHealth(`http://127.0.0.1:${port}/healthz`)).toBe(false);
  });
});
