import { InputError } from '../errors/errors.ts';
import type { LabelMatcher } from './ast.ts';

/** A label set as Prometheus's JSON has it. Treated as immutable: functions return new objects. */
export type Labels = Record<string, string>;

const regexCache = new Map<string, RegExp>();

/**
 * Prometheus anchors matcher regexes (`^(?:re)$`) and uses RE2 with `s` (dot matches newline). JavaScript's
 * engine is close enough for the syntax PromQL users write; what it cannot compile is bad_data.
 */
export function compileMatcherRegex(re: string): RegExp {
  let r = regexCache.get(re);
  if (!r) {
    try {
      r = new RegExp(`^(?:${re})$`, 's');
    } catch (err) {
      throw new InputError(`parse error: invalid regular expression "${re}": ${(err as Error).message}`);
    }
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(re, r);
  }
  return r;
}

export function matcherMatches(m: LabelMatcher, value: string | undefined): boolean {
  const v = value ?? '';
  switch (m.op) {
    case '=': return v === m.value;
    case '!=': return v !== m.value;
    case '=~': return compileMatcherRegex(m.value).test(v);
    case '!~': return !compileMatcherRegex(m.value).test(v);
  }
}

// Label sets are never mutated once built, and the same objects recur at every step of a range query, so
// their sorted names and keys are computed once per object.
const namesCache = new WeakMap<Labels, string[]>();
const keyCache = new WeakMap<Labels, string>();

export function sortedNames(l: Labels): string[] {
  let names = namesCache.get(l);
  if (!names) {
    names = Object.keys(l).sort();
    namesCache.set(l, names);
  }
  return names;
}

/** A stable key for a label set: sorted names and values, separated by bytes that cannot occur in UTF-8 text. */
export function labelsKey(l: Labels): string {
  let k = keyCache.get(l);
  if (k === undefined) {
    k = '';
    for (const n of sortedNames(l)) k += `${n}\xff${l[n]}\xfe`;
    keyCache.set(l, k);
  }
  return k;
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
