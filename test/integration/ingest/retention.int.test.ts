import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RecordKind } from '../../../libs/schemas/records.ts';
import { OpenSearchRecordStore } from '../../../libs/store/opensearch/opensearch-record.store.ts';
import type { AnyDoc, RecordStore } from '../../../libs/store/record-store.ts';
import { SqliteRecordStore } from '../../../libs/store/sqlite/sqlite-record.store.ts';
import { applyRetention } from '../../../services/indexer/retention.job.ts';
import { runId } from './pipeline.helpers.ts';

const DAY = 86_400_000;
const now = Date.UTC(2026, 10, 26, 12);
const dir = mkdtempSync(join(tmpdir(), 'pharos-retention-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const engines: [string, () => RecordStore][] = [
  ['sqlite', () => new SqliteRecordStore({ path: join(dir, 'pharos.db') })],
  [
    'opensearch',
    () =>
      new OpenSearchRecordStore({
        url: 'http://127.0.0.1:9200',
        indexPrefix: runId('retention'),
        requestTimeoutMs: 30_000,
        shards: 1,
        replicas: 0,
      }),
  ],
];

/** One record per (kind, cluster, age in days). */
function docs(): { kind: RecordKind; doc: AnyDoc }[] {
  const out: { kind: RecordKind; doc: AnyDoc }[] = [];
  for (const cluster of ['east', 'west']) {
    for (const age of [1, 5, 10, 40]) {
      const base = { id: `${cluster}-${age}`, cluster, time: now - age * DAY, ingestedAt: now };
      out.push({ kind: 'logs', doc: { ...base, kind: 'logs', message: `log ${age}` } });
      out.push({ kind: 'events', doc: { ...base, kind: 'events', reason: 'Pulled', count: 1 } });
    }
  }
  return out;
}

describe.each(engines)('retention on %s', (_name, create) => {
  const store = create();
  afterAll(() => store.close());

  it("deletes old records per kind and per cluster override, never another kind's or cluster's", async () => {
    await store.init();
    for (const kind of ['logs', 'events'] as const)
      await store.write(
        kind,
        docs()
          .filter((d) => d.kind === kind)
          .map((d) => d.doc),
      );
    // Retention finds the clusters of a kind with a search; records written a moment ago are not searchable
    // before the next refresh (in service, records that new are never old enough to matter).
    await store.refresh();
    await applyRetention({
      store,
      now,
      retention: { logs: 7, events: 30, audit: 90, spans: 7, clusters: { west: { logs: 2 } }, schedule: '15 3 * * *' },
    });
    await store.refresh();
    const left = async (kind: RecordKind, cluster: string) =>
      (await store.search(kind, { filters: { cluster: [cluster] }, sort: 'asc', size: 10 })).items
        .map((d) => d.id)
        .sort();
    expect(await left('logs', 'east')).toEqual(['east-1', 'east-5']);
    expect(await left('logs', 'west')).toEqual(['west-1']);
    expect(await left('events', 'east')).toEqual(['east-1', 'east-10', 'east-5']);
    expect(await left('events', 'west')).toEqual(['west-1', 'west-10', 'west-5']);
  });
});
