import { UnprocessableError } from '../../errors/errors.ts';
import { COMPARISON_OPS, type BinaryOp, type VectorMatching } from '../ast.ts';
import type { FloatHistogram } from '../histogram/float-histogram.ts';
import { dropName, labelsKey, signature, type Labels } from '../labels.ts';
import { memoized } from './label-memo.ts';
import type { Sample } from './values.ts';

/** Operators whose result loses the metric name (shouldDropMetricName in engine.go, 2.42). */
const DROPS_NAME: ReadonlySet<BinaryOp> = new Set(['+', '-', '*', '/', '%', '^', 'atan2']);

/** vectorElemBinop: the value, and whether a comparison keeps the element. */
export function elemBinop(op: BinaryOp, l: number, r: number): [number, boolean] {
  switch (op) {
    case '+':
      return [l + r, true];
    case '-':
      return [l - r, true];
    case '*':
      return [l * r, true];
    case '/':
      return [l / r, true];
    case '^':
      return [goPow(l, r), true];
    case '%':
      return [goMod(l, r), true];
    case 'atan2':
      return [Math.atan2(l, r), true];
    case '==':
      return [l, l === r];
    case '!=':
      return [l, l !== r];
    case '>':
      return [l, l > r];
    case '<':
      return [l, l < r];
    case '>=':
      return [l, l >= r];
    case '<=':
      return [l, l <= r];
    default:
      throw new UnprocessableError(`operator "${op}" not allowed between these operands`);
  }
}

/** Go's math.Pow differs from Math.pow where the base is ±1: Pow(1, y) = 1 and Pow(-1, ±Inf) = 1. */
function goPow(l: number, r: number): number {
  if (l === 1) return 1;
  if (l === -1 && !Number.isFinite(r) && !Number.isNaN(r)) return 1;
  return Math.pow(l, r);
}

/** Go's math.Mod: the sign of the dividend, NaN for a zero divisor (JavaScript's % agrees). */
function goMod(l: number, r: number): number {
  return l % r;
}

/** A binary operator with its `bool` modifier (a comparison then answers 0 or 1), as a BinaryExpr carries them. */
export interface Operator {
  op: BinaryOp;
  bool: boolean;
}

/** A vector-to-vector operation: both sides, their matching, and the Prometheus version whose messages to give. */
export interface VectorBinop extends Operator {
  lhs: Sample[];
  rhs: Sample[];
  m: VectorMatching;
  version?: 2 | 3;
  memo?: BinopMemo;
}

/**
 * What one binary operation derives from label sets, kept across the steps of one evaluation (label-memo.ts):
 * each side's match signature, and the result's labels of each (left, right) pair or of each vector element.
 */
export interface BinopMemo {
  signatures: Map<Labels, string>;
  results: Map<Labels, Map<Labels, Labels>>;
  elements: Map<Labels, Labels>;
}

/** One side of an element operation: a float, or a native histogram (then `value` is not used). */
interface Operand {
  value: number;
  histogram: FloatHistogram | undefined;
}

export function scalarBinop({ op, bool }: Operator, l: number, r: number): number {
  const [v, keep] = elemBinop(op, l, r);
  if (COMPARISON_OPS.has(op)) return bool ? (keep ? 1 : 0) : v;
  return v;
}

/**
 * Prometheus 3's vectorElemBinop for native histograms: h * f, f * h, h / f, h + h, h - h, h == h, h != h;
 * anything else with a histogram leaves the element out (with an info annotation).
 */
function histogramBinop(op: BinaryOp, left: Operand, right: Operand): [FloatHistogram | undefined, boolean] {
  const { value: l, histogram: hl } = left;
  const { value: r, histogram: hr } = right;
  if (op === '</' || op === '>/')
    throw new UnprocessableError(
      `operator ${op} (native histogram trimming) is not evaluated above merged cluster answers`,
    );
  if (hl && hr) {
    if (op === '+' || op === '-')
      return [
        hl
          .copy()
          .addScaled(hr, op === '+' ? 1 : -1)
          .compact(),
        true,
      ];
    if (op === '==' || op === '!=') return [hl, hl.equals(hr) === (op === '==')];
    return [undefined, false];
  }
  if (hr && op === '*') return [hr.copy().scale(l).compact(), true];
  if (hl && op === '*') return [hl.copy().scale(r).compact(), true];
  if (hl && op === '/') return [hl.copy().div(r).compact(), true];
  return [undefined, false];
}

