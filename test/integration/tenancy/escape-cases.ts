import type { Scope } from '../../../libs/auth/principal.ts';
import { FIXTURE_START } from '../../fixtures/prometheus/generate.ts';

/**
 * The escape attempts a namespace-scoped caller can try on PromQL. Each runs with the scope enforced and is
 * compared with `truth`: the same question written by hand with the scope matchers, evaluated by the union
 * Prometheus (127.0.0.1:19094, every cluster with a `cluster` label). `truth: 'empty'` means nothing may come
 * back; `truth: 'no-leak'` means whatever comes back names nothing outside the scope (answers whose labels
 * are written by the query itself, such as absent()).
 */
export interface PromEscape {
  name: string;
  query: string;
  truth: string | 'empty' | 'no-leak';
  scope?: Scope;
}

export const PAYMENTS: Scope = { clusters: ['*'], namespaces: ['payments'] };
export const EAST_PAYMENTS: Scope = { clusters: ['east'], namespaces: ['payments'] };
export const AT = FIXTURE_START + 2 * 3600;
const P = 'namespace="payments"';

export const PROMQL_ESCAPES: readonly PromEscape[] = [
  { name: 'plain selector', query: 'kube_pod_info', truth: `kube_pod_info{${P}}` },
  { name: 'explicit other namespace', query: 'kube_pod_info{namespace="kube-system"}', truth: 'empty' },
  { name: 'negative matcher', query: 'kube_pod_info{namespace!="payments"}', truth: 'empty' },
  { name: 'match-all regex', query: 'kube_pod_info{namespace=~".*"}', truth: `kube_pod_info{${P}}` },
  {
    name: 'regex alternation with another namespace',
    query: 'kube_pod_info{namespace=~"kube-system|payments"}',
    truth: `kube_pod_info{${P}}`,
  },
  { name: 'regex prefix', query: 'kube_pod_info{namespace=~"pay.*|kube.*"}', truth: `kube_pod_info{${P}}` },
  { name: 'negative regex', query: 'kube_pod_info{namespace!~"payments"}', truth: 'empty' },
  { name: 'empty namespace (node-level)', query: 'kube_pod_info{namespace=""}', truth: 'empty' },
  { name: '__name__ regex, everything', query: 'count({__name__=~".+"})', truth: `count({__name__=~".+", ${P}})` },
  { name: '__name__ regex with another namespace', query: '{__name__=~".+", namespace="kube-system"}', truth: 'empty' },
  { name: '__name__ regex over node metrics', query: '{__name__=~"node_.*"}', truth: 'empty' },
  { name: 'node-level metric', query: 'node_cpu_seconds_total', truth: 'empty' },
  { name: 'node-level aggregate', query: 'sum(node_memory_MemTotal_bytes)', truth: 'empty' },
  { name: 'up (no namespace label)', query: 'up', truth: 'empty' },
  {
    name: 'sum',
    query: 'sum(container_memory_working_set_bytes)',
    truth: `sum(container_memory_working_set_bytes{${P}})`,
  },
  {
    name: 'sum by namespace',
    query: 'sum by (namespace) (container_memory_working_set_bytes)',
    truth: `sum by (namespace) (container_memory_working_set_bytes{${P}})`,
  },
  {
    name: 'sum by cluster of a rate',
    query: 'sum by (cluster) (rate(container_cpu_usage_seconds_total[5m]))',
    truth: `sum by (cluster) (rate(container_cpu_usage_seconds_total{${P}}[5m]))`,
  },
  {
    name: 'sum without namespace',
    query: 'sum without (namespace, pod) (kube_pod_info)',
    truth: `sum without (namespace, pod) (kube_pod_info{${P}})`,
  },
  {
    name: 'or with another namespace',
    query: 'kube_pod_info{namespace="payments"} or kube_pod_info{namespace="kube-system"}',
    truth: `kube_pod_info{${P}}`,
  },
  {
    name: 'or with a node metric',
    query: 'sum(kube_pod_info) or sum(node_cpu_seconds_total)',
    truth: `sum(kube_pod_info{${P}})`,
  },
  {
    name: 'and on() with another namespace',
    query: 'kube_pod_info and on() kube_pod_info{namespace="kube-system"}',
    truth: 'empty',
  },
  { name: 'unless', query: 'kube_pod_info unless kube_pod_info{namespace="payments"}', truth: 'empty' },
  {
    name: 'group_left join to node metrics',
    query: 'kube_pod_info * on(node, cluster) group_left() sum by (node, cluster) (node_memory_MemTotal_bytes)',
    truth: 'empty',
  },
  {
    name: 'arithmetic across namespaces',
    query: 'sum(container_memory_working_set_bytes) / sum(container_memory_working_set_bytes{namespace="kube-system"})',
    truth: 'empty',
  },
  {
    name: 'label_replace forging the scope',
    query: 'label_replace(kube_pod_info{namespace="kube-system"}, "namespace", "payments", "", "")',
    truth: 'empty',
  },
  {
    name: 'label_replace on node metrics',
    query: 'label_replace(node_cpu_seconds_total, "namespace", "payments", "", "")',
    truth: 'empty',
  },
  {
    name: 'label_replace writing another namespace',
    query: 'label_replace(kube_pod_info, "namespace", "kube-system", "", "")',
    truth: 'empty',
  },
  { name: 'label_join into namespace', query: 'label_join(up, "namespace", "", "job")', truth: 'empty' },
  { name: 'absent of another namespace', query: 'absent(kube_pod_info{namespace="kube-system"})', truth: 'no-leak' },
  {
    name: 'absent of nothing',
    query: 'absent(no_such_metric)',
    truth: 'absent(no_such_metric{namespace=~"payments"})',
  },
  { name: 'vector()', query: 'vector(1)', truth: 'vector(1)' },
  { name: 'vector() fallback', query: 'sum(kube_pod_info{namespace="kube-system"}) or vector(0)', truth: 'vector(0)' },
  { name: 'count_values into namespace', query: 'count_values("namespace", kube_pod_info)', truth: 'empty' },
  {
    name: 'subquery',
    query: 'max_over_time(sum(rate(container_cpu_usage_seconds_total[5m]))[30m:1m])',
    truth: `max_over_time(sum(rate(container_cpu_usage_seconds_total{${P}}[5m]))[30m:1m])`,
  },
  {
    name: 'nested subquery with other namespace',
    query: 'max_over_time(rate(container_cpu_usage_seconds_total{namespace="kube-system"}[5m])[30m:])',
    truth: 'empty',
  },
  {
    name: 'offset',
    query: 'sum(container_memory_working_set_bytes offset 30m)',
    truth: `sum(container_memory_working_set_bytes{${P}} offset 30m)`,
  },
  {
    name: '@ modifier',
    query: `sum(container_memory_working_set_bytes @ ${FIXTURE_START + 3600})`,
    truth: `sum(container_memory_working_set_bytes{${P}} @ ${FIXTURE_START + 3600})`,
  },
  {
    name: 'quote injection in a matcher',
    query: 'kube_pod_info{namespace="payments\\",namespace=~\\".*"}',
    truth: 'empty',
  },
  { name: 'unicode look-alike namespace', query: 'kube_pod_info{namespace="pаyments"}', truth: 'empty' },
  {
    name: 'topk over everything',
    query: 'topk(5, {__name__=~"kube_.*"})',
    truth: `topk(5, {__name__=~"kube_.*", ${P}})`,
  },
  {
    name: 'histogram_quantile over demo series',
    query: 'histogram_quantile(0.9, sum by (le) (rate(demo_api_request_duration_seconds_bucket[5m])))',
    truth: 'empty',
  },
  {
    name: 'cluster-scoped: explicit other cluster',
    query: 'kube_pod_info{cluster="north"}',
    truth: 'empty',
    scope: EAST_PAYMENTS,
  },
  {
    name: 'cluster-scoped: cluster regex',
    query: 'count by (cluster) (kube_pod_info{cluster=~".+"})',
    truth: `count by (cluster) (kube_pod_info{cluster="east", ${P}})`,
    scope: EAST_PAYMENTS,
  },
  {
    name: 'cluster-scoped: label_replace cluster',
    query: 'label_replace(kube_pod_info, "cluster", "north", "", "")',
    truth: 'empty',
    scope: EAST_PAYMENTS,
  },
];

