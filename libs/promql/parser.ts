import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import { stripPromQLComments } from './comments.ts';
import { InputError, UnprocessableError } from '../errors/errors.ts';
import type { Expr } from './ast.ts';
import { FUNCTIONS_3 } from './functions.ts';
import { allows3, PROMQL_2, type ParseOptions } from './parse-options.ts';
import { TreeBuilder, kids } from './parse-tree.ts';
import { checkExpr } from './typecheck.ts';

/**
 * PromQL text → Pharos AST, with the checks the members' Prometheus parser makes (types, matchers, modifiers,
 * which functions and syntax exist in that version and which are switched on), so a query Prometheus would
 * refuse is refused here as bad_data before any cluster is asked. The default is Prometheus 2.42.
 * lezer-promql recovers from errors instead of throwing, so error nodes are turned into InputError.
 */
export function parsePromQL(query: string, opts: ParseOptions = PROMQL_2): Expr {
  if (query.replace(/#[^\n]*/g, '').trim() === '') throw new InputError('parse error: no expression found in input');
  // lezer-promql no longer knows holt_winters (renamed double_exponential_smoothing in Prometheus 3); 2.42 has
  // it with the same arguments, so it is parsed under the new name and renamed back.
  const holtWinters =
    opts.version !== 3 && /\bholt_winters\s*\(/.test(query) && !query.includes('double_exponential_smoothing');
  const uncommented = query.includes('#') ? stripPromQLComments(query) : query;
  const text = holtWinters
    ? uncommented.replace(/\bholt_winters(\s*\()/g, 'double_exponential_smoothing$1')
    : uncommented;
  const top = parser.parse(text).topNode;
  const bad = findError(top);
  if (bad) throw parseFailure(text, bad, opts);
  const children = kids(top);
  if (children.length !== 1) throw new InputError('parse error: unexpected trailing input');
  const expr = new TreeBuilder(text, opts, holtWinters).expr(children[0] as SyntaxNode);
  checkExpr(expr, opts);
  return expr;
}

/** Functions of Prometheus 3.16 that lezer-promql 0.315 (the newest published) cannot parse yet. */
const LEZER_UNKNOWN = new Set(['min_of', 'max_of', 'integral']);

function parseFailure(text: string, bad: SyntaxNode, opts: ParseOptions): Error {
  // lezer reads an unknown function name as a metric name followed by a stray "(".
  const fn = /([a-zA-Z_:][a-zA-Z0-9_:]*)\s*$/.exec(text.slice(0, bad.from));
  if (fn && text.slice(bad.from).trimStart().startsWith('(')) {
    const name = fn[1] as string;
    if (allows3(opts) && LEZER_UNKNOWN.has(name) && FUNCTIONS_3[name]) {
      if (FUNCTIONS_3[name]?.experimental && !opts.experimental)
        return new InputError(`parse error: function "${name}" is not enabled`);
      return new UnprocessableError(
        `${name}() is valid Prometheus 3 PromQL, but Pharos's parser (lezer-promql 0.315) does not read it yet`,
      );
    }
    return new InputError(`parse error: unknown function with name "${name}"`);
  }
  return new InputError(
    `parse error at char ${bad.from + 1}: unexpected "${text.slice(bad.from, bad.to + 1) || 'end of input'}"`,
  );
}

function findError(node: SyntaxNode): SyntaxNode | undefined {
  if (node.type.isError) return node;
  for (let c = node.firstChild; c; c = c.nextSibling) {
    const e = findError(c);
    if (e) return e;
  }
  return undefined;
}
