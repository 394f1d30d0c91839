import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRecordStore, getStateStore } from '../../../libs/runtime/backends.ts';
import { rawHttp, type RawAnswer } from '../../support/raw-http.ts';
import { dataSnapshot } from './data-snapshot.ts';
import { TOKENS, buildFullApp, type FullApp } from './full-app.ts';
import { ALIAS_BOMB } from './fuzz-arbitraries.ts';

/**
 * Issue 15, part of the malformed-request suite that `app.inject` cannot send, on a listening full app:
 * unfinished headers and bodies, header blocks and URLs over 16 KiB, bodies over the limit, bytes that are
 * not HTTP; and the named cases: YAML alias bombs and deep nesting, JSON sent as text/plain, audit lists
 * of another apiVersion. Every answer is a 4xx in the documented shape (the Prometheus envelope under
 * /prometheus), never a 5xx or silence; the process stays up and no data changes.
 */
const LIMITS = { requestTimeoutMs: 1_500, headersTimeoutMs: 400, bodyLimitBytes: 64 * 1024 };
const AUTH = `Authorization: Bearer ${TOKENS.admin}`;
const fill = (url: string) => url.replace(/:[A-Za-z0-9_]+/g, 'x').replace(/\*/g, 'x');
const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;

/** The problem with an answer, or undefined when it is a 4xx in the documented shape. */
function problem(
  path: string,
  a: { status: number; body: string; contentType?: string | undefined },
  expected?: number,
): string | undefined {
  if (expected !== undefined && a.status !== expected)
    return `${path}: status ${a.status}, expected ${expected}: ${a.body.slice(0, 200)}`;
  if (a.status < 400 || a.status >= 500) return `${path}: status ${a.status}: ${a.body.slice(0, 200)}`;
  if (!/^application\/json/.test(a.contentType ?? '')) return `${path}: ${a.status} with content-type ${a.contentType}`;
  let body: {
    error?: { code?: unknown; message?: unknown } | string;
    status?: unknown;
    errorType?: unknown;
    code?: unknown;
  };
  try {
    body = JSON.parse(a.body) as typeof body;
  } catch {
    return `${path}: ${a.status} with a body that is not JSON: ${a.body.slice(0, 200)}`;
  }
  const pharos =
    typeof body.error === 'object' &&
    /^PHAROS_ERR_/.test(String(body.error.code)) &&
    typeof body.error.message === 'string' &&
    body.error.message !== '';
  const prometheus =
    path.startsWith('/prometheus') &&
    body.status === 'error' &&
    typeof body.errorType === 'string' &&
    typeof body.error === 'string' &&
    /^PHAROS_ERR_/.test(String(body.code));
  return pharos || prometheus ? undefined : `${path}: ${a.status} not in the error shape: ${a.body.slice(0, 200)}`;
}

const checkRaw = (path: string, a: RawAnswer, expected?: number) =>
  problem(path, { status: a.status, body: a.body, contentType: a.headers['content-type'] }, expected);

