import Fastify, { type FastifyInstance } from 'fastify';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { requestSignal } from './request-signal.ts';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

/** An app whose one route waits `holdMs`, reading the signal first or only after the wait. */
async function serve(opts: { holdMs: number; readLate?: boolean }) {
  const seen: { signal?: AbortSignal; abortedAtEnd?: boolean } = {};
  const app = Fastify();
  apps.push(app);
  await app.register(requestSignal);
  app.post('/work', async (req) => {
    if (!opts.readLate) seen.signal = req.clientSignal;
    await new Promise((r) => setTimeout(r, opts.holdMs));
    seen.signal ??= req.clientSignal;
    seen.abortedAtEnd = seen.signal.aborted;
    return { ok: true };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { port: (app.server.address() as AddressInfo).port, seen };
}

/** POSTs a JSON body; `hangUpAfterMs` destroys the socket before the answer. */
function post(port: number, hangUpAfterMs?: number): Promise<number | 'hung up'> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path: '/work', headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve('hung up'));
    req.end(JSON.stringify({ items: [1, 2, 3] }));
    if (hangUpAfterMs !== undefined) setTimeout(() => req.destroy(), hangUpAfterMs);
  });
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('request.clientSignal', () => {
  it('stays quiet for a POST whose body was read (unlike request.signal) and after the answer', async () => {
    const { port, seen } = await serve({ holdMs: 50 });
    expect(await post(port)).toBe(200);
    await settle(20);
    expect(seen.abortedAtEnd).toBe(false);
    expect(seen.signal?.aborted).toBe(false);
  });

  it('aborts when the client hangs up before the answer', async () => {
    const { port, seen } = await serve({ holdMs: 300 });
    expect(await post(port, 50)).toBe('hung up');
    await settle(400);
    expect(seen.abortedAtEnd).toBe(true);
  });

  it('is already aborted when read only after the client left', async () => {
    const { port, seen } = await serve({ holdMs: 300, readLate: true });
    expect(await post(port, 50)).toBe('hung up');
    await settle(400);
    expect(seen.abortedAtEnd).toBe(true);
  });

  it('is one signal per request', async () => {
    const app = Fastify();
    apps.push(app);
    await app.register(requestSignal);
    app.get('/same', async (req) => ({
      same: req.clientSignal === req.clientSignal,
      aborted: req.clientSignal.aborted,
    }));
    const res = await app.inject({ url: '/same' });
    expect(res.json()).toEqual({ same: true, aborted: false });
  });
});
