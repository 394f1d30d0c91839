import type { Aggregate, Binary, Expr, Leaf, StringLiteral } from './ast.ts';
import { isValidLabelName } from './labels.ts';
import { CLUSTER_LABEL } from './locality.ts';

/**
 * Partial aggregates the clusters compute for an aggregation across clusters, beyond the same-op ones of
 * planner.ts (sum, count, min, max, group, avg). Each is used only where the combined answer is provably the one
 * the union Prometheus gives; the rules are in docs/federation.md (Push-down).
 */
export interface PartialPlanning {
  leaf: (e: Expr) => Leaf;
  /** false after the per-cluster partials met native histograms (HistogramPartialsError): stddev/stdvar unpushed. */
  pushDownSums: boolean;
  /** false after a pushed topk/bottomk met a tie it cannot decide (TopKTieError). */
  pushDownK: boolean;
  /** Members of several Prometheus majors (count_values labels native histograms differently in 2.x). */
  mixedFleet: boolean;
  /** An ancestor depends on the order of this node's output series (sort, topk, …). */
  ordered: boolean;
}

/** The label that tells the three moments of a stddev/stdvar leaf apart (`or` keeps them as separate series). */
export const PART_LABEL = '__pharos_partial__';

export type Moment = 'count' | 'avg' | 'stdvar';
const MOMENTS: readonly Moment[] = ['count', 'avg', 'stdvar'];

/** The largest k pushed: k + 1 must stay an exact float, as every count a cluster can hold is. */
const MAX_PUSHED_K = 2 ** 52;

/** The plan of a partial form for `e`, whose argument is cluster-local, or undefined to evaluate it as before. */
export function pushPartials(e: Aggregate, o: PartialPlanning): Expr | undefined {
  switch (e.op) {
    case 'stddev':
    case 'stdvar':
      return o.pushDownSums ? { ...e, expr: o.leaf(momentsOf(e)), partialForm: 'moments' } : undefined;
    case 'count_values':
      return pushCountValues(e, o);
    case 'topk':
    case 'bottomk':
      return pushTopK(e, o);
    default:
      return undefined;
  }
}

const str = (value: string): StringLiteral => ({ kind: 'string', value });

/**
 * One leaf holding per group the cluster's count, mean and variance (Welford's, as engine.go computes stdvar),
 * each marked by PART_LABEL: Chan et al.'s pairwise update combines them without the cancellation of a sum of
 * squares (eval/aggregate-partials.ts).
 */
function momentsOf(e: Aggregate): Expr {
  const part = (op: Moment): Expr => ({
    kind: 'call',
    func: 'label_replace',
    args: [
      { kind: 'aggregate', op, expr: e.expr, grouping: e.grouping, without: e.without },
      str(PART_LABEL),
      str(op),
      str(''),
      str(''),
    ],
  });
  const or = (lhs: Expr, rhs: Expr): Binary => ({
    kind: 'binary',
    op: 'or',
    lhs,
    rhs,
    bool: false,
    matching: { on: false, labels: [], card: 'many-to-many', include: [] },
  });
  return MOMENTS.map(part).reduce(or);
}

/**
 * count_values → the same per cluster, then the counts summed per group and value label. The value's text is
 * strconv.FormatFloat(f, 'f', -1, 64) in 2.42 and 3.x alike; a native histogram's is its String() in 3.x but the
 * float 0 in 2.x, so a mixed fleet is not pushed. A value label `cluster` would be overwritten by Pharos's own; one
 * invalid in 2.x (empty, or UTF-8 beyond the legacy names) is left to Pharos, which refuses it as the members' version does.
 */
function pushCountValues(e: Aggregate, o: PartialPlanning): Expr | undefined {
  const label = e.param?.kind === 'string' ? e.param.value : undefined;
  if (o.mixedFleet || label === undefined || !isValidLabelName(label)) return undefined;
  if (label === CLUSTER_LABEL || label === '__name__') return undefined;
  return { kind: 'aggregate', op: 'sum', expr: o.leaf(e), grouping: [CLUSTER_LABEL], without: true };
}

/**
 * topk/bottomk(k) → per cluster the same with k + 1, then the global one over the candidates, checked free of
 * a tie at the k-th place (aggregate-partials.ts). Under an ancestor that reads its output order (sort, topk, …)
 * the picked values must differ too, and a grouped one is not pushed: the union lists groups in the order it
 * first meets them among all series, which the candidates do not show.
 */
function pushTopK(e: Aggregate, o: PartialPlanning): Expr | undefined {
  const k = e.param?.kind === 'number' ? Math.trunc(e.param.value) : NaN;
  if (!o.pushDownK || !(k >= 1 && k <= MAX_PUSHED_K)) return undefined;
  if (o.ordered && (e.without || e.grouping.length > 0)) return undefined;
  const perCluster: Aggregate = { ...e, param: { kind: 'number', value: k + 1 } };
  return { ...e, expr: o.leaf(perCluster), partialForm: o.ordered ? 'ordered-candidates' : 'candidates' };
}
