import { describe, expect, it } from 'vitest';
import { TokenAuthenticator } from '../../../libs/auth/token-authenticator.ts';
import { tailConfigSchema } from '../../../libs/config/sections/tail.ts';
import { buildApp } from '../../../libs/http/app.ts';
import { createLogger } from '../../../libs/logging/logger.ts';
import { createMetricsRegistry } from '../../../libs/metrics/metrics.ts';
import { MemoryRecordStore } from '../../../libs/store/memory/memory-record.store.ts';
import { RecordsTail } from './records-tail.ts';
import { recordsTailRoutes } from './records-tail.routes.ts';

const tokens = new TokenAuthenticator([
  { name: 'admin', token: 'admin-token-0123456789', role: 'admin' },
  { name: 'shop', token: 'shop-token-0123456789', role: 'viewer', scope: { clusters: ['*'], namespaces: ['shop'] } },
]);

async function start() {
  const store = new MemoryRecordStore();
  const tail = new RecordsTail({
    store: async () => store,
    limits: { maxRangeDays: 7, maxPageSize: 100, defaultPageSize: 10, timeoutMs: 2000 },
    tail: tailConfigSchema.parse({ pollIntervalMs: 100, maxStreamsPerPrincipal: 1 }),
  });
  const app = await buildApp({
    logger: createLogger('silent'),
    metrics: createMetricsRegistry(),
    authenticator: tokens,
    features: [{ name: 'tail', routes: recordsTailRoutes(tail) }],
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  return { store, tail, app, base };
}

describe('GET /v1/{kind}/tail', () => {
  it('streams Server-Sent Events; refuses bad queries and scope with JSON errors; app.close() ends open streams', async () => {
    const { store, tail, app, base } = await start();
    const headers = { authorization: 'Bearer shop-token-0123456789' };
    const bad = await fetch(`${base}/v1/logs/tail?namespace=bank`, { headers });
    expect(bad.status).toBe(403);
    expect((await bad.json()).error.code).toBe('PHAROS_ERR_FORBIDDEN');
    expect((await fetch(`${base}/v1/logs/tail?end=1`, { headers })).status).toBe(400);
    expect((await fetch(`${base}/v1/logs/tail`)).status).toBe(401);

    const res = await fetch(`${base}/v1/logs/tail?q=hello`, { headers });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    // One stream per principal in this config: a second is refused while the first is open.
    const second = await fetch(`${base}/v1/logs/tail`, { headers });
    expect(second.status).toBe(429);
    expect((await second.json()).error.message).toContain('maxStreamsPerPrincipal');

    const reader = res.body!.getReader();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) return;
        text += new TextDecoder().decode(value);
      }
    };
    await readUntil('event: open');
    const now = Date.now();
    await store.write('logs', [
      { id: 'l1', kind: 'logs', cluster: 'c', namespace: 'shop', time: now, ingestedAt: now, message: 'hello world' },
    ]);
    await readUntil('id: l1');
    expect(text).toMatch(/event: record\nid: l1\ndata: \{.*"message":"hello world".*\}\n\n/);
    const closing = app.close();
    await readUntil('never');
    await closing;
    expect(tail.openStreams).toBe(0);
  });
});
