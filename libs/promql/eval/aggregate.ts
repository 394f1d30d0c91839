import { UnprocessableError } from '../../errors/errors.ts';
import type { AggregateOp } from '../ast.ts';
import { HistogramPartialsError, type FloatHistogram } from '../histogram/float-histogram.ts';
import { formatValue } from '../literals.ts';
import { isValidLabelName, sortedNames, type Labels } from '../labels.ts';
import { aggregateK, kParam } from './aggregate-k.ts';
import { checkCandidates, combineMoments } from './aggregate-partials.ts';
import { kahanInc } from './kahan.ts';
import { quantile } from './quantile.ts';
import type { Sample } from './values.ts';

interface Group {
  labels: Labels;
  value: number;
  /** Kahan compensation (3.x sum and avg). */
  c: number;
  mean: number;
  count: number;
  incremental: boolean;
  values: number[];
  hist?: FloatHistogram;
  hasFloat: boolean;
  hasHistogram: boolean;
}

export interface AggregateArgs {
  op: AggregateOp;
  grouping: string[];
  without: boolean;
  /** Whose engine.go to follow: 2.42 or 3.x (Kahan sums, native histograms, the new topk heap). */
  version: 2 | 3;
  /** k of topk/bottomk/limitk, φ of quantile. */
  param?: number;
  /** The label of count_values. */
  label?: string;
  /**
   * The input is per-cluster partial aggregates (planner pushdown): histograms there are not added (see
   * HistogramPartialsError).
   */
  partials?: boolean;
  /** The input is another partial form the clusters computed (ast.ts Aggregate.partialForm). */
  form?: 'moments' | 'candidates' | 'ordered-candidates';
  /** Annotations: a histogram left out, or floats and histograms mixed in a group. */
  note?: (kind: 'ignored' | 'mixed') => void;
  /**
   * Each input label set's group, remembered across the steps of one evaluation (label-memo.ts); the groups'
   * label sets are then the same objects at every step.
   */
  groups?: Map<Labels, GroupOf>;
}

/** The group of one input label set: its key, and the labels the group's output has. */
export interface GroupOf {
  key: string;
  labels: Labels;
}

/**
 * One aggregation step, as engine.go's aggregation() of the members' version computes it (same order, same float
 * steps).
 */
export function aggregate(a: AggregateArgs, vec: Sample[]): Sample[] {
  if (a.form === 'moments') return combineMoments(a, vec);
  if (a.form === 'candidates' || a.form === 'ordered-candidates') checkCandidates(a, vec);
  if (a.op === 'topk' || a.op === 'bottomk' || a.op === 'limitk' || a.op === 'limit_ratio') return aggregateK(a, vec);
  let grouping = a.grouping;
  if (a.op === 'count_values') {
    const valid = a.version === 3 ? (a.label ?? '') !== '' : isValidLabelName(a.label ?? '');
    if (!a.label || !valid) throw new UnprocessableError(`invalid label name "${a.label ?? ''}"`);
    if (!a.without) grouping = [...grouping, a.label];
  }
  const sortedGrouping = [...grouping].sort();
  // count_values adds the value to every input's labels: new label sets at each step, nothing to remember.
  const memo = a.op === 'count_values' ? undefined : a.groups;
  const groups = new Map<string, Group>();
  const ordered: Group[] = [];
  for (const s0 of vec) {
    const s =
      a.op === 'count_values'
        ? {
            labels: {
              ...s0.labels,
              [a.label as string]: s0.histogram ? histogramString(s0.histogram) : formatValue(s0.value),
            },
            value: s0.value,
          }
        : s0;
    if (a.version === 2 && s.histogram)
      throw new UnprocessableError('native histograms are not aggregated under Prometheus 2 semantics');
    // 3.x leaves histograms out of min, max, stddev, stdvar and quantile (with an info annotation).
    if (s.histogram && ['min', 'max', 'stddev', 'stdvar', 'quantile'].includes(a.op)) {
      a.note?.('ignored');
      continue;
    }
    let known = memo?.get(s.labels);
    if (memo && !known)
      memo.set(
        s.labels,
        (known = {
          key: groupKey(s.labels, sortedGrouping, a.without),
          labels: groupLabels(s.labels, grouping, a.without),
        }),
      );
    const key = known ? known.key : groupKey(s.labels, sortedGrouping, a.without);
    const g = groups.get(key);
    if (a.partials && s.histogram && g) throw new HistogramPartialsError();
    if (!g) {
      const ng = newGroup(a, s, known ? known.labels : groupLabels(s.labels, grouping, a.without));
      groups.set(key, ng);
      ordered.push(ng);
      continue;
    }
    accumulate(a, g, s);
  }
  return finish(a, ordered);
}

/** The values of a group that is not a quantile's: none are kept (accumulate pushes only for quantile). */
const NO_VALUES: number[] = [];

