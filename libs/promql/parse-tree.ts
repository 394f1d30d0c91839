import type { SyntaxNode } from '@lezer/common';
import { InputError } from '../errors/errors.ts';
import {
  setPosition,
  type AggregateOp,
  type AtModifier,
  type BinaryOp,
  type Expr,
  type LabelMatcher,
  type MatchOp,
  type VectorMatching,
  type VectorSelector,
} from './ast.ts';
import { functionTable } from './functions.ts';
import { goUnquote } from '../text/go-unquote.ts';
import { parseNumber } from './literals.ts';
import type { ParseOptions } from './parse-options.ts';
import { kids, TreeReader } from './parse-tree-reader.ts';

export { kids };

const BIN_OPS: Record<string, BinaryOp> = {
  Add: '+',
  Sub: '-',
  Mul: '*',
  Div: '/',
  Mod: '%',
  Pow: '^',
  Atan2: 'atan2',
  Eql: '==',
  Neq: '!=',
  Gtr: '>',
  Lss: '<',
  Gte: '>=',
  Lte: '<=',
  And: 'and',
  Or: 'or',
  Unless: 'unless',
  TrimUpper: '</',
  TrimLower: '>/',
};
const MATCH_OPS: Record<string, MatchOp> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };
const AGG_OPS = new Set([
  'sum',
  'avg',
  'count',
  'min',
  'max',
  'group',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'quantile',
  'count_values',
  'limitk',
  'limit_ratio',
]);
const PARAM_AGGS = new Set(['topk', 'bottomk', 'quantile', 'count_values', 'limitk', 'limit_ratio']);
/** The lezer tree of one query → Pharos AST, refusing what the chosen Prometheus version would not parse. */
export class TreeBuilder extends TreeReader {
  constructor(
    src: string,
    opts: ParseOptions,
    private readonly holtWinters = false,
  ) {
    super(src, opts);
  }

  expr(n: SyntaxNode): Expr {
    const e = this.node(n);
    setPosition(e, n.from);
    return e;
  }

  private node(n: SyntaxNode): Expr {
    const c = kids(n);
    switch (n.name) {
      case 'NumberDurationLiteral':
        return { kind: 'number', value: this.number(n) };
      case 'StringLiteral':
        return { kind: 'string', value: goUnquote(this.text(n)) };
      case 'VectorSelector':
        return this.selector(n);
      case 'ParenExpr':
        return { kind: 'paren', expr: this.expr(c[0] as SyntaxNode) };
      case 'UnaryExpr': {
        const op = this.text(c[0] as SyntaxNode) as '-' | '+';
        return { kind: 'unary', op, expr: this.expr(c[1] as SyntaxNode) };
      }
      case 'MatrixSelector':
        return this.matrix(c);
      case 'SubqueryExpr':
        return this.subquery(c);
      case 'OffsetExpr':
        return this.offset(c);
      case 'StepInvariantExpr':
        return this.at(c);
      case 'AnchoredExpr':
      case 'SmoothedExpr':
        return this.extendedRange(n, c);
      case 'BinaryExpr':
        return this.binary(c);
      case 'AggregateExpr':
        return this.aggregate(c);
      case 'FunctionCall':
        return this.call(c);
      default:
        return this.unsupported(n, n.name);
    }
  }

  private call(c: SyntaxNode[]): Expr {
    const name = this.text(c[0] as SyntaxNode);
    const func = this.holtWinters && name === 'double_exponential_smoothing' ? 'holt_winters' : name;
    const sig = functionTable(this.opts.version)[func];
    if (!sig) throw new InputError(`parse error: unknown function with name "${func}"`);
    if (sig.experimental && !this.opts.experimental)
      throw new InputError(`parse error: function "${func}" is not enabled`);
    return { kind: 'call', func, args: kids(c[1] as SyntaxNode).map((a) => this.expr(a)) };
  }

  private selector(n: SyntaxNode): VectorSelector {
    const matchers: LabelMatcher[] = [];
    for (const c of kids(n)) {
      if (c.name === 'Identifier') matchers.push({ name: '__name__', op: '=', value: this.text(c) });
      else for (const m of kids(c)) matchers.push(this.matcher(m));
    }
    return { kind: 'vector', matchers, offsetMs: 0 };
  }

