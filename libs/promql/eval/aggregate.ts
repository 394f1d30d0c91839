import { UnprocessableError } from '../../errors/errors.ts';
import type { AggregateOp } from '../ast.ts';
import { HistogramPartialsError, type FloatHistogram } from '../histogram/float-histogram.ts';
import { formatValue } from '../literals.ts';
import { isValidLabelName, sortedNames, type Labels } from '../labels.ts';
import { accumulate, finish, newGroup, type Group } from './aggregate-accumulate.ts';
import { aggregateK, kParam } from './aggregate-k.ts';
import { checkCandidates, combineMoments } from './aggregate-partials.ts';
import type { Sample } from './values.ts';

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
  /**
   * The group this key has in the step being aggregated, valid while `step` is that step's number: every label
   * set of one key shares one GroupOf, so a step finds its group without a lookup by key.
   */
  step?: number;
  group?: Group;
}

/**
 * One aggregation step, as engine.go's aggregation() of the members' version computes it (same order, same float
 * steps). The samples are visited in input order and each group accumulates them in that order whichever way its
 * group is found: one group without `by`/`without` labels (no key at all), the remembered GroupOf of a label set
 * across steps, or a key per sample when there is nothing to remember.
 */
export function aggregate(a: AggregateArgs, vec: Sample[]): Sample[] {
  if (a.form === 'moments') return combineMoments(a, vec);
  if (a.form === 'candidates' || a.form === 'ordered-candidates') checkCandidates(a, vec);
  if (a.op === 'topk' || a.op === 'bottomk' || a.op === 'limitk' || a.op === 'limit_ratio') return aggregateK(a, vec);
  if (a.op === 'count_values')
    return keyed(a, vec.map(valueLabelled(a)), [...a.grouping, ...(a.without ? [] : [a.label as string])]);
  if (a.grouping.length === 0 && !a.without) return oneGroup(a, vec);
  if (a.groups) return remembered(a, vec, a.groups);
  return keyed(a, vec, a.grouping);
}

/** count_values adds the value to every input's labels (new label sets at each step: nothing to remember). */
function valueLabelled(a: AggregateArgs): (s: Sample) => Sample {
  const valid = a.version === 3 ? (a.label ?? '') !== '' : isValidLabelName(a.label ?? '');
  if (!a.label || !valid) throw new UnprocessableError(`invalid label name "${a.label ?? ''}"`);
  const label = a.label;
  return (s) => ({
    labels: { ...s.labels, [label]: s.histogram ? histogramString(s.histogram) : formatValue(s.value) },
    value: s.value,
  });
}

/** Histograms: refused under 2.42; 3.x leaves them out of min, max, stddev, stdvar and quantile (info annotation). */
function leftOut(a: AggregateArgs): boolean {
  if (a.version === 2)
    throw new UnprocessableError('native histograms are not aggregated under Prometheus 2 semantics');
  if (!IGNORES_HISTOGRAMS.has(a.op)) return false;
  a.note?.('ignored');
  return true;
}

const IGNORES_HISTOGRAMS = new Set<AggregateOp>(['min', 'max', 'stddev', 'stdvar', 'quantile']);

/** The label set the memo keeps a no-label grouping's GroupOf under (never an input's: a module's own object). */
const ONE_GROUP: Labels = {};

/** No `by`/`without` labels: every sample is the one group's, whose labels are empty. */
function oneGroup(a: AggregateArgs, vec: Sample[]): Sample[] {
  let labels: Labels = {};
  if (a.groups) {
    let of = a.groups.get(ONE_GROUP);
    if (!of) a.groups.set(ONE_GROUP, (of = { key: '', labels, step: 0, group: undefined }));
    labels = of.labels;
  }
  let g: Group | undefined;
  for (const s of vec) {
    if (s.histogram) {
      if (leftOut(a)) continue;
      if (a.partials && g) throw new HistogramPartialsError();
    }
    if (g) accumulate(a, g, s);
    else g = newGroup(a, s, labels);
  }
  return g ? finish(a, [g]) : [];
}

let steps = 0;
/** Per memo, its GroupOf of each group key (shared by the label sets of that key). */
const byKey = new WeakMap<Map<Labels, GroupOf>, Map<string, GroupOf>>();

/** Each label set's GroupOf from the memo (made once per label set, one per key), its group found through it. */
function remembered(a: AggregateArgs, vec: Sample[], memo: Map<Labels, GroupOf>): Sample[] {
  const step = ++steps;
  let keys = byKey.get(memo);
  if (!keys) byKey.set(memo, (keys = new Map()));
  const sortedGrouping = [...a.grouping].sort();
  const ordered: Group[] = [];
  for (const s of vec) {
    if (s.histogram && leftOut(a)) continue;
    let of = memo.get(s.labels);
    if (!of) {
      const key = groupKey(s.labels, sortedGrouping, a.without);
      of = keys.get(key);
      if (!of)
        keys.set(key, (of = { key, labels: groupLabels(s.labels, a.grouping, a.without), step: 0, group: undefined }));
      memo.set(s.labels, of);
    }
    const g = of.step === step ? (of.group as Group) : undefined;
    if (a.partials && s.histogram && g) throw new HistogramPartialsError();
    if (g) accumulate(a, g, s);
    else {
      of.step = step;
      ordered.push((of.group = newGroup(a, s, of.labels)));
    }
  }
  return finish(a, ordered);
}

/** A key per sample, its group looked up by that key. */
function keyed(a: AggregateArgs, vec: Sample[], grouping: string[]): Sample[] {
  const sortedGrouping = [...grouping].sort();
  const groups = new Map<string, Group>();
  const ordered: Group[] = [];
  for (const s of vec) {
    if (s.histogram && leftOut(a)) continue;
    const key = groupKey(s.labels, sortedGrouping, a.without);
    const g = groups.get(key);
    if (a.partials && s.histogram && g) throw new HistogramPartialsError();
    if (g) accumulate(a, g, s);
    else {
      const ng = newGroup(a, s, groupLabels(s.labels, grouping, a.without));
      groups.set(key, ng);
      ordered.push(ng);
    }
  }
  return finish(a, ordered);
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
