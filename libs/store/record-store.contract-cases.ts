import { parseSearch } from '../search/search-parser.ts';
import type { RecordKind } from '../schemas/records.ts';
import type { AnyDoc, RecordQuery, RecordStore } from './record-store.ts';

/**
 * The queries of the record store contract. Each runs on the engine under test and on the in-memory
 * reference with the same data, and the answers must be equal; `check` pins facts of the data so a query
 * that matched nothing on both sides cannot pass unnoticed.
 */
export interface ContractCase {
  name: string;
  run: (store: RecordStore) => Promise<unknown>;
  check?: (answer: unknown) => void;
}

const q = (text: string) => parseSearch(text);
const EVERYTHING = { start: 0, end: Date.UTC(2100, 0, 1) };
const ids = (docs: readonly AnyDoc[]) => docs.map((d) => d.id);

function page(kind: RecordKind, query: Partial<RecordQuery> & { sort?: 'asc' | 'desc'; size?: number }) {
  return async (store: RecordStore) => {
    const r = await store.search(kind, { filters: {}, ...query, sort: query.sort ?? 'desc', size: query.size ?? 50 });
    return { total: r.total, ids: ids(r.items), more: r.cursor !== null };
  };
}

/** Every page, following cursors: the ids in order, to compare with one sorted list. */
function pages(kind: RecordKind, query: Partial<RecordQuery> & { sort: 'asc' | 'desc'; size: number }) {
  return async (store: RecordStore) => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let total = 0;
    do {
      const r = await store.search(kind, { filters: {}, ...query, ...(cursor ? { cursor } : {}) });
      total = r.total;
      seen.push(...ids(r.items));
      cursor = r.cursor ?? undefined;
    } while (cursor);
    return { total, ids: seen };
  };
}

const histogram = (kind: RecordKind, query: Partial<RecordQuery>, intervalMs: number) => (store: RecordStore) =>
  store.histogram(kind, { filters: {}, ...query, intervalMs });
/** `group` names the field to group by and, optionally, how many groups (10 when not given). */
const stats =
  (kind: RecordKind, query: Partial<RecordQuery>, group: { by: string; limit?: number }) => (store: RecordStore) =>
    store.stats(kind, { filters: {}, ...query, by: group.by, limit: group.limit ?? 10 });
const count = (kind: RecordKind, query: Partial<RecordQuery>) => (store: RecordStore) =>
  store.count(kind, { filters: {}, ...query });
async function exported(store: RecordStore, kind: RecordKind, query: Partial<RecordQuery> & { sort: 'asc' | 'desc' }) {
  const out: string[] = [];
  for await (const d of store.exportAll(kind, { filters: {}, ...query })) out.push(d.id);
  return out;
}

const totalOf = (a: unknown): number => (typeof a === 'number' ? a : (a as { total: number }).total);
const totalAtLeast = (n: number) => (a: unknown) => {
  if (totalOf(a) < n) throw new Error(`expected at least ${n} matches, got ${totalOf(a)}`);
};
const exactly = (n: number) => (a: unknown) => {
  const got = totalOf(a);
  if (got !== n) throw new Error(`expected ${n} matches, got ${got}`);
};