/** VectorscalarBinop: `swap` when the scalar was on the left. */
export function vectorScalarBinop(
  { op, bool }: Operator,
  vec: Sample[],
  { scalar, swap, memo }: { scalar: number; swap: boolean; memo?: BinopMemo | undefined },
): Sample[] {
  const out: Sample[] = [];
  const cmp = COMPARISON_OPS.has(op);
  const drops = DROPS_NAME.has(op) || bool;
  for (const s of vec) {
    const [l, r] = swap ? [scalar, s.value] : [s.value, scalar];
    let h: FloatHistogram | undefined;
    let value: number;
    let keep: boolean;
    if (s.histogram) {
      [h, keep] = swap
        ? histogramBinop(op, { value: l, histogram: undefined }, { value: r, histogram: s.histogram })
        : histogramBinop(op, { value: l, histogram: s.histogram }, { value: r, histogram: undefined });
      value = NaN;
      // A comparison keeps the vector's element (engine.go): nothing here, a histogram is never compared to a float.
    } else {
      [value, keep] = elemBinop(op, l, r);
      // The vector element's value is kept even when the vector is on the right (engine.go).
      if (cmp && swap) value = r;
    }
    if (bool) {
      value = keep ? 1 : 0;
      h = undefined;
      keep = true;
    }
    if (keep)
      out.push({
        labels: drops ? memoized(memo?.elements, s.labels, dropName) : s.labels,
        value,
        ...(h ? { histogram: h } : {}),
      });
  }
  return out;
}

export function vectorBinop(a: VectorBinop): Sample[] {
  switch (a.op) {
    case 'and':
      return setAnd(a, true);
    case 'unless':
      return setAnd(a, false);
    case 'or':
      return setOr(a);
    default:
      return matchedBinop({ ...a, version: a.version ?? 2 });
  }
}

/** labels.Labels.String(): `{name="value", …}`, names outside the legacy charset quoted. */
function labelsString(l: Labels): string {
  return `{${Object.keys(l)
    .sort()
    .map((n) => `${/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(n) ? n : JSON.stringify(n)}=${JSON.stringify(l[n])}`)
    .join(', ')}}`;
}

/** matchLabels: the labels a vector matching compares (`on` the listed ones, or all but the ignored and the name). */
function matchedLabels(l: Labels, m: VectorMatching): Labels {
  return Object.fromEntries(
    Object.entries(l).filter(([n]) => (m.on ? m.labels.includes(n) : !m.labels.includes(n) && n !== '__name__')),
  );
}

/** The many-to-many refusal of engine.go, naming the match group and both series (3.x orders them). */
function duplicateError(
  m: VectorMatching,
  { current, previous }: { current: Labels; previous: Labels },
  version: 2 | 3,
): UnprocessableError {
  const side = m.card === 'one-to-many' ? 'left' : 'right';
  let [a, b] = [labelsString(current), labelsString(previous)];
  if (version === 3 && a > b) [a, b] = [b, a];
  return new UnprocessableError(
    `found duplicate series for the match group ${labelsString(matchedLabels(current, m))} on the ${side} hand-side of the operation: [${a}, ${b}];many-to-many matching not allowed: matching labels must be unique on one side`,
  );
}

function sigOf(m: VectorMatching, memo: BinopMemo | undefined): (l: Labels) => string {
  // `signature` expects `on` labels sorted, so the key does not depend on the order they were written in.
  const names = m.on ? [...m.labels].sort() : m.labels;
  const raw = (l: Labels): string => signature(l, names, m.on);
  return memo ? (l) => memoized(memo.signatures, l, raw) : raw;
}

