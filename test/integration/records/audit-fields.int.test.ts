import { Client } from '@opensearch-project/opensearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeAudit } from '../../../libs/normalize/audit.normalize.ts';
import type { AuditDoc } from '../../../libs/schemas/records.ts';
import { parseSearch } from '../../../libs/search/search-parser.ts';
import { MemoryRecordStore } from '../../../libs/store/memory/memory-record.store.ts';
import { indexName } from '../../../libs/store/opensearch/index-names.ts';
import { indexTemplate } from '../../../libs/store/opensearch/index-templates.ts';
import { OpenSearchRecordStore } from '../../../libs/store/opensearch/opensearch-record.store.ts';
import type { RecordQuery, RecordStore } from '../../../libs/store/record-store.ts';
import { count, decisionOf, impersonationTrace, openshiftTrace, withPhrase, type RawAudit } from './audit-fields.ts';
import { deletePrefix, ENGINES, OPENSEARCH_URL } from './record-engines.ts';

/**
 * Issue 15, audit fidelity, on both stores: impersonation, the authorizer's decision and reason, the
 * response's reason and message, objectRef.uid, as filters, in `q` and in /stats with `missing`. Every
 * answer equals the in-memory reference's, and every count is checked against the raw input.
 */
const EVERYTHING = { start: 0, end: Date.UTC(2100, 0, 1) };
const raw = { east: openshiftTrace(), west: impersonationTrace() };
const input: RawAudit[] = [...raw.east, ...raw.west];
const docs = (): AuditDoc[] => [
  ...normalizeAudit(raw.east, { cluster: 'east', ingestedAt: 1 })!.docs,
  ...normalizeAudit(raw.west, { cluster: 'west', ingestedAt: 1 })!.docs,
];

interface Case {
  name: string;
  query: { filters?: Record<string, string[]>; q?: string };
  expected: number;
}

const uid = input.find((e) => e.objectRef?.uid)!.objectRef!.uid!;
const CASES: Case[] = [
  {
    name: 'impersonatedUser filter',
    query: { filters: { impersonatedUser: ['bob'] } },
    expected: count(input, (e) => e.impersonatedUser?.username, 'bob'),
  },
  { name: 'q word finds the impersonated user', query: { q: 'bob' }, expected: withPhrase(input, 'bob') },
  {
    name: 'q impersonatedUser:value is exact',
    query: { q: 'impersonatedUser:BOB' },
    expected: count(input, (e) => e.impersonatedUser?.username, 'bob'),
  },
  {
    name: 'user still means the authenticated user, beside whom it acted as',
    query: { filters: { user: ['system:admin'], impersonatedUser: ['bob'] } },
    expected: input.filter((e) => e.user?.username === 'system:admin' && e.impersonatedUser?.username === 'bob').length,
  },
  {
    name: 'impersonatedGroup (any element)',
    query: { filters: { impersonatedGroup: ['qa'] } },
    expected: input.filter((e) => e.impersonatedUser?.groups?.includes('qa')).length,
  },
  {
    name: 'decision forbid',
    query: { filters: { decision: ['forbid'] } },
    expected: count(input, decisionOf, 'forbid'),
  },
  {
    name: 'decision allow, west only',
    query: { filters: { decision: ['allow'], cluster: ['west'] } },
    expected: count(raw.west, decisionOf, 'allow'),
  },
  {
    name: 'responseReason Forbidden',
    query: { filters: { responseReason: ['Forbidden'] } },
    expected: count(input, (e) => e.responseStatus?.reason, 'Forbidden'),
  },
  {
    name: 'q finds forbidden in the response message',
    query: { q: 'forbidden' },
    expected: withPhrase(input, 'forbidden'),
  },
  {
    name: 'q phrase in the response message',
    query: { q: '"already exists"' },
    expected: withPhrase(input, 'already exists'),
  },
  {
    name: 'q responseMessage field',
    query: { q: 'responseMessage:PodSecurity' },
    expected: input.filter((e) => /PodSecurity/.test(e.responseStatus?.message ?? '')).length,
  },
  {
    name: 'q forbidden AND impersonated bob',
    query: { q: 'forbidden AND impersonatedUser:bob' },
    expected: input.filter(
      (e) => e.impersonatedUser?.username === 'bob' && /forbidden/.test(e.responseStatus?.message ?? ''),
    ).length,
  },
  {
    name: 'authzReason exact',
    query: {
      filters: { authzReason: ['RBAC: allowed by RoleBinding "bob-edit/dev" of ClusterRole "edit" to User "bob"'] },
    },
    expected: count(
      input,
      (e) => e.annotations?.['authorization.k8s.io/reason'],
      'RBAC: allowed by RoleBinding "bob-edit/dev" of ClusterRole "edit" to User "bob"',
    ),
  },
  { name: 'objectUid', query: { filters: { objectUid: [uid] } }, expected: count(input, (e) => e.objectRef?.uid, uid) },
  {
    name: 'NOT decision:allow also finds records without a decision',
    query: { q: 'NOT decision:allow' },
    expected: input.filter((e) => decisionOf(e) !== 'allow').length,
  },
];

const BY = ['decision', 'impersonatedUser', 'impersonatedGroup', 'responseReason', 'objectUid', 'authzReason'] as const;

