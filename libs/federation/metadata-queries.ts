import type { FederationConfig } from '../config/sections/federation.ts';
import { InputError, LimitError, NotFoundError } from '../errors/errors.ts';
import type { VectorSelector } from '../promql/ast.ts';
import { compareLabels, isValidLabelName, matcherMatches } from '../promql/labels.ts';
import { CLUSTER_LABEL } from '../promql/locality.ts';
import { parsePromQL } from '../promql/parser.ts';
import { PROMQL_ANY } from '../promql/parse-options.ts';
import { printExpr } from '../promql/printer.ts';
import { fanOut, type FanoutCall } from './cluster-fanout.ts';
import type { LabelsQuery, ListResult, MetricMetadata, SeriesQuery } from './federation.types.ts';
import type { ClusterClient, ClusterConfig } from './prometheus.client.ts';

/**
 * The metadata half of the Prometheus API (series, label names, label values), fanned out to the clusters
 * that `match[]` selectors allow, with `cluster` added. Base of FederatedQuery.
 */
export class MetadataQueries {
  protected readonly clusterNames: string[];
  protected readonly limits: FederationConfig;
  protected readonly client: ClusterClient;
  private readonly byName: Map<string, ClusterConfig>;

  constructor(opts: { clusters: readonly ClusterConfig[]; limits: FederationConfig; client: ClusterClient }) {
    this.clusterNames = opts.clusters.map((c) => c.name);
    this.byName = new Map(opts.clusters.map((c) => [c.name, c]));
    this.limits = opts.limits;
    this.client = opts.client;
  }

  clusters(): string[] {
    return [...this.clusterNames];
  }

  protected cluster(name: string): ClusterConfig {
    const c = this.byName.get(name);
    if (!c) throw new NotFoundError(`no cluster "${name}"`);
    return c;
  }

  async series(q: SeriesQuery, signal?: AbortSignal): Promise<ListResult<Record<string, string>>> {
    if (q.match.length === 0) throw new InputError('no match[] parameter provided');
    const { answers, calls, warnings } = await this.fan('series', q, signal);
    // Series of different clusters differ by `cluster`, and each cluster (replicas merged) lists a series once,
    // so concatenating is enough. The parsed answers are ours: `cluster` is set in place, no copies.
    const all: Record<string, string>[] = [];
    calls.forEach((c, i) => {
      for (const metric of (answers[i]?.data as Record<string, string>[] | undefined) ?? []) {
        metric[CLUSTER_LABEL] = c.cluster.name;
        all.push(metric);
      }
      if (all.length > this.limits.maxSeries)
        throw new LimitError(`more than federation.maxSeries=${this.limits.maxSeries} series match; narrow match[]`);
    });
    return { data: all.sort(compareLabels), warnings };
  }

  async labelNames(q: LabelsQuery = {}, signal?: AbortSignal): Promise<ListResult<string>> {
    const { answers, warnings } = await this.fan('labels', q, signal);
    const names = new Set<string>();
    for (const a of answers) for (const n of (a?.data as string[] | undefined) ?? []) names.add(n);
    if (answers.some((a) => a && (a.data as string[]).length > 0)) names.add(CLUSTER_LABEL);
    return { data: [...names].sort(), warnings };
  }

  async labelValues(name: string, q: LabelsQuery = {}, signal?: AbortSignal): Promise<ListResult<string>> {
    if (!isValidLabelName(name)) throw new InputError(`invalid label name: "${name}"`);
    if (name === CLUSTER_LABEL) {
      const { answers, calls, warnings } = await this.fan('labels', q, signal);
      const withData = calls
        .filter((_, i) => ((answers[i]?.data as string[] | undefined) ?? []).length > 0)
        .map((c) => c.cluster.name);
      return { data: [...new Set(withData)].sort(), warnings };
    }
    const { answers, warnings } = await this.fan(`label/${encodeURIComponent(name)}/values`, q, signal);
    const values = new Set<string>();
    for (const a of answers) for (const v of (a?.data as string[] | undefined) ?? []) values.add(v);
    return { data: [...values].sort(), warnings };
  }

  /** Metadata of every cluster, identical entries listed once (clusters usually run the same exporters). */
  async metadata(
    q: { metric?: string; limit?: number } = {},
    signal?: AbortSignal,
  ): Promise<{ data: Record<string, MetricMetadata[]>; warnings: string[] }> {
    const params = new URLSearchParams();
    if (q.metric) params.set('metric', q.metric);
    if (q.limit !== undefined) params.set('limit', String(q.limit));
    const calls = this.clusterNames.map((name) => ({ cluster: this.cluster(name), path: 'metadata', params }));
    const fan = await fanOut(this.client, calls, {
      partial: this.limits.partialResponse,
      timeoutMs: this.limits.timeoutMs,
      ...(signal ? { signal } : {}),
      asked: this.clusterNames,
    });
    const data: Record<string, MetricMetadata[]> = {};
    for (const a of fan.answers) {
      for (const [metric, entries] of Object.entries((a?.data as Record<string, MetricMetadata[]> | undefined) ?? {})) {
        const list = (data[metric] ??= []);
        for (const e of entries)
          if (!list.some((x) => x.type === e.type && x.help === e.help && x.unit === e.unit)) list.push(e);
      }
    }
    return { data, warnings: fan.warnings };
  }

  /** One call per cluster that some match[] selector allows, with `cluster` matchers taken out. */
  private async fan(path: string, q: LabelsQuery, signal?: AbortSignal) {
    const selectors = (q.match ?? []).map(parseSelector);
    const calls: FanoutCall[] = [];
    for (const name of this.clusterNames) {
      const mine = selectors.filter((s) =>
        s.matchers.every((m) => m.name !== CLUSTER_LABEL || matcherMatches(m, name)),
      );
      if (selectors.length > 0 && mine.length === 0) continue;
      const params = new URLSearchParams();
      for (const s of mine) params.append('match[]', printExpr(stripCluster(s)));
      if (q.start !== undefined) params.set('start', String(q.start));
      if (q.end !== undefined) params.set('end', String(q.end));
      calls.push({ cluster: this.cluster(name), path, params });
    }
    const asked = calls.map((c) => c.cluster.name);
    const fan = await fanOut(this.client, calls, {
      partial: this.limits.partialResponse,
      timeoutMs: this.limits.timeoutMs,
      ...(signal ? { signal } : {}),
      asked,
    });
    return { answers: fan.answers, calls, warnings: fan.warnings };
  }
}

function parseSelector(text: string): VectorSelector {
  const e = parsePromQL(text, PROMQL_ANY);
  if (e.kind !== 'vector') throw new InputError(`invalid parameter "match[]": "${text}" is not a series selector`);
  return e;
}

function stripCluster(s: VectorSelector): VectorSelector {
  const keep = s.matchers.filter((m) => m.name !== CLUSTER_LABEL);
  if (!keep.some((m) => !matcherMatches(m, ''))) keep.push({ name: '__name__', op: '=~', value: '.+' });
  return { ...s, matchers: keep };
}
