import type { FloatHistogram } from '../histogram/float-histogram.ts';
import type { Labels } from '../labels.ts';
import type { AggregateArgs } from './aggregate.ts';
import { kahanInc } from './kahan.ts';
import { quantile } from './quantile.ts';
import type { Sample } from './values.ts';

/** One group of an aggregation step, as engine.go's groupedAggregation holds it. */
export interface Group {
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

/** The values of a group that is not a quantile's: none are kept (accumulate pushes only for quantile). */
const NO_VALUES: number[] = [];

export function newGroup(a: AggregateArgs, s: Sample, labels: Labels): Group {
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

export function accumulate(a: AggregateArgs, g: Group, s: Sample): void {
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

export function finish(a: AggregateArgs, ordered: Group[]): Sample[] {
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
