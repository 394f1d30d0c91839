import type { FederatedQueryService, PromSample } from '../federation/federation.types.ts';
import { bucketQuantile } from '../promql/eval/quantile.ts';
import type { EdgeAggregate } from '../store/spans/span-store.ts';
import { nodeId, topologyFromEdges, type Topology } from './topology.ts';

/**
 * The service graph from mesh metrics, through the federation (issue 22, 3b): Istio's standard metrics and the
 * OpenTelemetry Collector's servicegraph connector. Each cluster's Prometheus holds its own proxies' (or
 * connector's) series; the federation answers as one Prometheus holding every cluster, with `cluster` on each
 * series, so a call from one cluster to another is one series like any other.
 */
export const MESH_SOURCES = ['istio', 'servicegraph'] as const;
export type MeshSource = (typeof MESH_SOURCES)[number];

interface Endpoint {
  service: string;
  cluster: string;
  namespace: string | null;
}

/** One source's PromQL: calls, failed calls and a latency histogram (in `unit` milliseconds per bucket unit). */
interface MeshQueries {
  requests: string;
  errors: string;
  latencyBuckets: string;
  /** Multiplies bucket bounds to milliseconds. */
  toMs: number;
  /** Reads the two ends of a call from one series' labels. */
  ends(m: Record<string, string>): { from: Endpoint; to: Endpoint };
}

// Istio's standard metrics (istio.io, "Istio Standard Metrics"): every call is reported by the client's proxy
// (reporter="source") and the server's (reporter="destination"); counting both would double every call, so the
// graph reads the destination's report, as Kiali does for its request rates. source_cluster/destination_cluster
// are set in multi-cluster meshes; without them, the reporting cluster (the series' `cluster`) is the callee's.
const ISTIO_ENDS =
  'source_cluster, source_workload_namespace, source_canonical_service, source_workload, ' +
  'destination_cluster, destination_workload_namespace, destination_canonical_service, destination_workload, cluster';
const ISTIO: MeshQueries = {
  requests: `sum by (${ISTIO_ENDS}) (increase(istio_requests_total{reporter="destination"}[$w]))`,
  errors: `sum by (${ISTIO_ENDS}) (increase(istio_requests_total{reporter="destination",response_code=~"5.."}[$w]))`,
  latencyBuckets: `sum by (${ISTIO_ENDS}, le) (increase(istio_request_duration_milliseconds_bucket{reporter="destination"}[$w]))`,
  toMs: 1,
  ends: (m) => ({
    from: {
      service: m.source_canonical_service || m.source_workload || 'unknown',
      cluster: m.source_cluster || m.cluster || '',
      namespace: m.source_workload_namespace || null,
    },
    to: {
      service: m.destination_canonical_service || m.destination_workload || 'unknown',
      cluster: m.destination_cluster || m.cluster || '',
      namespace: m.destination_workload_namespace || null,
    },
  }),
};

// The Collector's servicegraph connector (opentelemetry-collector-contrib, connector/servicegraphconnector):
// traces_service_graph_request_total / _failed_total {client, server} and the server-side latency histogram in
// seconds. Extra dimensions, when configured, come as client_<attr>/server_<attr> with dots made underscores.
const SG_ENDS =
  'client, server, client_k8s_cluster_name, server_k8s_cluster_name, client_k8s_namespace_name, ' +
  'server_k8s_namespace_name, cluster';
const SERVICEGRAPH: MeshQueries = {
  requests: `sum by (${SG_ENDS}) (increase(traces_service_graph_request_total[$w]))`,
  errors: `sum by (${SG_ENDS}) (increase(traces_service_graph_request_failed_total[$w]))`,
  latencyBuckets: `sum by (${SG_ENDS}, le) (increase(traces_service_graph_request_server_seconds_bucket[$w]))`,
  toMs: 1000,
  ends: (m) => ({
    from: {
      service: m.client || 'unknown',
      cluster: m.client_k8s_cluster_name || m.cluster || '',
      namespace: m.client_k8s_namespace_name || null,
    },
    to: {
      service: m.server || 'unknown',
      cluster: m.server_k8s_cluster_name || m.cluster || '',
      namespace: m.server_k8s_namespace_name || null,
    },
  }),
};

const QUERIES: Record<MeshSource, MeshQueries> = { istio: ISTIO, servicegraph: SERVICEGRAPH };

export interface MeshTopologyRequest {
  /** Already scoped to the caller (libs/tenancy/scoped-federation.ts). */
  federation: FederatedQueryService;
  sources: readonly MeshSource[];
  /** Epoch ms; the window is [start, end). */
  start: number;
  end: number;
  signal?: AbortSignal;
}

