import { UnprocessableError } from '../errors/errors.ts';
import type { Aggregate, Expr, LabelMatcher, Leaf, VectorSelector } from './ast.ts';
import { matcherMatches } from './labels.ts';
import { CLUSTER_LABEL, locality } from './locality.ts';
import { printExpr } from './printer.ts';
import { rewriteSelectors, selectorsOf } from './rewrite.ts';

/**
 * The federation plan: `root` is the tree Pharos evaluates, with the largest cluster-local subtrees replaced
 * by leaves that are sent to the clusters. When the whole query is local, `passThrough` is that single leaf.
 */
export interface Plan {
  root: Expr;
  leaves: Leaf[];
  passThrough?: Leaf;
}

/** Partial aggregates each cluster computes and Pharos combines with `combine` (count → sum of counts). */
const PUSHDOWN: Partial<Record<Aggregate['op'], Aggregate['op']>> = { sum: 'sum', count: 'sum', min: 'min', max: 'max', group: 'group' };

export function planQuery(expr: Expr, clusters: readonly string[]): Plan {
  const leaves: Leaf[] = [];
  const leaf = (e: Expr): Leaf => {
    const l: Leaf = { kind: 'leaf', id: leaves.length, expr: e, clusters: clustersOf(e, clusters) };
    leaves.push(l);
    return l;
  };
  if (locality(expr) === 'local') {
    const l = leaf(expr);
    return { root: l, leaves, passThrough: l };
  }
  return { root: planNode(expr, leaf), leaves };
}

function planNode(e: Expr, leaf: (e: Expr) => Leaf): Expr {
  const loc = locality(e);
  if (loc === 'local') return leaf(e);
  if (loc === 'const') return e;
  const p = (x: Expr): Expr => planNode(x, leaf);
  switch (e.kind) {
    case 'paren':
    case 'unary': return { ...e, expr: p(e.expr) };
    case 'binary': return { ...e, lhs: p(e.lhs), rhs: p(e.rhs) };
    case 'call':
      if (e.func === 'absent_over_time') return { ...e, args: [leaf({ kind: 'call', func: 'present_over_time', args: e.args })] };
      return { ...e, args: e.args.map(p) };
    case 'aggregate': return planAggregate(e, leaf, p);
    case 'subquery':
      throw new UnprocessableError('a subquery over a cross-cluster expression cannot be federated exactly; make the inner expression keep the cluster label (e.g. "by (cluster)")');
    default:
      throw new UnprocessableError(`cannot federate ${e.kind}`);
  }
}

function planAggregate(e: Aggregate, leaf: (e: Expr) => Leaf, p: (x: Expr) => Expr): Expr {
  if (e.op === 'avg' && locality(e.expr) === 'local') {
    // avg → sum of per-cluster sums / sum of per-cluster counts (equal within float rounding to 2.42's running mean).
    const part = (op: 'sum' | 'count'): Aggregate => ({ ...e, op: 'sum', expr: leaf({ ...e, op }) });
    return { kind: 'binary', op: '/', lhs: part('sum'), rhs: part('count'), bool: false, matching: { on: false, labels: [], card: 'one-to-one', include: [] } };
  }
  const combineOp = PUSHDOWN[e.op];
  if (combineOp && locality(e.expr) === 'local') {
    return { ...e, op: combineOp, expr: leaf({ ...e }) };
  }
  return { ...e, expr: p(e.expr), ...(e.param ? { param: p(e.param) } : {}) };
}

const clusterMatchers = (s: VectorSelector): LabelMatcher[] => s.matchers.filter((m) => m.name === CLUSTER_LABEL);

function allows(s: VectorSelector, cluster: string): boolean {
  return clusterMatchers(s).every((m) => matcherMatches(m, cluster));
}

/** The clusters a subtree can read: those some selector's `cluster` matchers let through. */
function clustersOf(e: Expr, clusters: readonly string[]): string[] {
  const sels = selectorsOf(e);
  return clusters.filter((c) => sels.some((s) => allows(s, c)));
}

const NEVER: LabelMatcher = { name: '__pharos_excluded_cluster__', op: '=', value: 'true' };
const ANY_NAME: LabelMatcher = { name: '__name__', op: '=~', value: '.+' };

/**
 * The text sent to one cluster: `cluster` matchers removed (the cluster's own series do not carry the label;
 * Pharos adds it), and selectors whose `cluster` matchers exclude this cluster made to match nothing.
 */
export function leafQueryFor(l: Leaf, cluster: string): string {
  const rewritten = rewriteSelectors(l.expr, (s) => {
    const keep = s.matchers.filter((m) => m.name !== CLUSTER_LABEL);
    if (!allows(s, cluster)) keep.push(NEVER);
    if (!keep.some((m) => !matcherMatches(m, ''))) keep.push(ANY_NAME);
    return { ...s, matchers: keep };
  });
  return printExpr(rewritten);
}
