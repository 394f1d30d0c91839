import type { LabelMatcher } from './ast.ts';
import { compileMatcherRegex } from '../text/regex.ts';

export { compileMatcherRegex } from '../text/regex.ts';

/** A label set as Prometheus's JSON has it. Treated as immutable: functions return new objects. */
export type Labels = Record<string, string>;

export function matcherMatches(m: LabelMatcher, value: string | undefined): boolean {
  const v = value ?? '';
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return compileMatcherRegex(m.value).test(v);
    case '!~':
      return !compileMatcherRegex(m.value).test(v);
  }
}

// Label sets are never mutated once built, and the same objects recur at every step of a range query, so
// their sorted names and keys are computed once per object and kept on it under symbols that are not
// enumerable (invisible to spread, Object.keys and JSON). A WeakMap would do, but with 100,000s of entries
// its ephemeron bookkeeping makes garbage collection seconds slower.
const NAMES = Symbol('sortedNames');
const KEY = Symbol('labelsKey');
type Cached = Labels & { [NAMES]?: string[]; [KEY]?: string };

function remember<T>(l: Labels, sym: symbol, value: T): T {
  if (Object.isExtensible(l)) Object.defineProperty(l, sym, { value, enumerable: false });
  return value;
}

export function sortedNames(l: Labels): string[] {
  return (l as Cached)[NAMES] ?? remember(l, NAMES, Object.keys(l).sort());
}

/** A stable key for a label set: sorted names and values, NUL-separated (label names never hold NUL). */
export function labelsKey(l: Labels): string {
  const cached = (l as Cached)[KEY];
  if (cached !== undefined) return cached;
  const names = sortedNames(l);
  const parts = new Array<string>(names.length * 2);
  for (let i = 0; i < names.length; i++) {
    const n = names[i] as string;
    parts[2 * i] = n;
    parts[2 * i + 1] = l[n] as string;
  }
  return remember(l, KEY, parts.join('\u0000'));
}

/** Key over a subset: `on` the given names, or `ignoring` them (and always the metric name). */
export function signature(l: Labels, names: readonly string[], on: boolean): string {
  let k = '';
  if (on) {
    for (const n of names) k += `${n}\xff${l[n] ?? ''}\xfe`;
    return k;
  }
  for (const n of sortedNames(l)) if (n !== '__name__' && !names.includes(n)) k += `${n}\xff${l[n]}\xfe`;
  return k;
}

export function dropName(l: Labels): Labels {
  if (!('__name__' in l)) return l;
  const { __name__: _drop, ...rest } = l;
  return rest;
}

/** Prometheus sorts label sets by comparing (name, value) pairs in name order. */
export function compareLabels(a: Labels, b: Labels): number {
  const an = sortedNames(a);
  const bn = sortedNames(b);
  for (let i = 0; i < Math.min(an.length, bn.length); i++) {
    const x = an[i] as string;
    const y = bn[i] as string;
    if (x !== y) return x < y ? -1 : 1;
    const xv = a[x] as string;
    const yv = b[y] as string;
    if (xv !== yv) return xv < yv ? -1 : 1;
  }
  return an.length - bn.length;
}

export function isValidLabelName(n: string): boolean {
  return /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(n);
}