const asQuery = (c: Case): RecordQuery => ({
  filters: c.query.filters ?? {},
  ...EVERYTHING,
  ...(c.query.q ? { q: parseSearch(c.query.q) } : {}),
});

describe.each(ENGINES)('audit fields on $name', (engine) => {
  let store: RecordStore;
  const reference = new MemoryRecordStore();
  beforeAll(async () => {
    store = await engine.create();
    expect((await store.write('audit', docs())).filter((r) => !r.ok)).toEqual([]);
    await reference.write('audit', docs());
    await store.refresh('audit');
  });
  afterAll(() => (store ? engine.destroy(store) : undefined));

  it('holds every event of both traces', async () => {
    expect(await store.count('audit', { filters: {}, ...EVERYTHING })).toBe(
      new Set(input.map((e) => `${e.auditID}:${e.stage}`)).size,
    );
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    expect(c.expected, 'the input has such records').toBeGreaterThan(0);
    const page = await store.search('audit', { ...asQuery(c), sort: 'asc', size: 500 });
    expect(page.total).toBe(c.expected);
    expect(page).toEqual(await reference.search('audit', { ...asQuery(c), sort: 'asc', size: 500 }));
  });

  it.each(BY)('stats by %s: groups plus missing make the total, as the input says', async (by) => {
    const stats = await store.stats('audit', { filters: {}, ...EVERYTHING, by, limit: 1000 });
    expect(stats).toEqual(await reference.stats('audit', { filters: {}, ...EVERYTHING, by, limit: 1000 }));
    if (by !== 'impersonatedGroup')
      expect(stats.groups.reduce((s, g) => s + g.count, 0) + stats.missing).toBe(stats.total);
    const field: Record<(typeof BY)[number], (e: RawAudit) => unknown> = {
      decision: decisionOf,
      impersonatedUser: (e) => e.impersonatedUser?.username,
      impersonatedGroup: (e) => e.impersonatedUser?.groups?.length || undefined,
      responseReason: (e) => e.responseStatus?.reason,
      objectUid: (e) => e.objectRef?.uid,
      authzReason: (e) => e.annotations?.['authorization.k8s.io/reason'] || undefined,
    };
    expect(stats.missing).toBe(input.filter((e) => field[by](e) === undefined).length);
  });

  it('keeps the fields in the stored document (search and export)', async () => {
    const [one] = (
      await store.search('audit', {
        filters: { decision: ['forbid'], impersonatedUser: ['bob'] },
        ...EVERYTHING,
        sort: 'asc',
        size: 1,
      })
    ).items as AuditDoc[];
    expect(one).toMatchObject({
      impersonatedUser: 'bob',
      impersonatedGroups: expect.arrayContaining(['system:authenticated']),
      decision: 'forbid',
      responseReason: 'Forbidden',
      code: 403,
    });
    expect(one!.responseMessage).toMatch(/is forbidden: User "bob" cannot/);
    const exported: AuditDoc[] = [];
    for await (const d of store.exportAll('audit', { filters: { cluster: ['west'] }, ...EVERYTHING, sort: 'asc' }))
      exported.push(d as AuditDoc);
    expect(exported.filter((d) => d.impersonatedUser === 'bob')).toHaveLength(
      count(raw.west, (e) => e.impersonatedUser?.username, 'bob'),
    );
  });
});

describe('OpenSearch indices made by an earlier version', () => {
  const prefix = `pharos-it-oldmap-${Date.now().toString(36)}`;
  afterAll(() => deletePrefix(prefix));

  it('gain the new fields at start, so records written into them later are found by them', async () => {
    const client = new Client({ node: OPENSEARCH_URL });
    const added = [
      'impersonatedUser',
      'impersonatedGroups',
      'decision',
      'authzReason',
      'responseReason',
      'responseMessage',
      'objectUid',
    ];
    const { template } = indexTemplate('audit') as {
      template: { settings: { analysis: object }; mappings: { properties: Record<string, unknown> } };
    };
    const old = {
      dynamic: false,
      properties: Object.fromEntries(Object.entries(template.mappings.properties).filter(([k]) => !added.includes(k))),
    };
    const west = docs().filter((d) => d.cluster === 'west');
    // Today's index as 0.1.0 made it (no template): the mapping without the new fields.
    const index = indexName(prefix, 'audit', west[0]!);
    try {
      await client.indices.create({
        index,
        body: { settings: { analysis: template.settings.analysis }, mappings: old },
      });
    } finally {
      await client.close();
    }
    const store = new OpenSearchRecordStore({
      url: OPENSEARCH_URL,
      indexPrefix: prefix,
      requestTimeoutMs: 60_000,
      shards: 1,
      replicas: 0,
    });
    try {
      await store.init();
      expect((await store.write('audit', west)).filter((r) => !r.ok)).toEqual([]);
      await store.refresh('audit');
      expect(await store.count('audit', { filters: { impersonatedUser: ['bob'] }, ...EVERYTHING })).toBe(
        count(raw.west, (e) => e.impersonatedUser?.username, 'bob'),
      );
      expect(await store.count('audit', { filters: {}, q: parseSearch('forbidden'), ...EVERYTHING })).toBe(
        withPhrase(raw.west, 'forbidden'),
      );
    } finally {
      await store.close();
    }
  });
});
