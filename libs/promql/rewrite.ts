import { mapChildren, type Expr, type VectorSelector } from './ast.ts';

/**
 * Returns a copy of the tree with every vector selector (also those inside range selectors) replaced by
 * `fn(selector)`. The hook point for matcher injection: the planner strips `cluster` matchers with it, and
 * scope enforcement adds namespace/cluster matchers with it.
 */
export function rewriteSelectors(e: Expr, fn: (s: VectorSelector) => VectorSelector): Expr {
  if (e.kind === 'vector') return fn({ ...e, matchers: [...e.matchers] });
  if (e.kind === 'matrix') return { ...e, selector: fn({ ...e.selector, matchers: [...e.selector.matchers] }) };
  return mapChildren(e, (x) => rewriteSelectors(x, fn));
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
