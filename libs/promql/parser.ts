import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import { stripPromQLComments } from './comments.ts';
import { InputError } from '../errors/errors.ts';
import type { AggregateOp, AtModifier, BinaryOp, Expr, LabelMatcher, MatchOp, VectorMatching, VectorSelector } from './ast.ts';
import { parseDuration, parseNumber, unquote } from './literals.ts';
import { checkExpr } from './typecheck.ts';

/**
 * PromQL text → Pharos AST, with the checks Prometheus 2.42's parser makes (types, matchers, modifiers), so
 * a query Prometheus would refuse is refused here as bad_data before any cluster is asked.
 * lezer-promql recovers from errors instead of throwing, so error nodes are turned into InputError.
 */
export function parsePromQL(query: string): Expr {
  if (query.replace(/#[^\n]*/g, '').trim() === '') throw new InputError('parse error: no expression found in input');
  // lezer-promql no longer knows holt_winters (renamed in Prometheus 3); 2.42 does, with the same arguments.
  const holtWinters = /\bholt_winters\s*\(/.test(query) && !query.includes('double_exponential_smoothing');
  const uncommented = query.includes('#') ? stripPromQLComments(query) : query;
  const text = holtWinters ? uncommented.replace(/\bholt_winters(\s*\()/g, 'double_exponential_smoothing$1') : uncommented;
  const top = parser.parse(text).topNode;
  const bad = findError(top);
  if (bad) {
    // lezer reads an unknown function name as a metric name followed by a stray "(".
    const fn = /([a-zA-Z_:][a-zA-Z0-9_:]*)\s*$/.exec(text.slice(0, bad.from));
    if (fn && text.slice(bad.from).trimStart().startsWith('(')) throw new InputError(`parse error: unknown function with name "${fn[1]}"`);
    throw new InputError(`parse error at char ${bad.from + 1}: unexpected "${text.slice(bad.from, bad.to + 1) || 'end of input'}"`);
  }
  const children = kids(top);
  if (children.length !== 1) throw new InputError('parse error: unexpected trailing input');
  const expr = new Builder(text, holtWinters).expr(children[0] as SyntaxNode);
  checkExpr(expr);
  return expr;
}

function findError(node: SyntaxNode): SyntaxNode | undefined {
  if (node.type.isError) return node;
  for (let c = node.firstChild; c; c = c.nextSibling) {
    const e = findError(c);
    if (e) return e;
  }
  return undefined;
}

/** Child nodes, comments left out (they may sit between any two tokens). */
function kids(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.name !== 'LineComment') out.push(c);
  return out;
}

const BIN_OPS: Record<string, BinaryOp> = {
  Add: '+', Sub: '-', Mul: '*', Div: '/', Mod: '%', Pow: '^', Atan2: 'atan2', Eql: '==', Neq: '!=', Gtr: '>', Lss: '<', Gte: '>=', Lte: '<=', And: 'and', Or: 'or', Unless: 'unless',
};
const MATCH_OPS: Record<string, MatchOp> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };
const AGG_OPS = new Set(['sum', 'avg', 'count', 'min', 'max', 'group', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values']);

class Builder {
  constructor(
    private readonly src: string,
    private readonly holtWinters = false,
  ) {}

  private text(n: SyntaxNode): string {
    return this.src.slice(n.from, n.to);
  }

  private unsupported(n: SyntaxNode, what: string): never {
    throw new InputError(`parse error: ${what} ("${this.text(n)}") is not supported by Prometheus 2.42`);
  }

  expr(n: SyntaxNode): Expr {
    const c = kids(n);
    switch (n.name) {
      case 'NumberDurationLiteral':
        return { kind: 'number', value: parseNumber(this.text(n)) };
      case 'StringLiteral':
        return { kind: 'string', value: unquote(this.text(n)) };
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
      case 'SubqueryExpr': {
        const step = c[2] ? this.duration(c[2]) : 0;
        return { kind: 'subquery', expr: this.expr(c[0] as SyntaxNode), rangeMs: this.duration(c[1] as SyntaxNode), stepMs: step, offsetMs: 0 };
      }
      case 'OffsetExpr':
        return this.offset(c);
      case 'StepInvariantExpr':
        return this.at(c);
      case 'BinaryExpr':
        return this.binary(c);
      case 'AggregateExpr':
        return this.aggregate(c);
      case 'FunctionCall': {
        const name = this.text(c[0] as SyntaxNode);
        const func = this.holtWinters && name === 'double_exponential_smoothing' ? 'holt_winters' : name;
        return { kind: 'call', func, args: kids(c[1] as SyntaxNode).map((a) => this.expr(a)) };
      }
      default:
        return this.unsupported(n, n.name);
    }
  }

  private duration(n: SyntaxNode): number {
    const c = kids(n);
    if (n.name === 'OffsetDurationExpr' && c[0]?.name === 'UnaryOp') {
      const inner = this.duration(c[1] as SyntaxNode);
      return this.text(c[0]) === '-' ? -inner : inner;
    }
    if (c.length !== 1 || c[0]?.name !== 'NumberDurationLiteralInDurationContext') this.unsupported(n, 'duration arithmetic');
    return parseDuration(this.text(c[0]));
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
    // {"metric_name"} is the quoted form of a bare metric name.
    if (m.name === 'QuotedLabelName') return { name: '__name__', op: '=', value: unquote(this.text(c[0] as SyntaxNode)) };
    const nameNode = c[0] as SyntaxNode;
    const name = m.name === 'QuotedLabelMatcher' ? unquote(this.text(kids(nameNode)[0] as SyntaxNode)) : this.text(nameNode);
    const op = MATCH_OPS[(kids(c[1] as SyntaxNode)[0] as SyntaxNode).name] as MatchOp;
    return { name, op, value: unquote(this.text(c[2] as SyntaxNode)) };
  }

  private matrix(c: SyntaxNode[]): Expr {
    const inner = this.expr(c[0] as SyntaxNode);
    if (inner.kind !== 'vector') throw new InputError('parse error: ranges only allowed for vector selectors');
    if (inner.offsetMs !== 0 || inner.at) throw new InputError('parse error: no offset or @ modifiers allowed before range');
    return { kind: 'matrix', selector: inner, rangeMs: this.duration(c[1] as SyntaxNode) };
  }

  private offset(c: SyntaxNode[]): Expr {
    const inner = this.expr(c[0] as SyntaxNode);
    const ms = this.duration(c[2] as SyntaxNode);
    const target = inner.kind === 'matrix' ? inner.selector : inner;
    if (target.kind !== 'vector' && target.kind !== 'subquery') {
      throw new InputError('parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery');
    }
    if (target.offsetMs !== 0) throw new InputError('parse error: offset may not be set multiple times');
    target.offsetMs = ms;
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
      throw new InputError('parse error: @ modifier must be preceded by an instant vector selector or range vector selector or a subquery');
    }
    if (target.at) throw new InputError('parse error: @ <timestamp> may not be set multiple times');
    target.at = at;
    return inner;
  }

  private binary(c: SyntaxNode[]): Expr {
    const opNode = c[1] as SyntaxNode;
    const op = BIN_OPS[opNode.name];
    if (!op) return this.unsupported(opNode, `operator ${opNode.name}`);
    let lhs = this.expr(c[0] as SyntaxNode);
    const rhs = this.expr(c[c.length - 1] as SyntaxNode);
    let bool = false;
    let matching: VectorMatching | undefined;
    for (const m of c.slice(2, -1)) {
      if (m.name === 'BoolModifier') bool = true;
      else if (m.name === 'MatchingModifierClause') matching = this.matching(m);
      else this.unsupported(m, m.name);
    }
    // lezer reads "-1 ^ 2" as (-1)^2, Prometheus as -(1^2): the sign binds looser than ^.
    if (op === '^' && lhs.kind === 'number' && /^\s*-/.test(this.text(c[0] as SyntaxNode))) {
      lhs = { kind: 'number', value: -lhs.value };
      return { kind: 'unary', op: '-', expr: { kind: 'binary', op, lhs, rhs, bool } };
    }
    return { kind: 'binary', op, lhs, rhs, bool, ...(matching ? { matching } : {}) };
  }

  private labels(n: SyntaxNode): string[] {
    return kids(n).map((l) => (l.name === 'QuotedLabelName' ? unquote(this.text(kids(l)[0] as SyntaxNode)) : this.text(l)));
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
    const body = c.find((x) => x.name === 'FunctionCallBody') as SyntaxNode;
    const mod = c.find((x) => x.name === 'AggregateModifier');
    const args = kids(body).map((a) => this.expr(a));
    const needsParam = op === 'topk' || op === 'bottomk' || op === 'quantile' || op === 'count_values';
    if (args.length !== (needsParam ? 2 : 1)) throw new InputError(`parse error: wrong number of arguments for aggregate expression provided, expected ${needsParam ? 2 : 1}, got ${args.length}`);
    const without = mod ? (kids(mod)[0] as SyntaxNode).name === 'Without' : false;
    const grouping = mod ? this.labels(kids(mod)[1] as SyntaxNode) : [];
    const expr = args[args.length - 1] as Expr;
    return { kind: 'aggregate', op: op as AggregateOp, expr, grouping, without, ...(needsParam ? { param: args[0] as Expr } : {}) };
  }
}
