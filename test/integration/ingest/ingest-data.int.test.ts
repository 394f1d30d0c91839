import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsumedMessage } from '../../../libs/bus/bus.ts';
import { topicsFor } from '../../../libs/bus/topics.ts';
import { getBus, getRecordStore } from '../../../libs/runtime/backends.ts';
import { replayDeadLetters } from '../../../services/indexer/dead-letter.ts';
import type { AuditDoc, EventDoc, RecordKind } from '../../../libs/schemas/records.ts';
import type { RecordStore } from '../../../libs/store/record-store.ts';
import {
  engineConfig,
  readJson,
  readJsonl,
  runId,
  startInProcess,
  until,
  type InProcessPipeline,
} from './pipeline.helpers.ts';

type Raw = Record<string, unknown>;
const dir = mkdtempSync(join(tmpdir(), 'pharos-ingest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Splits a list into webhook-sized batches (the API server sends at most 400 per request). */
const batches = <T>(items: T[], size = 400): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

const auditSources = (): { name: string; items: Raw[] }[] => [
  {
    name: 'openshift 4.12 RequestResponse',
    items: readJsonl('k8s-audit/openshift-clo_audit_in_openshift412_requestresponse.jsonl') as Raw[],
  },
  ...['kubernetes', 'oauth-apiserver', 'openshift'].map((n) => ({
    name: `raw ${n}`,
    items: [readJson(`k8s-audit/openshift-clo_raw_audit_${n}.json`) as Raw],
  })),
  {
    name: 'panther EKS/AKS samples',
    items: (readJsonl('k8s-audit/panther-analysis_k8s-rule-test-events.jsonl') as { event: Raw }[]).map((r) => r.event),
  },
];
const eventSources = (): { name: string; items: Raw[] }[] => [
  {
    name: 'must-gather azure',
    items: readJsonl('k8s-events/openshift-must-gather-azure_core-v1-events_first1000.jsonl') as Raw[],
  },
  {
    name: 'must-gather aws',
    items: (
      readJson('k8s-events/openshift-must-gather-aws_core-v1-events_diverse-sample.EventList.json') as { items: Raw[] }
    ).items,
  },
  { name: 'k3s', items: (readJson('k8s-events/kube-audit-rest_k3s_core-v1-events.json') as { items: Raw[] }).items },
];

const setups: [string, () => Record<string, unknown>][] = [
  ['Kafka + OpenSearch', () => engineConfig(runId('data'), join(dir, 'engines'))],
  // No bus configured: the embedded default's durable SQLite bus (its dead letters and their replay included).
  [
    'embedded default: SQLite bus + SQLite',
    () => ({
      dataDir: join(dir, 'embedded'),
      log: { level: 'warn' },
      storage: { type: 'sqlite', path: join(dir, 'embedded', 'pharos.db') },
      collector: { cluster: 'it' },
      auth: engineConfig('x', dir).auth,
    }),
  ],
];

describe.each(setups)('ingest of the shared data sets: %s', (_name, makeConfig) => {
  let p: InProcessPipeline;
  let store: RecordStore;
  const expected = { audit: new Map<string, Raw>(), events: new Map<string, Raw>() };

  beforeAll(async () => {
    p = await startInProcess(makeConfig());
    store = await getRecordStore(p.ctx);
  });
  afterAll(() => p?.close());

  // -1 while the store is briefly unreachable (engines are shared with other suites), so polling goes on.
  const stored = async (kind: RecordKind) => {
    try {
      await store.refresh(kind);
      return await store.count(kind, { filters: { cluster: ['east'] } });
    } catch {
      return -1;
    }
  };
  const indexedTotal = async (kind: RecordKind): Promise<number> => {
    const m = /pharos_indexer_records_total\{kind="(\w+)",result="indexed"[^}]*\} (\d+)/g;
    let total = 0;
    for (const [, k, n] of (await p.ctx.metrics.metrics()).matchAll(m)) if (k === kind) total += Number(n);
    return total;
  };

  const lag = async (kind: RecordKind): Promise<number> => {
    const m = new RegExp(`pharos_indexer_consumer_lag\\{kind="${kind}"[^}]*\\} (\\d+)`).exec(
      await p.ctx.metrics.metrics(),
    );
    return m ? Number(m[1]) : -1;
  };

  async function send(kind: 'audit' | 'events', sources: { name: string; items: Raw[] }[], record: boolean) {
    const idOf = (r: Raw) =>
      kind === 'audit'
        ? `${String(r.auditID)}:${String(r.stage)}`
        : `${String((r.metadata as Raw).uid)}:${String(r.count ?? 1)}`;
    for (const source of sources) {
      for (const batch of batches(source.items)) {
        const res = await p.post(`/v1/ingest/${kind}?cluster=east`, {
          kind: 'EventList',
          apiVersion: kind === 'audit' ? 'audit.k8s.io/v1' : 'v1',
          items: batch,
        });
        const rejected = new Set((res.body.rejected ?? []).map((r) => r.index));
        if (res.status === 400) batch.forEach((_, i) => rejected.add(i));
        else expect(res.status, `${source.name}: ${JSON.stringify(res.body).slice(0, 300)}`).toBe(200);
        // None silently dropped: every item is either accepted or reported with a reason.
        expect((res.body.accepted ?? 0) + rejected.size, source.name).toBe(batch.length);
        if (record) batch.forEach((item, i) => !rejected.has(i) && expected[kind].set(idOf(item), item));
      }
    }
  }

  it(
    'stores every valid audit event and event once, with its fields, and reports the malformed ones',
    { timeout: 300_000 },
    async () => {
      await send('audit', auditSources(), true);
      await send('events', eventSources(), true);
      // The panther samples are partial on purpose: only 17 carry auditID, stage and a timestamp (9 distinct ids).
      expect(expected.audit.size).toBe(100 + 3 + 9);
      expect(expected.events.size).toBe(1000 + 260 + 13);
      await until(
        async () =>
          (await stored('audit')) === expected.audit.size && (await stored('events')) === expected.events.size,
        180_000,
        'all records searchable',
      );

      const audit = (await store.search('audit', { filters: { cluster: ['east'] }, sort: 'asc', size: 500 }))
        .items as AuditDoc[];
      const b656 = audit.find((d) => d.id === 'b6560098-0bbb-4593-ad6a-9c0022e9dc87:ResponseComplete');
      expect(b656).toMatchObject({
        cluster: 'east',
        verb: 'get',
        user: 'system:apiserver',
        resource: 'namespaces',
        namespace: 'openshift-marketplace',
        code: 200,
      });
      for (const doc of audit) {
        const src = expected.audit.get(doc.id)!;
        expect(doc.auditID).toBe(src.auditID);
        expect(doc.verb).toBe(src.verb);
        expect(doc.requestURI).toBe(src.requestURI);
      }
      const leader = await store.search('events', {
        filters: { reason: ['LeaderElection'], namespace: ['kube-system'] },
        sort: 'asc',
        size: 1000,
      });
      const srcLeader = [...expected.events.values()].filter(
        (e) => e.reason === 'LeaderElection' && (e.metadata as Raw).namespace === 'kube-system',
      );
      expect(leader.total).toBe(srcLeader.length);
      const first = (leader.items as EventDoc[]).find((d) => d.id === '6624cecb-eaf1-4df8-afd7-d1c1cc317ea2:1');
      expect(first).toMatchObject({
        objectKind: 'ConfigMap',
        name: 'kube-controller-manager',
        type: 'Normal',
        source: 'kube-controller-manager',
        count: 1,
      });
    },
  );

  it('stores nothing twice when the same batches are sent again', { timeout: 300_000 }, async () => {
    const before = { audit: await indexedTotal('audit'), events: await indexedTotal('events') };
    await send('audit', auditSources(), false);
    await send('events', eventSources(), false);
    // Wait until the indexer has written every resent id again and has nothing left to read, then count.
    await until(
      async () =>
        (await indexedTotal('audit')) >= before.audit + expected.audit.size &&
        (await indexedTotal('events')) >= before.events + expected.events.size &&
        (await lag('audit')) === 0 &&
        (await lag('events')) === 0,
      180_000,
      'resend indexed',
    );
    expect(await stored('audit')).toBe(expected.audit.size);
    expect(await stored('events')).toBe(expected.events.size);
  });

  it(
    'accepts an audit event over the bus limit (Kafka: 1 MiB) and stores it without raw, fields intact',
    { timeout: 120_000 },
    async () => {
      // RequestResponse level on a large ConfigMap: 2 MiB of request and response bodies.
      const big = { data: { blob: 'x'.repeat(1024 * 1024) } };
      const event = {
        kind: 'Event',
        apiVersion: 'audit.k8s.io/v1',
        level: 'RequestResponse',
        auditID: `big-${Date.now()}`,
        stage: 'ResponseComplete',
        requestURI: '/api/v1/namespaces/shop/configmaps/pharos-oversized',
        verb: 'update',
        user: { username: 'alice' },
        objectRef: { resource: 'configmaps', namespace: 'shop', name: 'pharos-oversized', apiVersion: 'v1' },
        responseStatus: { code: 200 },
        requestObject: big,
        responseObject: big,
        requestReceivedTimestamp: '2026-11-20T10:00:00.000000Z',
        stageTimestamp: '2026-11-20T10:00:00.100000Z',
      };
      const res = await p.post('/v1/ingest/audit?cluster=east', {
        kind: 'EventList',
        apiVersion: 'audit.k8s.io/v1',
        items: [event],
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ accepted: 1, rejected: [] });
      const found = async () => {
        await store.refresh('audit').catch(() => undefined);
        return (
          await store
            .search('audit', { filters: { cluster: ['east'], name: ['pharos-oversized'] }, sort: 'desc', size: 1 })
            .catch(() => ({ items: [] }))
        ).items;
      };
      await until(async () => (await found()).length === 1, 60_000, 'the big audit event stored');
      const [doc] = (await found()) as AuditDoc[];
      expect(doc).toMatchObject({
        auditID: event.auditID,
        verb: 'update',
        user: 'alice',
        resource: 'configmaps',
        name: 'pharos-oversized',
        code: 200,
      });
      expect(doc!.raw).toBeUndefined();
      expect(await p.ctx.metrics.metrics()).toMatch(
        /pharos_ingest_records_total\{kind="audit",cluster="east",result="trimmed"[^}]*\} 1/,
      );
    },
  );

  it('dead-letters a record that fails validation on the bus, with the reason', async () => {
    const bus = await getBus(p.ctx);
    const topics = topicsFor(p.ctx.config.bus);
    await bus.publish(topics.kind('audit'), [
      { key: 'bad', value: '{"id": "x", "kind": "audit"' },
      {
        key: 'bad',
        value: JSON.stringify({
          id: 'y',
          kind: 'audit',
          cluster: 'east',
          time: 'yesterday',
          ingestedAt: 1,
          auditID: 'y',
          stage: 'ResponseComplete',
        }),
      },
    ]);
    const letters: ConsumedMessage[] = [];
    const sub = await bus.subscribe({
      topic: topics.deadLetter,
      groupId: `${topics.deadLetter}-reader`,
      handle: async (b) => void letters.push(...b),
    });
    await until(() => letters.length >= 2, 60_000, 'dead letters');
    await sub.stop();
    const reasons = letters.map((l) => JSON.parse(l.value) as { reason: string; record: string });
    expect(reasons.map((r) => r.record)).toContain('{"id": "x", "kind": "audit"');
    expect(reasons.every((r) => /invalid audit record/.test(r.reason))).toBe(true);
    expect(reasons.find((r) => r.record.includes('yesterday'))!.reason).toMatch(/time/);

    // Replay puts both back on the audit topic; still invalid, they come back to the dead-letter topic.
    const replay = await replayDeadLetters({
      bus,
      topics,
      logger: p.ctx.logger,
      groupId: `${topics.deadLetter}-replay`,
    });
    expect(replay).toEqual({ replayed: 2, skipped: 0 });
    const again: ConsumedMessage[] = [];
    const sub2 = await bus.subscribe({
      topic: topics.deadLetter,
      groupId: `${topics.deadLetter}-reader`,
      handle: async (b) => void again.push(...b),
    });
    await until(() => again.length >= 2, 60_000, 'replayed records dead-lettered again');
    await sub2.stop();
    expect(again.map((l) => (JSON.parse(l.value) as { record: string }).record).sort()).toEqual(
      reasons.map((r) => r.record).sort(),
    );
  });
});
