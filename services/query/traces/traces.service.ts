import { scopeAllows, type Scope } from '../../../libs/auth/principal.ts';
import { InputError, NotFoundError } from '../../../libs/errors/errors.ts';
import type { SpanQuery, SpanStore } from '../../../libs/store/spans/span-store.ts';
import { scopeSpanQuery } from '../../../libs/tenancy/span-scope.ts';
import type { SpanDoc } from '../../../libs/schemas/span-doc.ts';
import { filterTopology, topologyFromEdges, type Topology } from '../../../libs/traces/topology.ts';
import type { FederatedQueryService } from '../../../libs/federation/federation.types.ts';
import { scopedFederation } from '../../../libs/tenancy/scoped-federation.ts';
import { meshTopology, type MeshSource } from '../../../libs/traces/mesh-topology.ts';
import { mergeTopologies, type TopologySource } from '../../../libs/traces/topology-merge.ts';

export interface TracesServiceOptions {
  store: () => Promise<SpanStore>;
  /** Most spans one trace answer carries; a larger trace is cut, and the answer says so. */
  maxTraceSpans: number;
  /** Most edges (service pairs) one topology answers; more in the window and the answer says it is partial. */
  maxTopologyEdges: number;
  /** The federated PromQL engine, for the mesh sources of the topology (absent: spans only). */
  federation?: () => Promise<FederatedQueryService>;
  now?: () => number;
}

export const TOPOLOGY_SOURCES: readonly TopologySource[] = ['spans', 'istio', 'servicegraph'];

export type TopologyAnswer = Topology & {
  start: number;
  end: number;
  spans: number;
  partial: boolean;
  warnings?: string[];
};

export interface TraceAnswer {
  spans: SpanDoc[];
  /** Spans of the trace outside the caller's scope, left out. */
  withheld: number;
  /** True when the trace has more than maxTraceSpans spans (in scope) and only the first are here. */
  truncated: boolean;
}

export interface SearchParams {
  start: number;
  end: number;
  services?: string[];
  names?: string[];
  tags: Record<string, string>;
  minDurationNanos?: number;
  maxDurationNanos?: number;
  limit: number;
}

export interface TraceSummary {
  traceID: string;
  rootServiceName: string;
  rootTraceName: string;
  startTimeUnixNano: string;
  durationMs: number;
  spanSet: { spans: { spanID: string; startTimeUnixNano: string; durationNanos: string }[]; matched: number };
}

/** Spans read to find candidate traces; traces whose spans are read per search. */
const SEARCH_SPANS = 5000;
const SAMPLE_SPANS = 2000;

/** The trace API and topology over the span store, under the caller's scope (service layer: no HTTP here). */
export class TracesService {
  private readonly now: () => number;
  constructor(private readonly opts: TracesServiceOptions) {
    this.now = opts.now ?? Date.now;
  }

  async trace(traceId: string, scope: Scope, signal?: AbortSignal): Promise<TraceAnswer> {
    const store = await this.opts.store();
    // Read unscoped, then filtered here: the answer must be able to say how many spans were withheld.
    const { total, spans } = await store.find({ traceIds: [traceId] }, this.opts.maxTraceSpans + 1, signal);
    const visible = spans.filter((s) => scopeAllows(scope, s.cluster, s.namespace));
    if (visible.length === 0) throw new NotFoundError(`trace ${traceId} not found`);
    const truncated = total > this.opts.maxTraceSpans;
    const kept = visible
      .slice(0, this.opts.maxTraceSpans)
      .sort((a, b) => compareNanos(a.startTimeUnixNano, b.startTimeUnixNano));
    // When cut, the withheld count is of the spans read; the rest were not looked at.
    return { spans: kept, withheld: spans.length - visible.length, truncated };
  }

