import type { Scope } from '../../../libs/auth/principal.ts';
import { FIXTURE_END, FIXTURE_START, PROMETHEUS_PORTS } from '../../fixtures/prometheus/generate.ts';

export const UNION_URL = `http://127.0.0.1:${PROMETHEUS_PORTS.union}`;

export interface PromSeries {
  metric: Record<string, string>;
  value?: [number, string];
}

export interface PromEnvelope<T = unknown> {
  status: 'success' | 'error';
  data: T;
  errorType?: string;
  error?: string;
}

/** GET against the union Prometheus, repeating `match[]` as Prometheus expects. */
export async function unionGet<T>(
  path: string,
  params: Record<string, string | number>,
  match: readonly string[] = [],
): Promise<PromEnvelope<T>> {
  const qs = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  for (const m of match) qs.append('match[]', m);
  const res = await fetch(`${UNION_URL}${path}?${qs}`, { signal: AbortSignal.timeout(30_000) });
  return (await res.json()) as PromEnvelope<T>;
}

export const windowParams = { start: FIXTURE_START, end: FIXTURE_END };

/** A vector answer as `labels → value`, key-sorted, so two answers compare with toEqual. */
export function canonical(result: readonly PromSeries[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of result) {
    const key = JSON.stringify(Object.entries(s.metric).sort(([a], [b]) => a.localeCompare(b)));
    out[key] = Number(s.value?.[1]);
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** Labels naming a cluster or namespace outside the scope: must never appear in an answer. */
export function leaks(labelSets: ReadonlyArray<Record<string, string>>, scope: Scope): Array<Record<string, string>> {
  return labelSets.filter(
    (l) =>
      (l.namespace !== undefined && !scope.namespaces.includes('*') && !scope.namespaces.includes(l.namespace)) ||
      (l.cluster !== undefined && !scope.clusters.includes('*') && !scope.clusters.includes(l.cluster)),
  );
}
