import { UnprocessableError } from '../../errors/errors.ts';
import { formatValue } from '../literals.ts';
import type { Labels } from '../labels.ts';
import type { AggregateArgs } from './aggregate.ts';
import { groupKey } from './aggregate.ts';
import { goHeapFix, goHeapPop, goHeapPush } from './go-heap.ts';
import { greaterNaNFirst, lessNaNFirst, type Sample } from './values.ts';

/**
 * topk, bottomk and limitk at one step (aggregationK in engine.go). 2.42 pops the heap's root and pushes the
 * newcomer; 3.x overwrites the root and fixes the heap, caps k at the number of series, and leaves native
 * histograms out of topk/bottomk. Which series win a tie follows from that, so both are kept.
 */
export function kParam(f: number | undefined, version: 2 | 3): number {
  const v = f ?? NaN;
  if (version === 3 && Number.isNaN(v)) throw new UnprocessableError('Parameter value is NaN');
  if (!(Math.abs(v) <= 2 ** 63))
    throw new UnprocessableError(`Scalar value ${formatValue(v)} ${v < 0 ? 'underflows' : 'overflows'} int64`);
  return Math.trunc(v);
}

interface KGroup {
  labels: Labels;
  heap: Sample[];
}

export function aggregateK(a: AggregateArgs, vec: Sample[]): Sample[] {
  if (a.op === 'limit_ratio')
    throw new UnprocessableError(
      "limit_ratio() across clusters cannot be federated exactly (it samples by Prometheus's label hash)",
    );
  let k = kParam(a.param, a.version);
  if (a.version === 3) k = Math.min(k, vec.length);
  if (k < 1) return [];
  const sortedGrouping = [...a.grouping].sort();
  const groups = new Map<string, KGroup>();
  const ordered: KGroup[] = [];
  const topLess = (x: Sample, y: Sample) => lessNaNFirst(x.value, y.value);
  const bottomLess = (x: Sample, y: Sample) => greaterNaNFirst(x.value, y.value);
  const kept: KeptOrder = {
    k,
    less: a.op === 'topk' ? topLess : bottomLess,
    beats: a.op === 'topk' ? (r, x) => r < x : (r, x) => r > x,
  };
  const one = a.grouping.length === 0 && !a.without;
  for (const s of vec) {
    if (s.histogram && a.op !== 'limitk') {
      if (a.version === 2)
        throw new UnprocessableError('native histograms are not aggregated under Prometheus 2 semantics');
      a.note?.('ignored');
      continue;
    }
    // No by/without labels: one group, no key (an empty one for every sample).
    const key = one ? '' : keyOf(a, s.labels, sortedGrouping);
    let g = one ? ordered[0] : groups.get(key);
    if (!g) {
      g = { labels: s.labels, heap: [s] };
      if (!one) groups.set(key, g);
      ordered.push(g);
      continue;
    }
    if (a.op === 'limitk') {
      if (g.heap.length < k) g.heap.push(s);
      continue;
    }
    if (a.version === 2) offer2(g.heap, s, kept);
    else offer3(g.heap, s, kept);
  }
  const out: Sample[] = [];
  for (const g of ordered) {
    if (a.op === 'limitk') {
      out.push(...g.heap);
      continue;
    }
    const less = a.op === 'topk' ? topLess : bottomLess;
    out.push(...[...g.heap].sort((x, y) => (less(y, x) ? -1 : less(x, y) ? 1 : 0)));
  }
  return out;
}

/** A sample's group key, through the memo (label-memo.ts) when there is one; only the key is used there. */
function keyOf(a: AggregateArgs, l: Labels, sortedGrouping: string[]): string {
  let known = a.groups?.get(l);
  if (a.groups && !known) a.groups.set(l, (known = { key: groupKey(l, sortedGrouping, a.without), labels: l }));
  return known ? known.key : groupKey(l, sortedGrouping, a.without);
}

/**
 * Which samples a topk/bottomk group keeps: `k` of them; `less` orders the heap (its root is the first to go),
 * `beats(root, x)` tells whether x displaces the root value (3.x).
 */
interface KeptOrder {
  k: number;
  less: (a: Sample, b: Sample) => boolean;
  beats: (root: number, x: number) => boolean;
}

/** 2.42: a better sample pops the root and is pushed. */
function offer2(heap: Sample[], s: Sample, { k, less }: KeptOrder): void {
  const root = heap[0] as Sample;
  if (heap.length < k || less(root, s)) {
    if (heap.length === k) {
      if (k === 1) {
        heap[0] = s;
        return;
      }
      goHeapPop(heap, less);
    }
    goHeapPush(heap, s, less);
  }
}

/** 3.x: push while there is room; a better sample (or a number over a NaN root) overwrites the root, then fixed. */
function offer3(heap: Sample[], s: Sample, { k, less, beats }: KeptOrder): void {
  if (heap.length < k) {
    goHeapPush(heap, s, less);
    return;
  }
  const root = (heap[0] as Sample).value;
  if (beats(root, s.value) || (Number.isNaN(root) && !Number.isNaN(s.value))) {
    heap[0] = s;
    if (k > 1) goHeapFix(heap, 0, less);
  }
}