export const CONTRACT_CASES: ContractCase[] = [
  // logs: filters
  { name: 'logs: newest first, first page', run: page('logs', {}), check: exactly(3000) },
  { name: 'logs: oldest first', run: page('logs', { sort: 'asc', size: 20 }) },
  { name: 'logs: one cluster', run: page('logs', { filters: { cluster: ['east'] } }), check: totalAtLeast(500) },
  {
    name: 'logs: cluster list AND namespace',
    run: page('logs', { filters: { cluster: ['east', 'west'], namespace: ['kube-system'] } }),
    check: totalAtLeast(100),
  },
  {
    name: 'logs: pod, container and node',
    run: page('logs', { filters: { pod: ['api-0', 'db-2'], container: ['api'], node: ['node-1'] } }),
    check: totalAtLeast(10),
  },
  {
    name: 'logs: unknown value matches nothing',
    run: page('logs', { filters: { cluster: ['nowhere'] } }),
    check: exactly(0),
  },
  {
    name: 'logs: filters are case-sensitive',
    run: page('logs', { filters: { cluster: ['EAST'] } }),
    check: exactly(0),
  },
  {
    name: 'logs: time range [start, end)',
    run: page('logs', { start: Date.UTC(2024, 2, 1, 12), end: Date.UTC(2024, 2, 2) }),
    check: totalAtLeast(100),
  },
  // logs: search language
  { name: 'logs: q word, any case', run: page('logs', { q: q('ERROR') }), check: totalAtLeast(200) },
  { name: 'logs: q phrase', run: page('logs', { q: q('"connection refused"') }), check: totalAtLeast(200) },
  {
    name: 'logs: q phrase order matters',
    run: count('logs', { q: q('"refused connection"') }),
    check: totalAtLeast(100),
  },
  { name: 'logs: q OR', run: page('logs', { q: q('panic OR timeout') }), check: totalAtLeast(300) },
  { name: 'logs: q AND NOT field', run: page('logs', { q: q('refused AND NOT pod:api-0') }), check: totalAtLeast(100) },
  {
    name: 'logs: q parentheses and implicit AND',
    run: page('logs', { q: q('(error OR warn) namespace:default') }),
    check: totalAtLeast(50),
  },
  {
    name: 'logs: q field:value is case-insensitive exact',
    run: count('logs', { q: q('pod:API-0') }),
    check: totalAtLeast(50),
  },
  { name: 'logs: q text field', run: page('logs', { q: q('message:"index out of range"') }), check: totalAtLeast(100) },
  { name: 'logs: q word inside a token does not match', run: count('logs', { q: q('refuse') }), check: exactly(0) },
  {
    name: 'logs: q non-ASCII words',
    run: page('logs', { q: q('zürich OR "οδοσ σοφοκλεουσ"') }),
    check: totalAtLeast(300),
  },
  {
    name: 'logs: q with punctuation is a phrase',
    run: count('logs', { q: q('kube-system/coredns') }),
    check: totalAtLeast(100),
  },
  {
    name: 'logs: q and filters together',
    run: page('logs', { filters: { cluster: ['north'] }, q: q('timeout NOT lock') }),
    check: totalAtLeast(30),
  },
  // logs: the OTLP/Loki/ES intakes' fields and attributes
  {
    name: 'logs: attr.<key> filter',
    run: page('logs', { filters: { 'attr.service.name': ['api'] } }),
    check: totalAtLeast(100),
  },
  {
    name: 'logs: attr filters AND, list OR',
    run: page('logs', { filters: { 'attr.service.name': ['api', 'db'], 'attr.app.kubernetes.io/part-of': ['Shop'] } }),
    check: totalAtLeast(50),
  },
  {
    name: 'logs: attr filter is case-sensitive, other keys do not match',
    run: count('logs', { filters: { 'attr.service.name': ['API', 'api-deploy'] } }),
    check: exactly(0),
  },
  {
    name: 'logs: severity and traceId filters',
    run: page('logs', {
      filters: {
        severity: ['ERROR'],
        traceId: ['00000000000000000000000000000000', '00000000000000000000000000000040'],
      },
    }),
    check: totalAtLeast(10),
  },
  { name: 'logs: spanId filter', run: page('logs', { filters: { spanId: ['0000000000000120'] } }), check: exactly(1) },
  {
    name: 'logs: q attr.<key>:value is case-insensitive exact',
    run: count('logs', { q: q('attr.k8s.deployment.name:DB-DEPLOY') }),
    check: totalAtLeast(100),
  },
  {
    name: 'logs: q NOT attr over records without attributes',
    run: count('logs', { q: q('NOT attr.app.kubernetes.io/part-of:shop') }),
    check: totalAtLeast(2000),
  },
  {
    name: 'logs: q severity:value and text',
    run: page('logs', { q: q('severity:error OR attr.service.name:proxy') }),
    check: totalAtLeast(100),
  },
  // logs: aggregations and paging
  { name: 'logs: histogram 1h', run: histogram('logs', {}, 3_600_000), check: exactly(3000) },
  {
    name: 'logs: histogram 5m with filter and q',
    run: histogram('logs', { filters: { namespace: ['payments'] }, q: q('error') }, 300_000),
  },
  { name: 'logs: stats by pod', run: stats('logs', {}, { by: 'pod', limit: 5 }), check: exactly(3000) },
  { name: 'logs: stats by namespace with q', run: stats('logs', { q: q('refused') }, { by: 'namespace' }) },
  {
    name: 'logs: stats by node limited',
    run: stats('logs', { filters: { cluster: ['west'] } }, { by: 'node', limit: 2 }),
  },
  {
    name: 'logs: paging desc through a filter, size 97',
    run: pages('logs', { filters: { cluster: ['east'] }, sort: 'desc', size: 97 }),
  },
  { name: 'logs: paging asc with q, size 50', run: pages('logs', { q: q('error OR panic'), sort: 'asc', size: 50 }) },
  {
    name: 'logs: export asc with filter',
    run: (s) => exported(s, 'logs', { filters: { node: ['node-2'] }, sort: 'asc' }),
  },
  { name: 'logs: export desc with q', run: (s) => exported(s, 'logs', { q: q('"health check"'), sort: 'desc' }) },
  // events
  { name: 'events: everything in range', run: page('events', EVERYTHING), check: exactly(1273) },
  { name: 'events: type Warning', run: page('events', { filters: { type: ['Warning'] } }), check: exactly(304) },
  {
    name: 'events: involved kind and reason',
    run: page('events', { filters: { kind: ['Pod'], reason: ['FailedScheduling', 'Scheduled'] } }),
    check: totalAtLeast(100),
  },
  {
    name: 'events: involved object name',
    run: page('events', { filters: { name: ['kube-controller-manager'] } }),
    check: totalAtLeast(1),
  },
  { name: 'events: q phrase in message', run: page('events', { q: q('"became leader"') }), check: totalAtLeast(5) },
  {
    name: 'events: q reason:value any case',
    run: count('events', { q: q('reason:failedscheduling') }),
    check: exactly(122),
  },
  {
    name: 'events: q NOT over a field some records lack',
    run: count('events', { q: q('NOT type:normal') }),
    check: exactly(306),
  },
  { name: 'events: stats by reason', run: stats('events', {}, { by: 'reason', limit: 8 }), check: exactly(1273) },
  {
    name: 'events: stats by namespace distinct',
    run: stats('events', { filters: { type: ['Warning'] } }, { by: 'namespace', limit: 100 }),
  },
  { name: 'events: histogram 1d', run: histogram('events', { filters: { cluster: ['west'] } }, 86_400_000) },
  { name: 'events: paging all, size 100', run: pages('events', { sort: 'desc', size: 100 }) },
  // audit
  { name: 'audit: verbs', run: page('audit', { filters: { verb: ['get', 'list'] } }), check: exactly(56) },
  { name: 'audit: user exact', run: page('audit', { filters: { user: ['system:apiserver'] } }), check: exactly(8) },
  {
    name: 'audit: group matches any element',
    run: page('audit', { filters: { group: ['system:masters'] } }),
    check: exactly(9),
  },
  {
    name: 'audit: code and resource',
    run: page('audit', { filters: { code: ['403', '404'], resource: ['pods', 'namespaces', 'subjectaccessreviews'] } }),
  },
  {
    name: 'audit: subresource, stage and level',
    run: page('audit', {
      filters: { subresource: ['status', 'log'], stage: ['ResponseComplete'], level: ['RequestResponse', 'Metadata'] },
    }),
    check: totalAtLeast(1),
  },
  { name: 'audit: sourceIP', run: page('audit', { filters: { sourceIP: ['10.0.0.7', '::1'] } }), check: exactly(41) },
  {
    name: 'audit: namespace and object name',
    run: page('audit', {
      filters: { namespace: ['openshift-marketplace'], name: ['openshift-marketplace', 'marketplace-operator'] },
    }),
  },
  {
    name: 'audit: q over request URI',
    run: page('audit', { q: q('namespaces AND verb:get') }),
    check: totalAtLeast(5),
  },
  {
    name: 'audit: q user field exact, quoted',
    run: count('audit', { q: q('user:"SYSTEM:APISERVER"') }),
    check: exactly(8),
  },
  { name: 'audit: q word matches user text', run: count('audit', { q: q('anonymous') }), check: totalAtLeast(4) },
  {
    name: 'audit: q requestURI field phrase',
    run: page('audit', { q: q('requestURI:"api/v1"') }),
    check: totalAtLeast(10),
  },
  {
    name: 'audit: q group field any element',
    run: count('audit', { q: q('group:system:masters OR code:409') }),
    check: exactly(13),
  },
  { name: 'audit: q NOT subresource', run: count('audit', { q: q('NOT subresource:status') }), check: exactly(108) },
  { name: 'audit: stats by user', run: stats('audit', {}, { by: 'user', limit: 5 }), check: exactly(112) },
  { name: 'audit: stats by group (multi-valued)', run: stats('audit', {}, { by: 'group', limit: 6 }) },
  { name: 'audit: stats by code', run: stats('audit', { filters: { verb: ['get', 'create'] } }, { by: 'code' }) },
  { name: 'audit: stats by resource distinct', run: stats('audit', {}, { by: 'resource', limit: 1000 }) },
  { name: 'audit: histogram 1d', run: histogram('audit', {}, 86_400_000), check: exactly(112) },
  { name: 'audit: paging asc, size 7', run: pages('audit', { sort: 'asc', size: 7 }) },
  { name: 'audit: export with q', run: (s) => exported(s, 'audit', { q: q('pods OR configmaps'), sort: 'asc' }) },
];
