import type { SpanEdgeFields } from '../store/spans/span-store.ts';
import { STATUS_ERROR } from '../schemas/span-doc.ts';

export interface TopologyNode {
  id: string;
  service: string;
  cluster: string;
  namespace: string | null;
  /** Calls it received as the server/consumer side of an edge, and how many failed. */
  requests: number;
  errors: number;
}

export interface TopologyEdge {
  id: string;
  source: string;
  target: string;
  /** Matched client→server (or producer→consumer) span pairs in the window. */
  requests: number;
  errors: number;
  /** Per second over the window; errors / requests. */
  requestRate: number;
  errorRate: number;
  /** Latency of the server (consumer) span, milliseconds, nearest-rank percentiles. */
  p50Ms: number;
  p95Ms: number;
  /** `messaging` for producer→consumer pairs, else `request`. */
  type: 'request' | 'messaging';
  crossCluster: boolean;
  /** The sources that saw this call (spans, istio, servicegraph) when several were read. */
  via?: ('spans' | 'istio' | 'servicegraph')[];
}

export interface Topology {
  nodes: TopologyNode[];
  edges: TopologyEdge[];
}

const CALLER: Record<string, string> = {
  SPAN_KIND_SERVER: 'SPAN_KIND_CLIENT',
  SPAN_KIND_CONSUMER: 'SPAN_KIND_PRODUCER',
};
export const TOPOLOGY_KINDS = [
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
] as const;

/** The order of nodes and edges in every topology answer: by id. */
export const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export const nodeId = (s: Pick<SpanEdgeFields, 'cluster' | 'namespace' | 'serviceName'>): string =>
  `${s.cluster}/${s.namespace ?? ''}/${s.serviceName}`;

/**
 * The service graph from spans, as Tempo's servicegraph processor and the Collector's servicegraph
 * connector build it: a server (consumer) span whose parent span is a client (producer) span is one call
 * from the parent's service to its own; failed when either side has status ERROR. Spans of every cluster
 * meet in one store, so a call that crossed clusters is matched like any other. Spans with no partner in
 * the window (an uninstrumented callee, a caller outside it) make no edge.
 */
export function buildTopology(spans: readonly SpanEdgeFields[], windowMs: number): Topology {
  const callers = new Map<string, SpanEdgeFields>();
  for (const s of spans)
    if (s.kind === 'SPAN_KIND_CLIENT' || s.kind === 'SPAN_KIND_PRODUCER') callers.set(`${s.traceId}:${s.spanId}`, s);
  const nodes = new Map<string, TopologyNode>();
  const edges = new Map<
    string,
    { edge: Omit<TopologyEdge, 'requestRate' | 'errorRate' | 'p50Ms' | 'p95Ms'>; latencies: number[] }
  >();
  const node = (s: SpanEdgeFields): TopologyNode => {
    const id = nodeId(s);
    let n = nodes.get(id);
    if (!n)
      nodes.set(
        id,
        (n = {
          id,
          service: s.serviceName,
          cluster: s.cluster,
          namespace: s.namespace ?? null,
          requests: 0,
          errors: 0,
        }),
      );
    return n;
  };
  for (const callee of spans) {
    const want = CALLER[callee.kind];
    if (!want || !callee.parentSpanId) continue;
    const caller = callers.get(`${callee.traceId}:${callee.parentSpanId}`);
    if (!caller || caller.kind !== want) continue;
    const from = node(caller);
    const to = node(callee);
    const failed = caller.statusCode === STATUS_ERROR || callee.statusCode === STATUS_ERROR;
    to.requests += 1;
    if (failed) to.errors += 1;
    const id = `${from.id}->${to.id}`;
    let e = edges.get(id);
    if (!e) {
      const type = callee.kind === 'SPAN_KIND_CONSUMER' ? 'messaging' : 'request';
      edges.set(
        id,
        (e = {
          edge: {
            id,
            source: from.id,
            target: to.id,
            requests: 0,
            errors: 0,
            type,
            crossCluster: from.cluster !== to.cluster,
          },
          latencies: [],
        }),
      );
    }
    e.edge.requests += 1;
    if (failed) e.edge.errors += 1;
    e.latencies.push(callee.durationInNanos / 1e6);
  }
  const seconds = Math.max(windowMs, 1) / 1000;
  const out = [...edges.values()].map(({ edge, latencies }) => {
    latencies.sort((a, b) => a - b);
    return {
      ...edge,
      requestRate: edge.requests / seconds,
      errorRate: edge.errors / edge.requests,
      p50Ms: rank(latencies, 0.5),
      p95Ms: rank(latencies, 0.95),
    };
  });
  return { nodes: [...nodes.values()].sort(byId), edges: out.sort(byId) };
}

