import type { Expr } from './ast.ts';
import type { ParseOptions } from './parse-options.ts';
import { parsePromQL } from './parser.ts';

/** How many parsed queries are kept, and the longest query text kept (so the cache stays a few MB at most). */
const MAX_ENTRIES = 512;
const MAX_QUERY_CHARS = 8192;

/**
 * parsePromQL, remembered per query text and parse options (issue 21, Deliver 1: a dashboard sends the same
 * texts again and again, and lezer's parse and the checks were ~0.5 ms of every small federated query). The AST
 * is shared by every query of the same text, so it is frozen: whatever would change it throws instead of
 * changing the next query's. A query that does not parse throws each time (errors are not kept).
 */
export class ParseCache {
  private readonly entries = new Map<string, Expr>();

  constructor(private readonly maxEntries = MAX_ENTRIES) {}

  parse(query: string, opts: ParseOptions): Expr {
    if (query.length > MAX_QUERY_CHARS) return parsePromQL(query, opts);
    const key = `${opts.version}|${opts.experimental ? 1 : 0}|${opts.fillModifiers ? 1 : 0}|${query}`;
    const hit = this.entries.get(key);
    if (hit) {
      // Least recently used first: a hit moves to the end.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const expr = deepFreeze(parsePromQL(query, opts));
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, expr);
    return expr;
  }
}

function deepFreeze<T>(v: T): T {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return v;
  for (const child of Object.values(v)) deepFreeze(child);
  return Object.freeze(v);
}
