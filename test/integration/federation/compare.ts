// Result comparison for the differential suite: same series (by label set), values within a relative tolerance.
import { labelsKey } from '../../../libs/promql/labels.ts';
import { parseValue } from '../../../libs/promql/literals.ts';

export interface PromData {
  resultType: string;
  result: unknown;
}

type Series = { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] };

const REL = 1e-6;

export function closeEnough(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  if (a === b) return true;
  return Math.abs(a - b) <= REL * Math.max(Math.abs(a), Math.abs(b));
}

function points(s: Series): [number, string][] {
  return s.values ?? (s.value ? [s.value] : []);
}

/** Undefined when equal; otherwise what differs. `ordered` also checks series order (sort, sort_desc). */
export function diffResults(expected: PromData, actual: PromData, ordered: boolean): string | undefined {
  if (expected.resultType !== actual.resultType) return `resultType ${actual.resultType} != ${expected.resultType}`;
  if (expected.resultType === 'scalar' || expected.resultType === 'string') {
    const [te, ve] = expected.result as [number, string];
    const [ta, va] = actual.result as [number, string];
    if (te !== ta) return `time ${ta} != ${te}`;
    return expected.resultType === 'string' ? (ve === va ? undefined : `"${va}" != "${ve}"`) : closeEnough(parseValue(ve), parseValue(va)) ? undefined : `${va} != ${ve}`;
  }
  const exp = expected.result as Series[];
  const act = actual.result as Series[];
  if (exp.length !== act.length) return `${act.length} series, expected ${exp.length}`;
  const byKey = new Map(act.map((s) => [labelsKey(s.metric), s]));
  for (const [i, e] of exp.entries()) {
    const k = labelsKey(e.metric);
    const a = ordered ? act[i] : byKey.get(k);
    if (!a || labelsKey(a.metric) !== k) return `missing series ${JSON.stringify(e.metric)}${ordered ? ` at position ${i}` : ''}`;
    const pe = points(e);
    const pa = points(a);
    if (pe.length !== pa.length) return `${JSON.stringify(e.metric)}: ${pa.length} points, expected ${pe.length}`;
    for (let j = 0; j < pe.length; j++) {
      const [te, ve] = pe[j] as [number, string];
      const [ta, va] = pa[j] as [number, string];
      if (te !== ta || !closeEnough(parseValue(ve), parseValue(va))) return `${JSON.stringify(e.metric)} @${te}: ${va} (t=${ta}), expected ${ve}`;
    }
  }
  return undefined;
}