  private matcher(m: SyntaxNode): LabelMatcher {
    const c = kids(m);
    if (m.name !== 'UnquotedLabelMatcher') this.needs3(m, 'a quoted label or metric name');
    // {"metric_name"} is the quoted form of a bare metric name.
    if (m.name === 'QuotedLabelName')
      return { name: '__name__', op: '=', value: goUnquote(this.text(c[0] as SyntaxNode)) };
    const nameNode = c[0] as SyntaxNode;
    const name =
      m.name === 'QuotedLabelMatcher' ? goUnquote(this.text(kids(nameNode)[0] as SyntaxNode)) : this.text(nameNode);
    const op = MATCH_OPS[(kids(c[1] as SyntaxNode)[0] as SyntaxNode).name] as MatchOp;
    return { name, op, value: goUnquote(this.text(c[2] as SyntaxNode)) };
  }

  private matrix(c: SyntaxNode[]): Expr {
    const inner = this.expr(c[0] as SyntaxNode);
    if (inner.kind !== 'vector') throw new InputError('parse error: ranges only allowed for vector selectors');
    if (inner.offsetMs !== 0 || inner.offsetExpr || inner.at)
      throw new InputError('parse error: no offset or @ modifiers allowed before range');
    const d = this.duration(c[1] as SyntaxNode);
    return { kind: 'matrix', selector: inner, rangeMs: d.ms, ...(d.expr ? { rangeExpr: d.expr } : {}) };
  }

  private subquery(c: SyntaxNode[]): Expr {
    const range = this.duration(c[1] as SyntaxNode);
    const step = c[2] ? this.duration(c[2]) : { ms: 0 };
    return {
      kind: 'subquery',
      expr: this.expr(c[0] as SyntaxNode),
      rangeMs: range.ms,
      stepMs: step.ms,
      offsetMs: 0,
      ...(range.expr ? { rangeExpr: range.expr } : {}),
      ...(step.expr ? { stepExpr: step.expr } : {}),
    };
  }

  private offset(c: SyntaxNode[]): Expr {
    const inner = this.expr(c[0] as SyntaxNode);
    const d = this.duration(c[2] as SyntaxNode, true);
    const target = inner.kind === 'matrix' ? inner.selector : inner;
    if (target.kind !== 'vector' && target.kind !== 'subquery') {
      throw new InputError(
        'parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery',
      );
    }
    if (target.offsetMs !== 0 || target.offsetExpr)
      throw new InputError('parse error: offset may not be set multiple times');
    target.offsetMs = d.ms;
    if (d.expr) target.offsetExpr = d.expr;
    return inner;
  }

  private at(c: SyntaxNode[]): Expr {
    const inner = this.expr(c[0] as SyntaxNode);
    const arg = c[2] as SyntaxNode;
    let at: AtModifier;
    if (arg.name === 'AtModifierPreprocessors') at = { kind: this.text(arg) === 'start' ? 'start' : 'end' };
    else {
      const sec = parseNumber(this.text(arg));
      if (!Number.isFinite(sec)) throw new InputError('parse error: timestamp out of bounds for @ modifier');
      at = { kind: 'time', ms: Math.round(sec * 1000) };
    }
    const target = inner.kind === 'matrix' ? inner.selector : inner;
    if (target.kind !== 'vector' && target.kind !== 'subquery') {
      throw new InputError(
        'parse error: @ modifier must be preceded by an instant vector selector or range vector selector or a subquery',
      );
    }
    if (target.at) throw new InputError('parse error: @ <timestamp> may not be set multiple times');
    target.at = at;
    return inner;
  }

  /** `x[5m] anchored` / `x[5m] smoothed` (Prometheus 3.16, setAnchored/setSmoothed in parse.go). */
  private extendedRange(n: SyntaxNode, c: SyntaxNode[]): Expr {
    this.needs3(n, 'an anchored or smoothed range selector');
    const inner = this.expr(c[0] as SyntaxNode);
    const which = n.name === 'AnchoredExpr' ? 'anchored' : 'smoothed';
    if (inner.kind === 'subquery')
      throw new InputError(`parse error: ${which} modifier is not supported for subqueries`);
    if (inner.kind !== 'matrix' && inner.kind !== 'vector')
      throw new InputError(`parse error: ${which} modifier not implemented`);
    if (inner.kind === 'vector')
      throw new InputError(`parse error: ${which} modifier is only allowed on range selectors`);
    if (inner.anchored || inner.smoothed)
      throw new InputError('parse error: anchored and smoothed modifiers cannot be used together');
    return { ...inner, [which]: true };
  }

