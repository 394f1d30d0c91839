import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRecordStore } from '../../../libs/runtime/backends.ts';
import type { AuditDoc, EventDoc, RecordKind } from '../../../libs/schemas/records.ts';
import type { AnyDoc, RecordStore } from '../../../libs/store/record-store.ts';
import {
  engineConfig,
  INGEST_TOKEN,
  readJsonl,
  runId,
  startInProcess,
  until,
  type InProcessPipeline,
} from './pipeline.helpers.ts';

/**
 * Issue 15's second finding, through the whole pipeline (intake → bus → indexer → store): the same Events
 * and audit events posted for two clusters are two sets of records, also when both clusters' records
 * arrive in the same bus batches (the indexer starts only after both were posted), and an ingest token of
 * cluster `edge` can neither write to `core` nor change core's records by sending core's ids.
 */
type Raw = Record<string, unknown>;
const EDGE_TOKEN = 'edge-ingest-token-for-integration-tests';
const dir = mkdtempSync(join(tmpdir(), 'pharos-identity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const auth = {
  tokens: [
    { name: 'ingest', token: INGEST_TOKEN, role: 'ingest' },
    { name: 'edge', token: EDGE_TOKEN, role: 'ingest', scope: { clusters: ['edge'] } },
  ],
};
const setups: [string, () => Record<string, unknown>][] = [
  // No bus and no storage type: the embedded default, the durable SQLite bus and the SQLite store.
  [
    'embedded default (SQLite bus + SQLite)',
    () => ({
      dataDir: join(dir, 'embedded'),
      log: { level: 'warn' },
      storage: { type: 'sqlite', path: join(dir, 'embedded', 'pharos.db') },
      collector: { cluster: 'core' },
      auth,
    }),
  ],
  [
    'Kafka + OpenSearch',
    () => engineConfig(runId('identity'), join(dir, 'engines'), { collector: { cluster: 'core' }, auth }),
  ],
];

const events = (): Raw[] => readJsonl('k8s-events/openshift-must-gather-azure_core-v1-events_first1000.jsonl') as Raw[];
const audit = (): Raw[] => readJsonl('k8s-audit/openshift-clo_audit_in_openshift412_requestresponse.jsonl') as Raw[];
const batches = <T>(items: T[], size = 250): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
const eventList = (items: Raw[]) => ({ kind: 'EventList', apiVersion: 'v1', items });
const auditList = (items: Raw[]) => ({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items });

describe.each(setups)('records of two clusters with the same ids: %s', (_name, makeConfig) => {
  let p: InProcessPipeline;
  let store: RecordStore;
  const count = async (kind: RecordKind, cluster: string) => {
    try {
      await store.refresh(kind);
      return await store.count(kind, { filters: { cluster: [cluster] } });
    } catch {
      return -1; // briefly unreachable (shared engines): poll on
    }
  };
  const all = async (kind: RecordKind, cluster: string): Promise<AnyDoc[]> => {
    const out: AnyDoc[] = [];
    for await (const d of store.exportAll(kind, { filters: { cluster: [cluster] }, sort: 'asc' })) out.push(d);
    return out;
  };
  const expected = { events: 0, audit: 0 };

  beforeAll(async () => {
    p = await startInProcess(makeConfig(), ['collector', 'indexer'], { deferIndexer: true });
    store = await getRecordStore(p.ctx);
  });
  afterAll(() => p?.close());

  it(
    "keeps both clusters' identical Events and audit events, sent into the same batches",
    { timeout: 300_000 },
    async () => {
      // Interleaved, batch by batch: core, branch, core, branch … all on the bus before the indexer reads.
      for (const [kind, items, list] of [
        ['events', events(), eventList],
        ['audit', audit(), auditList],
      ] as const) {
        for (const batch of batches(items)) {
          for (const cluster of ['core', 'branch']) {
            const res = await p.post(`/v1/ingest/${kind}?cluster=${cluster}`, list(batch));
            expect(res.status).toBe(200);
            if (cluster === 'core') expected[kind] += res.body.accepted ?? 0;
          }
        }
      }
      // The real data sets: 1,000 Events and 100 audit events, each with its own uid:count / auditID:stage.
      expect(expected.events).toBe(1000);
      expect(expected.audit).toBe(100);
      await p.startIndexer();
      await until(
        async () =>
          (await count('events', 'core')) === expected.events &&
          (await count('events', 'branch')) === expected.events &&
          (await count('audit', 'core')) === expected.audit &&
          (await count('audit', 'branch')) === expected.audit,
        240_000,
        'both clusters stored',
      );

      // Record for record the same ids on both sides, each with its own cluster.
      const ids = async (kind: RecordKind, cluster: string) =>
        (await all(kind, cluster)).map((d) => `${d.cluster}|${d.id}`).sort();
      for (const kind of ['events', 'audit'] as const) {
        const core = await ids(kind, 'core');
        const branch = await ids(kind, 'branch');
        expect(new Set(core).size).toBe(expected[kind]);
        expect(branch).toEqual(core.map((k) => k.replace(/^core\|/, 'branch|')));
      }
      const b656 = 'b6560098-0bbb-4593-ad6a-9c0022e9dc87:ResponseComplete';
      const twins = await store.search('audit', {
        filters: { cluster: ['core', 'branch'], user: ['system:apiserver'] },
        sort: 'asc',
        size: 1000,
      });
      expect(
        twins.items
          .filter((d) => d.id === b656)
          .map((d) => d.cluster)
          .sort(),
      ).toEqual(['branch', 'core']);
    },
  );

  it(
    "lets an ingest token of cluster edge neither write to core nor change core's records with core's ids",
    { timeout: 300_000 },
    async () => {
      const coreAudit = (await all('audit', 'core')) as AuditDoc[];
      const coreEvents = (await all('events', 'core')) as EventDoc[];
      expect(coreAudit).toHaveLength(expected.audit);

      // Named or not (collector.cluster is core), core is not this token's cluster.
      for (const url of ['/v1/ingest/audit?cluster=core', '/v1/ingest/audit']) {
        const refused = await p.post(url, auditList(audit().slice(0, 5)), {
          contentType: 'application/json',
          token: EDGE_TOKEN,
        });
        expect(refused.status).toBe(403);
        expect(refused.body.error).toMatchObject({ code: 'PHAROS_ERR_FORBIDDEN' });
      }
      // Core's auditIDs and event uids with a forged user and message, sent as edge (the erasure):
      // they become edge's records; core's stay exactly as they were.
      const forgedAudit = audit().map((e) => ({ ...e, user: { username: 'mallory' }, cluster: 'core' }));
      const forgedEvents = events().map((e) => ({ ...e, message: 'forged by edge', cluster: 'core' }));
      for (const batch of batches(forgedAudit))
        expect(
          (
            await p.post('/v1/ingest/audit?cluster=edge', auditList(batch), {
              contentType: 'application/json',
              token: EDGE_TOKEN,
            })
          ).status,
        ).toBe(200);
      for (const batch of batches(forgedEvents))
        expect(
          (
            await p.post('/v1/ingest/events?cluster=edge', eventList(batch), {
              contentType: 'application/json',
              token: EDGE_TOKEN,
            })
          ).status,
        ).toBe(200);
      await until(
        async () =>
          (await count('audit', 'edge')) === expected.audit && (await count('events', 'edge')) === expected.events,
        240_000,
        "edge's records stored",
      );

      expect(await count('audit', 'core')).toBe(expected.audit);
      expect(await count('events', 'core')).toBe(expected.events);
      expect(await all('audit', 'core')).toEqual(coreAudit);
      expect(await all('events', 'core')).toEqual(coreEvents);
      const edge = (await all('audit', 'edge')) as AuditDoc[];
      expect(new Set(edge.map((d) => d.user))).toEqual(new Set(['mallory']));
      expect(edge.map((d) => d.id).sort()).toEqual(coreAudit.map((d) => d.id).sort());
    },
  );
});
