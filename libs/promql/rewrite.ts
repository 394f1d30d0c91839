import type { Expr, VectorSelector } from './ast.ts';

/**
 * Returns a copy of the tree with every vector selector (also those inside range selectors) replaced by
 * `fn(selector)`. The hook point for matcher injection: the planner strips `cluster` matchers with it, and
 * scope enforcement adds namespace/cluster matchers with it.
 */
export function rewriteSelectors(e: Expr, fn: (s: VectorSelector) => VectorSelector): Expr {
  const r = (x: Expr): Expr => rewriteSelectors(x, fn);
  switch (e.kind) {
    case 'vector': return fn({ ...e, matchers: [...e.matchers] });
    case 'matrix': return { ...e, selector: fn({ ...e.selector, matchers: [...e.selector.matchers] }) };
    case 'subquery':
    case 'paren':
    case 'unary':
    case 'leaf': return { ...e, expr: r(e.expr) };
    case 'binary': return { ...e, lhs: r(e.lhs), rhs: r(e.rhs) };
    case 'aggregate': return { ...e, expr: r(e.expr), ...(e.param ? { param: r(e.param) } : {}) };
    case 'call': return { ...e, args: e.args.map(r) };
    default: return e;
  }
}

/** Every vector selector in the tree, in order. */
export function selectorsOf(e: Expr): VectorSelector[] {
  const out: VectorSelector[] = [];
  rewriteSelectors(e, (s) => {
    out.push(s);
    return s;
  });
  return out;
}