describe('fuzz on the wire: what only a socket can send', () => {
  let full: FullApp;
  let port: number;
  let before: Record<string, string>;
  let writeRoutes: { method: string; url: string }[];
  const problems: string[] = [];

  beforeAll(async () => {
    full = await buildFullApp({ server: { host: '127.0.0.1', port: 0, ...LIMITS } });
    await full.app.listen({ host: '127.0.0.1', port: 0 });
    port = (full.app.server.address() as AddressInfo).port;
    writeRoutes = full.routes.filter((r) => r.method !== 'GET' && r.method !== 'DELETE');
    // The stores are opened on first use; open them first, so the snapshot holds their (empty) tables.
    await getRecordStore(full.ctx);
    await getStateStore(full.ctx);
    before = dataSnapshot(full.dbPath);
  });
  afterAll(async () => {
    console.log(`[fuzz-wire] ${problems.length} problem(s) over ${full?.routes.length} routes`);
    await full?.close();
  });

  it('answers unfinished headers with 408, on every route', async () => {
    const answers = await Promise.all(
      full.routes.map((r) =>
        rawHttp({ port, chunks: [`${r.method} ${fill(r.url)} HTTP/1.1\r\nHost: x\r\n${AUTH}\r\n`] }).then((a) =>
          checkRaw(r.url, a, 408),
        ),
      ),
    );
    problems.push(...answers.filter((p): p is string => p !== undefined));
    expect(answers.filter(Boolean)).toEqual([]);
  });

  it('answers an unfinished body with 408, on every route that takes one', async () => {
    const answers = await Promise.all(
      writeRoutes.map((r) =>
        rawHttp({
          port,
          chunks: [
            head([
              `${r.method} ${fill(r.url)} HTTP/1.1`,
              'Host: x',
              AUTH,
              'Content-Type: application/json',
              'Content-Length: 4000',
            ]),
            '{"a": [',
          ],
        }).then((a) => checkRaw(r.url, a, 408)),
      ),
    );
    expect(answers.filter(Boolean)).toEqual([]);
  });

  it('answers header blocks and URLs over 16 KiB with 431, on every route', async () => {
    const big = 'x'.repeat(17 * 1024);
    const answers = await Promise.all(
      full.routes.flatMap((r) => [
        rawHttp({
          port,
          chunks: [head([`${r.method} ${fill(r.url)} HTTP/1.1`, 'Host: x', AUTH, `X-Padding: ${big}`])],
        }).then((a) => checkRaw(r.url, a, 431)),
        rawHttp({ port, chunks: [head([`${r.method} ${fill(r.url)}?q=${big} HTTP/1.1`, 'Host: x', AUTH])] }).then((a) =>
          checkRaw(r.url, a, 431),
        ),
        rawHttp({
          port,
          chunks: [head([`${r.method} ${fill(r.url)} HTTP/1.1`, 'Host: x', `Authorization: Bearer ${big}`])],
        }).then((a) => checkRaw(r.url, a, 431)),
      ]),
    );
    expect(answers.filter(Boolean)).toEqual([]);
  });

  it('answers bodies over server.bodyLimitBytes with 413, declared or streamed', async () => {
    const chunk = `{"pad":"${'y'.repeat(80 * 1024)}"}`;
    const answers = await Promise.all(
      writeRoutes.flatMap((r) => [
        rawHttp({
          port,
          chunks: [
            head([
              `${r.method} ${fill(r.url)} HTTP/1.1`,
              'Host: x',
              AUTH,
              'Content-Type: application/json',
              `Content-Length: ${10 * 1024 * 1024}`,
              'Connection: close',
            ]),
          ],
        }).then((a) => checkRaw(r.url, a, 413)),
        rawHttp({
          port,
          chunks: [
            head([
              `${r.method} ${fill(r.url)} HTTP/1.1`,
              'Host: x',
              AUTH,
              'Content-Type: application/json',
              'Transfer-Encoding: chunked',
              'Connection: close',
            ]),
            `${chunk.length.toString(16)}\r\n${chunk}\r\n0\r\n\r\n`,
          ],
        }).then((a) => checkRaw(r.url, a, 413)),
      ]),
    );
    expect(answers.filter(Boolean)).toEqual([]);
  });

  it('answers bytes that are not HTTP with 400', async () => {
    const garbage = [
      '\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003',
      'GET\u0000/ HTTP/1.1\r\n\r\n',
      'GET / HTTP/9.9\r\n\r\n',
      `GET /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcde`,
      'POST /v1/silences HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    ];
    const answers = await Promise.all(
      garbage.map((g) => rawHttp({ port, chunks: [g] }).then((a) => checkRaw(JSON.stringify(g.slice(0, 20)), a, 400))),
    );
    expect(answers.filter(Boolean)).toEqual([]);
  });

  it('is still up and answering, and no data changed', async () => {
    const health = await rawHttp({ port, chunks: [head(['GET /healthz HTTP/1.1', 'Host: x', 'Connection: close'])] });
    expect(health.status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    expect(dataSnapshot(full.dbPath)).toEqual(before);
  });
});

describe('fuzz: the named hostile bodies of issue 15', () => {
  let full: FullApp;
  let before: Record<string, string>;
  beforeAll(async () => {
    full = await buildFullApp();
    await getRecordStore(full.ctx);
    await getStateStore(full.ctx);
    before = dataSnapshot(full.dbPath);
  });
  afterAll(() => full?.close());
  const send = async (
    method: 'POST' | 'PUT',
    url: string,
    { contentType, payload }: { contentType: string; payload: string },
  ) => {
    const res = await full.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${TOKENS.admin}`, 'content-type': contentType },
      payload,
    });
    return {
      status: res.statusCode,
      body: res.body,
      contentType: res.headers['content-type'] as string | undefined,
      json: () => res.json() as { error: { message: string; details?: { path: string }[] } },
    };
  };
  const DEEP = `a:\n${Array.from({ length: 600 }, (_, i) => `${' '.repeat(i + 1)}- `).join('\n')}x`;

  it.each([
    ['POST', '/v1/dashboards', 'application/yaml'],
    ['PUT', '/v1/dashboards/fuzz', 'application/x-yaml'],
    ['POST', '/v1/dashboards/import', 'text/yaml'],
    ['POST', '/v1/dashboards/import', 'text/plain'],
  ] as const)(
    '%s %s (%s): an alias bomb and deep nesting are 400 with the reason, quickly',
    async (method, url, type) => {
      const started = Date.now();
      const bomb = await send(method, url, { contentType: type, payload: ALIAS_BOMB });
      expect(problem(url, bomb, 400)).toBeUndefined();
      expect(bomb.json().error.message).toMatch(/alias bomb/);
      const deep = await send(method, url, { contentType: type, payload: DEEP });
      expect(problem(url, deep, 400)).toBeUndefined();
      expect(deep.json().error.message).toMatch(/nested deeper than 200 levels/);
      const huge = await send(method, url, { contentType: type, payload: `title: "${'x'.repeat(300_000)}"` });
      expect(huge.json().error.message).toMatch(/over the limit of 262144 bytes/);
      expect(Date.now() - started).toBeLessThan(10_000);
    },
  );

  it('answers JSON sent as text/plain or NDJSON with 415 wherever JSON is expected', async () => {
    // Text bodies are the contract of the log intake and the import; the agent intakes (Elasticsearch, Loki,
    // OTLP) read raw bodies and follow their protocols' media types (docs/ingest.md).
    const ownTypes = /^\/(elasticsearch|loki|otlp)\//;
    const jsonRoutes = full.routes.filter(
      (r) =>
        r.method !== 'GET' &&
        r.method !== 'DELETE' &&
        !['/v1/ingest/logs', '/v1/dashboards/import'].includes(r.url) &&
        !ownTypes.test(r.url),
    );
    expect(jsonRoutes.length).toBeGreaterThan(10);
    const wrong: string[] = [];
    for (const r of jsonRoutes) {
      for (const type of ['text/plain', 'application/x-ndjson']) {
        const p = problem(
          r.url,
          await send(r.method as 'POST', fill(r.url), { contentType: type, payload: '{"name":"x"}' }),
          415,
        );
        if (p) wrong.push(`${r.method} ${p}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('refuses audit lists of another apiVersion or kind with 400 naming the field, single events too', async () => {
    const item = { auditID: 'fz', stage: 'ResponseComplete', requestReceivedTimestamp: '2024-01-01T00:00:00Z' };
    for (const [body, paths] of [
      [{ kind: 'EventList', apiVersion: 'audit.k8s.io/v2', items: [item] }, ['body.apiVersion']],
      [{ kind: 'PodList', apiVersion: 'v1', items: [item] }, ['body.apiVersion', 'body.kind']],
      [{ ...item, kind: 'Event', apiVersion: 'audit.k8s.io/v2' }, ['body.apiVersion']],
    ] as const) {
      const res = await send('POST', '/v1/ingest/audit?cluster=fuzz', {
        contentType: 'application/json',
        payload: JSON.stringify(body),
      });
      expect(problem('/v1/ingest/audit', res, 400)).toBeUndefined();
      expect(res.json().error.details?.map((d) => d.path)).toEqual(paths);
    }
  });

  it('changed no data', async () => {
    await new Promise((r) => setTimeout(r, 500));
    expect(dataSnapshot(full.dbPath)).toEqual(before);
  });
});
