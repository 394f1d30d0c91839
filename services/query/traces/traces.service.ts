import { scopeAllows, type Scope } from '../../../libs/auth/principal.ts';
import { InputError, NotFoundError } from '../../../libs/errors/errors.ts';
import type { SpanQuery, SpanStore, TraceMatch } from '../../../libs/store/spans/span-store.ts';
import { scopeSpanQuery } from '../../../libs/tenancy/span-scope.ts';
import type { SpanDoc } from '../../../libs/schemas/span-doc.ts';
import { filterTopology, topologyFromEdges, type Topology } from '../../../libs/traces/topology.ts';
import type { FederatedQueryService } from '../../../libs/federation/federation.types.ts';
import { scopedFederation } from '../../../libs/tenancy/scoped-federation.ts';
import { meshTopology, type MeshSource } from '../../../libs/traces/mesh-topology.ts';
import { mergeTopologies, type TopologySource } from '../../../libs/traces/topology-merge.ts';
import { CLUSTER_ATTRIBUTE } from '../../../libs/traces/tempo-format.ts';
import {
  compareNanos,
  groupByTrace,
  spanSetOf,
  summarize,
  withinDuration,
  type TraceSummary,
} from './trace-summary.ts';

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
  /** The stored cluster (Tempo tags `k8s.cluster.name=` / `cluster=`); must be inside the scope. */
  cluster?: string;
  services?: string[];
  names?: string[];
  tags: Record<string, string>;
  /** Bounds on the trace's duration in whole ms, inclusive, as Tempo compares them; absent or 0: none. */
  minDurationMs?: number;
  maxDurationMs?: number;
  limit: number;
  /** Matched spans listed per trace (Tempo's `spss`); default 3. */
  spansPerSpanSet?: number;
}

export type { TraceSummary };

export interface SearchAnswer {
  /** Newest trace start first, as Tempo's search combiner sorts them. */
  traces: TraceSummary[];
  inspectedSpans: number;
  inspectedTraces: number;
  /** Traces of the answer with more spans in scope than one trace read holds: summarized from the first read. */
  truncatedTraces: string[];
}

/** Tag names that mean the stored cluster: OpenTelemetry's resource attribute, and Pharos's own name. */
export const CLUSTER_TAGS: ReadonlySet<string> = new Set([CLUSTER_ATTRIBUTE, 'cluster']);