  async search(
    params: SearchParams,
    scope: Scope,
    signal?: AbortSignal,
  ): Promise<{ traces: TraceSummary[]; inspectedSpans: number; inspectedTraces: number }> {
    const store = await this.opts.store();
    const within = { start: params.start, end: params.end, ...scopeSpanQuery(scope, {}) };
    const query: SpanQuery = {
      ...within,
      tags: params.tags,
      ...(params.services ? { services: params.services } : {}),
      ...(params.names ? { names: params.names } : {}),
    };
    const matched = await store.find(query, SEARCH_SPANS, signal);
    const byTrace = new Map<string, SpanDoc[]>();
    for (const s of matched.spans) byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s]);
    const traces: TraceSummary[] = [];
    let inspected = 0;
    const ids = [...byTrace.keys()];
    for (let i = 0; i < ids.length && traces.length < params.limit; i += 100) {
      const chunk = ids.slice(i, i + 100);
      const all = await store.find({ ...scopeSpanQuery(scope, {}), traceIds: chunk }, this.opts.maxTraceSpans, signal);
      inspected += chunk.length;
      for (const id of chunk) {
        const summary = summarize(
          id,
          all.spans.filter((s) => s.traceId === id),
          byTrace.get(id) as SpanDoc[],
        );
        const nanos = summary.durationMs * 1e6;
        if (params.minDurationNanos !== undefined && nanos < params.minDurationNanos) continue;
        if (params.maxDurationNanos !== undefined && nanos > params.maxDurationNanos) continue;
        traces.push(summary);
        if (traces.length >= params.limit) break;
      }
    }
    return { traces, inspectedSpans: matched.spans.length, inspectedTraces: inspected };
  }

  /** Attribute keys of recent spans in scope (span and resource), plus the intrinsic `name`. */
  async tagNames(range: { start: number; end: number }, scope: Scope, signal?: AbortSignal): Promise<string[]> {
    const { spans } = await (
      await this.opts.store()
    ).find({ ...range, ...scopeSpanQuery(scope, {}) }, SAMPLE_SPANS, signal);
    const names = new Set<string>(['name']);
    for (const s of spans)
      for (const k of [...Object.keys(s.attributes), ...Object.keys(s.resource.attributes)]) names.add(k);
    return [...names].sort();
  }

  /** The values of span attribute `tag` in the time `range`. */
  async tagValues(
    { tag, range }: { tag: string; range: { start: number; end: number } },
    scope: Scope,
    signal?: AbortSignal,
  ): Promise<string[]> {
    const { spans } = await (
      await this.opts.store()
    ).find({ ...range, ...scopeSpanQuery(scope, {}) }, SAMPLE_SPANS, signal);
    const values = new Set<string>();
    for (const s of spans) {
      const v = tag === 'name' ? s.name : (s.attributes[tag] ?? s.resource.attributes[tag]);
      if (v !== undefined && v !== null) values.add(typeof v === 'string' ? v : JSON.stringify(v));
    }
    return [...values].sort();
  }

  async topology(
    params: {
      start?: number | undefined;
      end?: number | undefined;
      cluster?: string | undefined;
      namespace?: string | undefined;
      sources?: readonly TopologySource[] | undefined;
    },
    scope: Scope,
    signal?: AbortSignal,
  ): Promise<TopologyAnswer> {
    const end = params.end ?? this.now();
    const start = params.start ?? end - 3_600_000;
    if (start >= end) throw new InputError('start must be before end', [{ path: 'start', message: 'not before end' }]);
    // The scope check of cluster/namespace (403 outside it), but spans are read across the whole scope: an
    // edge into the asked cluster from another one needs the other end's span too.
    scopeSpanQuery(scope, params);
    const sources = params.sources ?? TOPOLOGY_SOURCES;
    const parts: { source: TopologySource; topology: Topology }[] = [];
    const warnings: string[] = [];
    let spansRead = 0;
    let partial = false;
    if (sources.includes('spans')) {
      const fromSpans = await this.spanTopology({ start, end }, scope, signal);
      parts.push({ source: 'spans', topology: fromSpans.topology });
      spansRead = fromSpans.read;
      partial = fromSpans.partial;
    }
    const mesh = sources.filter((s): s is MeshSource => s !== 'spans');
    // The federation only when a mesh source is asked for: a spans-only topology never starts it.
    const federation =
      mesh.length > 0 && this.opts.federation ? scopedFederation(await this.opts.federation(), scope) : undefined;
    for (const source of mesh) {
      if (!federation) break;
      const read = await meshTopology({ federation, sources: [source], start, end, ...(signal ? { signal } : {}) });
      parts.push({ source, topology: read.topology });
      warnings.push(...read.warnings);
      partial ||= read.partial;
    }
    const merged = parts.length === 1 ? (parts[0] as { topology: Topology }).topology : mergeTopologies(parts);
    return {
      ...filterTopology(merged, params),
      start,
      end,
      spans: spansRead,
      partial,
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  }

  /**
   * The spans' graph from the edges paired at ingest, grouped by the store; both ends inside the scope (an edge
   * shows only when the caller may see both its spans, as when the spans themselves were read).
   */
  private async spanTopology(
    window: { start: number; end: number },
    scope: Scope,
    signal?: AbortSignal,
  ): Promise<{ topology: Topology; read: number; partial: boolean }> {
    const { total, groups } = await (
      await this.opts.store()
    ).edgeAggregates({ ...window, ...scopeSpanQuery(scope, {}) }, this.opts.maxTopologyEdges, signal);
    const calls = groups.reduce((sum, g) => sum + g.requests, 0);
    return {
      topology: topologyFromEdges(groups, window.end - window.start),
      read: 2 * calls,
      partial: total > groups.length,
    };
  }
}

function summarize(traceID: string, spans: readonly SpanDoc[], matched: readonly SpanDoc[]): TraceSummary {
  const all = spans.length > 0 ? spans : matched;
  let first = all[0] as SpanDoc;
  let startNs = BigInt(first.startTimeUnixNano);
  let endNs = BigInt(first.endTimeUnixNano);
  for (const s of all) {
    if (BigInt(s.startTimeUnixNano) < startNs) [startNs, first] = [BigInt(s.startTimeUnixNano), s];
    if (BigInt(s.endTimeUnixNano) > endNs) endNs = BigInt(s.endTimeUnixNano);
  }
  const root = all.find((s) => s.parentSpanId === '') ?? first;
  return {
    traceID,
    rootServiceName: root.serviceName,
    rootTraceName: root.name,
    startTimeUnixNano: startNs.toString(),
    durationMs: Number(endNs - startNs) / 1e6,
    spanSet: {
      spans: matched.slice(0, 3).map((s) => ({
        spanID: s.spanId,
        startTimeUnixNano: s.startTimeUnixNano,
        durationNanos: String(s.durationInNanos),
      })),
      matched: matched.length,
    },
  };
}

const compareNanos = (a: string, b: string): number =>
  a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