/** Metadata endpoints: what the caller asks, and the hand-scoped `match[]` giving the truth. */
export interface MetaEscape {
  name: string;
  path: string;
  match: string[];
  truthMatch: string[];
}

export const METADATA_ESCAPES: readonly MetaEscape[] = [
  { name: 'series of a metric', path: '/api/v1/series', match: ['kube_pod_info'], truthMatch: [`kube_pod_info{${P}}`] },
  {
    name: 'series of everything',
    path: '/api/v1/series',
    match: ['{__name__=~".+"}'],
    truthMatch: [`{__name__=~".+", ${P}}`],
  },
  {
    name: 'series of another namespace',
    path: '/api/v1/series',
    match: ['{namespace="kube-system"}'],
    truthMatch: ['{namespace="kube-system", namespace="payments"}'],
  },
  { name: 'labels without match[]', path: '/api/v1/labels', match: [], truthMatch: [`{${P}}`] },
  {
    name: 'labels of node metrics',
    path: '/api/v1/labels',
    match: ['node_cpu_seconds_total'],
    truthMatch: [`node_cpu_seconds_total{${P}}`],
  },
  { name: 'namespace values', path: '/api/v1/label/namespace/values', match: [], truthMatch: [`{${P}}`] },
  { name: 'metric names', path: '/api/v1/label/__name__/values', match: [], truthMatch: [`{${P}}`] },
  { name: 'node values', path: '/api/v1/label/node/values', match: [], truthMatch: [`{${P}}`] },
];
