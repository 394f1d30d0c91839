import { UnprocessableError } from '../errors/errors.ts';
import {
  childrenOf,
  mapChildren,
  samePosition,
  type Aggregate,
  type AtModifier,
  type Expr,
  type LabelMatcher,
  type Leaf,
  type VectorSelector,
} from './ast.ts';
import { matcherMatches } from './labels.ts';
import { CLUSTER_LABEL, locality } from './locality.ts';
import { printExpr } from './printer.ts';
import { pushPartials, type PartialPlanning } from './pushdown.ts';
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
const PUSHDOWN: Partial<Record<Aggregate['op'], Aggregate['op']>> = {
  sum: 'sum',
  count: 'sum',
  min: 'min',
  max: 'max',
  group: 'group',
};

/** Range functions Pharos applies itself to a subquery over merged answers (the rest run in the clusters). */
export const PHAROS_OVER_TIME = new Set([
  'avg_over_time',
  'min_over_time',
  'max_over_time',
  'sum_over_time',
  'count_over_time',
  'last_over_time',
  'present_over_time',
  'stddev_over_time',
  'stdvar_over_time',
  'quantile_over_time',
  'absent_over_time',
  'rate',
  'increase',
  'delta',
  'irate',
  'idelta',
  'changes',
  'resets',
  'deriv',
  'predict_linear',
  'holt_winters',
  // Prometheus 3.
  'double_exponential_smoothing',
  'mad_over_time',
  'first_over_time',
  'ts_of_first_over_time',
  'ts_of_last_over_time',
  'ts_of_max_over_time',
  'ts_of_min_over_time',
]);

export interface PlanOptions {
  /**
   * false: `sum` and `avg` over cluster-local expressions are not pushed down but evaluated by Pharos over the
   * merged series, in the union's order; for answers holding native histograms, whose sums depend on the order
   * the series are added in (HistogramPartialsError).
   */
  pushDownSums?: boolean;
  /** false: `topk`/`bottomk` fetch their whole argument (a pushed one met a tie it cannot decide: TopKTieError). */
  pushDownK?: boolean;
  /** Members run different Prometheus majors (some partial forms differ between them). */
  mixedFleet?: boolean;
}

export function planQuery(expr: Expr, clusters: readonly string[], opts: PlanOptions = {}): Plan {
  const leaves: Leaf[] = [];
  let grids = 0;
  const ctx: PlanContext = {
    leaf: (e, gridId) => {
      const l: Leaf = {
        kind: 'leaf',
        id: leaves.length,
        expr: e,
        clusters: clustersOf(e, clusters),
        ...(gridId === undefined ? {} : { gridId }),
      };
      leaves.push(l);
      return l;
    },
    nextGrid: () => grids++,
    pushDownSums: opts.pushDownSums ?? true,
    pushDownK: opts.pushDownK ?? true,
    mixedFleet: opts.mixedFleet ?? false,
    ordered: false,
  };
  if (locality(expr) === 'local') {
    const l = ctx.leaf(expr, undefined);
    return { root: l, leaves, passThrough: l };
  }
  return { root: planNode(expr, ctx, undefined), leaves };
}

interface PlanContext {
  leaf: (e: Expr, gridId: number | undefined) => Leaf;
  nextGrid: () => number;
  pushDownSums: boolean;
  pushDownK: boolean;
  mixedFleet: boolean;
  /** An ancestor reads the order of the series below it (pushdown.ts). */
  ordered: boolean;
}

/** Nodes whose answer depends on the order of their argument's series (ties are broken by it). */
const ORDER_SENSITIVE_CALLS = new Set(['sort', 'sort_desc']);
const ORDER_SENSITIVE_AGGREGATES = new Set(['topk', 'bottomk', 'limitk', 'limit_ratio']);

function readsOrder(e: Expr): boolean {
  return (
    (e.kind === 'call' && ORDER_SENSITIVE_CALLS.has(e.func)) ||
    (e.kind === 'aggregate' && ORDER_SENSITIVE_AGGREGATES.has(e.op))
  );
}

function hasSubquery(e: Expr): boolean {
  return e.kind === 'subquery' || childrenOf(e).some(hasSubquery);
}

export const unparen = (e: Expr): Expr => (e.kind === 'paren' ? unparen(e.expr) : e);

function planNode(e: Expr, ctx: PlanContext, gridId: number | undefined): Expr {
  return samePosition(e, planNodeAt(e, ctx, gridId));
}

function planNodeAt(e: Expr, outer: PlanContext, gridId: number | undefined): Expr {
  const loc = locality(e);
  if (loc === 'local') return outer.leaf(e, gridId);
  if (loc === 'const' && !hasSubquery(e)) return e;
  const ctx = readsOrder(e) && !outer.ordered ? { ...outer, ordered: true } : outer;
  const p = (x: Expr): Expr => planNode(x, ctx, gridId);
  switch (e.kind) {
    case 'paren':
    case 'unary':
    case 'binary':
      return mapChildren(e, p);
    case 'call': {
      const sub = e.args.map(unparen).find((a) => a.kind === 'subquery');
      if (sub && !PHAROS_OVER_TIME.has(e.func))
        throw new UnprocessableError(
          `${e.func}() over a subquery of a cross-cluster expression cannot be federated exactly; Pharos does not evaluate this function there`,
        );
      if (e.func === 'absent_over_time' && !sub)
        return { ...e, args: [ctx.leaf({ kind: 'call', func: 'present_over_time', args: e.args }, gridId)] };
      return { ...e, args: e.args.map(p) };
    }
    case 'aggregate':
      return planAggregate(e, { ...outer, leaf: (x) => ctx.leaf(x, gridId), p });
    case 'subquery': {
      const id = ctx.nextGrid();
      return { ...e, gridId: id, expr: planNode(e.expr, ctx, id) };
    }
    default:
      throw new UnprocessableError(`cannot federate ${e.kind}`);
  }
}