  private binary(c: SyntaxNode[]): Expr {
    const opNode = c[1] as SyntaxNode;
    const op = BIN_OPS[opNode.name];
    if (!op) return this.unsupported(opNode, `operator ${opNode.name}`);
    if (op === '</' || op === '>/') this.needs3(opNode, `operator ${op}`);
    let lhs = this.expr(c[0] as SyntaxNode);
    const rhs = this.expr(c[c.length - 1] as SyntaxNode);
    let bool = false;
    let matching: VectorMatching | undefined;
    let fill: VectorMatching['fill'];
    for (const m of c.slice(2, -1)) {
      if (m.name === 'BoolModifier') bool = true;
      else if (m.name === 'MatchingModifierClause') matching = this.matching(m);
      else if (m.name === 'FillModifier') fill = this.fill(m);
      else this.unsupported(m, m.name);
    }
    if (fill) matching = { ...(matching ?? { on: false, labels: [], card: 'one-to-one', include: [] }), fill };
    // lezer reads "-1 ^ 2" as (-1)^2, Prometheus as -(1^2): the sign binds looser than ^.
    if (op === '^' && lhs.kind === 'number' && /^\s*-/.test(this.text(c[0] as SyntaxNode))) {
      lhs = { kind: 'number', value: -lhs.value };
      return { kind: 'unary', op: '-', expr: { kind: 'binary', op, lhs, rhs, bool } };
    }
    return { kind: 'binary', op, lhs, rhs, bool, ...(matching ? { matching } : {}) };
  }

  private fill(m: SyntaxNode): VectorMatching['fill'] {
    this.needs3(m, 'a fill modifier');
    if (!this.opts.fillModifiers)
      throw new InputError('parse error: binop fill modifiers are experimental and not enabled');
    const out: { lhs?: number; rhs?: number } = {};
    for (const clause of kids(m)) {
      const [kw, value] = kids(clause);
      const v = this.number(value as SyntaxNode);
      const which = (kw as SyntaxNode).name;
      if (which === 'Fill' || which === 'FillLeft') out.lhs = v;
      if (which === 'Fill' || which === 'FillRight') out.rhs = v;
    }
    return out;
  }

  private labels(n: SyntaxNode): string[] {
    return kids(n).map((l) => {
      if (l.name !== 'QuotedLabelName') return this.text(l);
      this.needs3(l, 'a quoted label name');
      return goUnquote(this.text(kids(l)[0] as SyntaxNode));
    });
  }

  private matching(m: SyntaxNode): VectorMatching {
    const c = kids(m);
    const on = (c[0] as SyntaxNode).name === 'On';
    const labels = this.labels(c[1] as SyntaxNode);
    const group = c[2]?.name;
    const card = group === 'GroupLeft' ? 'many-to-one' : group === 'GroupRight' ? 'one-to-many' : 'one-to-one';
    return { on, labels, card, include: c[3] ? this.labels(c[3]) : [] };
  }

  private aggregate(c: SyntaxNode[]): Expr {
    const opNode = c[0] as SyntaxNode;
    const op = this.text(opNode).toLowerCase();
    if (!AGG_OPS.has(op)) this.unsupported(opNode, `aggregation ${op}`);
    if (op === 'limitk' || op === 'limit_ratio') {
      this.needs3(opNode, `aggregation ${op}`);
      if (!this.opts.experimental)
        throw new InputError(
          `parse error: ${op}() is experimental and must be enabled with --enable-feature=promql-experimental-functions`,
        );
    }
    const body = c.find((x) => x.name === 'FunctionCallBody') as SyntaxNode;
    const mod = c.find((x) => x.name === 'AggregateModifier');
    const args = kids(body).map((a) => this.expr(a));
    const needsParam = PARAM_AGGS.has(op);
    if (args.length !== (needsParam ? 2 : 1))
      throw new InputError(
        `parse error: wrong number of arguments for aggregate expression provided, expected ${needsParam ? 2 : 1}, got ${args.length}`,
      );
    const without = mod ? (kids(mod)[0] as SyntaxNode).name === 'Without' : false;
    const grouping = mod ? this.labels(kids(mod)[1] as SyntaxNode) : [];
    const expr = args[args.length - 1] as Expr;
    return {
      kind: 'aggregate',
      op: op as AggregateOp,
      expr,
      grouping,
      without,
      ...(needsParam ? { param: args[0] as Expr } : {}),
    };
  }
}
