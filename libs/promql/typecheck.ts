import { InputError } from '../errors/errors.ts';
import { COMPARISON_OPS, SET_OPS, type Expr, type ValueType, type VectorSelector } from './ast.ts';
import { functionTable, type FunctionSignature } from './functions.ts';
import { compileMatcherRegex } from './labels.ts';
import { PROMQL_2, type ParseOptions } from './parse-options.ts';

/** The static type of an expression (Prometheus parser.Expr.Type()). */
export function typeOf(e: Expr): ValueType {
  switch (e.kind) {
    case 'number':
      return 'scalar';
    case 'string':
      return 'string';
    case 'vector':
      return 'vector';
    case 'matrix':
    case 'subquery':
      return 'matrix';
    case 'paren':
    case 'unary':
    case 'leaf':
      return typeOf(e.expr);
    case 'binary':
      return typeOf(e.lhs) === 'scalar' && typeOf(e.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'aggregate':
      return 'vector';
    case 'call':
      return functionTable('any')[e.func]?.returns ?? 'vector';
  }
}

const fail = (msg: string): never => {
  throw new InputError(`parse error: ${msg}`);
};

function expectType(e: Expr, want: ValueType, context: string): void {
  const got = typeOf(e);
  if (got !== want) fail(`expected type ${typeName(want)} in ${context}, got ${typeName(got)}`);
}

const typeName = (t: ValueType): string => (t === 'vector' ? 'instant vector' : t === 'matrix' ? 'range vector' : t);

/**
 * The checks of Prometheus's parser.checkAST (2.42 and 3.16 make the same ones for what both parse), and
 * Prometheus's defaults for vector matching (one-to-one on all labels, many-to-many for set operators),
 * filled in place.
 */
export function checkExpr(e: Expr, opts: ParseOptions = PROMQL_2): void {
  checkNode(e, opts);
}

function checkNode(e: Expr, opts: ParseOptions): void {
  const checkExpr = (x: Expr): void => checkNode(x, opts);
  switch (e.kind) {
    case 'vector':
      return checkSelector(e);
    case 'matrix':
      return checkSelector(e.selector);
    case 'subquery': {
      checkExpr(e.expr);
      const t = typeOf(e.expr);
      if (t !== 'vector') fail(`subquery is only allowed on instant vector, got ${typeName(t)} instead`);
      return;
    }
    case 'paren':
      return checkExpr(e.expr);
    case 'unary': {
      checkExpr(e.expr);
      const t = typeOf(e.expr);
      if (t !== 'scalar' && t !== 'vector')
        fail('unary expression only allowed on expressions of type scalar or instant vector');
      return;
    }
    case 'binary':
      return checkBinary(e, opts);
    case 'aggregate': {
      checkExpr(e.expr);
      expectType(e.expr, 'vector', 'aggregation expression');
      if (e.param) {
        checkExpr(e.param);
        expectType(e.param, e.op === 'count_values' ? 'string' : 'scalar', 'aggregation parameter');
      }
      return;
    }
    case 'call':
      return checkCall(e, opts);
    default:
      return;
  }
}

function checkSelector(s: VectorSelector): void {
  const names = s.matchers.filter((m) => m.name === '__name__' && m.op === '=');
  if (names.length > 1) fail('metric name must not be set twice');
  for (const m of s.matchers) if (m.op === '=~' || m.op === '!~') compileMatcherRegex(m.value);
  const nonEmpty = s.matchers.some((m) => !matchesEmpty(m.op, m.value));
  if (!nonEmpty) fail('vector selector must contain at least one non-empty matcher');
}

function matchesEmpty(op: string, value: string): boolean {
  if (op === '=') return value === '';
  if (op === '!=') return value !== '';
  const re = compileMatcherRegex(value);
  return op === '=~' ? re.test('') : !re.test('');
}

function checkBinary(e: Extract<Expr, { kind: 'binary' }>, opts: ParseOptions): void {
  checkNode(e.lhs, opts);
  checkNode(e.rhs, opts);
  const lt = typeOf(e.lhs);
  const rt = typeOf(e.rhs);
  if ((lt !== 'scalar' && lt !== 'vector') || (rt !== 'scalar' && rt !== 'vector'))
    fail('binary expression must contain only scalar and instant vector types');
  if (e.bool && !COMPARISON_OPS.has(e.op)) fail('bool modifier can only be used on comparison operators');
  if (COMPARISON_OPS.has(e.op) && lt === 'scalar' && rt === 'scalar' && !e.bool)
    fail('comparisons between scalars must use BOOL modifier');
  const isSet = SET_OPS.has(e.op);
  if (isSet && (lt !== 'vector' || rt !== 'vector'))
    fail(`set operator "${e.op}" not allowed in binary scalar expression`);
  if (lt !== 'vector' || rt !== 'vector') {
    if (e.matching && (e.matching.labels.length > 0 || e.matching.on || e.matching.card !== 'one-to-one'))
      fail('vector matching only allowed between instant vectors');
    if (e.matching?.fill) fail('filling in missing series only allowed between instant vectors');
    delete e.matching;
    return;
  }
  const m = e.matching ?? { on: false, labels: [], card: 'one-to-one' as const, include: [] };
  if (isSet) {
    if (m.card === 'many-to-one' || m.card === 'one-to-many') fail(`no grouping allowed for "${e.op}" operation`);
    if (m.fill) fail('filling in missing series not allowed for set operators');
    m.card = 'many-to-many';
  }
  if (m.on)
    for (const l of m.include)
      if (m.labels.includes(l)) fail(`label "${l}" must not occur in ON and GROUP clause at once`);
  e.matching = m;
}

function checkCall(e: Extract<Expr, { kind: 'call' }>, opts: ParseOptions): void {
  const sig = functionTable(opts.version)[e.func];
  if (!sig) return fail(`unknown function with name "${e.func}"`);
  // info()'s label selector may match everything (BypassEmptyMatcherCheck in 3.16).
  e.args.forEach((a, i) => (e.func === 'info' && i === 1 && a.kind === 'vector' ? undefined : checkNode(a, opts)));
  checkArity(e, sig);
  if (e.func === 'info' && e.args.length > 1) checkInfoSelector(e.args[1] as Expr);
  e.args.forEach((a, i) => {
    if (i >= sig.args.length && !sig.variadic) return;
    expectType(a, sig.args[Math.min(i, sig.args.length - 1)] as ValueType, `call to function "${e.func}"`);
  });
}

/** parser.checkAST for calls: Variadic 0 exact, n > 0 up to n more, -1 unlimited (Prometheus's messages). */
function checkArity(e: Extract<Expr, { kind: 'call' }>, sig: FunctionSignature): void {
  const n = sig.args.length;
  const got = e.args.length;
  if (!sig.variadic) {
    if (got !== n) fail(`expected ${n} argument(s) in call to "${e.func}", got ${got}`);
    return;
  }
  if (got < n - 1) fail(`expected at least ${n - 1} argument(s) in call to "${e.func}", got ${got}`);
  if (sig.variadic > 0 && got > n - 1 + sig.variadic)
    fail(`expected at most ${n - 1 + sig.variadic} argument(s) in call to "${e.func}", got ${got}`);
}

/** info(v, {…}): the second argument is label matchers only (Prometheus 3.16 checkAST). */
function checkInfoSelector(a: Expr): void {
  if (typeOf(a) !== 'vector')
    fail(`expected type instant vector in call to function "info", got ${typeName(typeOf(a))}`);
  if (a.kind !== 'vector') return fail('expected label selectors only');
  if (a.matchers.some((m) => m.name === '__name__')) fail('expected label selectors only, got vector selector instead');
}
