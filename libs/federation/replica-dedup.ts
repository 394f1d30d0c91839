import { labelsKey } from '../promql/labels.ts';
import { isCompactSeries, type CompactSeries } from './compact-series.ts';

type Series =
  | { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }
  | (CompactSeries & { values?: undefined });

function strip(metric: Record<string, string>, replicaLabel: string): Record<string, string> {
  if (!(replicaLabel in metric)) return metric;
  const { [replicaLabel]: _drop, ...rest } = metric;
  return rest;
}

/**
 * Merges the answers of HA replicas holding the same data (listed in preference order): the replica label is
 * removed, each series is taken from the first replica that has it, and a matrix's missing timestamps are
 * filled from the other replicas (the Thanos "one replica per series, gaps filled" rule).
 */
export function dedupReplicas(path: string, answers: unknown[], replicaLabel: string): unknown {
  if (path === 'labels' || path.startsWith('label/'))
    return [...new Set(answers.flatMap((a) => (a as string[]) ?? []))].filter((l) => l !== replicaLabel).sort();
  if (path === 'series')
    return dedupSeries(
      answers.map((a) => (a as Record<string, string>[]).map((metric) => ({ metric }))),
      replicaLabel,
    ).map((s) => s.metric);
  if (path === 'query' || path === 'query_range') {
    const first = answers[0] as { resultType: string; result: unknown };
    if (first.resultType !== 'vector' && first.resultType !== 'matrix') return first;
    const result = dedupSeries(
      answers.map((a) => (a as { result: Series[] }).result),
      replicaLabel,
    );
    return { resultType: first.resultType, result };
  }
  return answers[0];
}

function dedupSeries(lists: Series[][], replicaLabel: string): Series[] {
  const byKey = new Map<string, Series>();
  for (const list of lists) {
    for (const s of list) {
      const metric = strip(s.metric, replicaLabel);
      const key = labelsKey(metric);
      const have = byKey.get(key);
      if (!have) byKey.set(key, { ...s, metric });
      else if (isCompactSeries(have) && isCompactSeries(s)) fillCompactGaps(have, s);
      else if (have.values && s.values) have.values = fillGaps(have.values, s.values);
    }
  }
  return [...byKey.values()];
}

function fillGaps(primary: [number, string][], other: [number, string][]): [number, string][] {
  const seen = new Set(primary.map((p) => p[0]));
  const extra = other.filter((p) => !seen.has(p[0]));
  if (extra.length === 0) return primary;
  return [...primary, ...extra].sort((a, b) => a[0] - b[0]);
}

/** fillGaps over decoded series (PromAnswerStream): the other replica's points at times the first lacks. */
function fillCompactGaps(primary: CompactSeries, other: CompactSeries): void {
  if (primary.instant) return;
  const seen = new Set(primary.t);
  const extra: number[] = [];
  other.t.forEach((t, i) => {
    if (!seen.has(t)) extra.push(i);
  });
  if (extra.length === 0) return;
  const order = [...primary.t.keys()].map((i) => ({ t: primary.t[i] as number, v: primary.v[i] as number }));
  for (const i of extra) order.push({ t: other.t[i] as number, v: other.v[i] as number });
  order.sort((a, b) => a.t - b.t);
  primary.t = Float64Array.from(order, (p) => p.t);
  primary.v = Float64Array.from(order, (p) => p.v);
}
