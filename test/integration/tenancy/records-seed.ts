import type { FullApp } from './full-app.ts';
import { TOKENS } from './full-app.ts';

/**
 * Records in several clusters and namespaces, ingested through the real intakes, so the escape attempts on
 * logs, events and audit have something to leak. `COUNTS` is the truth per cluster/namespace.
 */
export const COUNTS = {
  logs: { 'east/payments': 4, 'east/kube-system': 3, 'west/payments': 2, 'west/shop': 5, 'east/-': 1 },
  events: { 'east/payments': 2, 'east/kube-system': 2, 'east/default': 1, 'west/payments': 1 },
  audit: { 'east/payments': 3, 'east/kube-system': 2, 'east/-': 1, 'west/payments': 1 },
} as const;

type Kind = keyof typeof COUNTS;

/** How many seeded records of `kind` a scope may see. */
export function visible(kind: Kind, clusters: readonly string[], namespaces: readonly string[]): number {
  return Object.entries(COUNTS[kind])
    .filter(([key]) => {
      const [c, n] = key.split('/') as [string, string];
      return (
        (clusters.includes('*') || clusters.includes(c)) &&
        (namespaces.includes('*') || (n !== '-' && namespaces.includes(n)))
      );
    })
    .reduce((sum, [, n]) => sum + n, 0);
}

const iso = (offsetSec: number) => new Date(Date.now() - 60_000 + offsetSec * 1000).toISOString();

function logLine(cluster: string, ns: string, i: number): string {
  const kubernetes =
    ns === '-' ? undefined : { namespace_name: ns, pod_name: `pod-${i}`, container_name: 'app', host: 'node-1' };
  return JSON.stringify({
    time: iso(i),
    log: `msg ${cluster} ${ns} ${i} secret-${ns}`,
    stream: 'stdout',
    ...(kubernetes ? { kubernetes } : {}),
  });
}

function event(cluster: string, ns: string, i: number): unknown {
  const node = ns === 'default';
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `ev-${cluster}-${ns}-${i}`, namespace: ns, uid: `uid-${cluster}-${ns}-${i}` },
    involvedObject: node ? { kind: 'Node', name: 'node-1' } : { kind: 'Pod', name: `pod-${i}`, namespace: ns },
    reason: 'Started',
    type: 'Normal',
    message: `event ${cluster} ${ns} secret-${ns}`,
    lastTimestamp: iso(i),
    count: 1,
    source: { component: 'kubelet' },
  };
}

function audit(cluster: string, ns: string, i: number): unknown {
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: `a-${cluster}-${ns}-${i}`,
    stage: 'ResponseComplete',
    requestURI: ns === '-' ? '/api/v1/nodes/node-1' : `/api/v1/namespaces/${ns}/pods/pod-${i}`,
    verb: 'get',
    user: { username: `user-${ns}` },
    objectRef:
      ns === '-'
        ? { resource: 'nodes', name: 'node-1', apiVersion: 'v1' }
        : { resource: 'pods', namespace: ns, name: `pod-${i}`, apiVersion: 'v1' },
    requestReceivedTimestamp: iso(i),
    stageTimestamp: iso(i),
    responseStatus: { code: 200 },
  };
}

export async function seedRecords(full: FullApp): Promise<void> {
  const headers = { authorization: `Bearer ${TOKENS.admin}` };
  const groups = (kind: Kind) =>
    Object.entries(COUNTS[kind]).map(([key, n]) => ({
      cluster: key.split('/')[0] as string,
      ns: key.split('/')[1] as string,
      n,
    }));
  for (const { cluster, ns, n } of groups('logs')) {
    const body = Array.from({ length: n }, (_, i) => logLine(cluster, ns, i)).join('\n');
    await check(
      full.app.inject({
        method: 'POST',
        url: `/v1/ingest/logs?cluster=${cluster}`,
        headers: { ...headers, 'content-type': 'application/x-ndjson' },
        payload: body,
      }),
    );
  }
  for (const { cluster, ns, n } of groups('events')) {
    await check(
      full.app.inject({
        method: 'POST',
        url: `/v1/ingest/events?cluster=${cluster}`,
        headers,
        payload: { kind: 'EventList', items: Array.from({ length: n }, (_, i) => event(cluster, ns, i)) },
      }),
    );
  }
  for (const { cluster, ns, n } of groups('audit')) {
    await check(
      full.app.inject({
        method: 'POST',
        url: `/v1/ingest/audit?cluster=${cluster}`,
        headers,
        payload: {
          kind: 'EventList',
          apiVersion: 'audit.k8s.io/v1',
          items: Array.from({ length: n }, (_, i) => audit(cluster, ns, i)),
        },
      }),
    );
  }
  // The indexer consumes the bus asynchronously: wait until every record is searchable.
  for (let attempt = 0; attempt < 100; attempt++) {
    const totals = await Promise.all(
      (['logs', 'events', 'audit'] as const).map(
        async (k) => (await full.app.inject({ url: `/v1/${k}?size=1`, headers })).json().total as number,
      ),
    );
    if (
      totals[0] === visible('logs', ['*'], ['*']) &&
      totals[1] === visible('events', ['*'], ['*']) &&
      totals[2] === visible('audit', ['*'], ['*'])
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('seeded records did not become searchable');
}

async function check(res: Promise<{ statusCode: number; body: string }>): Promise<void> {
  const r = await res;
  if (r.statusCode !== 200 || JSON.parse(r.body).rejected?.length)
    throw new Error(`seeding failed: ${r.statusCode} ${r.body.slice(0, 300)}`);
}
