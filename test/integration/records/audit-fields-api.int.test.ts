import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../libs/http/app.ts';
import { createMetricsRegistry } from '../../../libs/metrics/metrics.ts';
import { getRecordStore } from '../../../libs/runtime/backends.ts';
import { recordsFeature } from '../../../services/query/records/records.feature.ts';
import {
  engineConfig,
  INGEST_TOKEN,
  runId,
  startInProcess,
  until,
  type InProcessPipeline,
} from '../ingest/pipeline.helpers.ts';
import { count, decisionOf, impersonationTrace, openshiftTrace, parseCsv, withPhrase } from './audit-fields.ts';

/**
 * Issue 15, audit fidelity through the whole pipeline (webhook intake → bus → indexer → store → Query API),
 * on the embedded default and on Kafka + OpenSearch: the questions auditors ask first, answered with the
 * counts of the input.
 */
const dir = mkdtempSync(join(tmpdir(), 'pharos-audit-api-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ADMIN = { authorization: `Bearer ${INGEST_TOKEN}-admin` };
// The two traces are a year apart (2023-05, 2024-05): one range holds both.
const RANGE = 'start=2023-01-01T00:00:00Z&end=2025-01-01T00:00:00Z';
const query = { maxRangeDays: 800 };

const setups: [string, () => Record<string, unknown>][] = [
  ['Kafka + OpenSearch', () => engineConfig(runId('auditapi'), join(dir, 'engines'), { query })],
  [
    'embedded: in-process bus + SQLite',
    () => ({
      dataDir: join(dir, 'embedded'),
      log: { level: 'warn' },
      storage: { type: 'sqlite', path: join(dir, 'embedded', 'pharos.db') },
      bus: { type: 'memory' },
      auth: engineConfig('x', dir).auth,
      query,
    }),
  ],
];

describe.each(setups)('audit fields through the Query API: %s', (_name, makeConfig) => {
  let p: InProcessPipeline;
  let api: FastifyInstance;
  const east = openshiftTrace();
  const west = impersonationTrace();
  const input = [...east, ...west];
  const get = async (url: string) => {
    const res = await api.inject({ url, headers: ADMIN });
    expect(res.statusCode, `${url}: ${res.body.slice(0, 300)}`).toBe(200);
    return res;
  };
  const total = async (q: string) => (await get(`/v1/audit?${q}&${RANGE}&size=1`)).json().total as number;

  beforeAll(async () => {
    p = await startInProcess(makeConfig());
    api = await buildApp({
      logger: p.ctx.logger,
      metrics: createMetricsRegistry(),
      authenticator: p.ctx.authenticator,
      features: [recordsFeature(p.ctx)],
    });
    for (const [cluster, items] of [
      ['east', east],
      ['west', west],
    ] as const) {
      const res = await p.post(`/v1/ingest/audit?cluster=${cluster}`, {
        kind: 'EventList',
        apiVersion: 'audit.k8s.io/v1',
        items,
      });
      expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
      expect(res.body).toMatchObject({ accepted: items.length, rejected: [] });
    }
    const store = await getRecordStore(p.ctx);
    await until(
      async () => {
        await store.refresh('audit').catch(() => undefined);
        return (
          (await store
            .count('audit', { filters: { cluster: ['east', 'west'] }, start: 0, end: Date.UTC(2100, 0, 1) })
            .catch(() => -1)) === input.length
        );
      },
      180_000,
      'both traces stored',
    );
  });
  afterAll(async () => {
    await api?.close();
    await p?.close();
  });

  it('refuses an EventList of another apiVersion or kind whole, naming the field, and stores none of it', async () => {
    const v2 = await p.post('/v1/ingest/audit?cluster=north', {
      kind: 'EventList',
      apiVersion: 'audit.k8s.io/v2',
      items: west,
    });
    expect(v2.status).toBe(400);
    expect(v2.body.error).toMatchObject({
      code: 'PHAROS_ERR_VALIDATION',
      details: [
        {
          path: 'body.apiVersion',
          message: expect.stringMatching(/must be audit\.k8s\.io\/v1 .*"audit\.k8s\.io\/v2"/),
        },
      ],
    });
    const kind = await p.post('/v1/ingest/audit?cluster=north', { kind: 'PodList', apiVersion: 'v1', items: west });
    expect((kind.body.error as { details: { path: string }[] }).details.map((d) => d.path)).toEqual([
      'body.apiVersion',
      'body.kind',
    ]);
    expect(await total('cluster=north')).toBe(0);
  });

  it('finds what an impersonating user did, by filter and by q', async () => {
    const asBob = count(input, (e) => e.impersonatedUser?.username, 'bob');
    expect(asBob).toBeGreaterThan(25);
    expect(await total('impersonatedUser=bob')).toBe(asBob);
    expect(await total('q=bob')).toBe(withPhrase(input, 'bob'));
    expect(await total('user=bob')).toBe(0);
    expect(await total('impersonatedGroup=qa')).toBe(
      input.filter((e) => e.impersonatedUser?.groups?.includes('qa')).length,
    );
  });

  it('finds refusals by decision, by response reason and by the words of the response message', async () => {
    expect(await total('decision=forbid')).toBe(count(input, decisionOf, 'forbid'));
    expect(await total('responseReason=Forbidden')).toBe(count(input, (e) => e.responseStatus?.reason, 'Forbidden'));
    expect(await total('q=forbidden')).toBe(withPhrase(input, 'forbidden'));
    expect(await total(`q=${encodeURIComponent('"is forbidden" AND impersonatedUser:bob')}`)).toBe(
      input.filter(
        (e) => e.impersonatedUser?.username === 'bob' && /is forbidden/.test(e.responseStatus?.message ?? ''),
      ).length,
    );
  });

  it('counts by decision with missing, so groups and missing make the total, and says the range', async () => {
    const stats = (await get(`/v1/audit/stats?by=decision&${RANGE}`)).json();
    expect(stats).toMatchObject({
      total: input.length,
      missing: input.filter((e) => !decisionOf(e)).length,
      start: Date.UTC(2023, 0, 1),
      end: Date.UTC(2025, 0, 1),
    });
    expect(Object.fromEntries(stats.groups.map((g: { key: string; count: number }) => [g.key, g.count]))).toEqual({
      allow: count(input, decisionOf, 'allow'),
      forbid: count(input, decisionOf, 'forbid'),
    });
    // Without start, the last 24 hours: none of these records, and the answer says which range it covered.
    const recent = (await get('/v1/audit/stats?by=decision')).json();
    expect(recent.total).toBe(0);
    expect(recent.end - recent.start).toBe(86_400_000);
  });

  it('exports the new fields in NDJSON and CSV, with the range in headers', async () => {
    const nd = await get(`/v1/audit/export?impersonatedUser=bob&decision=forbid&${RANGE}`);
    expect(nd.headers).toMatchObject({
      'pharos-range-start': String(Date.UTC(2023, 0, 1)),
      'pharos-range-end': String(Date.UTC(2025, 0, 1)),
    });
    const lines = nd.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(
      input.filter((e) => e.impersonatedUser?.username === 'bob' && decisionOf(e) === 'forbid').length,
    );
    expect(
      lines.every(
        (d) =>
          d.impersonatedUser === 'bob' &&
          d.decision === 'forbid' &&
          d.responseReason === 'Forbidden' &&
          typeof d.responseMessage === 'string',
      ),
    ).toBe(true);
    const csv = await get(`/v1/audit/export?format=csv&cluster=west&${RANGE}`);
    const [columns, ...rows] = parseCsv(csv.body);
    expect(columns!.slice(-7)).toEqual([
      'impersonatedUser',
      'impersonatedGroups',
      'decision',
      'authzReason',
      'responseReason',
      'responseMessage',
      'objectUid',
    ]);
    expect(rows).toHaveLength(west.length);
    expect(rows.every((r) => r.length === columns!.length)).toBe(true);
    const column = (name: string) => rows.map((r) => r[columns!.indexOf(name)]);
    expect(column('impersonatedUser').filter((v) => v === 'bob')).toHaveLength(
      count(west, (e) => e.impersonatedUser?.username, 'bob'),
    );
    expect(column('decision').filter((v) => v === 'forbid')).toHaveLength(count(west, decisionOf, 'forbid'));
    expect(column('responseMessage').filter((v) => /is forbidden/.test(v ?? ''))).toHaveLength(
      withPhrase(west, 'is forbidden'),
    );
    expect(column('objectUid').filter(Boolean)).toHaveLength(west.filter((e) => e.objectRef?.uid).length);
  });
});
