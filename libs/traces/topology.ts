import type { EdgeAggregate, SpanEdgeFields } from '../store/spans/span-store.ts';

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

/** The order of nodes and edges in every topology answer: by id. */
export const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export const nodeId = (s: Pick<SpanEdgeFields, 'cluster' | 'namespace' | 'serviceName'>): string =>
  `${s.cluster}/${s.namespace ?? ''}/${s.serviceName}`;

/**
 * The service graph from the edges paired at ingest (libs/traces/span-pairing.ts), grouped by the store: one
 * edge per (source node, target node), a node for each end. A node's requests and errors are the calls it
 * received. A span that made no edge (a root span, a call to an uninstrumented service) makes no node.
 */
export function topologyFromEdges(groups: readonly EdgeAggregate[], windowMs: number): Topology {
  const nodes = new Map<string, TopologyNode>();
  const node = (n: EdgeAggregate['source']): TopologyNode => {
    const id = nodeId({ cluster: n.cluster, namespace: n.namespace, serviceName: n.service });
    let out = nodes.get(id);
    if (!out)
      nodes.set(
        id,
        (out = { id, service: n.service, cluster: n.cluster, namespace: n.namespace ?? null, requests: 0, errors: 0 }),
      );
    return out;
  };
  const seconds = Math.max(windowMs, 1) / 1000;
  const edges = groups.map((g): TopologyEdge => {
    const from = node(g.source);
    const to = node(g.target);
    to.requests += g.requests;
    to.errors += g.errors;
    return {
      id: `${from.id}->${to.id}`,
      source: from.id,
      target: to.id,
      requests: g.requests,
      errors: g.errors,
      requestRate: g.requests / seconds,
      errorRate: g.errors / g.requests,
      p50Ms: g.p50Ms,
      p95Ms: g.p95Ms,
      type: g.type,
      crossCluster: from.cluster !== to.cluster,
    };
  });
  return { nodes: [...nodes.values()].sort(byId), edges: edges.sort(byId) };
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
