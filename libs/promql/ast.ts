/**
 * Pharos's own PromQL syntax tree: small, plain data, independent of the lezer tree it is built from, so the
 * planner, the evaluator and scope enforcement can rewrite it and print it back (printer.ts).
 * Times are milliseconds, like Prometheus's own parser.
 */
export type MatchOp = '=' | '!=' | '=~' | '!~';
export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

export interface LabelMatcher {
  name: string;
  op: MatchOp;
  value: string;
}

/** `@ <time>` modifier: a fixed epoch (ms) or start()/end() of the query. */
export type AtModifier = { kind: 'time'; ms: number } | { kind: 'start' } | { kind: 'end' };

export interface NumberLiteral {
  kind: 'number';
  value: number;
}
export interface StringLiteral {
  kind: 'string';
  value: string;
}
/**
 * A duration written as an expression (Prometheus 3: `[5m+1m]`, `[step()*2]`, `offset -(1m)`), in seconds as
 * promql/durations.go computes it. Kept beside the resolved milliseconds until the query's step and range are
 * known (resolveDurations), so a rewritten query prints back as it was written.
 */
export type DurationExpr =
  | { kind: 'dnum'; seconds: number }
  | { kind: 'dstep' }
  | { kind: 'drange' }
  | { kind: 'dunary'; op: '-' | '+'; expr: DurationExpr }
  | { kind: 'dparen'; expr: DurationExpr }
  | { kind: 'dbinary'; op: '+' | '-' | '*' | '/' | '%' | '^'; lhs: DurationExpr; rhs: DurationExpr };

export interface VectorSelector {
  kind: 'vector';
  /** Every matcher, including the one on `__name__` when the metric name is written before the braces. */
  matchers: LabelMatcher[];
  offsetMs: number;
  offsetExpr?: DurationExpr;
  at?: AtModifier;
}
export interface MatrixSelector {
  kind: 'matrix';
  selector: VectorSelector;
  rangeMs: number;
  rangeExpr?: DurationExpr;
  /** Prometheus 3's extended range selectors (`[5m] anchored`, `[5m] smoothed`); only the clusters evaluate them. */
  anchored?: boolean;
  smoothed?: boolean;
}
export interface Subquery {
  kind: 'subquery';
  expr: Expr;
  rangeMs: number;
  rangeExpr?: DurationExpr;
  /** 0 means the default evaluation interval. */
  stepMs: number;
  stepExpr?: DurationExpr;
  offsetMs: number;
  offsetExpr?: DurationExpr;
  at?: AtModifier;
  /** Set by the planner when Pharos evaluates this subquery over merged answers: the id of its time grid. */
  gridId?: number;
}
export interface Paren {
  kind: 'paren';
  expr: Expr;
}
export interface Unary {
  kind: 'unary';
  op: '-' | '+';
  expr: Expr;
}

export type BinaryOp =
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '^'
  | 'atan2'
  | '=='
  | '!='
  | '>'
  | '<'
  | '>='
  | '<='
  | 'and'
  | 'or'
  | 'unless'
  | '</'
  | '>/';
export const COMPARISON_OPS: ReadonlySet<BinaryOp> = new Set(['==', '!=', '>', '<', '>=', '<=']);
export const SET_OPS: ReadonlySet<BinaryOp> = new Set(['and', 'or', 'unless']);

export interface VectorMatching {
  /** true: `on(labels)`; false: `ignoring(labels)` (also the default, with no labels). */
  on: boolean;
  labels: string[];
  card: 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';
  /** Labels copied from the "one" side by group_left/group_right. */
  include: string[];
  /** Prometheus 3.16's fill modifiers (`fill(v)`, `fill_left(v)`, `fill_right(v)`): a missing side's value. */
  fill?: { lhs?: number; rhs?: number };
}

export interface Binary {
  kind: 'binary';
  op: BinaryOp;
  lhs: Expr;
  rhs: Expr;
  bool: boolean;
  /** Present when both sides are vectors (Prometheus fills in the default). */
  matching?: VectorMatching;
}