interface AggregatePlanning extends PartialPlanning {
  p: (x: Expr) => Expr;
}

function planAggregate(e: Aggregate, o: AggregatePlanning): Expr {
  const local = locality(e.expr) === 'local';
  const sums = e.op === 'sum' || e.op === 'avg';
  if (e.op === 'avg' && local && o.pushDownSums) {
    // avg → sum of per-cluster sums / sum of per-cluster counts (equal within float rounding to 2.42's running mean).
    const part = (op: 'sum' | 'count'): Aggregate => ({
      ...e,
      op: 'sum',
      expr: o.leaf({ ...e, op }),
      combinesPartials: op === 'sum',
    });
    return {
      kind: 'binary',
      op: '/',
      lhs: part('sum'),
      rhs: part('count'),
      bool: false,
      matching: { on: false, labels: [], card: 'one-to-one', include: [] },
    };
  }
  const partial = local ? pushPartials(e, o) : undefined;
  if (partial) return partial;
  const combineOp = PUSHDOWN[e.op];
  if (combineOp && local && (o.pushDownSums || !sums)) {
    return { ...e, op: combineOp, expr: o.leaf({ ...e }), ...(e.op === 'sum' ? { combinesPartials: true } : {}) };
  }
  const planned: Aggregate = { ...e, expr: o.p(e.expr), ...(e.param ? { param: o.p(e.param) } : {}) };
  if (e.op === 'limitk' && !keepsSeriesOrder(planned.expr)) {
    throw new UnprocessableError(
      'limitk() across clusters is only federated over series of one metric, whose order Pharos keeps; over computed series it would pick others than one Prometheus picks',
    );
  }
  if (sums && local && !keepsSeriesOrder(planned.expr)) {
    throw new UnprocessableError(
      `${e.op}() of native histograms across clusters is only federated over series of one metric: Prometheus adds histograms one series at a time, its zero bucket and schema reconciliation depend on that order, and Pharos keeps it only for one metric's series`,
    );
  }
  return planned;
}

/**
 * limitk takes the first k series of its input, in the order one Prometheus evaluates them: storage order
 * (sorted label sets) for a selector of one metric and per-series functions of it. Merged leaves are sorted
 * the same way; an aggregation's output order (first group seen) is not reproduced across clusters.
 */
function keepsSeriesOrder(e: Expr): boolean {
  if (e.kind !== 'leaf') return false;
  let ok = true;
  const visit = (x: Expr): void => {
    if (x.kind === 'aggregate' || x.kind === 'binary' || x.kind === 'subquery') ok = false;
    const sel = x.kind === 'vector' ? x : x.kind === 'matrix' ? x.selector : undefined;
    if (sel && !sel.matchers.some((m) => m.name === '__name__' && m.op === '=')) ok = false;
    childrenOf(x).forEach(visit);
  };
  visit(e.expr);
  return ok;
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
export function leafQueryFor(l: Leaf, cluster: string, query?: { startMs: number; endMs: number }): string {
  return printExpr(leafExprFor(l, cluster, query));
}

/** The tree of leafQueryFor, before printing (a mixed fleet rewrites it further for Prometheus 2 members). */
export function leafExprFor(l: Leaf, cluster: string, query?: { startMs: number; endMs: number }): Expr {
  const rewritten = rewriteSelectors(l.expr, (s) => {
    const keep = s.matchers.filter((m) => m.name !== CLUSTER_LABEL);
    if (!allows(s, cluster)) keep.push(NEVER);
    if (!keep.some((m) => !matcherMatches(m, ''))) keep.push(ANY_NAME);
    return { ...s, matchers: keep, ...(s.at && query ? { at: fixedAt(s.at, query) } : {}) };
  });
  return query ? fixSubqueryAt(rewritten, query) : rewritten;
}

/**
 * `@ start()` / `@ end()` mean the outer query's start and end. A leaf fetched on a subquery's grid is its own
 * query_range there, so they are written out as the outer query's times.
 */
function fixedAt(at: AtModifier, q: { startMs: number; endMs: number }): AtModifier {
  if (at.kind === 'start') return { kind: 'time', ms: q.startMs };
  if (at.kind === 'end') return { kind: 'time', ms: q.endMs };
  return at;
}

function fixSubqueryAt(e: Expr, q: { startMs: number; endMs: number }): Expr {
  const mapped = mapChildren(e, (x) => fixSubqueryAt(x, q));
  return mapped.kind === 'subquery' && mapped.at ? { ...mapped, at: fixedAt(mapped.at, q) } : mapped;
}