function setAnd({ lhs, rhs, m, memo }: VectorBinop, keepMatched: boolean): Sample[] {
  const sig = sigOf(m, memo);
  const right = new Set(rhs.map((s) => sig(s.labels)));
  return lhs.filter((s) => right.has(sig(s.labels)) === keepMatched);
}

function setOr({ lhs, rhs, m, memo }: VectorBinop): Sample[] {
  const sig = sigOf(m, memo);
  const left = new Set(lhs.map((s) => sig(s.labels)));
  return [...lhs, ...rhs.filter((s) => !left.has(sig(s.labels)))];
}

function matchedBinop(a: VectorBinop & { version: 2 | 3 }): Sample[] {
  const { op, m, bool } = a;
  const sig = sigOf(m, a.memo);
  const swapped = m.card === 'one-to-many';
  const [lhs, rhs] = swapped ? [a.rhs, a.lhs] : [a.lhs, a.rhs];
  const right = new Map<string, Sample>();
  for (const rs of rhs) {
    const k = sig(rs.labels);
    const dup = right.get(k);
    if (dup) throw duplicateError(m, { current: rs.labels, previous: dup.labels }, a.version);
    right.set(k, rs);
  }
  const matched = new Map<string, Set<string> | null>();
  const out: Sample[] = [];
  for (const ls of lhs) {
    const k = sig(ls.labels);
    const rs = right.get(k);
    if (!rs) continue;
    const [vl, vr] = swapped ? [rs.value, ls.value] : [ls.value, rs.value];
    const [hl, hr] = swapped ? [rs.histogram, ls.histogram] : [ls.histogram, rs.histogram];
    let h: FloatHistogram | undefined;
    let value: number;
    let keep: boolean;
    if (hl || hr) [h, keep] = histogramBinop(op, { value: vl, histogram: hl }, { value: vr, histogram: hr });
    else [value, keep] = elemBinop(op, vl, vr);
    value ??= NaN;
    if (bool) {
      value = keep ? 1 : 0;
      h = undefined;
      keep = true;
    }
    if (!keep) continue;
    const labels = pairLabels(a, ls.labels, rs.labels);
    const inserted = matched.get(k);
    if (m.card === 'one-to-one') {
      if (matched.has(k))
        throw new UnprocessableError(
          'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
        );
      matched.set(k, null);
    } else {
      const lk = labelsKey(labels);
      const set = inserted ?? new Set<string>();
      if (set.has(lk))
        throw new UnprocessableError('multiple matches for labels: grouping labels must ensure unique matches');
      set.add(lk);
      matched.set(k, set);
    }
    out.push({ labels, value, ...(h ? { histogram: h } : {}) });
  }
  return out;
}

/** The result's labels of one matched pair, through the memo when there is one. */
function pairLabels(a: VectorBinop, l: Labels, r: Labels): Labels {
  let byRight = a.memo?.results.get(l);
  const known = byRight?.get(r);
  if (known) return known;
  let labels = resultLabels(l, r, a);
  if (a.bool) labels = dropName(labels);
  if (a.memo) {
    if (!byRight) a.memo.results.set(l, (byRight = new Map()));
    byRight.set(r, labels);
  }
  return labels;
}

/** resultMetric in engine.go: the "many" side's labels, narrowed for one-to-one, plus group_x labels. */
function resultLabels(l: Labels, r: Labels, { op, m }: VectorBinop): Labels {
  let out: Labels = DROPS_NAME.has(op) ? dropName(l) : { ...l };
  if (m.card === 'one-to-one') {
    if (m.on) out = Object.fromEntries(Object.entries(out).filter(([n]) => m.labels.includes(n)));
    else out = Object.fromEntries(Object.entries(out).filter(([n]) => !m.labels.includes(n)));
  } else out = { ...out };
  for (const n of m.include) {
    const v = r[n];
    if (v) out[n] = v;
    else delete out[n];
  }
  return out;
}
