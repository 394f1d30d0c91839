import { formatValue, parseValue } from '../promql/literals.ts';
import type { PromSample } from './federation.types.ts';

/**
 * One series of a member's `vector` or `matrix` answer, its float points in two arrays (times in seconds as the
 * member wrote them, values as parseValue reads them) instead of a `[t, "v"]` array and a string per point:
 * 16 bytes a point. Native histograms stay as the member's JSON has them (histogramFromJson reads that).
 */
export interface CompactSeries {
  metric: Record<string, string>;
  t: Float64Array;
  v: Float64Array;
  /** The answer was a vector: its one point came as `value` / `histogram`. */
  instant: boolean;
  /** A matrix series had a `values` key (Prometheus 3 leaves it out of a series of native histograms only). */
  hasValues: boolean;
  histograms?: [number, unknown][];
}

/** A member's `vector` / `matrix` data, decoded by PromAnswerStream. */
export interface CompactData {
  resultType: string;
  result: CompactSeries[];
}

export const isCompactSeries = (s: unknown): s is CompactSeries =>
  typeof s === 'object' && s !== null && (s as CompactSeries).t instanceof Float64Array;

/**
 * A sample's value as Prometheus (2.42 and 3.16) writes it in a vector or matrix (util/jsonutil.MarshalFloat):
 * strconv.FormatFloat(v, 'e', -1, 64) when 0 < |v| < 1e-6 or |v| ≥ 1e21, else 'f' (`-0` kept); "NaN", "+Inf",
 * "-Inf". (A scalar result is always 'f'.) For a series that came from a ClusterClient in the compact form and is
 * passed through.
 */
export function memberFloat(v: number): string {
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21) && Number.isFinite(v)) {
    const [m, e] = v.toExponential().split('e') as [string, string];
    const exp = Number(e);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return v === 0 && Object.is(v, -0) ? '-0' : formatValue(v);
}

/** The Prometheus JSON shape of a decoded series (a pass-through answer, cluster-local: no evaluation above it). */
export function toPromSample(s: CompactSeries): PromSample {
  const out: PromSample = { metric: s.metric };
  const n = s.t.length;
  if (s.instant) {
    if (n > 0) out.value = [s.t[0] as number, memberFloat(s.v[0] as number)];
    const h = s.histograms?.[0];
    if (h) out.histogram = h;
    return out;
  }
  if (s.hasValues) {
    const values = new Array<[number, string]>(n);
    for (let i = 0; i < n; i++) values[i] = [s.t[i] as number, memberFloat(s.v[i] as number)];
    out.values = values;
  }
  if (s.histograms) out.histograms = s.histograms;
  return out;
}

/** A series in the Prometheus JSON shape (a ClusterClient that is not the HTTP one, e.g. a test's fake). */
export function fromPromSample(s: PromSample): CompactSeries {
  const points: [number, string][] = s.value ? [s.value] : (s.values ?? []);
  const out: CompactSeries = {
    metric: s.metric ?? {},
    t: Float64Array.from(points, (p) => p[0]),
    v: Float64Array.from(points, (p) => parseValue(p[1])),
    instant: s.value !== undefined || s.histogram !== undefined,
    hasValues: s.values !== undefined,
  };
  const histograms = s.histogram ? [s.histogram] : s.histograms;
  if (histograms) out.histograms = histograms;
  return out;
}
