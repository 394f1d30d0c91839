import { CLUSTERS, CLUSTER_NAMES } from '../../fixtures/prometheus/generate.ts';
import type { FullApp } from './full-app.ts';
import {
  AT,
  DASHBOARD_KEYS,
  key,
  keyOfService,
  POD_AND_NODE_QUERY,
  RANGE,
  SCOPES,
  SPAN_KEYS,
  traceIdOf,
  type Key,
  type TokenName,
} from './scope-contract-fixtures.ts';

/**
 * Every public read API of the scope contract, each reading the seeded data as one caller and saying what
 * the answer is about: a sorted list of keys (`cluster/namespace`, one per record, series, object…). APIs
 * that only count are asked per cluster and namespace, so their counts become keys too.
 */
export interface Answer {
  status: number;
  keys: Key[];
}

export interface ContractApi {
  name: string;
  read(full: FullApp, headers: Record<string, string>): Promise<Answer>;
}

type Headers = Record<string, string>;
type Json = Record<string, unknown>;

async function get(
  full: FullApp,
  headers: Headers,
  url: string,
): Promise<{ status: number; json: Json; body: string }> {
  const res = await full.app.inject({ url, headers });
  let json: Json = {};
  try {
    json = res.json() as Json;
  } catch {
    // export answers ndjson
  }
  return { status: res.statusCode, json, body: res.body };
}

const sorted = (keys: Key[]): Key[] => [...keys].sort();
const labelsKey = (l: Record<string, string>): Key => key(l.cluster, l.namespace);

/** One GET, its answer turned into keys by `keysOf` (when 200). */
const one =
  (url: string, keysOf: (json: Json, body: string) => Key[]) =>
  async (full: FullApp, headers: Headers): Promise<Answer> => {
    const r = await get(full, headers, url);
    return { status: r.status, keys: r.status === 200 ? sorted(keysOf(r.json, r.body)) : [] };
  };

/** Several GETs: the first status that is not 200 is the answer's, else the keys of all. */
const many =
  (calls: ReadonlyArray<{ url: string; keysOf: (json: Json) => Key[] }>) =>
  async (full: FullApp, headers: Headers): Promise<Answer> => {
    const keys: Key[] = [];
    for (const c of calls) {
      const r = await get(full, headers, c.url);
      if (r.status === 404) continue;
      if (r.status !== 200) return { status: r.status, keys: [] };
      keys.push(...c.keysOf(r.json));
    }
    return { status: 200, keys: sorted(keys) };
  };

const RECORD_KINDS = ['logs', 'events', 'audit'] as const;
const docKeys = (json: Json) => (json.items as Json[]).map((d) => key(d.cluster as string, d.namespace as string));

const SEEDED_CLUSTERS = ['east', 'west'];
const SEEDED_NAMESPACES = ['payments', 'kube-system', 'default', 'shop'];
const times = (n: number, k: Key): Key[] => Array.from({ length: n }, () => k);

/**
 * A histogram says how many records it counted, not which: it is asked per cluster (`q=cluster:c`, which can
 * only narrow the scope) and per cluster and namespace, and lists that many keys; what a cluster's count holds
 * beyond its namespaces are records without a namespace.
 */
function countedByHistogram(kind: string) {
  return async (full: FullApp, headers: Headers): Promise<Answer> => {
    const keys: Key[] = [];
    const total = async (q: string): Promise<number | { status: number }> => {
      const r = await get(full, headers, `/v1/${kind}/histogram?interval=1h&q=${encodeURIComponent(q)}`);
      return r.status === 200 ? (r.json.total as number) : { status: r.status };
    };
    for (const c of SEEDED_CLUSTERS) {
      const all = await total(`cluster:${c}`);
      if (typeof all !== 'number') return { status: all.status, keys: [] };
      let rest = all;
      for (const n of SEEDED_NAMESPACES) {
        const t = (await total(`cluster:${c} AND namespace:${n}`)) as number;
        keys.push(...times(t, key(c, n)));
        rest -= t;
      }
      keys.push(...times(rest, key(c, undefined)));
    }
    return { status: 200, keys: sorted(keys) };
  };
}

/** Stats by namespace per cluster: each group's count of that key, `missing` those without a namespace. */
const countedByStats = (kind: string) =>
  many(
    SEEDED_CLUSTERS.map((c) => ({
      url: `/v1/${kind}/stats?by=namespace&size=100&q=${encodeURIComponent(`cluster:${c}`)}`,
      keysOf: (j: Json) => [
        ...(j.groups as Array<{ key: string; count: number }>).flatMap((g) => times(g.count, key(c, g.key))),
        ...times(j.missing as number, key(c, undefined)),
      ],
    })),
  );

