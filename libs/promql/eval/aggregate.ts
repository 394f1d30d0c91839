import { UnprocessableError } from '../../errors/errors.ts';
import type { AggregateOp } from '../ast.ts';
import { formatValue } from '../literals.ts';
import { isValidLabelName, sortedNames, type Labels } from '../labels.ts';
import { quantile } from './quantile.ts';
import { goHeapPop, goHeapPush } from './go-heap.ts';
import { greaterNaNFirst, lessNaNFirst, type Sample } from './values.ts';

interface Group {
  labels: Labels;
  value: number;
  mean: number;
  count: number;
  heap: Sample[];
}

export interface AggregateArgs {
  op: AggregateOp;
  grouping: string[];
  without: boolean;
  /** k of topk/bottomk, φ of quantile. */
  param?: number;
  /** The label of count_values. */
  label?: string;
}

/** One aggregation step, as engine.go's aggregation() in Prometheus 2.42 computes it (same order, same float steps). */
export function aggregate(a: AggregateArgs, vec: Sample[]): Sample[] {
  let k = 0;
  if (a.op === 'topk' || a.op === 'bottomk') {
    const f = a.param ?? NaN;
    if (!(Math.abs(f) <= 2 ** 63)) throw new UnprocessableError(`Scalar value ${formatValue(f)} overflows int64`);
    k = Math.trunc(f);
    if (k < 1) return [];
  }
  let grouping = a.grouping;
  if (a.op === 'count_values') {
    if (!a.label || !isValidLabelName(a.label)) throw new UnprocessableError(`invalid label name "${a.label ?? ''}"`);
    if (!a.without) grouping = [...grouping, a.label];
  }
  const sortedGrouping = [...grouping].sort();
  const groups = new Map<string, Group>();
  const ordered: Group[] = [];
  for (const s0 of vec) {
    const s = a.op === 'count_values' ? { labels: { ...s0.labels, [a.label as string]: formatValue(s0.value) }, value: s0.value } : s0;
    const key = groupKey(s.labels, sortedGrouping, a.without);
    const g = groups.get(key);
    if (!g) {
      const ng: Group = { labels: groupLabels(s.labels, grouping, a.without), value: s.value, mean: s.value, count: 1, heap: [] };
      if (a.op === 'stddev' || a.op === 'stdvar') ng.value = 0;
      if (a.op === 'topk' || a.op === 'bottomk' || a.op === 'quantile') ng.heap = [s];
      if (a.op === 'group') ng.value = 1;
      groups.set(key, ng);
      ordered.push(ng);
      continue;
    }
    accumulate(a.op, g, s, k);
  }
  return finish(a, ordered);
}

function accumulate(op: AggregateOp, g: Group, s: Sample, k: number): void {
  switch (op) {
    case 'sum': g.value += s.value; break;
    case 'avg': avgStep(g, s.value); break;
    case 'max': if (g.value < s.value || Number.isNaN(g.value)) g.value = s.value; break;
    case 'min': if (g.value > s.value || Number.isNaN(g.value)) g.value = s.value; break;
    case 'count':
    case 'count_values': g.count++; break;
    case 'stddev':
    case 'stdvar': {
      g.count++;
      const delta = s.value - g.mean;
      g.mean += delta / g.count;
      g.value += delta * (s.value - g.mean);
      break;
    }
    case 'topk': heapOffer(g.heap, s, k, lessNaNFirst); break;
    case 'bottomk': heapOffer(g.heap, s, k, greaterNaNFirst); break;
    case 'quantile': g.heap.push(s); break;
    case 'group': break;
  }
}

/** The incremental mean of 2.42, with its guards for infinities. */
function avgStep(g: Group, v: number): void {
  g.count++;
  if (!Number.isFinite(g.mean) && !Number.isNaN(g.mean)) {
    if (!Number.isFinite(v) && !Number.isNaN(v) && g.mean > 0 === v > 0) return;
    if (Number.isFinite(v)) return;
  }
  g.mean += v / g.count - g.mean / g.count;
}

/** topk keeps a min-heap of k (bottomk a max-heap); a better sample replaces the root. */
function heapOffer(heap: Sample[], s: Sample, k: number, less: (a: number, b: number) => boolean): void {
  const root = heap[0] as Sample;
  if (heap.length < k || less(root.value, s.value)) {
    if (heap.length === k) {
      if (k === 1) {
        heap[0] = s;
        return;
      }
      goHeapPop(heap, (x, y) => less(x.value, y.value));
    }
    goHeapPush(heap, s, (x, y) => less(x.value, y.value));
  }
}

function finish(a: AggregateArgs, ordered: Group[]): Sample[] {
  const out: Sample[] = [];
  for (const g of ordered) {
    switch (a.op) {
      case 'avg': g.value = g.mean; break;
      case 'count':
      case 'count_values': g.value = g.count; break;
      case 'stdvar': g.value = g.value / g.count; break;
      case 'stddev': g.value = Math.sqrt(g.value / g.count); break;
      case 'topk':
        out.push(...[...g.heap].sort((x, y) => (lessNaNFirst(y.value, x.value) ? -1 : lessNaNFirst(x.value, y.value) ? 1 : 0)));
        continue;
      case 'bottomk':
        out.push(...[...g.heap].sort((x, y) => (greaterNaNFirst(y.value, x.value) ? -1 : greaterNaNFirst(x.value, y.value) ? 1 : 0)));
        continue;
      case 'quantile': g.value = quantile(a.param ?? NaN, g.heap.map((s) => s.value)); break;
      default: break;
    }
    out.push({ labels: g.labels, value: g.value });
  }
  return out;
}

/** `grouping` sorted by the caller. */
function groupKey(l: Labels, grouping: string[], without: boolean): string {
  let k = '';
  if (without) {
    for (const n of sortedNames(l)) if (n !== '__name__' && !grouping.includes(n)) k += `${n}\xff${l[n]}\xfe`;
  } else for (const n of grouping) if (l[n] !== undefined) k += `${n}\xff${l[n]}\xfe`;
  return k;
}

function groupLabels(l: Labels, grouping: string[], without: boolean): Labels {
  const out: Labels = {};
  for (const [n, v] of Object.entries(l)) {
    const listed = grouping.includes(n);
    if (without ? !listed && n !== '__name__' : listed) out[n] = v;
  }
  return out;
}