export type AggregateOp =
  | 'sum'
  | 'avg'
  | 'count'
  | 'min'
  | 'max'
  | 'group'
  | 'stddev'
  | 'stdvar'
  | 'topk'
  | 'bottomk'
  | 'quantile'
  | 'count_values'
  | 'limitk'
  | 'limit_ratio';

export interface Aggregate {
  kind: 'aggregate';
  op: AggregateOp;
  expr: Expr;
  param?: Expr;
  grouping: string[];
  without: boolean;
  /**
   * Set by the planner on an aggregation that combines partial aggregates the clusters computed (sum of
   * per-cluster sums); native histograms there make the evaluator ask for the series instead (see planner.ts).
   */
  combinesPartials?: boolean;
  /**
   * Set by the planner where the clusters computed another partial form than the aggregation itself, which the
   * evaluator combines (pushdown.ts): `moments` (stddev/stdvar: each cluster's count, mean and stdvar per group),
   * `candidates` (topk/bottomk: each cluster's top k+1 per group, checked free of a tie at the k-th place;
   * `ordered-candidates` also between the picked values, where an ancestor reads their order).
   */
  partialForm?: 'moments' | 'candidates' | 'ordered-candidates';
}

export interface Call {
  kind: 'call';
  func: string;
  args: Expr[];
}

/**
 * A subtree the planner sends to the clusters. The evaluator reads its merged answer instead of evaluating
 * `expr`; `id` keys the fetched data.
 */
export interface Leaf {
  kind: 'leaf';
  id: number;
  expr: Expr;
  /** Clusters whose data this subtree can touch (from `cluster` matchers). */
  clusters: string[];
  /** The time grid it is fetched on: the query's own (undefined) or an enclosing subquery's. */
  gridId?: number;
}

export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | Subquery
  | Paren
  | Unary
  | Binary
  | Aggregate
  | Call
  | Leaf;

/**
 * The direct sub-expressions of a node (an aggregate's `expr` before its `param`, as `mapChildren` visits
 * them). Selectors and literals have none: a range selector's selector is not an Expr of its own.
 */
export function childrenOf(e: Expr): Expr[] {
  switch (e.kind) {
    case 'subquery':
    case 'paren':
    case 'unary':
    case 'leaf':
      return [e.expr];
    case 'binary':
      return [e.lhs, e.rhs];
    case 'aggregate':
      return e.param ? [e.expr, e.param] : [e.expr];
    case 'call':
      return e.args;
    default:
      return [];
  }
}

/** A copy of a node with each direct sub-expression replaced by `f(child)`; the one shape every tree rewrite shares. */
export function mapChildren(e: Expr, f: (x: Expr) => Expr): Expr {
  switch (e.kind) {
    case 'subquery':
    case 'paren':
    case 'unary':
    case 'leaf':
      return samePosition(e, { ...e, expr: f(e.expr) });
    case 'binary':
      return samePosition(e, { ...e, lhs: f(e.lhs), rhs: f(e.rhs) });
    case 'aggregate':
      return samePosition(e, { ...e, expr: f(e.expr), ...(e.param ? { param: f(e.param) } : {}) });
    case 'call':
      return samePosition(e, { ...e, args: e.args.map(f) });
    default:
      return e;
  }
}

/**
 * Where each node starts in the query text (for annotations' `(line:col)`), kept beside the tree so trees
 * still compare equal whatever their text's layout; rewrites carry it over with samePosition.
 */
const POSITIONS = new WeakMap<Expr, number>();

export function setPosition(e: Expr, offset: number): void {
  if (!POSITIONS.has(e)) POSITIONS.set(e, offset);
}

export function positionOf(e: Expr | undefined): number | undefined {
  return e ? POSITIONS.get(e) : undefined;
}

export function samePosition<T extends Expr>(from: Expr, to: T): T {
  const p = POSITIONS.get(from);
  if (p !== undefined && from !== to) POSITIONS.set(to, p);
  return to;
}