function recordApis(): ContractApi[] {
  return RECORD_KINDS.flatMap((kind) => [
    { name: `${kind} search`, read: one(`/v1/${kind}?size=100`, docKeys) },
    { name: `${kind} count (histogram)`, read: countedByHistogram(kind) },
    { name: `${kind} stats`, read: countedByStats(kind) },
    {
      name: `${kind} export`,
      read: one(`/v1/${kind}/export`, (_j, body) =>
        body
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => {
            const d = JSON.parse(l) as Json;
            return key(d.cluster as string, d.namespace as string);
          }),
      ),
    },
  ]);
}

const enc = encodeURIComponent;
const promResult = (json: Json) =>
  ((json.data as Json).result as Array<{ metric: Record<string, string> }>).map((s) => labelsKey(s.metric));
const FIXTURE_PAIRS = CLUSTER_NAMES.flatMap((c) => Object.keys(CLUSTERS[c].namespaces).map((n) => ({ c, n })));
const WINDOW = `start=${RANGE.start}&end=${RANGE.end}`;

function promqlApis(): ContractApi[] {
  return [
    {
      name: 'PromQL query',
      read: one(`/prometheus/api/v1/query?query=${enc(POD_AND_NODE_QUERY)}&time=${AT}`, promResult),
    },
    {
      name: 'PromQL query_range',
      read: one(
        `/prometheus/api/v1/query_range?query=${enc(POD_AND_NODE_QUERY)}&${WINDOW}&step=${RANGE.step}`,
        promResult,
      ),
    },
    {
      name: 'PromQL series',
      read: one(
        `/prometheus/api/v1/series?match[]=kube_pod_info&match[]=${enc('node_cpu_seconds_total{cpu="0",mode="idle"}')}&${WINDOW}`,
        (j) => (j.data as Array<Record<string, string>>).map(labelsKey),
      ),
    },
    {
      name: 'PromQL labels',
      read: many([
        ...CLUSTER_NAMES.map((c) => ({
          url: `/prometheus/api/v1/labels?match[]=${enc(`node_cpu_seconds_total{cluster="${c}"}`)}&${WINDOW}`,
          keysOf: (j: Json) => ((j.data as string[]).length ? [key(c, undefined)] : []),
        })),
        ...FIXTURE_PAIRS.map(({ c, n }) => ({
          url: `/prometheus/api/v1/labels?match[]=${enc(`kube_pod_info{cluster="${c}",namespace="${n}"}`)}&${WINDOW}`,
          keysOf: (j: Json) => ((j.data as string[]).length ? [key(c, n)] : []),
        })),
      ]),
    },
    {
      name: 'PromQL label values',
      read: many([
        ...CLUSTER_NAMES.map((c) => ({
          url: `/prometheus/api/v1/label/namespace/values?match[]=${enc(`kube_pod_info{cluster="${c}"}`)}&${WINDOW}`,
          keysOf: (j: Json) => (j.data as string[]).map((n) => key(c, n)),
        })),
        {
          url: `/prometheus/api/v1/label/cluster/values?match[]=node_cpu_seconds_total&${WINDOW}`,
          keysOf: (j: Json) => (j.data as string[]).map((c) => key(c, undefined)),
        },
      ]),
    },
    ...(['pod', 'node'] as const).map((level) => ({
      name: `metrics API (${level})`,
      read: one(`/v1/metrics/${level}?time=${AT}`, (j) =>
        (j.results as Array<{ metric_name: string; data?: { result: Array<{ metric: Record<string, string> }> } }>)
          // node_pod_count counts the caller's own pods per node: an aggregate over scoped selectors, which the
          // PromQL rule keeps (docs/security.md); the pod level already shows which pods those are.
          .filter((r) => r.metric_name !== 'node_pod_count')
          .flatMap((r) => (r.data?.result ?? []).map((s) => labelsKey(s.metric))),
      ),
    })),
  ];
}

const CONTRACT_DASHBOARDS = Object.keys(SCOPES).map((n) => ({
  id: `contract-${n.toLowerCase()}`,
  key: DASHBOARD_KEYS[n as TokenName],
}));
const dashboardKey = (id: string) => CONTRACT_DASHBOARDS.find((d) => d.id === id)?.key;
const panel = (json: Json, title: string) =>
  ((json.panels as Json[]).find((p) => p.title === title)?.data ?? {}) as {
    series?: Array<{ labels: Record<string, string> }>;
    records?: Json[];
  };

