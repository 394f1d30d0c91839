import { TOPOLOGY_SOURCES, type TopologyTarget } from '../topology-target.schema.ts';
import { asArray, asObject, asString, type Json, type Notes } from './import.types.ts';

/**
 * Grafana's Node Graph panel (`nodeGraph`) → a Pharos topology target, where the panel's data is a service graph
 * Pharos computes itself:
 * - a Tempo data source's service map (target `queryType: serviceMap`,
 *   https://grafana.com/docs/grafana/latest/datasources/tempo/service-graph/): Tempo draws it from the
 *   servicegraph series (`traces_service_graph_request_*`) its metrics-generator or the Collector's connector
 *   computes from spans, so it becomes the topology of sources `spans` and `servicegraph` (Pharos pairs the spans
 *   of its own store the same way, and reads those series through the federation);
 * - a JSON data source (Infinity's `url`, the JSON API plugin's `urlPath`) reading Pharos's own `/v1/topology`
 *   (with `format=nodegraph`): its `cluster`, `namespace` and `sources` parameters are the target's.
 * Anything else drawn as a node graph (Jaeger's dependency graph, TestData, a Prometheus or TraceQL query shaped
 * into frames) is not a topology Pharos can reproduce: left out, noted.
 */
export function nodeGraphTarget(raw: Json, ctx: { path: string; notes: Notes }): TopologyTarget | undefined {
  const title = asString(raw.title) ?? '';
  const targets = asArray(raw.targets)
    .map((t) => asObject(t) ?? {})
    .filter((t) => t.hide !== true);
  const read = targets.map((t) => readTarget(t, t.datasource ?? raw.datasource));
  const first = read[0];
  if (!first || read.some((r) => r === undefined)) {
    ctx.notes.add(
      ctx.path,
      `panel "${title}" of type "nodeGraph" is not over Tempo's service map or Pharos's /v1/topology; left out`,
    );
    return undefined;
  }
  const key = JSON.stringify(first.target);
  if (read.some((r) => JSON.stringify(r?.target) !== key)) {
    ctx.notes.add(ctx.path, `panel "${title}": its node-graph queries ask for different topologies; left out`);
    return undefined;
  }
  for (const note of new Set(read.flatMap((r) => r?.notes ?? []))) ctx.notes.add(ctx.path, `panel "${title}": ${note}`);
  const refId = asString(targets[0]?.refId);
  return { ...first.target, ...(refId ? { refId } : {}) };
}

interface Read {
  target: TopologyTarget;
  notes: string[];
}

function readTarget(t: Json, datasource: unknown): Read | undefined {
  const type = asString(asObject(datasource)?.type);
  if (t.queryType === 'serviceMap' && (type === undefined || type === 'tempo')) {
    const filter = asString(t.serviceMapQuery)?.trim();
    return {
      target: { datasource: 'topology', sources: ['spans', 'servicegraph'] },
      notes: filter ? [`the service map filter ${filter} is not converted; the panel shows every call`] : [],
    };
  }
  const url = asString(t.url) ?? asString(t.urlPath);
  const at = url?.indexOf('/v1/topology') ?? -1;
  if (url === undefined || at < 0) return undefined;
  const params = new URLSearchParams(url.slice(at).split('?')[1] ?? '');
  const sources = params.get('sources')?.split(',');
  if (sources && !sources.every((s) => (TOPOLOGY_SOURCES as readonly string[]).includes(s))) return undefined;
  const cluster = params.get('cluster');
  const namespace = params.get('namespace');
  return {
    target: {
      datasource: 'topology',
      ...(sources ? { sources: sources as TopologyTarget['sources'] } : {}),
      ...(cluster ? { cluster } : {}),
      ...(namespace ? { namespace } : {}),
    },
    notes: [],
  };
}