/** Nearest-rank percentile of sorted values. */
function rank(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

/** Keeps the edges with an end in the cluster / namespace asked for, and their nodes. */
export function filterTopology(
  t: Topology,
  where: { cluster?: string | undefined; namespace?: string | undefined },
): Topology {
  if (!where.cluster && !where.namespace) return t;
  const nodes = new Map(t.nodes.map((n) => [n.id, n]));
  const matches = (id: string) => {
    const n = nodes.get(id) as TopologyNode;
    return (!where.cluster || n.cluster === where.cluster) && (!where.namespace || n.namespace === where.namespace);
  };
  const edges = t.edges.filter((e) => matches(e.source) || matches(e.target));
  const keep = new Set(edges.flatMap((e) => [e.source, e.target]));
  return { nodes: t.nodes.filter((n) => keep.has(n.id)), edges };
}

/**
 * Grafana's Node Graph panel data (grafana docs, "Node graph", data API; @grafana/data's lowercase
 * NodeGraphDataFrameFieldNames, Grafana 8.5 on): a `nodes` frame (id,
 * title, subtitle, mainstat, secondarystat, arc__success, arc__failed) and an `edges` frame (id, source,
 * target, mainstat, secondarystat), each as fields with their values.
 */
export interface NodeGraphField {
  name: string;
  type: 'string' | 'number';
  values: (string | number)[];
  config?: { displayName: string };
}
export interface NodeGraphFrame {
  name: string;
  meta: { preferredVisualisationType: string };
  fields: NodeGraphField[];
}

export function nodeGraphFrames(t: Topology): { nodes: NodeGraphFrame; edges: NodeGraphFrame } {
  const field = (
    { name, type, displayName }: { name: string; type: 'string' | 'number'; displayName?: string },
    values: (string | number)[],
  ): NodeGraphField => ({ name, type, values, ...(displayName ? { config: { displayName } } : {}) });
  const meta = { preferredVisualisationType: 'nodeGraph' };
  const ok = (n: TopologyNode) => (n.requests === 0 ? 1 : (n.requests - n.errors) / n.requests);
  return {
    nodes: {
      name: 'nodes',
      meta,
      fields: [
        field(
          { name: 'id', type: 'string' },
          t.nodes.map((n) => n.id),
        ),
        field(
          { name: 'title', type: 'string' },
          t.nodes.map((n) => n.service),
        ),
        field(
          { name: 'subtitle', type: 'string' },
          t.nodes.map((n) => (n.namespace ? `${n.cluster}/${n.namespace}` : n.cluster)),
        ),
        field(
          { name: 'mainstat', type: 'number', displayName: 'Requests' },
          t.nodes.map((n) => n.requests),
        ),
        field(
          { name: 'secondarystat', type: 'number', displayName: 'Errors' },
          t.nodes.map((n) => n.errors),
        ),
        field({ name: 'arc__success', type: 'number', displayName: 'Success' }, t.nodes.map(ok)),
        field(
          { name: 'arc__failed', type: 'number', displayName: 'Failed' },
          t.nodes.map((n) => 1 - ok(n)),
        ),
      ],
    },
    edges: {
      name: 'edges',
      meta,
      fields: [
        field(
          { name: 'id', type: 'string' },
          t.edges.map((e) => e.id),
        ),
        field(
          { name: 'source', type: 'string' },
          t.edges.map((e) => e.source),
        ),
        field(
          { name: 'target', type: 'string' },
          t.edges.map((e) => e.target),
        ),
        field(
          { name: 'mainstat', type: 'number', displayName: 'Requests/s' },
          t.edges.map((e) => e.requestRate),
        ),
        field(
          { name: 'secondarystat', type: 'number', displayName: 'p95 ms' },
          t.edges.map((e) => e.p95Ms),
        ),
        field(
          { name: 'detail__errorRate', type: 'number', displayName: 'Error rate' },
          t.edges.map((e) => e.errorRate),
        ),
        field(
          { name: 'detail__p50Ms', type: 'number', displayName: 'p50 ms' },
          t.edges.map((e) => e.p50Ms),
        ),
      ],
    },
  };
}