export interface MeshTopology {
  topology: Topology;
  warnings: string[];
  /** A query of a source failed, or a cluster did not answer: edges may be missing. */
  partial: boolean;
}

interface Call {
  from: Endpoint;
  to: Endpoint;
  requests: number;
  errors: number;
  /** Classic buckets as histogram_quantile reads them; bounds in milliseconds. */
  buckets: { upperBound: number; count: number }[];
}

/** The mesh sources' calls in the window, as one topology (edges keyed like the span topology's). */
export async function meshTopology(req: MeshTopologyRequest): Promise<MeshTopology> {
  const warnings: string[] = [];
  let partial = false;
  const calls = new Map<string, Call>();
  for (const source of req.sources) {
    const answers = await readSource(QUERIES[source], req).catch((e: unknown) => {
      warnings.push(`${source}: ${e instanceof Error ? e.message : String(e)}`);
      partial = true;
      return undefined;
    });
    if (!answers) continue;
    warnings.push(...answers.warnings.map((w) => `${source}: ${w}`));
    partial ||= answers.failedClusters;
    collect(calls, QUERIES[source], answers);
  }
  return { topology: toTopology([...calls.values()], req.end - req.start), warnings, partial };
}

interface SourceAnswers {
  requests: PromSample[];
  errors: PromSample[];
  buckets: PromSample[];
  warnings: string[];
  failedClusters: boolean;
}

async function readSource(q: MeshQueries, req: MeshTopologyRequest): Promise<SourceAnswers> {
  const window = `${Math.max(1, Math.round((req.end - req.start) / 1000))}s`;
  const time = req.end / 1000;
  const ask = (expr: string) => req.federation.instant({ query: expr.replace('$w', window), time }, req.signal);
  const [requests, errors, buckets] = await Promise.all([ask(q.requests), ask(q.errors), ask(q.latencyBuckets)]);
  const all = [requests, errors, buckets];
  return {
    requests: requests.result as PromSample[],
    errors: errors.result as PromSample[],
    buckets: buckets.result as PromSample[],
    warnings: [...new Set(all.flatMap((r) => r.warnings))],
    failedClusters: all.some((r) => Object.values(r.clusters).some((c) => c.status === 'error')),
  };
}

const endId = (e: Endpoint): string =>
  nodeId({ cluster: e.cluster, namespace: e.namespace ?? undefined, serviceName: e.service });
const valueOf = (s: PromSample): number => Number(s.value?.[1] ?? 0);

function collect(calls: Map<string, Call>, q: MeshQueries, a: SourceAnswers): void {
  const call = (m: Record<string, string>): Call => {
    const { from, to } = q.ends(m);
    const id = `${endId(from)}->${endId(to)}`;
    let c = calls.get(id);
    if (!c) calls.set(id, (c = { from, to, requests: 0, errors: 0, buckets: [] }));
    return c;
  };
  for (const s of a.requests) call(s.metric).requests += valueOf(s);
  for (const s of a.errors) call(s.metric).errors += valueOf(s);
  for (const s of a.buckets) {
    const upperBound = s.metric.le === '+Inf' ? Infinity : Number(s.metric.le) * q.toMs;
    // Buckets of one bound from several series are coalesced by bucketQuantile, as histogram_quantile does.
    call(s.metric).buckets.push({ upperBound, count: valueOf(s) });
  }
}

/** The calls as edge groups, built into a topology the way the span edges are (topologyFromEdges). */
function toTopology(calls: readonly Call[], windowMs: number): Topology {
  const end = (e: Endpoint) => ({
    cluster: e.cluster,
    service: e.service,
    ...(e.namespace === null ? {} : { namespace: e.namespace }),
  });
  const groups = calls
    // A pair seen only in the latency histogram, or with no call in the window (increase 0), is no edge.
    .filter((c) => c.requests > 0)
    .map((c): EdgeAggregate => ({
      source: end(c.from),
      target: end(c.to),
      type: 'request',
      requests: c.requests,
      errors: c.errors,
      p50Ms: latency(0.5, c.buckets),
      p95Ms: latency(0.95, c.buckets),
    }));
  return topologyFromEdges(groups, windowMs);
}

/**
 * histogram_quantile's interpolation (the PromQL engine's bucketQuantile), 0 rather than NaN when the pair has
 * no latency buckets: the answer is JSON, and the span topology says 0 for no observation too.
 */
function latency(q: number, buckets: Call['buckets']): number {
  const v = bucketQuantile(q, buckets);
  return Number.isFinite(v) ? v : 0;
}