/** Candidate traces one search reads (with their newest matching spans); spans per trace listed at most. */
const SEARCH_TRACES = 1000;
const MAX_SPANS_PER_SET = 100;
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

  async search(params: SearchParams, scope: Scope, signal?: AbortSignal): Promise<SearchAnswer> {
    const store = await this.opts.store();
    const query: SpanQuery = {
      start: params.start,
      end: params.end,
      // The cluster is the one stored on the span (the intake's choice), whether or not the sender set
      // k8s.cluster.name; asked for outside the scope it is a 403, as for the record APIs.
      ...scopeSpanQuery(scope, params.cluster ? { cluster: params.cluster } : {}),
      tags: params.tags,
      ...(params.services ? { services: params.services } : {}),
      ...(params.names ? { names: params.names } : {}),
    };
    // Candidates trace by trace, the newest matching span first (a trace of 100,000 matching spans is one);
    // ids only: the matched spans are read for the traces of the answer alone (OpenSearch's inner hits cost
    // a search per trace: ~4 s for 1,000 candidates against ~0.2 s for the ids).
    const candidates = await store.findTraces(query, { traces: SEARCH_TRACES, spansPerTrace: 0 }, signal);
    const chosen: Omit<TraceSummary, 'spanSet'>[] = [];
    const truncatedTraces: string[] = [];
    let inspectedTraces = 0;
    let inspectedSpans = 0;
    for (let i = 0; i < candidates.length && chosen.length < params.limit; i += 100) {
      const chunk = candidates.slice(i, i + 100).map((c) => c.traceId);
      inspectedTraces += chunk.length;
      for (const t of await this.traceSpans(store, { ids: chunk, scope }, signal)) {
        inspectedSpans += t.spans.length;
        const summary = summarize(t.id, t.spans);
        if (!summary || !withinDuration(summary.durationMs, params)) continue;
        chosen.push(summary);
        if (t.cut) truncatedTraces.push(t.id);
        if (chosen.length >= params.limit) break;
      }
    }
    const perSet = Math.min(params.spansPerSpanSet ?? 3, MAX_SPANS_PER_SET);
    const sets = new Map<string, TraceMatch>();
    if (chosen.length > 0 && perSet > 0) {
      const ids = chosen.map((t) => t.traceID);
      const limits = { traces: ids.length, spansPerTrace: perSet };
      for (const m of await store.findTraces({ ...query, traceIds: ids }, limits, signal)) sets.set(m.traceId, m);
    }
    const traces = chosen.map((t) => ({ ...t, spanSet: spanSetOf(sets.get(t.traceID)) }));
    traces.sort((a, b) => compareNanos(b.startTimeUnixNano, a.startTimeUnixNano));
    return { traces, inspectedSpans, inspectedTraces, truncatedTraces };
  }

  /**
   * The spans in scope of each trace of `ids`, at most maxTraceSpans a trace (`cut` when it has more). One
   * read for all while they fit in maxTraceSpans; else trace by trace, so that one large trace (100,000
   * spans) neither crowds the others out of the read nor is read whole.
   */
  private async traceSpans(
    store: SpanStore,
    { ids, scope }: { ids: string[]; scope: Scope },
    signal?: AbortSignal,
  ): Promise<{ id: string; spans: SpanDoc[]; cut: boolean }[]> {
    const inScope = scopeSpanQuery(scope, {});
    const limit = this.opts.maxTraceSpans;
    const all = await store.find({ ...inScope, traceIds: ids }, limit, signal);
    if (all.total <= all.spans.length) {
      const grouped = groupByTrace(all.spans);
      return ids.map((id) => ({ id, spans: grouped.get(id) ?? [], cut: false }));
    }
    const out: { id: string; spans: SpanDoc[]; cut: boolean }[] = [];
    for (const id of ids) {
      const one = await store.find({ ...inScope, traceIds: [id] }, limit, signal);
      out.push({ id, spans: one.spans, cut: one.total > one.spans.length });
    }
    return out;
  }

  /**
   * Attribute keys of recent spans in scope (span and resource), plus the intrinsic `name` and, when there
   * are spans, `k8s.cluster.name` (every span has a stored cluster, set by the sender or not).
   */
  async tagNames(range: { start: number; end: number }, scope: Scope, signal?: AbortSignal): Promise<string[]> {
    const { spans } = await (
      await this.opts.store()
    ).find({ ...range, ...scopeSpanQuery(scope, {}) }, SAMPLE_SPANS, signal);
    const names = new Set<string>(['name']);
    if (spans.length > 0) names.add(CLUSTER_ATTRIBUTE);
    for (const s of spans)
      for (const k of [...Object.keys(s.attributes), ...Object.keys(s.resource.attributes)]) names.add(k);
    return [...names].sort();
  }

  /**
   * The values of span attribute `tag` in the time `range`. For `k8s.cluster.name` (and Pharos's `cluster`)
   * the stored clusters of every span in range and scope, not a sample: the intake may have assigned them.
   */
  async tagValues(
    { tag, range }: { tag: string; range: { start: number; end: number } },
    scope: Scope,
    signal?: AbortSignal,
  ): Promise<string[]> {
    const store = await this.opts.store();
    const inScope = { ...range, ...scopeSpanQuery(scope, {}) };
    if (CLUSTER_TAGS.has(tag)) return store.clusters(inScope, signal);
    const { spans } = await store.find(inScope, SAMPLE_SPANS, signal);
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