function dashboardApis(): ContractApi[] {
  return [
    {
      name: 'dashboards list',
      read: one('/v1/dashboards', (j) =>
        (j.dashboards as Array<{ id: string }>).flatMap((d) => {
          const k = dashboardKey(d.id);
          return k ? [k] : [];
        }),
      ),
    },
    {
      name: 'dashboards get',
      read: many(CONTRACT_DASHBOARDS.map((d) => ({ url: `/v1/dashboards/${d.id}`, keysOf: () => [d.key] }))),
    },
    {
      name: 'dashboards render (PromQL panel)',
      read: one(`/v1/dashboards/contract-admin/render?from=${(AT - 600) * 1000}&to=${AT * 1000}`, (j) =>
        (panel(j, 'Pods').series ?? []).map((s) => labelsKey(s.labels)),
      ),
    },
    {
      name: 'dashboards render (records panel)',
      read: async (full, headers) => {
        const now = Date.now();
        return one(`/v1/dashboards/contract-admin/render?from=${now - 3_600_000}&to=${now}`, (j) =>
          (panel(j, 'Logs').records ?? [])
            .flatMap((r) => r.items as Json[])
            .map((d) => key(d.cluster as string, d.namespace as string)),
        )(full, headers);
      },
    },
  ];
}

const alertKeys = (alerts: Array<{ labels: Record<string, string> }>, alertname = 'ContractProbe') =>
  alerts.filter((a) => a.labels.alertname === alertname).map((a) => labelsKey(a.labels));
const silenceKeys = (list: Array<{ createdBy: string; comment: string }>) =>
  list.filter((s) => s.createdBy === 'contract').map((s) => s.comment);

function alertingApis(): ContractApi[] {
  return [
    {
      name: 'Alertmanager alerts',
      read: one('/alertmanager/api/v2/alerts', (j) =>
        alertKeys(j as unknown as Array<{ labels: Record<string, string> }>),
      ),
    },
    {
      name: 'alerts (v1)',
      read: one('/v1/alerts', (j) => alertKeys(j.alerts as Array<{ labels: Record<string, string> }>, 'ContractRule')),
    },
    {
      name: 'alerts (Prometheus)',
      read: one('/prometheus/api/v1/alerts', (j) =>
        alertKeys((j.data as Json).alerts as Array<{ labels: Record<string, string> }>, 'ContractRule'),
      ),
    },
    {
      name: 'silences (v1)',
      read: one('/v1/silences', (j) => silenceKeys(j.silences as Array<{ createdBy: string; comment: string }>)),
    },
    {
      name: 'silences (Alertmanager)',
      read: one('/alertmanager/api/v2/silences', (j) =>
        silenceKeys(j as unknown as Array<{ createdBy: string; comment: string }>),
      ),
    },
    {
      name: 'rules (v1)',
      read: one('/v1/alert-rules', (j) => (j.groups as unknown[]).map(() => '*/*')),
    },
    {
      name: 'rules (Prometheus)',
      read: one('/prometheus/api/v1/rules', (j) => ((j.data as Json).groups as unknown[]).map(() => '*/*')),
    },
  ];
}

function traceApis(): ContractApi[] {
  const now = Math.floor(Date.now() / 1000);
  const window = `start=${now - 3600}&end=${now + 3600}`;
  return [
    {
      name: 'traces search',
      read: one(`/tempo/api/search?limit=100&${window}`, (j) =>
        (j.traces as Array<{ rootServiceName: string }>)
          .filter((t) => t.rootServiceName.startsWith('svc-'))
          .map((t) => keyOfService(t.rootServiceName)),
      ),
    },
    {
      name: 'traces by id',
      read: many(SPAN_KEYS.map((k, i) => ({ url: `/tempo/api/traces/${traceIdOf(i)}`, keysOf: () => [k] }))),
    },
    {
      name: 'traces tag values',
      read: one(`/tempo/api/search/tag/service.name/values?${window}`, (j) =>
        (j.tagValues as string[]).filter((v) => v.startsWith('svc-')).map(keyOfService),
      ),
    },
  ];
}

export const CONTRACT_APIS: readonly ContractApi[] = [
  ...recordApis(),
  ...promqlApis(),
  ...dashboardApis(),
  ...alertingApis(),
  ...traceApis(),
];
