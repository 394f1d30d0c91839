import { CLUSTERS, CLUSTER_NAMES } from '../../fixtures/prometheus/generate.ts';
import { labelsKey, many, one, type ContractApi, type Json } from './scope-contract-http.ts';
import { recordApis } from './scope-contract-record-apis.ts';
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
  type TokenName,
} from './scope-contract-fixtures.ts';

export type { Answer } from './scope-contract-http.ts';

/** Every public read API of the scope contract (scope-contract-http.ts says what an answer is). */
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
