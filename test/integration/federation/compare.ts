// Result comparison for the differential suite: same series (by label set), values within a relative tolerance.
import { labelsKey } from '../../../libs/promql/labels.ts';
import { parseValue } from '../../../libs/promql/literals.ts';

export interface PromData {
  resultType: string;
  result: unknown;
}

type HistogramJson = { count: string; sum: string; buckets?: [number, string, string, string][] };
type Series = {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
  histogram?: [number, HistogramJson];
  histograms?: [number, HistogramJson][];
};

const REL = 1e-6;
/** Native histograms: the issue's bar, 1e-9 relative on every count, sum and bucket bound. */
const HIST_REL = 1e-9;

export function closeEnough(a: number, b: number, rel = REL): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  if (a === b) return true;
  return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b));
}

function points(s: Series): [number, string][] {
  return s.values ?? (s.value ? [s.value] : []);
}

function histogramPoints(s: Series): [number, HistogramJson][] {
  return s.histograms ?? (s.histogram ? [s.histogram] : []);
}

/** Undefined when equal within HIST_REL: same buckets (boundary kind, bounds, count), count and sum. */
export function diffHistograms(e: HistogramJson, a: HistogramJson): string | undefined {
  const num = (x: string, y: string) => closeEnough(parseValue(x), parseValue(y), HIST_REL);
  if (!num(e.count, a.count)) return `count ${a.count} != ${e.count}`;
  if (!num(e.sum, a.sum)) return `sum ${a.sum} != ${e.sum}`;
  const eb = e.buckets ?? [];
  const ab = a.buckets ?? [];
  if (eb.length !== ab.length) return `${ab.length} buckets, expected ${eb.length}`;
  for (let i = 0; i < eb.length; i++) {
    const [x, y] = [eb[i] as [number, string, string, string], ab[i] as [number, string, string, string]];
    if (x[0] !== y[0] || !num(x[1], y[1]) || !num(x[2], y[2]) || !num(x[3], y[3]))
      return `bucket ${i}: ${JSON.stringify(y)}, expected ${JSON.stringify(x)}`;
  }
  return undefined;
}

function diffHistogramPoints(e: Series, a: Series): string | undefined {
  const pe = histogramPoints(e);
  const pa = histogramPoints(a);
  if (pe.length !== pa.length)
    return `${JSON.stringify(e.metric)}: ${pa.length} histogram points, expected ${pe.length}`;
  for (let j = 0; j < pe.length; j++) {
    const [te, he] = pe[j] as [number, HistogramJson];
    const [ta, ha] = pa[j] as [number, HistogramJson];
    const d = te === ta ? diffHistograms(he, ha) : `t=${ta}`;
    if (d) return `${JSON.stringify(e.metric)} @${te}: ${d}`;
  }
  return undefined;
}

/** Undefined when equal; otherwise what differs. `ordered` also checks series order (sort, sort_desc). */
export function diffResults(
  expected: PromData,
  actual: PromData,
  { ordered, rel = REL }: { ordered: boolean; rel?: number },
): string | undefined {
  if (expected.resultType !== actual.resultType) return `resultType ${actual.resultType} != ${expected.resultType}`;
  if (expected.resultType === 'scalar' || expected.resultType === 'string') {
    const [te, ve] = expected.result as [number, string];
    const [ta, va] = actual.result as [number, string];
    if (te !== ta) return `time ${ta} != ${te}`;
    return expected.resultType === 'string'
      ? ve === va
        ? undefined
        : `"${va}" != "${ve}"`
      : closeEnough(parseValue(ve), parseValue(va), rel)
        ? undefined
        : `${va} != ${ve}`;
  }
  const exp = expected.result as Series[];
  const act = actual.result as Series[];
  if (exp.length !== act.length) return `${act.length} series, expected ${exp.length}`;
  const byKey = new Map(act.map((s) => [labelsKey(s.metric), s]));
  for (const [i, e] of exp.entries()) {
    const k = labelsKey(e.metric);
    const a = ordered ? act[i] : byKey.get(k);
    if (!a || labelsKey(a.metric) !== k)
      return `missing series ${JSON.stringify(e.metric)}${ordered ? ` at position ${i}` : ''}`;
    const pe = points(e);
    const pa = points(a);
    if (pe.length !== pa.length) return `${JSON.stringify(e.metric)}: ${pa.length} points, expected ${pe.length}`;
    for (let j = 0; j < pe.length; j++) {
      const [te, ve] = pe[j] as [number, string];
      const [ta, va] = pa[j] as [number, string];
      if (te !== ta || !closeEnough(parseValue(ve), parseValue(va), rel))
        return `${JSON.stringify(e.metric)} @${te}: ${va} (t=${ta}), expected ${ve}`;
    }
    const h = diffHistogramPoints(e, a);
    if (h) return h;
  }
  return undefined;
}
