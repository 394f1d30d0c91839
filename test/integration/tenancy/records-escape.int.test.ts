import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, buildFullApp, type FullApp } from './full-app.ts';
import { seedRecords, visible } from './records-seed.ts';

/**
 * Escape attempts on logs, events and audit with namespace-scoped tokens (viewer: payments in every cluster;
 * east-viewer: payments in east): filter overrides, `q` with field:value, stats, histograms and exports.
 * Zero leaks, and every count equals the count over the scoped data only.
 */
interface RecordEscape {
  name: string;
  url: string;
  token?: keyof typeof TOKENS;
  /** 403 expected, or the number of records the scoped caller must get (total / sum of groups / lines). */
  expect: 403 | number;
}

const P = ['payments'];
const ALL = ['*'];
const EAST = ['east'];

const CASES: RecordEscape[] = [
  { name: 'logs: no filter', url: '/v1/logs', expect: visible('logs', ALL, P) },
  { name: 'logs: other namespace filter', url: '/v1/logs?namespace=kube-system', expect: 403 },
  { name: 'logs: list with another namespace', url: '/v1/logs?namespace=payments,kube-system', expect: 403 },
  { name: 'logs: repeated namespace parameter', url: '/v1/logs?namespace=payments&namespace=kube-system', expect: 403 },
  {
    name: 'logs: q field:value for another namespace',
    url: `/v1/logs?q=${encodeURIComponent('namespace:kube-system')}`,
    expect: 0,
  },
  {
    name: 'logs: q OR widening',
    url: `/v1/logs?q=${encodeURIComponent('namespace:kube-system OR namespace:payments')}`,
    expect: visible('logs', ALL, P),
  },
  { name: 'logs: q NOT', url: `/v1/logs?q=${encodeURIComponent('NOT namespace:payments')}`, expect: 0 },
  { name: 'logs: q text of another namespace', url: '/v1/logs?q=secret-kube-system', expect: 0 },
  {
    name: 'logs: q phrase with quotes',
    url: `/v1/logs?q=${encodeURIComponent('"secret-shop" OR namespace:"shop"')}`,
    expect: 0,
  },
  { name: 'logs: stats by namespace', url: '/v1/logs/stats?by=namespace', expect: visible('logs', ALL, P) },
  {
    name: 'logs: stats by cluster',
    url: '/v1/logs/stats?by=cluster&q=cluster:west',
    expect: visible('logs', ['west'], P),
  },
  { name: 'logs: histogram', url: '/v1/logs/histogram?interval=1h', expect: visible('logs', ALL, P) },
  { name: 'logs: histogram with other namespace', url: '/v1/logs/histogram?namespace=shop', expect: 403 },
  { name: 'logs: export ndjson', url: '/v1/logs/export', expect: visible('logs', ALL, P) },
  { name: 'logs: export csv', url: '/v1/logs/export?format=csv', expect: visible('logs', ALL, P) },
  { name: 'logs: export with other namespace', url: '/v1/logs/export?namespace=kube-system', expect: 403 },
  { name: 'logs: cluster outside the scope', url: '/v1/logs?cluster=west', token: 'eastViewer', expect: 403 },
  { name: 'logs: q cluster:west for an east token', url: '/v1/logs?q=cluster:west', token: 'eastViewer', expect: 0 },
  { name: 'logs: east token, no filter', url: '/v1/logs', token: 'eastViewer', expect: visible('logs', EAST, P) },
  {
    name: 'logs: east token, stats by cluster',
    url: '/v1/logs/stats?by=cluster',
    token: 'eastViewer',
    expect: visible('logs', EAST, P),
  },
  { name: 'events: no filter (node events invisible)', url: '/v1/events', expect: visible('events', ALL, P) },
  { name: 'events: default namespace filter', url: '/v1/events?namespace=default', expect: 403 },
  { name: 'events: q kind:Node', url: '/v1/events?q=kind:Node', expect: 0 },
  { name: 'events: stats by namespace', url: '/v1/events/stats?by=namespace', expect: visible('events', ALL, P) },
  { name: 'events: export', url: '/v1/events/export', expect: visible('events', ALL, P) },
  { name: 'audit: no filter (cluster-scoped resources invisible)', url: '/v1/audit', expect: visible('audit', ALL, P) },
  { name: 'audit: q resource:nodes', url: '/v1/audit?q=resource:nodes', expect: 0 },
  { name: 'audit: q user of another namespace', url: '/v1/audit?q=user:user-kube-system', expect: 0 },
  { name: 'audit: namespace filter override', url: '/v1/audit?namespace=kube-system', expect: 403 },
  { name: 'audit: stats by user', url: '/v1/audit/stats?by=user', expect: visible('audit', ALL, P) },
  { name: 'audit: histogram', url: '/v1/audit/histogram?interval=1d', expect: visible('audit', ALL, P) },
  {
    name: 'audit: export for an east token',
    url: '/v1/audit/export',
    token: 'eastViewer',
    expect: visible('audit', EAST, P),
  },
];

/** How many records an answer holds, whatever the endpoint. */
function countOf(url: string, body: string, contentType: string): { n: number; text: string } {
  if (url.includes('/export')) {
    const lines = body.split('\n').filter((l) => l.trim() !== '');
    return { n: contentType.includes('csv') ? lines.length - 1 : lines.length, text: body };
  }
  const json = JSON.parse(body) as {
    total: number;
    items?: unknown[];
    groups?: { count: number }[];
    buckets?: { count: number }[];
  };
  if (json.groups) return { n: json.groups.reduce((s, g) => s + g.count, 0), text: body };
  if (json.buckets) return { n: json.buckets.reduce((s, b) => s + b.count, 0), text: body };
  return { n: json.total, text: body };
}

describe('record query escape attempts', () => {
  let full: FullApp;
  beforeAll(async () => {
    full = await buildFullApp();
    await seedRecords(full);
  });
  afterAll(() => full?.close());

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const res = await full.app.inject({
      url: c.url,
      headers: { authorization: `Bearer ${TOKENS[c.token ?? 'viewer']}` },
    });
    if (c.expect === 403) {
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('PHAROS_ERR_FORBIDDEN');
      return;
    }
    expect(res.statusCode).toBe(200);
    const { n, text } = countOf(c.url, res.body, String(res.headers['content-type']));
    expect(n).toBe(c.expect);
    // Zero leaks: nothing of another namespace or (for the east token) another cluster appears anywhere.
    for (const marker of [
      'secret-kube-system',
      'secret-shop',
      'secret--',
      'secret-default',
      'kube-system',
      '/api/v1/nodes',
    ]) {
      if (!c.url.includes(encodeURIComponent(marker)) && !c.url.includes(marker)) expect(text).not.toContain(marker);
    }
    if (c.token === 'eastViewer') expect(text).not.toMatch(/"west"|msg west|,west,/);
  });
});
