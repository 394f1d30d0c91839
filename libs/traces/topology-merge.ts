import { byId, type Topology, type TopologyEdge, type TopologyNode } from './topology.ts';

export type TopologySource = 'spans' | 'istio' | 'servicegraph';

/**
 * One service graph from several sources' graphs, in the order given (spans first: they see every call of an
 * instrumented service; mesh metrics add the calls of uninstrumented ones). The same call is in several sources,
 * so an edge two sources know is taken from the first, never summed; `via` lists every source that saw it.
 * A node's requests and errors are those of its incoming edges as kept.
 */
export function mergeTopologies(parts: readonly { source: TopologySource; topology: Topology }[]): Topology {
  const edges = new Map<string, TopologyEdge & { via: TopologySource[] }>();
  const nodes = new Map<string, TopologyNode>();
  for (const { source, topology } of parts) {
    for (const n of topology.nodes) if (!nodes.has(n.id)) nodes.set(n.id, { ...n, requests: 0, errors: 0 });
    for (const e of topology.edges) {
      const kept = edges.get(e.id);
      if (kept) kept.via.push(source);
      else edges.set(e.id, { ...e, via: [source] });
    }
  }
  for (const e of edges.values()) {
    const to = nodes.get(e.target) as TopologyNode;
    to.requests += e.requests;
    to.errors += e.errors;
  }
  return { nodes: [...nodes.values()].sort(byId), edges: [...edges.values()].sort(byId) };
}
