import type { RecordKind } from '../../schemas/records.ts';
import { planSearch, type SearchPlan } from '../../search/search-plan.ts';
import { lowerSimple, tokenize } from '../../search/tokenize.ts';
import { filterTarget, targetValues, textValue, type FilterTarget } from '../../schemas/record-fields.ts';
import type { AnyDoc, RecordQuery } from '../record-store.ts';

/**
 * The query semantics written out plainly over documents in memory: the reference the contract suite holds
 * both engines to, and a fake for unit tests.
 */
export function matcher(kind: RecordKind, query: RecordQuery): (doc: AnyDoc) => boolean {
  const filters = Object.entries(query.filters).map(([name, values]) => ({
    target: filterTarget(kind, name) ?? ({ type: 'column', field: name } satisfies FilterTarget),
    values: new Set(values),
  }));
  const plan = query.q ? planSearch(kind, query.q) : undefined;
  return (doc) => {
    if (query.start !== undefined && doc.time < query.start) return false;
    if (query.end !== undefined && doc.time >= query.end) return false;
    for (const f of filters)
      if (f.values.size > 0 && !targetValues(doc, f.target).some((v) => f.values.has(v))) return false;
    return plan === undefined || matchesPlan(doc, plan);
  };
}

function matchesPlan(doc: AnyDoc, plan: SearchPlan): boolean {
  switch (plan.type) {
    case 'and':
      return plan.items.every((p) => matchesPlan(doc, p));
    case 'or':
      return plan.items.some((p) => matchesPlan(doc, p));
    case 'not':
      return !matchesPlan(doc, plan.item);
    case 'exact':
      return targetValues(doc, plan.target).some((v) => lowerSimple(v) === plan.value);
    case 'text':
      return plan.fields.some((f) => containsRun(tokenize(textValue(doc, f) ?? ''), plan.tokens));
  }
}

function containsRun(tokens: readonly string[], run: readonly string[]): boolean {
  for (let i = 0; i + run.length <= tokens.length; i++) if (run.every((t, j) => tokens[i + j] === t)) return true;
  return false;
}

/** Byte order of the UTF-8 encodings, as SQLite (BINARY) and Lucene (BytesRef) compare strings. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** The order of both stores: time, then id, then cluster (the same id from two clusters is two records). */
export function compareDocs(a: AnyDoc, b: AnyDoc, sort: 'asc' | 'desc'): number {
  const c = a.time !== b.time ? a.time - b.time : compareBytes(a.id, b.id) || compareBytes(a.cluster, b.cluster);
  return sort === 'asc' ? c : -c;
}
