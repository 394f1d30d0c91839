import { UnprocessableError } from '../../errors/errors.ts';
import { dropName, isValidLabelName, labelsKey, type Labels } from '../labels.ts';
import { compileMatcherRegex, expandTemplate, type Regex } from '../regex.ts';
import { bucketQuantile } from './quantile.ts';
import type { Sample } from './values.ts';

/**
 * The instant-vector functions Pharos evaluates above merged cluster answers (promql/functions.go, 2.42).
 * Range-vector functions never reach here: over a selector they are cluster-local and run in the clusters.
 */
type MathFn = (v: number) => number;

const MATH: Record<string, MathFn> = {
  abs: Math.abs, ceil: Math.ceil, floor: Math.floor, exp: Math.exp, sqrt: Math.sqrt, ln: Math.log, log2: Math.log2, log10: Math.log10,
  sgn: (v) => (v > 0 ? 1 : v < 0 ? -1 : v), deg: (v) => (v * 180) / Math.PI, rad: (v) => (v * Math.PI) / 180,
  acos: Math.acos, acosh: Math.acosh, asin: Math.asin, asinh: Math.asinh, atan: Math.atan, atanh: Math.atanh,
  cos: Math.cos, cosh: Math.cosh, sin: Math.sin, sinh: Math.sinh, tan: Math.tan, tanh: Math.tanh,
};

export function isMathFunction(name: string): boolean {
  return name in MATH;
}

export function mathFunction(name: string, vec: Sample[]): Sample[] {
  const f = MATH[name] as MathFn;
  return vec.map((s) => ({ labels: dropName(s.labels), value: f(s.value) }));
}

/** Date functions read each value as epoch seconds, in UTC (time.Unix(int64(v), 0).UTC()). */
const DATE: Record<string, (d: Date) => number> = {
  day_of_month: (d) => d.getUTCDate(),
  day_of_week: (d) => d.getUTCDay(),
  day_of_year: (d) => Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1,
  days_in_month: (d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate(),
  hour: (d) => d.getUTCHours(),
  minute: (d) => d.getUTCMinutes(),
  month: (d) => d.getUTCMonth() + 1,
  year: (d) => d.getUTCFullYear(),
};

export function isDateFunction(name: string): boolean {
  return name in DATE;
}

export function dateFunction(name: string, vec: Sample[]): Sample[] {
  const f = DATE[name] as (d: Date) => number;
  return vec.map((s) => ({ labels: dropName(s.labels), value: f(new Date(Math.trunc(s.value) * 1000)) }));
}

export function clamp(vec: Sample[], min: number, max: number): Sample[] {
  if (max < min) return [];
  return vec.map((s) => ({ labels: dropName(s.labels), value: Math.max(min, Math.min(max, s.value)) }));
}

export function round(vec: Sample[], toNearest: number): Sample[] {
  const inv = 1 / toNearest;
  return vec.map((s) => ({ labels: dropName(s.labels), value: Math.floor(s.value * inv + 0.5) / inv }));
}

/** sort and sort_desc put NaN last in both directions. */
export function sortVector(vec: Sample[], desc: boolean): Sample[] {
  const nanLast = (a: number, b: number): number => {
    if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
    if (Number.isNaN(b)) return -1;
    return desc ? b - a : a - b;
  };
  return [...vec].sort((x, y) => nanLast(x.value, y.value));
}

/** label_replace (promql/functions.go): the regex anchored like a matcher, the replacement expanded as Go's Expand. */
export function labelReplace(vec: Sample[], dst: string, repl: string, src: string, regex: string): Sample[] {
  let re: Regex;
  try {
    re = compileMatcherRegex(regex);
  } catch {
    throw new UnprocessableError(`invalid regular expression in label_replace(): ${regex}`);
  }
  if (!isValidLabelName(dst)) throw new UnprocessableError(`invalid destination label name in label_replace(): ${dst}`);
  return vec.map((s) => {
    const m = re.exec(s.labels[src] ?? '');
    if (!m) return s;
    const res = expandTemplate(repl, m);
    const { [dst]: _old, ...rest } = s.labels;
    return { labels: res ? { ...rest, [dst]: res } : rest, value: s.value };
  });
}

export function labelJoin(vec: Sample[], dst: string, sep: string, srcs: string[]): Sample[] {
  if (!isValidLabelName(dst)) throw new UnprocessableError(`invalid destination label name in label_join(): ${dst}`);
  for (const s of srcs) if (!isValidLabelName(s)) throw new UnprocessableError(`invalid source label name in label_join(): ${s}`);
  return vec.map((s) => {
    const joined = srcs.map((n) => s.labels[n] ?? '').join(sep);
    const { [dst]: _old, ...rest } = s.labels;
    return { labels: joined ? { ...rest, [dst]: joined } : rest, value: s.value };
  });
}

/** Conventional-bucket histogram_quantile: series grouped by all labels but `le` (the name included). */
export function histogramQuantile(q: number, vec: Sample[]): Sample[] {
  const groups = new Map<string, { labels: Labels; buckets: { upperBound: number; count: number }[] }>();
  for (const s of vec) {
    const le = s.labels.le;
    const bound = le === undefined ? NaN : parseBound(le);
    if (Number.isNaN(bound)) continue;
    const { le: _le, ...withoutLe } = s.labels;
    const key = labelsKey(withoutLe);
    let g = groups.get(key);
    if (!g) {
      g = { labels: dropName(withoutLe), buckets: [] };
      groups.set(key, g);
    }
    g.buckets.push({ upperBound: bound, count: s.value });
  }
  return [...groups.values()].map((g) => ({ labels: g.labels, value: bucketQuantile(q, g.buckets) }));
}

function parseBound(le: string): number {
  const t = le.trim();
  if (/^[+]?inf(inity)?$/i.test(t)) return Infinity;
  if (/^-inf(inity)?$/i.test(t)) return -Infinity;
  if (t === '') return NaN;
  return Number(t);
}