function newGroup(a: AggregateArgs, s: Sample, labels: Labels): Group {
  const g: Group = {
    labels,
    value: s.value,
    c: 0,
    mean: s.value,
    count: 1,
    incremental: false,
    values: a.op === 'quantile' ? [s.value] : NO_VALUES,
    hasFloat: !s.histogram,
    hasHistogram: !!s.histogram,
  };
  if (s.histogram && (a.op === 'sum' || a.op === 'avg')) g.hist = s.histogram.copy();
  if (a.op === 'stddev' || a.op === 'stdvar') g.value = a.version === 3 && !Number.isFinite(s.value) ? NaN : 0;
  if (a.op === 'group') g.value = 1;
  return g;
}

function accumulate(a: AggregateArgs, g: Group, s: Sample): void {
  switch (a.op) {
    case 'sum':
      if (s.histogram) {
        g.hasHistogram = true;
        g.hist?.addScaled(s.histogram, 1);
      } else {
        g.hasFloat = true;
        if (a.version === 3) [g.value, g.c] = kahanInc(s.value, g.value, g.c);
        else g.value += s.value;
      }
      break;
    case 'avg':
      g.count++;
      if (s.histogram) {
        g.hasHistogram = true;
        g.hist?.addScaled(s.histogram, 1);
      } else {
        g.hasFloat = true;
        if (a.version === 3) avgStep3(g, s.value);
        else avgStep2(g, s.value);
      }
      break;
    case 'max':
      if (g.value < s.value || Number.isNaN(g.value)) g.value = s.value;
      break;
    case 'min':
      if (g.value > s.value || Number.isNaN(g.value)) g.value = s.value;
      break;
    case 'count':
    case 'count_values':
      g.count++;
      break;
    case 'stddev':
    case 'stdvar': {
      g.count++;
      const delta = s.value - g.mean;
      g.mean += delta / g.count;
      g.value += delta * (s.value - g.mean);
      break;
    }
    case 'quantile':
      g.values.push(s.value);
      break;
    default:
      break;
  }
}

/** The incremental mean of 2.42, with its guards for infinities. */
function avgStep2(g: Group, v: number): void {
  if (!Number.isFinite(g.mean) && !Number.isNaN(g.mean)) {
    if (!Number.isFinite(v) && !Number.isNaN(v) && g.mean > 0 === v > 0) return;
    if (Number.isFinite(v)) return;
  }
  g.mean += v / g.count - g.mean / g.count;
}

/** 3.x: the direct mean with Kahan summation while the sum stays finite, then the incremental mean. */
function avgStep3(g: Group, v: number): void {
  if (!g.incremental) {
    const [ns, nc] = kahanInc(v, g.value, g.c);
    if (Number.isFinite(ns) || Number.isNaN(ns)) {
      [g.value, g.c] = [ns, nc];
      return;
    }
    g.incremental = true;
    g.mean = g.value / (g.count - 1);
    g.c /= g.count - 1;
  }
  const q = (g.count - 1) / g.count;
  [g.mean, g.c] = kahanInc(v / g.count, q * g.mean, q * g.c);
}

function finish(a: AggregateArgs, ordered: Group[]): Sample[] {
  const out: Sample[] = [];
  for (const g of ordered) {
    // A group mixing floats and histograms gives nothing (and a warning) in 3.x sum and avg.
    if ((a.op === 'sum' || a.op === 'avg') && g.hasFloat && g.hasHistogram) {
      a.note?.('mixed');
      continue;
    }
    if (g.hist && (a.op === 'sum' || a.op === 'avg')) {
      const h = a.op === 'avg' ? g.hist.div(g.count) : g.hist;
      out.push({ labels: g.labels, value: NaN, histogram: h.compact() });
      continue;
    }
    switch (a.op) {
      case 'sum':
        if (a.version === 3) g.value += g.c;
        break;
      case 'avg':
        if (a.version === 2) g.value = g.mean;
        else g.value = g.incremental ? g.mean + g.c : g.value / g.count + g.c / g.count;
        break;
      case 'count':
      case 'count_values':
        g.value = g.count;
        break;
      case 'stdvar':
        g.value = g.value / g.count;
        break;
      case 'stddev':
        g.value = Math.sqrt(g.value / g.count);
        break;
      case 'quantile':
        g.value = quantile(a.param ?? NaN, g.values, a.version);
        break;
      default:
        break;
    }
    out.push({ labels: g.labels, value: g.value });
  }
  return out;
}

/** count_values over a histogram labels it with FloatHistogram.String(); Pharos cannot reproduce that text. */
function histogramString(_h: FloatHistogram): never {
  throw new UnprocessableError(
    'count_values() over native histograms above merged cluster answers cannot be federated exactly',
  );
}

/** `grouping` sorted by the caller. */
export function groupKey(l: Labels, grouping: string[], without: boolean): string {
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

export { kParam };
